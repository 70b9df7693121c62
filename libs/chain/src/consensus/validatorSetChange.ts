// A governance change of the validator set on an enterprise chain: the set that seals from the
// first block of `epoch` on, signed by more than 2/3 of the voting power of the set that announces
// it (the set of epoch − 1). It travels as the data of an ordinary transaction to the well-known
// address VALIDATOR_SET_CHANGE_ADDRESS, so every node sees it in the same finalized block and the
// schedule (validatorSchedule.ts) stays a pure function of the chain.
//
// Layout (all integers big-endian):
//   offset 0   version      u8 = 1
//   offset 1   chainId      u64
//   offset 9   epoch        u32
//   offset 13  count        u16, 1..MAX_SET_CHANGE_VALIDATORS
//   then       count × (address 20 bytes, power 32 bytes): ascending by address, power ≥ 1
//   ---------- end of the signed part
//   then       sigCount     u16, 1..MAX_SET_CHANGE_VALIDATORS
//   then       sigCount × (signer address 20 bytes, signature 65 bytes r ‖ s ‖ v)
// Each signature is over keccak256(keccak256("khipu.validatorset.change.v1") ‖ signed part): a
// domain of its own, so no consensus message or seal can pass for an approval.
import { ConsensusError } from './errors.js';
import { bytesToHex, hexBytesView, isAddress, shortHex } from './hex.js';
import { isQuorumPower } from './quorum.js';
import type { Address, Keccak256, Seal, SealVerifier, Signer, ValidatorSetView } from './types.js';

/** Transactions to this address carry encoded `SignedValidatorSetChange`s: the next free system address after DESIGN.md's 0x…1001–0x…1005. No code lives there; the transaction only records the change in a block. */
export const VALIDATOR_SET_CHANGE_ADDRESS: Address = '0x0000000000000000000000000000000000001006';
export const SET_CHANGE_VERSION = 1;
/** As many as libs/dietcoin's MAX_VALIDATORS. */
export const MAX_SET_CHANGE_VALIDATORS = 1024;
const DOMAIN = 'khipu.validatorset.change.v1';
const HEADER_BYTES = 15;
const ENTRY_BYTES = 52;
const APPROVAL_BYTES = 85;

/** The set that seals from block `epoch × epochLength` on. */
export interface ValidatorSetChange {
  chainId: bigint;
  epoch: number;
  validators: ValidatorSetView;
}

/** A change with the approvals of the announcing set (one signature per validator). */
export interface SignedValidatorSetChange {
  change: ValidatorSetChange;
  approvals: readonly Seal[];
}

function malformed(why: string): never {
  throw new ConsensusError('INVALID_SET_CHANGE', `validator-set change ${why}`);
}

/**
 * Checks a set: 1..MAX validators, lower-case addresses strictly ascending, powers ≥ 1 (< 2^256).
 * @throws ConsensusError INVALID_SET_CHANGE naming the fault.
 */
export function checkValidatorSetView(set: ValidatorSetView): void {
  const n = set.validators.length;
  if (n === 0 || n > MAX_SET_CHANGE_VALIDATORS)
    malformed(`lists ${n} validators, not 1..${MAX_SET_CHANGE_VALIDATORS}`);
  for (let i = 0; i < n; i++) {
    const v = set.validators[i]!;
    if (!isAddress(v)) malformed(`lists ${v}, not a lower-case 0x address`);
    if (i > 0 && set.validators[i - 1]! >= v) malformed(`is not strictly ascending at ${v}`);
  }
  if (set.powers !== undefined) {
    if (set.powers.length !== n) malformed(`has ${set.powers.length} powers for ${n} validators`);
    for (const p of set.powers) if (p <= 0n || p >= 1n << 256n) malformed(`has a power of ${p}`);
  }
}

/** The signed part: what every approval signs. */
export function encodeSetChangeBody(change: ValidatorSetChange): Uint8Array {
  checkValidatorSetView(change.validators);
  if (change.chainId < 1n || change.chainId >= 1n << 64n) malformed(`has chain id ${change.chainId}`);
  if (!Number.isInteger(change.epoch) || change.epoch < 1 || change.epoch > 0xffff_ffff)
    malformed(`names epoch ${change.epoch}, not 1..2^32-1`);
  const n = change.validators.validators.length;
  const out = new Uint8Array(HEADER_BYTES + n * ENTRY_BYTES);
  const view = new DataView(out.buffer);
  out[0] = SET_CHANGE_VERSION;
  view.setBigUint64(1, change.chainId);
  view.setUint32(9, change.epoch);
  view.setUint16(13, n);
  for (let i = 0; i < n; i++) {
    const at = HEADER_BYTES + i * ENTRY_BYTES;
    out.set(hexBytesView(change.validators.validators[i]!, 20), at);
    let power = change.validators.powers?.[i] ?? 1n;
    for (let b = 31; b >= 0; b--) {
      out[at + 20 + b] = Number(power & 0xffn);
      power >>= 8n;
    }
  }
  return out;
}

/** The digest an approval signs. */
export function setChangeDigest(keccak256: Keccak256, change: ValidatorSetChange): Uint8Array {
  const domain = keccak256(new TextEncoder().encode(DOMAIN));
  const body = encodeSetChangeBody(change);
  const data = new Uint8Array(32 + body.length);
  data.set(domain, 0);
  data.set(body, 32);
  return keccak256(data);
}

/** One validator's approval of `change`. */
export function approveSetChange(signer: Signer, keccak256: Keccak256, change: ValidatorSetChange): Seal {
  return { validator: signer.address, signature: signer.sign(setChangeDigest(keccak256, change)) };
}

