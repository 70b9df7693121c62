// Evidence of equivocation: two seals by one validator for the same chain, height and round over
// different block hashes. One type for the light client, the consensus and slashing.
//
// Layout (235 bytes, the two votes ordered by block hash so that one offence has one encoding):
//   offset   0  version    u8 = 1
//   offset   1  chainId    u64 big-endian
//   offset   9  height     u64 big-endian
//   offset  17  round      u32 big-endian
//   offset  21  validator  20 bytes
//   offset  41  blockHashA 32 bytes   (blockHashA < blockHashB)
//   offset  73  sealA      65 bytes
//   offset 138  blockHashB 32 bytes
//   offset 170  sealB      65 bytes
import { bytesToHex, compareBytes, equalBytes } from '../encoding/bytes.js';
import { ByteReader } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError } from '../errors.js';
import { recoverSealSigner, SEAL_BYTES, sealDigest } from './seal.js';
import type { ValidatorSet } from './validatorSet.js';

export const EVIDENCE_BYTES = 235;
const EVIDENCE_VERSION = 1;

export interface Vote {
  blockHash: Uint8Array;
  seal: Uint8Array;
}

export interface Evidence {
  chainId: bigint;
  height: number;
  round: number;
  validator: Uint8Array;
  /** a.blockHash < b.blockHash */
  a: Vote;
  b: Vote;
}

export interface CreateEvidenceParameters {
  chainId: bigint;
  height: number;
  round: number;
  validator: Uint8Array;
  votes: [Vote, Vote];
}

/** Builds evidence, ordering the votes canonically. Does not verify it (see `verifyEvidence`). */
export function createEvidence({
  chainId,
  height,
  round,
  validator,
  votes,
}: CreateEvidenceParameters): Evidence {
  const [x, y] = votes;
  const [a, b] = compareBytes(x.blockHash, y.blockHash) <= 0 ? [x, y] : [y, x];
  return { chainId, height, round, validator, a, b };
}

export interface VerifyEvidenceParameters {
  evidence: Evidence;
  /** When given, the validator must be a member of this set (the set of that height). */
  validators?: ValidatorSet;
}

/**
 * Checks evidence: distinct hashes in canonical order, both seals by `validator` over
 * (chainId, height, round, hash), and membership when a set is given.
 * @throws DietcoinError INVALID_EVIDENCE, MALFORMED_SIGNATURE or HIGH_S_SIGNATURE.
 */
export function verifyEvidence({ evidence: e, validators }: VerifyEvidenceParameters): void {
  if (e.a.blockHash.length !== 32 || e.b.blockHash.length !== 32 || e.validator.length !== 20) {
    throw new DietcoinError('INVALID_EVIDENCE', 'evidence has a malformed hash or validator');
  }
  if (compareBytes(e.a.blockHash, e.b.blockHash) >= 0) {
    throw new DietcoinError(
      'INVALID_EVIDENCE',
      equalBytes(e.a.blockHash, e.b.blockHash)
        ? `evidence against ${bytesToHex(e.validator)} is two votes for one block`
        : 'evidence votes are not in canonical order',
    );
  }
  for (const vote of [e.a, e.b]) {
    const signer = recoverSealSigner(
      sealDigest({ chainId: e.chainId, height: e.height, round: e.round, blockHash: vote.blockHash }),
      vote.seal,
    );
    if (!equalBytes(signer, e.validator)) {
      throw new DietcoinError(
        'INVALID_EVIDENCE',
        `evidence seal at height ${e.height} is by ${bytesToHex(signer)}, not ${bytesToHex(e.validator)}`,
      );
    }
  }
  if (validators && validators.indexOf(e.validator) === undefined) {
    throw new DietcoinError(
      'INVALID_EVIDENCE',
      `evidence names ${bytesToHex(e.validator)} who is not in the set`,
    );
  }
}

export function encodeEvidence(e: Evidence): Uint8Array {
  const w = new ByteWriter(EVIDENCE_BYTES);
  w.u8(EVIDENCE_VERSION).u64(e.chainId).u64(e.height).u32(e.round).bytes(e.validator);
  w.bytes(e.a.blockHash).bytes(e.a.seal).bytes(e.b.blockHash).bytes(e.b.seal);
  const out = w.finish();
  if (out.length !== EVIDENCE_BYTES) throw new DietcoinError('MALFORMED', 'evidence has malformed fields');
  return out;
}

/**
 * Decodes evidence strictly (format only; see `verifyEvidence`).
 * @throws DietcoinError UNKNOWN_VERSION, TRUNCATED, TRAILING_BYTES or MALFORMED.
 */
export function decodeEvidence(bytes: Uint8Array): Evidence {
  const r = new ByteReader(bytes, 'evidence');
  const version = r.u8();
  if (version !== EVIDENCE_VERSION)
    throw new DietcoinError('UNKNOWN_VERSION', `evidence version ${version} is unknown`);
  const chainId = r.u64n();
  const height = r.u64();
  const round = r.u32();
  const validator = r.take(20).slice();
  const a = { blockHash: r.take(32).slice(), seal: r.take(SEAL_BYTES).slice() };
  const b = { blockHash: r.take(32).slice(), seal: r.take(SEAL_BYTES).slice() };
  r.end();
  return { chainId, height, round, validator, a, b };
}

export interface FindEvidenceParameters {
  chainId: bigint;
  height: number;
  first: { blockHash: Uint8Array; round: number; seals: readonly Uint8Array[] };
  second: { blockHash: Uint8Array; round: number; seals: readonly Uint8Array[] };
}

/**
 * Every validator that sealed both blocks of one height in the same round: each pair is evidence.
 * Seals that do not recover are skipped.
 */
export function findEvidence({ chainId, height, first, second }: FindEvidenceParameters): Evidence[] {
  if (first.round !== second.round || equalBytes(first.blockHash, second.blockHash)) return [];
  const round = first.round;
  const signers = (blockHash: Uint8Array, seals: readonly Uint8Array[]) => {
    const digest = sealDigest({ chainId, height, round, blockHash });
    const out = new Map<string, { address: Uint8Array; seal: Uint8Array }>();
    for (const seal of seals) {
      try {
        const address = recoverSealSigner(digest, seal);
        out.set(bytesToHex(address), { address, seal });
      } catch {
        // not a valid seal: no evidence from it
      }
    }
    return out;
  };
  const a = signers(first.blockHash, first.seals);
  const b = signers(second.blockHash, second.seals);
  const out: Evidence[] = [];
  for (const [k, va] of a) {
    const vb = b.get(k);
    if (!vb) continue;
    out.push(
      createEvidence({
        chainId,
        height,
        round,
        validator: va.address,
        votes: [
          { blockHash: first.blockHash, seal: va.seal },
          { blockHash: second.blockHash, seal: vb.seal },
        ],
      }),
    );
  }
  return out;
}
