// The @ethereumjs trie database of the world state, over the chain's KV store with a write overlay.
//
// Trie writes of a block stay in the overlay until the block commits: `pendingOps()` hands them to
// the block's batch (the same atomic batch that moves the head), so a crash never leaves the head
// pointing at a state root whose nodes are not durable. Nodes are content-addressed and the trie
// never deletes one (a node may be shared by many blocks): old states are reclaimed as a whole by
// the pruner (store/statePruner.ts), by reachability from the kept roots.
//
// Keys from @ethereumjs arrive as unprefixed hex. Trie nodes and code share one key space, the
// `trie` table, keyed by their 32-byte keccak (libs/execution's layout: code under its bare hash,
// `prefixCodeHashes: false`); a 'c'-prefixed code key (MerkleStateManager's default) maps to the
// same bare hash.
import type { BatchDBOp, DB } from '@ethereumjs/util';
import { ChainError } from '../errors.js';
import type { KVOp, KVReader } from './kv.js';
import { Tables } from './tables.js';

type Value = string | Uint8Array;

const CODE_PREFIX = 'c'.charCodeAt(0);

function locate(keyHex: string): { table: string; key: Uint8Array } {
  const bytes = Buffer.from(keyHex, 'hex');
  if (bytes.length === 32) return { table: Tables.trie, key: bytes };
  if (bytes.length === 33 && bytes[0] === CODE_PREFIX) return { table: Tables.trie, key: bytes.subarray(1) };
  throw new ChainError('CORRUPT_STORE', `state key 0x${keyHex} is neither a node hash nor a code key`);
}

function toBytes(value: Value): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'hex') : value;
}

/** A trie DB whose writes wait in memory until the block that made them commits. */
export interface OverlayStateDB extends DB<string, Value> {
  /** The writes not yet committed, as KV ops for the block's batch. */
  pendingOps(): KVOp[];
  /** Drops from the overlay the writes a committed batch made durable. */
  markCommitted(ops: readonly KVOp[]): void;
  /** Forgets the uncommitted writes (a block that was built and then abandoned). */
  discard(): void;
  /** Number of writes waiting. */
  pendingCount(): number;
}

/**
 * Creates the state DB over `kv`. Values are returned as bytes when asked with
 * `valueEncoding: 'view'` (how the node opens its tries), else as hex.
 */
export function createOverlayStateDB(kv: KVReader): OverlayStateDB {
  const overlay = new Map<string, Uint8Array>();
  const db: OverlayStateDB = {
    async get(key, opts) {
      const hit = overlay.get(key);
      let value = hit;
      if (value === undefined) {
        const { table, key: k } = locate(key);
        value = kv.get(table, k);
      }
      if (value === undefined) return undefined;
      return opts?.valueEncoding === 'view' ? value : Buffer.from(value).toString('hex');
    },
    async put(key, value) {
      overlay.set(key, toBytes(value));
    },
    // Content-addressed nodes are shared between blocks: never deleted.
    async del() {},
    async batch(ops: BatchDBOp<string, Value>[]) {
      for (const op of ops) if (op.type === 'put') overlay.set(op.key, toBytes(op.value));
    },
    shallowCopy() {
      return db;
    },
    async open() {},
    pendingOps() {
      const ops: KVOp[] = [];
      for (const [keyHex, value] of overlay) {
        const { table, key } = locate(keyHex);
        ops.push({ type: 'put', table, key, value });
      }
      return ops;
    },
    markCommitted(ops) {
      for (const op of ops) {
        if (op.type !== 'put' || typeof op.key === 'number') continue;
        const keyHex = Buffer.from(op.key).toString('hex');
        if (overlay.get(keyHex) === op.value) overlay.delete(keyHex);
        if (overlay.get(`63${keyHex}`) === op.value) overlay.delete(`63${keyHex}`);
      }
    },
    discard() {
      overlay.clear();
    },
    pendingCount: () => overlay.size,
  };
  return db;
}
