// The keys of the `trie` table reachable from a set of state roots: world-state trie nodes, the
// storage tries of every account, and contract code. What state pruning keeps.
//
// Nodes are content-addressed, so a node already in the set has its whole subtree in it: the
// states of consecutive blocks share almost every node, and each extra root costs only the nodes
// it changed. Reads are Kesque's synchronous gets; the walk yields to the event loop every
// `YIELD_EVERY` nodes so that block production and the RPC go on.
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, KECCAK256_NULL, KECCAK256_RLP } from '@ethereumjs/util';
import { ChainError } from '../errors.js';
import type { KVReader } from './kv.js';
import { Tables } from './tables.js';

const YIELD_EVERY = 4096;

/** A set of 32-byte keys (as latin1 strings: the cheapest map key for bytes). */
export class KeySet {
  readonly #keys = new Set<string>();
  static keyOf(key: Uint8Array): string {
    return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
  }
  has(key: Uint8Array): boolean {
    return this.#keys.has(KeySet.keyOf(key));
  }
  /** Adds `key`; false when it was there already. */
  add(key: Uint8Array): boolean {
    const k = KeySet.keyOf(key);
    if (this.#keys.has(k)) return false;
    this.#keys.add(k);
    return true;
  }
  get size(): number {
    return this.#keys.size;
  }
}

type Item = Uint8Array | Item[];

/** What a trie's leaves hold: accounts (follow their storage and code) or storage values. */
type TrieKind = 'account' | 'storage';

/**
 * Adds to `live` every key reachable from `roots`. `aborted` is polled between slices; when it
 * returns true the walk stops early (the set is then incomplete: do not prune with it).
 * @throws ChainError CORRUPT_STORE when a reachable node is missing or malformed.
 */
export async function collectLiveKeys(
  kv: KVReader,
  roots: readonly Uint8Array[],
  live: KeySet,
  aborted: () => boolean = () => false,
): Promise<{ complete: boolean }> {
  const stack: { hash: Uint8Array; kind: TrieKind }[] = [];
  for (const root of roots) {
    if (!equal(root, KECCAK256_RLP) && live.add(root)) stack.push({ hash: root, kind: 'account' });
  }
  let visited = 0;
  while (stack.length > 0) {
    if (++visited % YIELD_EVERY === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (aborted()) return { complete: false };
    }
    const { hash, kind } = stack.pop() as { hash: Uint8Array; kind: TrieKind };
    const encoded = kv.get(Tables.trie, hash);
    if (encoded === undefined) {
      throw new ChainError('CORRUPT_STORE', `trie node ${bytesToHex(hash)} is missing`);
    }
    let node: Item;
    try {
      node = RLP.decode(encoded) as Item;
    } catch (cause) {
      throw new ChainError('CORRUPT_STORE', `trie node ${bytesToHex(hash)} is not RLP`, { cause });
    }
    visitNode(
      node,
      kind,
      (child, childKind) => {
        if (live.add(child)) stack.push({ hash: child, kind: childKind });
      },
      live,
    );
  }
  return { complete: true };
}

/** Calls `follow` for every stored node or code `node` references (inline nodes are walked here). */
function visitNode(
  node: Item,
  kind: TrieKind,
  follow: (hash: Uint8Array, kind: TrieKind) => void,
  live: KeySet,
): void {
  if (!Array.isArray(node)) throw new ChainError('CORRUPT_STORE', 'a trie node is not a list');
  if (node.length === 17) {
    for (let i = 0; i < 16; i++) visitReference(node[i] as Item, kind, follow, live);
    const value = node[16];
    if (value instanceof Uint8Array && value.length > 0) visitLeafValue(value, kind, follow, live);
    return;
  }
  if (node.length !== 2) throw new ChainError('CORRUPT_STORE', `a trie node has ${node.length} items`);
  const path = node[0];
  if (!(path instanceof Uint8Array) || path.length === 0) {
    throw new ChainError('CORRUPT_STORE', 'a trie node has no path');
  }
  // Hex-prefix encoding: flag 2 or 3 in the first nibble marks a leaf, 0 or 1 an extension.
  const isLeaf = (path[0] as number) >> 4 >= 2;
  const second = node[1] as Item;
  if (isLeaf) {
    if (second instanceof Uint8Array) visitLeafValue(second, kind, follow, live);
  } else visitReference(second, kind, follow, live);
}

function visitReference(
  ref: Item,
  kind: TrieKind,
  follow: (hash: Uint8Array, kind: TrieKind) => void,
  live: KeySet,
): void {
  if (Array.isArray(ref)) visitNode(ref, kind, follow, live);
  else if (ref.length === 32) follow(ref, kind);
}

/** An account leaf keeps its storage trie and its code alive; a storage value references nothing. */
function visitLeafValue(
  value: Uint8Array,
  kind: TrieKind,
  follow: (hash: Uint8Array, kind: TrieKind) => void,
  live: KeySet,
): void {
  if (kind !== 'account') return;
  const account = RLP.decode(value) as Uint8Array[];
  if (!Array.isArray(account) || account.length !== 4) {
    throw new ChainError('CORRUPT_STORE', 'an account leaf does not have 4 fields');
  }
  const storageRoot = account[2] as Uint8Array;
  const codeHash = account[3] as Uint8Array;
  if (storageRoot.length === 32 && !equal(storageRoot, KECCAK256_RLP)) follow(storageRoot, 'storage');
  // Code is a leaf of the walk: marked live, never decoded.
  if (codeHash.length === 32 && !equal(codeHash, KECCAK256_NULL)) live.add(codeHash);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
