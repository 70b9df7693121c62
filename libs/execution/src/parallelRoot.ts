// Trie updates hashed by the worker pool: the changes are split by the first nibble of their key,
// each worker updates and hashes the subtries under its nibbles of the root branch (reading the
// parent's nodes from its own reader of the store) and returns their new references and nodes;
// the coordinator assembles the root branch. On 2 vCPUs the coordinator would otherwise hash the
// whole account trie alone while the workers sit idle.
import type { WorkerPool } from './pool.js';
import { packChanges, unpackEntries } from './protocol.js';
import {
  BranchNode,
  childToRef,
  commitSubtrie,
  commitTrie,
  type TrieChange,
  type TrieNodeReader,
  updateTrie,
} from './trieBatch.js';
import type { StateEntry } from './types.js';

/** Updates a trie from its parent root (undefined: empty) and returns the new root and nodes. */
export type TrieHasher = (
  parent: Uint8Array | undefined,
  changes: TrieChange[],
) => Promise<{ root: Uint8Array; entries: StateEntry[] }>;

/** Below this many changes a trie is updated on the coordinator: shipping costs more than it saves. */
export const PARALLEL_HASH_MIN_CHANGES = 512;

export interface ParallelTrieHasherParameters {
  pool: WorkerPool;
  read: TrieNodeReader;
  keccak256: (data: Uint8Array) => Uint8Array;
  emptyRoot: Uint8Array;
  /** Work for the coordinator while the workers hash (the receipts root, say); run at most once. */
  whileWaiting?: () => void;
  /** Told each time a trie was hashed by the workers. */
  onShared?: () => void;
}

/** The update on the coordinator alone. */
export function localTrieHasher(
  read: TrieNodeReader,
  keccak256: (data: Uint8Array) => Uint8Array,
  emptyRoot: Uint8Array,
): TrieHasher {
  return async (parent, changes) => commitTrie(updateTrie(parent, changes, read), keccak256, emptyRoot);
}

/**
 * A hasher that splits large updates of a trie whose root is a branch across the pool's workers
 * (changes must be sorted); anything else runs on the coordinator. Same nodes, same root.
 */
export function parallelTrieHasher(p: ParallelTrieHasherParameters): TrieHasher {
  const local = localTrieHasher(p.read, p.keccak256, p.emptyRoot);
  return async (parent, changes) => {
    if (parent === undefined || changes.length < PARALLEL_HASH_MIN_CHANGES) return local(parent, changes);
    const top = p.read(parent);
    if (!(top instanceof BranchNode)) return local(parent, changes);
    // Changes per first nibble (sorted, so each nibble's changes are contiguous).
    const bounds = new Array<number>(17).fill(0);
    for (const c of changes) {
      const b = (c.nibbles[0] as number) + 1;
      bounds[b] = (bounds[b] as number) + 1;
    }
    for (let n = 1; n <= 16; n++) bounds[n] = (bounds[n] as number) + (bounds[n - 1] as number);
    // Contiguous nibble ranges of about equal numbers of changes, one per worker.
    const shares: { nibbles: number[]; children: Uint8Array[]; changes: Uint8Array }[] = [];
    let n = 0;
    for (let w = 0; w < p.pool.size; w++) {
      const target = (changes.length * (w + 1)) / p.pool.size;
      const nibbles: number[] = [];
      const children: Uint8Array[] = [];
      const start = bounds[n] as number;
      while (
        n < 16 &&
        (w === p.pool.size - 1 || (bounds[n + 1] as number) <= target || nibbles.length === 0)
      ) {
        if ((bounds[n + 1] as number) > (bounds[n] as number)) {
          nibbles.push(n);
          children.push(commitSubtrie(top.children[n], p.keccak256).child);
        }
        n++;
      }
      const end = bounds[n] as number;
      if (nibbles.length > 0)
        shares.push({ nibbles, children, changes: packChanges(changes.slice(start, end)) });
    }
    p.onShared?.();
    const replies = p.pool.hash(shares);
    // Keep a rejection from going unhandled while the coordinator works.
    replies.catch(() => undefined);
    p.whileWaiting?.();
    const done = await replies;
    const children = top.children.slice();
    const entries: StateEntry[] = [];
    done.forEach((reply, s) => {
      const share = shares[s] as (typeof shares)[number];
      share.nibbles.forEach((nibble, k) => {
        children[nibble] = childToRef(reply.children[k] as Uint8Array);
      });
      for (const [key, value] of unpackEntries(reply.entries)) entries.push([key, value]);
    });
    let count = 0;
    for (const c of children) if (c !== undefined) count++;
    // A root left with one child folds into it: rare (nearly everything deleted), done locally.
    if (count < 2) return local(parent, changes);
    const root = commitTrie(new BranchNode(children), p.keccak256, p.emptyRoot);
    for (const e of root.entries) entries.push(e);
    return { root: root.root, entries };
  };
}
