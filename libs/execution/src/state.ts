// State access: an ethereumjs DB over our StateStore that buffers the block's trie writes and
// commits them in one `write`, the cached MerkleStateManager built on it, and an in-memory store
// (the test double, and the store used until Kesque backs the node).

import type { Common } from '@ethereumjs/common';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager';
import {
  type Address,
  type BatchDBOp,
  bytesToUnprefixedHex,
  type DB,
  equalsBytes,
  KECCAK256_RLP,
  unpadBytes,
  unprefixedHexToBytes,
  ValueEncoding,
} from '@ethereumjs/util';
import { installDecodedAccountCache } from './accountCache.js';
import { decodeTrieNode, keyToNibbles, type TrieNode, trieGet } from './trieBatch.js';
import type { StateEntry, StateReader, StateStore } from './types.js';

/**
 * ethereumjs `DB` over a {@link StateReader}: reads go to the pending writes first, then the
 * reader; writes stay pending until {@link takePending}. Deletes are ignored: the trie runs
 * without pruning and entries are content-addressed.
 */
/** Default size of ethereumjs's own trie-node LRU (see {@link CreateStateManagerParameters}). */
const DEFAULT_TRIE_LRU_NODES = 16_384;
/** Default budget of {@link StateDB}'s decoded trie-node cache, in estimated bytes of heap. */
export const DEFAULT_NODE_CACHE_BYTES = 32 * 1024 * 1024;
/** Heap a decoded node takes per byte of its RLP, plus its entry (hex key, map slot). Measured
 *  (node 20, `--expose-gc`, 50,000 nodes): a full branch node, 532 B of RLP, takes ~4.0 KB live
 *  (each child hash is its own 32-byte Uint8Array); an account leaf, 114 B, ~650 B. */
const NODE_HEAP_PER_RLP_BYTE = 7;
const NODE_ENTRY_HEAP = 200;
/** Default budget of {@link StateDB}'s recently written nodes, in bytes of RLP. */
export const DEFAULT_RECENT_NODE_BYTES = 16 * 1024 * 1024;
/** Heap of a recent node's entry besides its RLP (hex key, map slot, Uint8Array header). */
const RECENT_ENTRY_HEAP = 250;

interface CachedNode {
  /** The node's hash: the map's key is only a part of it. */
  hash: Uint8Array;
  node: TrieNode;
  /** Estimated heap bytes, counted against the cache's budget. */
  bytes: number;
}

/** A small-integer key from the first 30 bits of a (uniformly distributed) node hash. The lookup
 *  by a hex string made for each call (flattened and hashed by the Map) was node()'s hottest
 *  line, ~15 us of an ERC-20 transfer in a profile of serial blocks. Two hashes may share a key,
 *  so an entry holds its hash and a lookup compares it. */
function nodeKey(hash: Uint8Array): number {
  return (
    (((hash[0] as number) & 0x3f) << 24) |
    ((hash[1] as number) << 16) |
    ((hash[2] as number) << 8) |
    (hash[3] as number)
  );
}

/**
 * ethereumjs `DB` over a {@link StateReader}: reads go to the pending writes first, then the
 * reader; writes stay pending until {@link takePending}. Deletes are ignored: the trie runs
 * without pruning and entries are content-addressed.
 */
export class StateDB implements DB<string, Uint8Array> {
  private pending = new Map<string, Uint8Array>();
  /** Decoded trie nodes by hash, oldest first, bounded by estimated heap bytes (a count bound let
   *  200,000 nodes grow to several hundred MB: branch nodes are ~4 KB decoded). Nodes are
   *  content-addressed, so an entry stays valid across blocks; {@link forgetNodes} drops them
   *  when pending nodes were discarded. */
  private nodes = new Map<number, CachedNode>();
  private nodeBytes = 0;
  /** The nodes the last blocks wrote (handed out by {@link takePending}), oldest first, bounded
   *  by bytes. Each block rewrites the paths the next one walks again (the top of the account
   *  trie, the token's storage trie): without these, a block read most of its nodes back from
   *  the store (a pread and an index probe each, ~6 % of an imported ERC-20 block's CPU). */
  private recent = new Map<string, Uint8Array>();
  private recentBytes = 0;
  constructor(
    private readonly reader: StateReader,
    private readonly nodeCacheBytes = DEFAULT_NODE_CACHE_BYTES,
    private readonly recentNodeBytes = DEFAULT_RECENT_NODE_BYTES,
  ) {}

  /** Estimated heap bytes held by the decoded-node cache (at most the budget). */
  get nodeCacheBytesUsed(): number {
    return this.nodeBytes;
  }

