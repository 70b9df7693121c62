// extraData of a Khipu header: the RLP of
//   [validatorsHash (32), nextValidatorsHash (32), messageRoot (32), shardRoot (32),
//    parentSeals = [round (RLP integer, uint32), [seal (65), …]]]
// parentSeals are the seals that finalized the parent block (empty for genesis: [0, []]).
import {
  decodeRLP,
  encodeRLP,
  numberToRLPBytes,
  type RLPItem,
  rlpFixed,
  rlpToNumber,
} from '../encoding/rlp.js';
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
 * Decodes extraData strictly.
 * @throws DietcoinError MALFORMED, TRUNCATED, TRAILING_BYTES, NON_CANONICAL or OVERSIZED.
 */
export function decodeExtraData(bytes: Uint8Array): KhipuExtraData {
  if (bytes.length > MAX_EXTRA_DATA_BYTES) {
    throw new DietcoinError(
      'OVERSIZED',
      `extraData of ${bytes.length} bytes is above ${MAX_EXTRA_DATA_BYTES}`,
    );
  }
  const item = decodeRLP(bytes, 'extraData');
  if (!Array.isArray(item) || item.length !== 5) {
    throw new DietcoinError('MALFORMED', 'extraData must be a list of 5 items');
  }
  const ps = item[4];
  if (!Array.isArray(ps) || ps.length !== 2 || !Array.isArray(ps[1])) {
    throw new DietcoinError('MALFORMED', 'extraData parentSeals must be [round, [seal, …]]');
  }
  const round = rlpToNumber(ps[0] as RLPItem, 'parentSeals round');
  if (round > 0xffff_ffff) throw new DietcoinError('OVERSIZED', 'parentSeals round is above 2^32');
  const sealItems = ps[1] as RLPItem[];
  if (sealItems.length > MAX_VALIDATORS) throw new DietcoinError('OVERSIZED', 'too many parent seals');
  return {
    validatorsHash: rlpFixed(item[0], 32, 'extraData validatorsHash'),
    nextValidatorsHash: rlpFixed(item[1], 32, 'extraData nextValidatorsHash'),
    messageRoot: rlpFixed(item[2], 32, 'extraData messageRoot'),
    shardRoot: rlpFixed(item[3], 32, 'extraData shardRoot'),
    parentSeals: { round, seals: sealItems.map((s) => rlpFixed(s, SEAL_BYTES, 'parent seal')) },
  };
}
