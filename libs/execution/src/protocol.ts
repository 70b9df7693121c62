// Messages between the coordinator and its worker threads. Payloads are raw bytes: transactions
// as serialized, sender public keys (64 bytes each), outcomes in access.ts's wire layout.
import type { AncestorHashes } from './blockHashes.js';
import { keyToNibbles, type TrieChange } from './trieBatch.js';
import type { ExtensionsSource, WorkerStateSource } from './types.js';

export interface InitMessage {
  type: 'init';
  chainId: number;
  extensions: ExtensionsSource | undefined;
  /** Shared reader; when absent the worker mirrors the store from `sync` messages. */
  stateSource: WorkerStateSource | undefined;
}

/** Store entries packed as repeated `key(32) | length(u32 BE) | value`. */
export interface SyncMessage {
  type: 'sync';
  entries: Uint8Array;
}

export interface RecoverMessage {
  type: 'recover';
  id: number;
  txs: Uint8Array[];
}

/** A worker's share of a block: transaction indices in block order with their bytes and sender
 *  keys (an empty key: the worker recovers it). The worker runs the share as one sequence, each
 *  transaction on the writes of the earlier ones, so a lane must lie within one share. */
export interface WorkerShare {
  indices: number[];
  txs: Uint8Array[];
  senderKeys: Uint8Array[];
}

export interface RunMessage {
  type: 'run';
  id: number;
  header: Uint8Array;
  parentStateRoot: Uint8Array;
  /** {@link packShare}: a handful of typed arrays clone far faster than thousands of objects. */
  share: PackedShare;
  /** What BLOCKHASH returns in this block (none: the zero hash). */
  ancestors: AncestorHashes | undefined;
  /** Stop early, reporting `contended`, when the first transactions mostly conflict. */
  probeContention: boolean;
}

/** A share in flat arrays: each transaction has its index, its bytes (a {@link PackedList}) and a
 *  sender key (64 bytes, or none when `keyGiven[t]` is 0). */
export interface PackedShare {
  indices: Uint32Array;
  txs: PackedList;
  keys: Uint8Array;
  keyGiven: Uint8Array;
}

