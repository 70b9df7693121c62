// The batches of the kill -9 test: batch `n` is a pure function of `n`, so that the parent can tell
// exactly what a whole batch looks like without being told by the (killed) writer.
//
//   table   key                          -> value
//   crash   sha256("k" n ":" j), 32 bytes -> recordValue(n, j): 1 to 600 bytes, one in 8 records
//                                           of 20 to 200 KiB (so that kills land mid-write)
//   marks   n (number table)             -> 8 bytes: n (u32 LE), record count (u32 LE)
//
// Every 7th batch also deletes record 0 of the batch 7 before it, so that deletes are acknowledged,
// torn and replayed like puts.
import { createHash } from 'node:crypto';
import type { BatchOp, OpenKesqueParameters, TableOptions } from '../types.js';

export const CRASH_TABLE = 'crash';
export const MARKS_TABLE = 'marks';
export const CRASH_TABLES: Record<string, TableOptions> = {
  [CRASH_TABLE]: { kind: 'hash' },
  [MARKS_TABLE]: { kind: 'number' },
};

/** Store options shared by the writer and the checker: fsync before every acknowledgement, small
 *  segments so that rolls happen under the kill, frequent snapshots so that kills land in them. */
export function crashStoreOptions(dir: string): OpenKesqueParameters {
  return {
    dir,
    tables: CRASH_TABLES,
    durability: { mode: 'always' },
    segmentBytes: 1 << 20,
    snapshotIntervalMs: 40,
  };
}

const DELETE_EVERY = 7;

function word(n: number, salt: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b) ^ salt;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export function recordCount(n: number): number {
  return 1 + (word(n, 1) % 12);
}

export function recordKey(n: number, j: number): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`k${n}:${j}`).digest());
}

/** Length of `recordValue(n, j)`, without generating it. */
export function recordLength(n: number, j: number): number {
  const h = word(n * 64 + j, 2);
  return h % 8 === 0 ? 20_480 + (h % 184_320) : 1 + (h % 600);
}

export function recordValue(n: number, j: number): Uint8Array {
  const h = word(n * 64 + j, 2);
  const length = recordLength(n, j);
  const out = new Uint8Array(length);
  // Bytes depend on (n, j) and position, so that a record from another batch never matches.
  let x = h || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

export function markValue(n: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, n, true);
  view.setUint32(4, recordCount(n), true);
  return out;
}

/** The key batch `n` deletes, if it deletes one. */
export function deletedKey(n: number): Uint8Array | undefined {
  return n > DELETE_EVERY && n % DELETE_EVERY === 0 ? recordKey(n - DELETE_EVERY, 0) : undefined;
}

export function crashBatch(n: number): BatchOp[] {
  const ops: BatchOp[] = [];
  for (let j = 0; j < recordCount(n); j++) {
    ops.push({ type: 'put', table: CRASH_TABLE, key: recordKey(n, j), value: recordValue(n, j) });
  }
  const deleted = deletedKey(n);
  if (deleted !== undefined) ops.push({ type: 'del', table: CRASH_TABLE, key: deleted });
  ops.push({ type: 'put', table: MARKS_TABLE, key: n, value: markValue(n) });
  return ops;
}

/** Where the current value of a key came from: record `j` of batch `n`, or a delete. */
export type RecordSource = { n: number; j: number } | 'deleted';

/** What the crash table holds once batches `1 .. last` are applied in order, by hex key. */
export function expectedRecords(last: number): Map<string, RecordSource> {
  const model = new Map<string, RecordSource>();
  const hex = (key: Uint8Array) => Buffer.from(key).toString('hex');
  for (let n = 1; n <= last; n++) {
    for (let j = 0; j < recordCount(n); j++) model.set(hex(recordKey(n, j)), { n, j });
    const deleted = deletedKey(n);
    if (deleted !== undefined) model.set(hex(deleted), 'deleted');
  }
  return model;
}