export function encodeSignedSetChange(s: SignedValidatorSetChange): Uint8Array {
  const body = encodeSetChangeBody(s.change);
  const k = s.approvals.length;
  if (k === 0 || k > MAX_SET_CHANGE_VALIDATORS) malformed(`carries ${k} approvals`);
  const out = new Uint8Array(body.length + 2 + k * APPROVAL_BYTES);
  out.set(body, 0);
  new DataView(out.buffer).setUint16(body.length, k);
  for (let i = 0; i < k; i++) {
    const a = s.approvals[i]!;
    if (!isAddress(a.validator) || a.signature.length !== 65) malformed(`approval ${i} is malformed`);
    const at = body.length + 2 + i * APPROVAL_BYTES;
    out.set(hexBytesView(a.validator, 20), at);
    out.set(a.signature, at + 20);
  }
  return out;
}

/**
 * Decodes strictly: unknown version, truncation, trailing bytes, counts out of range, unsorted
 * or zero-power sets are refused.
 * @throws ConsensusError INVALID_SET_CHANGE.
 */
export function decodeSignedSetChange(bytes: Uint8Array): SignedValidatorSetChange {
  if (bytes.length < HEADER_BYTES) malformed(`is truncated (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== SET_CHANGE_VERSION) malformed(`has unknown version ${bytes[0]}`);
  const chainId = view.getBigUint64(1);
  const epoch = view.getUint32(9);
  const n = view.getUint16(13);
  if (n === 0 || n > MAX_SET_CHANGE_VALIDATORS) malformed(`lists ${n} validators`);
  const bodyEnd = HEADER_BYTES + n * ENTRY_BYTES;
  if (bytes.length < bodyEnd + 2) malformed('is truncated in its validator list');
  const validators: Address[] = [];
  const powers: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const at = HEADER_BYTES + i * ENTRY_BYTES;
    validators.push(bytesToHex(bytes.subarray(at, at + 20)));
    let power = 0n;
    for (let b = 0; b < 32; b++) power = (power << 8n) | BigInt(bytes[at + 20 + b]!);
    powers.push(power);
  }
  const k = view.getUint16(bodyEnd);
  if (k === 0 || k > MAX_SET_CHANGE_VALIDATORS) malformed(`carries ${k} approvals`);
  const end = bodyEnd + 2 + k * APPROVAL_BYTES;
  if (bytes.length < end) malformed('is truncated in its approvals');
  if (bytes.length > end) malformed(`has ${bytes.length - end} trailing bytes`);
  const approvals: Seal[] = [];
  for (let i = 0; i < k; i++) {
    const at = bodyEnd + 2 + i * APPROVAL_BYTES;
    approvals.push({
      validator: bytesToHex(bytes.subarray(at, at + 20)),
      signature: bytes.slice(at + 20, at + APPROVAL_BYTES),
    });
  }
  const change: ValidatorSetChange = {
    chainId,
    epoch,
    validators: powers.every((p) => p === 1n) ? { validators } : { validators, powers },
  };
  if (epoch < 1) malformed('names epoch 0');
  checkValidatorSetView(change.validators);
  return { change, approvals };
}

export interface VerifySetChangeParameters {
  chainId: bigint;
  /** The set that must approve: the set of epoch `change.epoch − 1`. */
  approvers: ValidatorSetView;
  verifier: SealVerifier;
  keccak256: Keccak256;
}

/**
 * Verifies a change: right chain, every approval by a distinct member of `approvers` with a valid
 * signature, and the approvers holding more than 2/3 of the voting power. Returns the approvers.
 * @throws ConsensusError WRONG_CHAIN, INVALID_SET_CHANGE (a duplicate, a non-member or a bad
 * signature: a forged approval is refused, not skipped) or NO_QUORUM.
 */
export function verifySignedSetChange(s: SignedValidatorSetChange, p: VerifySetChangeParameters): Address[] {
  const { change } = s;
  if (change.chainId !== p.chainId) {
    throw new ConsensusError(
      'WRONG_CHAIN',
      `validator-set change for epoch ${change.epoch} is for chain ${change.chainId}, not ${p.chainId}`,
    );
  }
  const digest = setChangeDigest(p.keccak256, change);
  const power = new Map(p.approvers.validators.map((v, i) => [v, p.approvers.powers?.[i] ?? 1n]));
  const total = [...power.values()].reduce((a, b) => a + b, 0n);
  const signers: Address[] = [];
  let approved = 0n;
  for (const a of s.approvals) {
    const weight = power.get(a.validator);
    if (weight === undefined)
      malformed(`for epoch ${change.epoch} is approved by ${shortHex(a.validator)}, not a validator`);
    if (signers.includes(a.validator))
      malformed(`for epoch ${change.epoch} is approved twice by ${shortHex(a.validator)}`);
    if (!p.verifier.verify(digest, a.signature, a.validator)) {
      throw new ConsensusError(
        'BAD_SIGNATURE',
        `validator-set change for epoch ${change.epoch}: approval of ${shortHex(a.validator)} does not verify`,
      );
    }
    signers.push(a.validator);
    approved += weight;
  }
  if (!isQuorumPower(approved, total)) {
    throw new ConsensusError(
      'NO_QUORUM',
      `validator-set change for epoch ${change.epoch} is approved by ${approved} of ${total} voting power, not more than 2/3`,
      { details: { approved: approved.toString(), total: total.toString() } },
    );
  }
  return signers;
}
