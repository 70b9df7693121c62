// The compact record the light client keeps for each verified header: its hash, number and time,
// the roots proofs are checked against, and its validator set (178 bytes; 210 on the last block of
// an epoch, which also names the next set). The parent hash is not kept: a record is only ever
// extended from the head, whose own hash is the next header's parent.
//   offset   0  version             u8 = 1
//   offset   1  flags               u8: bit 0 = its seals were checked, bit 1 = it announces a new set
//   offset   2  number              u64 big-endian
//   offset  10  timestamp           u64 big-endian
//   offset  18  hash                32
//   offset  50  stateRoot           32
//   offset  82  messageRoot         32
//   offset 114  shardRoot           32
//   offset 146  validatorsHash      32
//   offset 178  nextValidatorsHash  32, present only when flag bit 1 is set
import { equalBytes } from '../encoding/bytes.js';
import { ByteReader } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError } from '../errors.js';
import type { DecodedHeader } from '../header/header.js';

/** Size of a record without a set change; `HEADER_RECORD_MAX_BYTES` with one. */
export const HEADER_RECORD_BYTES = 178;
export const HEADER_RECORD_MAX_BYTES = 210;
const HEADER_RECORD_VERSION = 1;
const FLAG_SEALED = 1;
const FLAG_SET_CHANGE = 2;

export interface VerifiedHeaderRecord {
  number: number;
  timestamp: number;
  hash: Uint8Array;
  stateRoot: Uint8Array;
  messageRoot: Uint8Array;
  shardRoot: Uint8Array;
  validatorsHash: Uint8Array;
  /** Equal to validatorsHash except on the last block of an epoch that changes the set. */
  nextValidatorsHash: Uint8Array;
  /** Its seals were checked (otherwise it was accepted by its link to a sealed header). */
  sealed: boolean;
}

export function recordOfHeader(h: DecodedHeader, sealed: boolean): VerifiedHeaderRecord {
  const x = h.header;
  return {
    number: x.number,
    timestamp: x.timestamp,
    hash: h.hash,
    stateRoot: x.stateRoot,
    messageRoot: x.extra.messageRoot,
    shardRoot: x.extra.shardRoot,
    validatorsHash: x.extra.validatorsHash,
    nextValidatorsHash: x.extra.nextValidatorsHash,
    sealed,
  };
}

export function encodeHeaderRecord(r: VerifiedHeaderRecord): Uint8Array {
  const changes = !equalBytes(r.validatorsHash, r.nextValidatorsHash);
  const w = new ByteWriter(changes ? HEADER_RECORD_MAX_BYTES : HEADER_RECORD_BYTES);
  w.u8(HEADER_RECORD_VERSION).u8((r.sealed ? FLAG_SEALED : 0) | (changes ? FLAG_SET_CHANGE : 0));
  w.u64(r.number).u64(r.timestamp);
  const fields = [r.hash, r.stateRoot, r.messageRoot, r.shardRoot, r.validatorsHash];
  if (changes) fields.push(r.nextValidatorsHash);
  for (const f of fields) {
    if (f.length !== 32) throw new DietcoinError('MALFORMED', 'header record hashes must be 32 bytes');
    w.bytes(f);
  }
  return w.finish();
}

/**
 * Decodes a stored header record strictly.
 * @throws DietcoinError UNKNOWN_VERSION, MALFORMED, TRUNCATED or TRAILING_BYTES.
 */
export function decodeHeaderRecord(bytes: Uint8Array): VerifiedHeaderRecord {
  const r = new ByteReader(bytes, 'header record');
  const version = r.u8();
  if (version !== HEADER_RECORD_VERSION) {
    throw new DietcoinError('UNKNOWN_VERSION', `header record version ${version} is unknown`);
  }
  const flags = r.u8();
  if (flags > 3) throw new DietcoinError('MALFORMED', `header record flags ${flags}`);
  const number = r.u64();
  const timestamp = r.u64();
  const f = () => r.take(32).slice();
  const hash = f();
  const stateRoot = f();
  const messageRoot = f();
  const shardRoot = f();
  const validatorsHash = f();
  const nextValidatorsHash = flags & FLAG_SET_CHANGE ? f() : validatorsHash;
  r.end();
  if (flags & FLAG_SET_CHANGE && equalBytes(validatorsHash, nextValidatorsHash)) {
    throw new DietcoinError('NON_CANONICAL', 'header record announces a set change to the same set');
  }
  return {
    number,
    timestamp,
    hash,
    stateRoot,
    messageRoot,
    shardRoot,
    validatorsHash,
    nextValidatorsHash,
    sealed: (flags & FLAG_SEALED) !== 0,
  };
}
