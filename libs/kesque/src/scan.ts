// Sequential scanning of a segment's records in large chunks, with framing and CRC32C checks. Used
// by recovery (tail scan, rebuild), compaction and iteration.

import fs from 'node:fs';
import { crc32c } from './crc32c.js';
import {
  MAX_VALUE_BYTES,
  REC_OFF_KEY_LENGTH,
  REC_OFF_RESERVED,
  REC_OFF_TYPE,
  REC_OFF_VALUE_LENGTH,
  RECORD_HEADER_BYTES,
  readU32,
  TYPE_COMMIT,
  TYPE_DEL,
  TYPE_PAD,
  TYPE_PUT,
} from './format.js';

const CHUNK = 8 * 1024 * 1024;

/** Called for each valid record; `at` indexes `bytes`, `offset` is the record's file offset.
 *  Returning true stops the scan before this record (`end` is then its offset). */
export type RecordVisitor = (
  bytes: Uint8Array,
  at: number,
  offset: number,
  type: number,
  keyLength: number,
  valueLength: number,
) => unknown;

export interface ScanResult {
  /** Offset just past the last valid record visited. */
  end: number;
  /** Offset and reason of the first invalid record, if the scan stopped on one. */
  bad?: { offset: number; reason: string };
  /** Whether the visitor stopped the scan. */
  stopped?: boolean;
}

/** Checks the framing of the header at bytes[at]; returns the record's size or a reason string. */
export function frameSize(bytes: Uint8Array, at: number, keyLength: number, limit: number): number | string {
  const type = bytes[at + REC_OFF_TYPE]!;
  const kl = bytes[at + REC_OFF_KEY_LENGTH]!;
  const vl = readU32(bytes, at + REC_OFF_VALUE_LENGTH);
  if (bytes[at + REC_OFF_RESERVED] !== 0 || bytes[at + REC_OFF_RESERVED + 1] !== 0)
    return 'reserved bytes set';
  if (type === TYPE_PUT || type === TYPE_DEL) {
    if (kl !== keyLength) return `key length ${kl}`;
    if (type === TYPE_DEL && vl !== 0) return 'delete with a value';
    if (vl > MAX_VALUE_BYTES) return `value length ${vl}`;
  } else if (type === TYPE_COMMIT) {
    if (kl !== 0 || vl < 16 || vl > 16 + 4 * 4096) return 'bad commit marker';
  } else if (type === TYPE_PAD) {
    if (kl !== 0 || vl % 8 !== 0) return 'bad pad';
    if (RECORD_HEADER_BYTES + vl > limit) return 'pad runs past the end of the segment';
    return RECORD_HEADER_BYTES + vl;
  } else return `record type ${type}`;
  const size = (RECORD_HEADER_BYTES + kl + vl + 7) & ~7;
  if (size > limit) return 'record runs past the end of the segment';
  return size;
}

/** Scans records of `fd` in [from, to). Stops at the first invalid record. */
export function scanRecords(
  fd: number,
  from: number,
  to: number,
  keyLength: number,
  verify: boolean,
  visit: RecordVisitor,
): ScanResult {
  let chunk = new Uint8Array(Math.min(CHUNK, Math.max(4096, to - from)));
  let chunkStart = from;
  let chunkLength = 0;
  let offset = from;
  while (offset < to) {
    let at = offset - chunkStart;
    if (at + RECORD_HEADER_BYTES > chunkLength) {
      chunkStart = offset;
      chunkLength = readFully(fd, chunk, Math.min(chunk.length, to - offset), offset);
      at = 0;
      if (chunkLength < RECORD_HEADER_BYTES)
        return { end: offset, bad: { offset, reason: 'record header cut short' } };
    }
    const sized = frameSize(chunk, at, keyLength, to - offset);
    if (typeof sized === 'string') return { end: offset, bad: { offset, reason: sized } };
    const type = chunk[at + REC_OFF_TYPE]!;
    const valueLength = readU32(chunk, at + REC_OFF_VALUE_LENGTH);
    if (type === TYPE_PAD) {
      if (verify && crc32c(chunk, at + 4, at + RECORD_HEADER_BYTES) !== readU32(chunk, at)) {
        return { end: offset, bad: { offset, reason: 'CRC32C mismatch' } };
      }
      if (visit(chunk, at, offset, type, 0, valueLength) === true) return { end: offset, stopped: true };
      offset += sized;
      continue;
    }
    if (at + sized > chunkLength) {
      if (sized > chunk.length) chunk = new Uint8Array(sized);
      chunkStart = offset;
      chunkLength = readFully(fd, chunk, Math.min(chunk.length, to - offset), offset);
      at = 0;
      if (chunkLength < sized) return { end: offset, bad: { offset, reason: 'record cut short' } };
    }
    const kl = chunk[at + REC_OFF_KEY_LENGTH]!;
    const dataEnd = at + RECORD_HEADER_BYTES + kl + valueLength;
    if (verify && crc32c(chunk, at + 4, dataEnd) !== readU32(chunk, at)) {
      return { end: offset, bad: { offset, reason: 'CRC32C mismatch' } };
    }
    if (visit(chunk, at, offset, type, kl, valueLength) === true) return { end: offset, stopped: true };
    offset += sized;
  }
  return { end: offset };
}

/** Whether any valid record starts at an 8-byte boundary in (from, to): tells a corrupt record in
 *  the middle of a segment from a torn tail. */
export function validRecordAfter(fd: number, from: number, to: number, keyLength: number): number {
  const chunk = new Uint8Array(CHUNK + 64 * 1024);
  for (let base = from + 8; base < to; base += CHUNK) {
    const n = readFully(fd, chunk, Math.min(chunk.length, to - base), base);
    for (let at = 0; at + RECORD_HEADER_BYTES <= n && at < CHUNK; at += 8) {
      const type = chunk[at + REC_OFF_TYPE]!;
      if (type < TYPE_PUT || type > TYPE_PAD) continue;
      const sized = frameSize(chunk, at, keyLength, to - (base + at));
      if (typeof sized === 'string') continue;
      if (type === TYPE_PAD) {
        if (crc32c(chunk, at + 4, at + RECORD_HEADER_BYTES) === readU32(chunk, at)) return base + at;
        continue;
      }
      const dataEnd =
        at +
        RECORD_HEADER_BYTES +
        chunk[at + REC_OFF_KEY_LENGTH]! +
        readU32(chunk, at + REC_OFF_VALUE_LENGTH);
      if (dataEnd > n) continue;
      if (crc32c(chunk, at + 4, dataEnd) === readU32(chunk, at)) return base + at;
    }
  }
  return -1;
}

export function readFully(fd: number, into: Uint8Array, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, into, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
