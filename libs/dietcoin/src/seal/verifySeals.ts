import { bytesToHex, shortHexOf } from '../encoding/hex.js';
import { DietcoinError } from '../errors.js';
import { recoverSealSigner, type SealSubject, sealDigest } from './seal.js';
import { hasQuorum, type QuorumRule, type ValidatorSet } from './validatorSet.js';

export interface VerifySealsParameters extends SealSubject {
  validators: ValidatorSet;
  quorum: QuorumRule;
  seals: readonly Uint8Array[];
}

export interface VerifySealsReturnType {
  /** Positions in `validators.validators` of the signers, in seal order. */
  signers: number[];
  /** Signing power: signer count under `count`, their stake under `stake`. */
  power: bigint;
  total: bigint;
}

/**
 * Checks that `seals` are valid signatures over the subject by distinct members of `validators`
 * whose power is strictly above 2/3 of the set's.
 * @throws DietcoinError MALFORMED_SIGNATURE, HIGH_S_SIGNATURE, DUPLICATE_SIGNER, NON_MEMBER_SIGNER or NO_QUORUM.
 */
export function verifySeals(p: VerifySealsParameters): VerifySealsReturnType {
  const digest = sealDigest(p);
  const seen = new Set<number>();
  const signers: number[] = [];
  let power = 0n;
  const set = p.validators;
  if (p.seals.length > set.validators.length) {
    throw new DietcoinError(
      'DUPLICATE_SIGNER',
      `block ${p.height} carries ${p.seals.length} seals for a set of ${set.validators.length}`,
    );
  }
  for (const seal of p.seals) {
    const address = recoverSealSigner(digest, seal);
    const i = set.indexOf(address);
    if (i === undefined) {
      throw new DietcoinError(
        'NON_MEMBER_SIGNER',
        `seal of block ${p.height} by ${bytesToHex(address)} who is not in validator set ${shortHexOf(set.hash)}`,
        { details: { signer: bytesToHex(address) } },
      );
    }
    if (seen.has(i)) {
      throw new DietcoinError(
        'DUPLICATE_SIGNER',
        `block ${p.height} is sealed twice by ${bytesToHex(address)}`,
      );
    }
    seen.add(i);
    signers.push(i);
    power += p.quorum === 'count' ? 1n : set.validators[i]!.stake;
  }
  const total = p.quorum === 'count' ? BigInt(set.validators.length) : set.totalStake;
  if (!hasQuorum(power, total)) {
    throw new DietcoinError(
      'NO_QUORUM',
      `block ${p.height} (${shortHexOf(p.blockHash)}) is sealed by ${power} of ${total} (${p.quorum}), not more than 2/3`,
    );
  }
  return { signers, power, total };
}
