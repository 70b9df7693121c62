// Index snapshots: the whole in-memory index of every table, written at close and periodically,
// so reopening reads one file instead of the log. A snapshot is only written after the data it
// covers is fsynced; the manifest names the snapshot that matches its segment lists.
//
// File `snapshot-<generation>.kqx`:
//   offset  size  field
//   0       4     magic 'KSQX' (0x5851534b as u32 LE)
//   4       4     version (2)
//   8       4     J: length of the JSON header
//   12      J     JSON: { seq, tables: [SnapshotTableHeader] }
//   12+J    ...   each table's index memory, in header order: hash tables 1,024 partitions
//                 (buckets * 64 bytes each) then the side table; number tables length * 8 bytes
//   end-4   4     CRC32C of every byte before it

import fs from 'node:fs';
import { crc32c } from './crc32c.js';
import { readU32, writeU32 } from './format.js';
import { type HashIndex, PARTITIONS } from './hashIndex.js';
import type { NumberIndex } from './numberIndex.js';
import type { TableKind } from './types.js';

const MAGIC = 0x5851534b;
/** Version 2: hash partitions in 64-byte buckets (version 1 snapshots are rebuilt). */
const VERSION = 2;

export interface SnapshotTableHeader {
  name: string;
  id: number;
  kind: TableKind;
  readLength: number;
  /** File numbers of the table's segments at snapshot time, in log order. */
  segmentFiles: number[];
  /** Offset in the last of them up to which the index is complete. */
  endOffset: number;
  /** Hash tables: the tag mask the index was built with. */
  tagMask?: number;
  /** Hash tables: partition capacities, counts, side count, total count. */
  hashHeader?: number[];
  /** Number tables: array length and count. */
  length?: number;
  count?: number;
}

export interface SnapshotSource {
  header: SnapshotTableHeader;
  hash?: HashIndex;
  number?: NumberIndex;
}

/** Writes a snapshot to `file` (fsynced). */
export function writeSnapshot(file: string, seq: number, sources: readonly SnapshotSource[]): void {
  const headers = sources.map((s) => {
    const h = { ...s.header };
    if (s.hash) {
      h.hashHeader = Array.from(s.hash.exportHeader());
      h.tagMask = s.hash.tagMask;
    }
    if (s.number) {
      h.length = s.number.positions.length;
      h.count = s.number.count;
    }
    return h;
  });
  const json = Buffer.from(JSON.stringify({ seq, tables: headers }), 'utf8');
  const head = new Uint8Array(12);
  writeU32(head, 0, MAGIC);
  writeU32(head, 4, VERSION);
  writeU32(head, 8, json.length);
  const fd = fs.openSync(file, 'w');
  try {
    let crc = 0;
    let position = 0;
    const put = (bytes: Uint8Array): void => {
      crc = crc32c(bytes, 0, bytes.length, crc);
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
      position += bytes.length;
    };
    put(head);
    put(json);
    for (const s of sources) {
      if (s.hash) for (const chunk of s.hash.exportChunks()) put(chunk);
      if (s.number) put(s.number.exportBytes());
    }
    const tail = new Uint8Array(4);
    writeU32(tail, 0, crc);
    fs.writeSync(fd, tail, 0, 4, position);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export interface LoadedSnapshot {
  seq: number;
  tables: SnapshotTableHeader[];
  /** Fills the index of table `i` of `tables`; false when the data does not fit. */
  load(i: number, target: { hash?: HashIndex; number?: NumberIndex }): boolean;
}

/** Reads and checks a snapshot; undefined when it is missing, truncated or corrupt. */
export function readSnapshot(file: string): LoadedSnapshot | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length < 16) return undefined;
  if (readU32(bytes, 0) !== MAGIC || readU32(bytes, 4) !== VERSION) return undefined;
  const crcAt = bytes.length - 4;
  if (crc32c(bytes, 0, crcAt) !== readU32(bytes, crcAt)) return undefined;
  const jsonLength = readU32(bytes, 8);
  if (12 + jsonLength > crcAt) return undefined;
  let parsed: { seq: number; tables: SnapshotTableHeader[] };
  try {
    parsed = JSON.parse(bytes.subarray(12, 12 + jsonLength).toString('utf8'));
  } catch {
    return undefined;
  }
  // Offsets of each table's blob.
  const offsets: number[] = [];
  let at = 12 + jsonLength;
  for (const t of parsed.tables) {
    offsets.push(at);
    if (t.kind === 'hash') {
      const h = t.hashHeader ?? [];
      if (h.length !== PARTITIONS * 2 + 2) return undefined;
      for (let p = 0; p < PARTITIONS; p++) at += h[p]! * 64;
      at += h[PARTITIONS * 2]! * 48;
    } else {
      at += (t.length ?? 0) * 8;
    }
  }
  if (at !== crcAt) return undefined;
  return {
    seq: parsed.seq,
    tables: parsed.tables,
    load(i, target) {
      const t = parsed.tables[i]!;
      let cursor = offsets[i]!;
      const read = (n: number): Uint8Array => {
        const out = bytes.subarray(cursor, cursor + n);
        cursor += n;
        return out;
      };
      if (t.kind === 'hash' && target.hash) {
        return target.hash.importFrom(Int32Array.from(t.hashHeader!), read);
      }
      if (t.kind === 'number' && target.number) {
        return target.number.importFrom(t.length ?? 0, t.count ?? 0, read((t.length ?? 0) * 8));
      }
      return false;
    },
  };
}