  /** The decoded trie node stored under `hash`, or undefined when the store lacks it. */
  node(hash: Uint8Array): TrieNode | undefined {
    const key = nodeKey(hash);
    const cached = this.nodes.get(key);
    if (cached !== undefined && equalsBytes(cached.hash, hash)) return cached.node;
    const hex = bytesToUnprefixedHex(hash);
    const known = this.pending.get(hex) ?? this.recent.get(hex);
    const byHex = (this.reader as Partial<HexStateReader>).getHex;
    const bytes = known ?? (byHex !== undefined ? byHex.call(this.reader, hex) : this.reader.get(hash));
    if (bytes === undefined) return undefined;
    const node = decodeTrieNode(bytes);
    const cost = bytes.length * NODE_HEAP_PER_RLP_BYTE + NODE_ENTRY_HEAP;
    if (this.nodeBytes + cost > this.nodeCacheBytes) {
      // Drop the oldest tenth of the budget: cheaper than an LRU's bookkeeping on every hit.
      const target = this.nodeCacheBytes * 0.9 - cost;
      for (const [oldKey, entry] of this.nodes) {
        if (this.nodeBytes <= target) break;
        this.nodes.delete(oldKey);
        this.nodeBytes -= entry.bytes;
      }
    }
    if (cost <= this.nodeCacheBytes) {
      // The node sharing the key, if any, makes way (and the new entry goes last, as the newest).
      const other = this.nodes.get(key);
      if (other !== undefined) {
        this.nodes.delete(key);
        this.nodeBytes -= other.bytes;
      }
      this.nodes.set(key, { hash: hash.slice(), node, bytes: cost });
      this.nodeBytes += cost;
    }
    return node;
  }

  /** Bytes of RLP held as recently written nodes (at most their budget). */
  get recentNodeBytesUsed(): number {
    return this.recentBytes;
  }

  forgetNodes(): void {
    this.nodes.clear();
    this.nodeBytes = 0;
    this.recent.clear();
    this.recentBytes = 0;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const known = this.pending.get(key) ?? this.recent.get(key);
    if (known !== undefined) return known;
    const byHex = (this.reader as Partial<HexStateReader>).getHex;
    return byHex !== undefined ? byHex.call(this.reader, key) : this.reader.get(unprefixedHexToBytes(key));
  }
  /** Adds one entry to the pending writes. */
  putSync(key: Uint8Array, value: Uint8Array): void {
    this.pending.set(bytesToUnprefixedHex(key), value);
  }
  async put(key: string, value: Uint8Array): Promise<void> {
    this.pending.set(key, value);
  }
  async del(_key: string): Promise<void> {}
  async batch(ops: BatchDBOp<string, Uint8Array>[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put')
        this.pending.set(typeof op.key === 'string' ? op.key : bytesToUnprefixedHex(op.key), op.value);
    }
  }
  shallowCopy(): DB<string, Uint8Array> {
    return this;
  }
  async open(): Promise<void> {}

  /** The writes buffered since the last call, as store entries. The caller writes them to the
   *  store, or else calls {@link forgetNodes} (they are kept as recent nodes until then). */
  takePending(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const [key, value] of this.pending) {
      entries.push([unprefixedHexToBytes(key), value]);
      if (this.recent.has(key)) continue;
      this.recent.set(key, value);
      this.recentBytes += value.length + RECENT_ENTRY_HEAP;
    }
    this.pending.clear();
    for (const [key, value] of this.recent) {
      if (this.recentBytes <= this.recentNodeBytes) break;
      this.recent.delete(key);
      this.recentBytes -= value.length + RECENT_ENTRY_HEAP;
    }
    return entries;
  }
  discardPending(): void {
    this.pending.clear();
  }
}

export interface CreateStateManagerParameters {
  db: DB<string, Uint8Array>;
  common: Common;
  keccak256: (data: Uint8Array) => Uint8Array;
  root?: Uint8Array;
  /** Encoded trie nodes ethereumjs's trie keeps in its own LRU (by count; default 16,384: at most
   *  ~13 MB, a branch node being 532 B of RLP plus ~250 B of key and entry). Trie reads go
   *  through the {@link StateDB}'s decoded-node cache instead, so this one only serves ethereumjs's
   *  own walks (genesis, proofs). */
  nodeCacheSize?: number;
}

/** A MerkleStateManager with account, storage and code caches (so the trie is written once per
 *  block; accounts cached decoded, accountCache.ts), code keyed by its bare hash (32-byte keys
 *  only), our keccak in the trie. */
export async function createCachedStateManager(p: CreateStateManagerParameters): Promise<MerkleStateManager> {
  const trie = new MerklePatriciaTrie({
    db: p.db,
    useKeyHashing: true,
    useKeyHashingFunction: p.keccak256,
    valueEncoding: ValueEncoding.Bytes,
    common: p.common,
    cacheSize: p.nodeCacheSize ?? DEFAULT_TRIE_LRU_NODES,
  });
  const sm = new MerkleStateManager({
    common: p.common,
    trie,
    caches: new Caches({ account: { size: 200_000 }, storage: { size: 200_000 }, code: { size: 20_000 } }),
    prefixCodeHashes: false,
  });
  installDecodedAccountCache(sm);
  if (p.db instanceof StateDB) readTriesThrough(sm, p.db, p.keccak256);
  if (p.root !== undefined) await sm.setStateRoot(p.root);
  return sm;
}

