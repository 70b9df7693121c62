// The compact record the light client keeps for each verified header (242 bytes):
//   offset   0  version             u8 = 1
//   offset   1  flags               u8: bit 0 = its seals were checked, bit 1 = it announces a new set
//   offset   2  number              u64 big-endian
//   offset  10  timestamp           u64 big-endian
//   offset  18  hash                32
//   offset  50  parentHash          32
//   offset  82  stateRoot           32
//   offset 114  messageRoot         32
//   offset 146  shardRoot           32
//   offset 178  validatorsHash      32
//   offset 210  nextValidatorsHash  32
import { equalBytes } from '../encoding/bytes.js';
import { ByteReader } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError } from '../errors.js';
import type { DecodedHeader } from '../header/header.js';

export const HEADER_RECORD_BYTES = 242;
const HEADER_RECORD_VERSION = 1;
const FLAG_SEALED = 1;
const FLAG_SET_CHANGE = 2;

export interface VerifiedHeaderRecord {
  number: number;
  timestamp: number;
  hash: Uint8Array;
  parentHash: Uint8Array;
  stateRoot: Uint8Array;
  messageRoot: Uint8Array;
  shardRoot: Uint8Array;
  validatorsHash: Uint8Array;
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
    parentHash: x.parentHash,
    stateRoot: x.stateRoot,
    messageRoot: x.extra.messageRoot,
    shardRoot: x.extra.shardRoot,
    validatorsHash: x.extra.validatorsHash,
    nextValidatorsHash: x.extra.nextValidatorsHash,
    sealed,
  };
}

export function encodeHeaderRecord(r: VerifiedHeaderRecord): Uint8Array {
  const w = new ByteWriter(HEADER_RECORD_BYTES);
  const changes = !equalBytes(r.validatorsHash, r.nextValidatorsHash);
  w.u8(HEADER_RECORD_VERSION).u8((r.sealed ? FLAG_SEALED : 0) | (changes ? FLAG_SET_CHANGE : 0));
  w.u64(r.number).u64(r.timestamp);
  for (const f of [
    r.hash,
    r.parentHash,
    r.stateRoot,
    r.messageRoot,
    r.shardRoot,
    r.validatorsHash,
    r.nextValidatorsHash,
  ]) {
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
  const rec: VerifiedHeaderRecord = {
    number,
    timestamp,
    hash: f(),
    parentHash: f(),
    stateRoot: f(),
    messageRoot: f(),
    shardRoot: f(),
    validatorsHash: f(),
    nextValidatorsHash: f(),
    sealed: (flags & FLAG_SEALED) !== 0,
  };
  r.end();
  if (((flags & FLAG_SET_CHANGE) !== 0) === equalBytes(rec.validatorsHash, rec.nextValidatorsHash)) {
    throw new DietcoinError('MALFORMED', 'header record set-change flag disagrees with its hashes');
  }
  return rec;
}