/** Byte strings concatenated, with the end offset of each. */
export interface PackedList {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** Packs byte strings into one {@link PackedList}. */
export function packList(items: readonly Uint8Array[]): PackedList {
  let size = 0;
  for (const item of items) size += item.length;
  const bytes = new Uint8Array(size);
  const ends = new Uint32Array(items.length);
  let offset = 0;
  items.forEach((item, i) => {
    bytes.set(item, offset);
    offset += item.length;
    ends[i] = offset;
  });
  return { bytes, ends };
}

/** The byte strings of a {@link PackedList} (views, no copies). */
export function unpackList(list: PackedList): Uint8Array[] {
  const out: Uint8Array[] = new Array(list.ends.length);
  let start = 0;
  for (let i = 0; i < list.ends.length; i++) {
    const end = list.ends[i] as number;
    out[i] = list.bytes.subarray(start, end);
    start = end;
  }
  return out;
}

/** Packs a share for a {@link RunMessage}. */
export function packShare(share: WorkerShare): PackedShare {
  const count = share.indices.length;
  const keys = new Uint8Array(64 * count);
  const keyGiven = new Uint8Array(count);
  share.senderKeys.forEach((key, t) => {
    if (key.length === 64) {
      keys.set(key, 64 * t);
      keyGiven[t] = 1;
    }
  });
  return { indices: Uint32Array.from(share.indices), txs: packList(share.txs), keys, keyGiven };
}

/** Unpacks {@link packShare}'s output (an absent key is empty). */
export function unpackShare(packed: PackedShare): WorkerShare {
  const senderKeys: Uint8Array[] = [];
  for (let t = 0; t < packed.indices.length; t++)
    senderKeys.push(packed.keyGiven[t] === 1 ? packed.keys.subarray(64 * t, 64 * t + 64) : EMPTY);
  return { indices: Array.from(packed.indices), txs: unpackList(packed.txs), senderKeys };
}

const EMPTY = new Uint8Array(0);

/** A worker's share of a trie update: the subtries under the root branch's children `nibbles`
 *  (their references as the branch holds them, in `children`), with the changes under them. */
export interface HashMessage {
  type: 'hash';
  id: number;
  nibbles: number[];
  children: Uint8Array[];
  /** Sorted changes, packed by {@link packChanges}. */
  changes: Uint8Array;
}

export interface CloseMessage {
  type: 'close';
}

export type ToWorker = InitMessage | SyncMessage | RecoverMessage | RunMessage | HashMessage | CloseMessage;

export type FromWorker =
  | { type: 'ready'; backend: { secp256k1: string; keccak256: string } }
  | {
      /** Outcomes so far of a RunMessage (sent every OUTCOME_CHUNK transactions), so that the
       *  coordinator merges while the workers run; the final `ran` carries the rest. */
      type: 'outcomes';
      id: number;
      indices: number[];
      outcomes: PackedList;
    }
  | { type: 'recovered'; id: number; keys: Uint8Array; invalid: { index: number; reason: string }[] }
  | {
      type: 'ran';
      id: number;
      indices: number[];
      /** Encoded outcomes, in the order of `indices`. */
      outcomes: PackedList;
      /** Indices whose sender the worker recovered, and their keys (64 bytes each, concatenated). */
      recovered: number[];
      keys: Uint8Array;
      /** Sender address (20 bytes) of each transaction of the share the worker ran, in share
       *  order (the first `length / 20` of the share). */
      senders: Uint8Array;
      invalid: { index: number; reason: string }[];
      busyMs: number;
      recoveryMs: number;
      /** The worker stopped early: its first transactions mostly conflicted (see contention.ts). */
      contended: boolean;
    }
  | {
      type: 'hashed';
      id: number;
      /** New reference of each subtrie of the HashMessage's `nibbles`, in order. */
      children: Uint8Array[];
      /** New nodes, packed by {@link packEntries}. */
      entries: Uint8Array;
    }
  | { type: 'failed'; id: number; error: string };

/** Packs store entries for a {@link SyncMessage}. */
export function packEntries(entries: readonly (readonly [Uint8Array, Uint8Array])[]): Uint8Array {
  let size = 0;
  for (const [key, value] of entries) size += key.length + 4 + value.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const [key, value] of entries) {
    out.set(key, offset);
    offset += 32;
    view.setUint32(offset, value.length, false);
    offset += 4;
    out.set(value, offset);
    offset += value.length;
  }
  return out;
}

/** Unpacks {@link packEntries}' output. */
export function* unpackEntries(packed: Uint8Array): Generator<[Uint8Array, Uint8Array]> {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  let offset = 0;
  while (offset < packed.length) {
    const key = packed.subarray(offset, offset + 32);
    offset += 32;
    const length = view.getUint32(offset, false);
    offset += 4;
    yield [key, packed.subarray(offset, offset + length)];
    offset += length;
  }
}

/** Outcomes per progress message of a run. */
export const OUTCOME_CHUNK = 64;

/** Deletion marker in the length field of {@link packChanges}. */
const DELETED = 0xffffffff;

/** Packs trie changes (64-nibble keys) as repeated `key(32) | length(u32 BE, 0xffffffff =
 *  delete) | value`. */
export function packChanges(changes: readonly TrieChange[]): Uint8Array {
  let size = 0;
  for (const c of changes) size += 36 + (c.value?.length ?? 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const c of changes) {
    const n = c.nibbles;
    for (let i = 0; i < 32; i++) out[offset + i] = ((n[2 * i] as number) << 4) | (n[2 * i + 1] as number);
    offset += 32;
    view.setUint32(offset, c.value === undefined ? DELETED : c.value.length, false);
    offset += 4;
    if (c.value !== undefined) {
      out.set(c.value, offset);
      offset += c.value.length;
    }
  }
  return out;
}

/** Unpacks {@link packChanges}' output. */
export function unpackChanges(packed: Uint8Array): TrieChange[] {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const changes: TrieChange[] = [];
  let offset = 0;
  while (offset < packed.length) {
    const nibbles = keyToNibbles(packed.subarray(offset, offset + 32));
    offset += 32;
    const length = view.getUint32(offset, false);
    offset += 4;
    if (length === DELETED) changes.push({ nibbles, value: undefined });
    else {
      changes.push({ nibbles, value: packed.subarray(offset, offset + length) });
      offset += length;
    }
  }
  return changes;
}
