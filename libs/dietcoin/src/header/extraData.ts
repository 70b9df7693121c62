// extraData of a Khipu header: the RLP of
//   [validatorsHash (32), nextValidatorsHash (32), messageRoot (32), shardRoot (32),
//    parentSeals = [round (RLP integer, uint32), [seal (65), …]]]
// parentSeals are the seals that finalized the parent block (empty for genesis: [0, []]).

import { plainBytes } from '../encoding/reader.js';
import { encodeRLP, numberToRLPBytes, rlpSpan, rlpToNumber } from '../encoding/rlp.js';
import { DietcoinError } from '../errors.js';
import { SEAL_BYTES } from '../seal/seal.js';
import { MAX_VALIDATORS } from '../seal/validatorSet.js';

/** The seals of one block, all cast in one round. */
export interface Seals {
  round: number;
  seals: Uint8Array[];
}

export interface KhipuExtraData {
  validatorsHash: Uint8Array;
  nextValidatorsHash: Uint8Array;
  messageRoot: Uint8Array;
  shardRoot: Uint8Array;
  parentSeals: Seals;
}

/** Largest extraData accepted: the four roots and a full set of parent seals. */
export const MAX_EXTRA_DATA_BYTES = 4 * 33 + 16 + MAX_VALIDATORS * (SEAL_BYTES + 2);

/** RLP of the extraData fields. */
export function encodeExtraData(e: KhipuExtraData): Uint8Array {
  for (const [name, v] of [
    ['validatorsHash', e.validatorsHash],
    ['nextValidatorsHash', e.nextValidatorsHash],
    ['messageRoot', e.messageRoot],
    ['shardRoot', e.shardRoot],
  ] as const) {
    if (v.length !== 32) throw new DietcoinError('MALFORMED', `extraData ${name} must be 32 bytes`);
  }
  for (const s of e.parentSeals.seals) {
    if (s.length !== SEAL_BYTES)
      throw new DietcoinError('MALFORMED', `parent seal must be ${SEAL_BYTES} bytes`);
  }
  return encodeRLP([
    e.validatorsHash,
    e.nextValidatorsHash,
    e.messageRoot,
    e.shardRoot,
    [numberToRLPBytes(e.parentSeals.round), e.parentSeals.seals],
  ]);
}

/**
 * Decodes extraData strictly, walking the RLP in place (hot path of header decoding).
 * @throws DietcoinError MALFORMED, TRUNCATED, TRAILING_BYTES, NON_CANONICAL or OVERSIZED.
 */
export function decodeExtraData(input: Uint8Array): KhipuExtraData {
  const bytes = plainBytes(input);
  if (bytes.length > MAX_EXTRA_DATA_BYTES) {
    throw new DietcoinError(
      'OVERSIZED',
      `extraData of ${bytes.length} bytes is above ${MAX_EXTRA_DATA_BYTES}`,
    );
  }
  const what = 'extraData';
  const list = rlpSpan(bytes, 0, bytes.length, what);
  if (list.end !== bytes.length)
    throw new DietcoinError('TRAILING_BYTES', `extraData has ${bytes.length - list.end} trailing bytes`);
  if (!list.list) throw new DietcoinError('MALFORMED', 'extraData must be a list of 5 items');
  let o = list.start;
  const hash = (name: string): Uint8Array => {
    if (o >= list.end)
      throw new DietcoinError('MALFORMED', `extraData must be a list of 5 items: ${name} is missing`);
    const s = rlpSpan(bytes, o, list.end, what);
    if (s.list || s.end - s.start !== 32)
      throw new DietcoinError('MALFORMED', `extraData ${name} must be 32 bytes`);
    o = s.end;
    return bytes.subarray(s.start, s.end);
  };
  const validatorsHash = hash('validatorsHash');
  const nextValidatorsHash = hash('nextValidatorsHash');
  const messageRoot = hash('messageRoot');
  const shardRoot = hash('shardRoot');
  if (o >= list.end)
    throw new DietcoinError('MALFORMED', 'extraData must be a list of 5 items: parentSeals is missing');
  const ps = rlpSpan(bytes, o, list.end, what);
  if (ps.end !== list.end) throw new DietcoinError('MALFORMED', 'extraData must be a list of 5 items');
  const malformedSeals = () =>
    new DietcoinError('MALFORMED', 'extraData parentSeals must be [round, [seal, …]]');
  if (!ps.list) throw malformedSeals();
  if (ps.start >= ps.end) throw malformedSeals();
  const roundSpan = rlpSpan(bytes, ps.start, ps.end, what);
  if (roundSpan.list) throw malformedSeals();
  const round = rlpToNumber(bytes.subarray(roundSpan.start, roundSpan.end), 'parentSeals round');
  if (round > 0xffff_ffff) throw new DietcoinError('OVERSIZED', 'parentSeals round is above 2^32');
  if (roundSpan.end >= ps.end) throw malformedSeals();
  const sealList = rlpSpan(bytes, roundSpan.end, ps.end, what);
  if (!sealList.list || sealList.end !== ps.end) throw malformedSeals();
  const seals: Uint8Array[] = [];
  for (let s = sealList.start; s < sealList.end; ) {
    const item = rlpSpan(bytes, s, sealList.end, what);
    if (item.list || item.end - item.start !== SEAL_BYTES) {
      throw new DietcoinError('MALFORMED', `parent seal must be a ${SEAL_BYTES}-byte string`);
    }
    if (seals.length === MAX_VALIDATORS) throw new DietcoinError('OVERSIZED', 'too many parent seals');
    seals.push(bytes.subarray(item.start, item.end));
    s = item.end;
  }
  return { validatorsHash, nextValidatorsHash, messageRoot, shardRoot, parentSeals: { round, seals } };
}
