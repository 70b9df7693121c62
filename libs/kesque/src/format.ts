// On-disk layout of segment files and records. All integers are little-endian unless noted.
//
// Segment file `<table>/<file number, 10 digits>.seg`:
//   offset  size  field
//   0       4     magic 'KSQS' (0x5351534b read as u32 LE)
//   4       2     format version (1)
//   6       2     flags (bit 0: compacted: every record is committed, there are no commit markers)
//   8       4     file number (matches the name)
//   12      4     reserved, 0
//   16      8     base sequence (f64): every batch numbered up to it lies whole in earlier segments
//   24      ...   records, each starting at a multiple of 8
//
// Record:
//   0       4     CRC32C of bytes [4, 16 + keyLength + valueLength)
//   4       4     valueLength (for PAD: the number of bytes skipped after the header)
//   8       1     type: 1 PUT, 2 DEL, 3 COMMIT, 4 PAD
//   9       1     keyLength: 32 (hash table), 8 (number table, big-endian u64), 0 (COMMIT, PAD)
//   10      2     reserved, 0
//   12      4     low 32 bits of the batch sequence number
//   16      k     key
//   16+k    v     value
//   ...           zero padding to the next multiple of 8
//
// COMMIT value: sequence (f64), number of records of this table in the batch before the marker
// (u32), number of tables the batch wrote (u32), then each of their table ids (u32). A batch's
// records of one table are followed by its COMMIT in that table; the batch is whole when every
// table it wrote has its COMMIT.

export const SEGMENT_MAGIC = 0x5351534b;
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 24;
export const SEG_OFF_BASE_SEQ = 16;
export const SEGMENT_FLAG_COMPACTED = 1;
export const SEG_OFF_MAGIC = 0;
export const SEG_OFF_VERSION = 4;
export const SEG_OFF_FLAGS = 6;
export const SEG_OFF_FILE = 8;

export const RECORD_HEADER_BYTES = 16;
export const REC_OFF_CRC = 0;
export const REC_OFF_VALUE_LENGTH = 4;
export const REC_OFF_TYPE = 8;
export const REC_OFF_KEY_LENGTH = 9;
export const REC_OFF_RESERVED = 10;
export const REC_OFF_SEQ = 12;
export const REC_OFF_KEY = 16;

export const TYPE_PUT = 1;
export const TYPE_DEL = 2;
export const TYPE_COMMIT = 3;
export const TYPE_PAD = 4;

export const HASH_KEY_BYTES = 32;
export const NUMBER_KEY_BYTES = 8;

/** Largest value accepted: 256 MiB. */
export const MAX_VALUE_BYTES = 256 * 1024 * 1024;

/** A position is 40 bits: a 10-bit segment slot and a 30-bit offset counted in 8-byte units, so
 *  one segment may grow to 8 GiB and positions work past 4 GiB. */
export const SLOT_BITS = 10;
export const MAX_SLOTS = 1 << SLOT_BITS;
export const OFFSET_UNIT = 8;
export const MAX_SEGMENT_BYTES = 2 ** 30 * OFFSET_UNIT;

/** Size of a record on disk, header and padding included. */
export function recordBytes(keyLength: number, valueLength: number): number {
  return (RECORD_HEADER_BYTES + keyLength + valueLength + 7) & ~7;
}

/** Encodes a position from a slot and a byte offset (a multiple of 8). */
export function encodePosition(slot: number, offset: number): number {
  return slot * 2 ** 30 + offset / OFFSET_UNIT;
}

export function positionSlot(position: number): number {
  return Math.floor(position / 2 ** 30);
}

export function positionOffset(position: number): number {
  return (position % 2 ** 30) * OFFSET_UNIT;
}

/** Writes a segment header into `out` at 0; returns the next offset. */
export function writeSegmentHeader(
  out: Uint8Array,
  fileNumber: number,
  flags: number,
  baseSeq: number,
): number {
  const view = new DataView(out.buffer, out.byteOffset, SEGMENT_HEADER_BYTES);
  view.setFloat64(SEG_OFF_BASE_SEQ, baseSeq, true);
  view.setUint32(SEG_OFF_MAGIC, SEGMENT_MAGIC, true);
  view.setUint16(SEG_OFF_VERSION, SEGMENT_VERSION, true);
  view.setUint16(SEG_OFF_FLAGS, flags, true);
  view.setUint32(SEG_OFF_FILE, fileNumber, true);
  view.setUint32(12, 0, true);
  return SEGMENT_HEADER_BYTES;
}

export interface SegmentHeader {
  flags: number;
  fileNumber: number;
  baseSeq: number;
}

/** Reads a segment header; returns undefined when the magic or the version is wrong. */
export function readSegmentHeader(bytes: Uint8Array): SegmentHeader | undefined {
  if (bytes.length < SEGMENT_HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, SEGMENT_HEADER_BYTES);
  if (view.getUint32(SEG_OFF_MAGIC, true) !== SEGMENT_MAGIC) return undefined;
  if (view.getUint16(SEG_OFF_VERSION, true) !== SEGMENT_VERSION) return undefined;
  return {
    flags: view.getUint16(SEG_OFF_FLAGS, true),
    fileNumber: view.getUint32(SEG_OFF_FILE, true),
    baseSeq: view.getFloat64(SEG_OFF_BASE_SEQ, true),
  };
}

export function writeU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value;
  out[at + 1] = value >>> 8;
  out[at + 2] = value >>> 16;
  out[at + 3] = value >>> 24;
}

export function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Writes a number-table key (a safe non-negative integer) as 8 big-endian bytes. */
export function writeNumberKey(out: Uint8Array, at: number, key: number): void {
  const high = Math.floor(key / 2 ** 32);
  const low = key >>> 0;
  out[at] = high >>> 24;
  out[at + 1] = high >>> 16;
  out[at + 2] = high >>> 8;
  out[at + 3] = high;
  out[at + 4] = low >>> 24;
  out[at + 5] = low >>> 16;
  out[at + 6] = low >>> 8;
  out[at + 7] = low;
}

export function readNumberKey(bytes: Uint8Array, at: number): number {
  const high = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  const low =
    ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
  return high * 2 ** 32 + low;
}

/** File name of segment number `file`: ten digits and `.seg`. */
export function segmentFileNameOf(file: number): string {
  return `${String(file).padStart(10, '0')}.seg`;
}
