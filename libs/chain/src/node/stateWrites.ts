// A block's state writes packed in one buffer, so that the build thread hands them to the main
// thread by transfer: a structured clone of ~2,000 [key, value] pairs (a block of 400 ERC-20
// transfers) took ~13 ms to post on the thread and ~10 ms more before the main thread had it.
//
// Layout, little-endian:
//   count          u32                 number of entries
//   then per entry:
//     key          32 bytes            node or code hash
//     valueLength  u32
//     value        valueLength bytes
// Nothing follows the last entry.
import type { StateEntry } from '@khipu/execution';
import { ChainError } from '../errors.js';

const COUNT_BYTES = 4;
const KEY_BYTES = 32;
const LENGTH_BYTES = 4;

/** Packs `entries` into a fresh buffer (the caller may transfer it).
 *  @throws ChainError CORRUPT_STORE for a key that is not 32 bytes. */
export function encodeStateWrites(entries: readonly StateEntry[]): Uint8Array {
  let size = COUNT_BYTES;
  for (const [key, value] of entries) {
    if (key.length !== KEY_BYTES) {
      throw new ChainError('CORRUPT_STORE', `state write key of ${key.length} bytes, not ${KEY_BYTES}`);
    }
    size += KEY_BYTES + LENGTH_BYTES + value.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, entries.length, true);
  let at = COUNT_BYTES;
  for (const [key, value] of entries) {
    out.set(key, at);
    at += KEY_BYTES;
    view.setUint32(at, value.length, true);
    at += LENGTH_BYTES;
    out.set(value, at);
    at += value.length;
  }
  return out;
}

/** The entries of `bytes` as views into it (no copy).
 *  @throws ChainError CORRUPT_STORE when `bytes` is cut short or has bytes after the last entry. */
export function decodeStateWrites(bytes: Uint8Array): StateEntry[] {
  const cut = (at: number) =>
    new ChainError('CORRUPT_STORE', `state writes of ${bytes.length} bytes are cut short at byte ${at}`);
  if (bytes.length < COUNT_BYTES) throw cut(0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(0, true);
  const entries: StateEntry[] = [];
  let at = COUNT_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + KEY_BYTES + LENGTH_BYTES > bytes.length) throw cut(at);
    const key = bytes.subarray(at, at + KEY_BYTES);
    const length = view.getUint32(at + KEY_BYTES, true);
    at += KEY_BYTES + LENGTH_BYTES;
    if (at + length > bytes.length) throw cut(at);
    entries.push([key, bytes.subarray(at, at + length)]);
    at += length;
  }
  if (at !== bytes.length) {
    throw new ChainError(
      'CORRUPT_STORE',
      `state writes hold ${bytes.length - at} bytes after entry ${count}`,
    );
  }
  return entries;
}