/** The MerkleStateManager internals the fast reads hook into (protected in its typings; 10.1.x). */
interface TrieInternals {
  _caches?: Caches;
  _trie: MerklePatriciaTrie;
  _getStorageTrie(address: unknown, account?: unknown): MerklePatriciaTrie;
}

/**
 * Makes the account trie and every storage trie of `sm` read through `db`'s decoded-node cache:
 * ethereumjs's `get` walks the trie asynchronously and decodes every node on the path from RLP on
 * every read, a sixth of a block of transfers. Valid because, with the caches on, these tries are
 * only written by computeStateRoot (stateRoot.ts), whose nodes go to `db`, and by
 * MerkleStateManager.flush outside blocks (genesis), whose nodes go to `db` as well once the
 * trie's checkpoints are committed.
 */
function readTriesThrough(
  sm: MerkleStateManager,
  db: StateDB,
  keccak256: (data: Uint8Array) => Uint8Array,
): void {
  const read = (hash: Uint8Array) => db.node(hash);
  const fast = new WeakSet<MerklePatriciaTrie>();
  const install = (trie: MerklePatriciaTrie) => {
    if (fast.has(trie)) return;
    fast.add(trie);
    trie.get = async (key: Uint8Array) => {
      const root = trie.root();
      if (equalsBytes(root, KECCAK256_RLP)) return null;
      return trieGet(root, keyToNibbles(keccak256(key)), read);
    };
  };
  const inner = sm as unknown as TrieInternals;
  install(inner._trie);
  // MerkleStateManager 10.1.3 writes a slot to the storage cache *and* to the storage trie
  // (`cache.put(…) ?? write(…)`, and put returns undefined): a trie update per SSTORE, and an
  // account whose storage root moves within the block. With the caches on, the slot belongs in
  // the cache only; computeStateRoot writes the trie once per block.
  const storageCache = inner._caches?.storage;
  if (storageCache !== undefined) {
    sm.putStorage = async (address: Address, key: Uint8Array, value: Uint8Array): Promise<void> => {
      if (key.length !== 32) throw new RangeError('Storage key must be 32 bytes long');
      if (value.length > 32) throw new RangeError('Storage value cannot be longer than 32 bytes');
      if ((await sm.getAccount(address)) === undefined) {
        throw new RangeError('putStorage() called on non-existing account');
      }
      storageCache.put(address, key, RLP.encode(unpadBytes(value)));
    };
  }
  const storageTrie = inner._getStorageTrie.bind(sm);
  inner._getStorageTrie = (address, account) => {
    const trie = storageTrie(address, account);
    install(trie);
    return trie;
  };
}

/** A reader keyed by unprefixed hex as well (saves two conversions per trie read). */
export interface HexStateReader extends StateReader {
  getHex(key: string): Uint8Array | undefined;
}

/**
 * Forgets the trie nodes cached in memory. Needed when a block's nodes were produced but not
 * written to the store (refused block, `commit: false`): cached, they would make a state look
 * present that the store does not hold.
 */
export function clearNodeCache(sm: MerkleStateManager): void {
  // ethereumjs keeps the LRU inside the trie's CheckpointDB (`_cache`); no public accessor.
  const trie = (sm as unknown as { _trie: MerklePatriciaTrie })._trie;
  (trie.database() as unknown as { _cache?: { clear(): void } })._cache?.clear();
  const db = (trie.database() as unknown as { db: unknown }).db;
  if (db instanceof StateDB) db.forgetNodes();
}

/** An in-memory {@link StateStore} that worker threads mirror through `changesSince`. */
export interface MemoryStateStore extends StateStore, HexStateReader {
  readonly size: number;
  changesSince(cursor: number): { entries: StateEntry[]; cursor: number };
}

/** Creates an empty in-memory state store (the test double of a Kesque-backed store). */
export function createMemoryStateStore(): MemoryStateStore {
  const map = new Map<string, Uint8Array>();
  const log: StateEntry[] = [];
  return {
    get(key) {
      return map.get(bytesToUnprefixedHex(key));
    },
    getHex(key) {
      return map.get(key);
    },
    async write(entries) {
      for (const entry of entries) {
        const hex = bytesToUnprefixedHex(entry[0]);
        if (map.has(hex)) continue;
        map.set(hex, entry[1]);
        log.push(entry);
      }
    },
    get size() {
      return map.size;
    },
    changesSince(cursor) {
      return { entries: log.slice(cursor), cursor: log.length };
    },
  };
}
