// Binary Merkle trees over keccak-256 with domain separation (RFC 6962 shape):
//   leafHash(data)   = keccak256(0x00 ‖ data)
//   nodeHash(l, r)   = keccak256(0x01 ‖ l ‖ r)
//   rootHash(n, top) = keccak256(0x02 ‖ n as u64 big-endian ‖ top)
//   root of 0 leaves = 32 zero bytes; otherwise rootHash(leaf count, top node of the tree).
// The root commits to the leaf count, so a proof's (index, count) cannot be altered without
// changing the root, and a shard proof proves that no message of the shard was left out.
// Levels are built bottom-up by pairing neighbours; an odd last node is promoted unchanged to the
// next level. This is exactly RFC 6962's split at the largest power of two below n, so a leaf can
// never be passed off as a node, and no leaf is duplicated.
import { keccak256Prefixed } from '../crypto/keccak.js';
import { DietcoinError } from '../errors.js';

export const ZERO_ROOT = new Uint8Array(32);
/** Largest leaf count a tree or proof may claim. */
export const MAX_LEAVES = 2 ** 32 - 1;

export function hashLeaf(data: Uint8Array): Uint8Array {
  return keccak256Prefixed(0, data);
}

export function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return keccak256Prefixed(1, left, right);
}

/** The root of a non-empty tree: its top node bound to its leaf count. */
export function rootHash(count: number, top: Uint8Array): Uint8Array {
  const n = new Uint8Array(8);
  new DataView(n.buffer).setBigUint64(0, BigInt(count), false);
  return keccak256Prefixed(2, n, top);
}

/** Number of nodes on the level above a level of `len` nodes. */
export function parentLevelLength(len: number): number {
  return (len + 1) >>> 1;
}

/** A Merkle tree kept as every level, so proofs are read off without rehashing. */
export class MerkleTree {
  /** levels[0] are the leaf hashes; the last level holds the root alone. */
  readonly levels: Uint8Array[][];
  private cachedRoot: Uint8Array | undefined;

  constructor(leafHashes: readonly Uint8Array[]) {
    this.levels = [leafHashes.slice()];
    let level = this.levels[0]!;
    while (level.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(hashNode(level[i]!, level[i + 1]!));
      if (level.length % 2 === 1) next.push(level[level.length - 1]!);
      this.levels.push(next);
      level = next;
    }
  }

  get count(): number {
    return this.levels[0]!.length;
  }

  get root(): Uint8Array {
    if (this.count === 0) return ZERO_ROOT;
    this.cachedRoot ??= rootHash(this.count, this.levels[this.levels.length - 1]![0]!);
    return this.cachedRoot;
  }

  /** Sibling hashes from the leaf up to the root. */
  proof(index: number): Uint8Array[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new DietcoinError('INVALID_PROOF', `leaf ${index} is outside a tree of ${this.count}`);
    }
    const out: Uint8Array[] = [];
    let i = index;
    for (let d = 0; d < this.levels.length - 1; d++) {
      const level = this.levels[d]!;
      const sibling = i ^ 1;
      if (sibling < level.length) out.push(level[sibling]!);
      i >>>= 1;
    }
    return out;
  }

  /** Sibling hashes needed to prove the leaves at `indices` together (see `multiProofRoot`). */
  multiProof(indices: readonly number[]): Uint8Array[] {
    checkIndices(indices, this.count);
    const out: Uint8Array[] = [];
    let known = indices.slice();
    for (let d = 0; d < this.levels.length - 1; d++) {
      const level = this.levels[d]!;
      const next: number[] = [];
      for (let k = 0; k < known.length; k++) {
        const i = known[k]!;
        const sibling = i ^ 1;
        if (sibling < level.length) {
          if (known[k + 1] === sibling) k++;
          else out.push(level[sibling]!);
        }
        next.push(i >>> 1);
      }
      known = next;
    }
    return out;
  }
}

/** Root of the tree over `leafHashes`, without keeping the levels. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return ZERO_ROOT;
  let level = leafHashes as Uint8Array[];
  while (level.length > 1) {
    const next: Uint8Array[] = new Array(parentLevelLength(level.length));
    for (let i = 0; i + 1 < level.length; i += 2) next[i >>> 1] = hashNode(level[i]!, level[i + 1]!);
    if (level.length % 2 === 1) next[next.length - 1] = level[level.length - 1]!;
    level = next;
  }
  return rootHash(leafHashes.length, level[0]!);
}

/** How many siblings the proof of leaf `index` in a tree of `count` leaves carries. */
export function proofLength(index: number, count: number): number {
  let n = 0;
  let i = index;
  for (let len = count; len > 1; len = parentLevelLength(len)) {
    if ((i ^ 1) < len) n++;
    i >>>= 1;
  }
  return n;
}

function checkIndices(indices: readonly number[], count: number): void {
  if (indices.length === 0) throw new DietcoinError('INVALID_PROOF', 'multiproof proves no leaf');
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw new DietcoinError('INVALID_PROOF', `leaf ${i} is outside a tree of ${count}`);
    }
    if (k > 0 && i <= indices[k - 1]!) {
      throw new DietcoinError('INVALID_PROOF', 'multiproof leaf indices are not strictly ascending');
    }
  }
}

/**
 * Root implied by a leaf hash and its single proof.
 * @throws DietcoinError INVALID_PROOF when the proof has the wrong length for (index, count).
 */
export function proofRoot(
  leafHash: Uint8Array,
  index: number,
  count: number,
  siblings: readonly Uint8Array[],
): Uint8Array {
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    count > MAX_LEAVES ||
    !Number.isInteger(index) ||
    index < 0 ||
    index >= count
  ) {
    throw new DietcoinError('INVALID_PROOF', `leaf ${index} is outside a tree of ${count}`);
  }
  let h = leafHash;
  let i = index;
  let s = 0;
  for (let len = count; len > 1; len = parentLevelLength(len)) {
    const sibling = i ^ 1;
    if (sibling < len) {
      const sib = siblings[s++];
      if (sib?.length !== 32) {
        throw new DietcoinError('INVALID_PROOF', `proof of leaf ${index} of ${count} is missing a sibling`);
      }
      h = i & 1 ? hashNode(sib, h) : hashNode(h, sib);
    }
    i >>>= 1;
  }
  if (s !== siblings.length) {
    throw new DietcoinError(
      'INVALID_PROOF',
      `proof of leaf ${index} of ${count} has ${siblings.length - s} extra siblings`,
    );
  }
  return rootHash(count, h);
}

/**
 * Root implied by several leaves (ascending indices) and their multiproof.
 * @throws DietcoinError INVALID_PROOF on bad indices, a missing or an unused sibling.
 */
export function multiProofRoot(
  leafHashes: readonly Uint8Array[],
  indices: readonly number[],
  count: number,
  siblings: readonly Uint8Array[],
): Uint8Array {
  if (!Number.isInteger(count) || count < 1 || count > MAX_LEAVES) {
    throw new DietcoinError('INVALID_PROOF', `multiproof tree size ${count}`);
  }
  checkIndices(indices, count);
  if (leafHashes.length !== indices.length) {
    throw new DietcoinError('INVALID_PROOF', 'multiproof has not one leaf per index');
  }
  let known = indices.slice();
  let hashes = leafHashes.slice();
  let s = 0;
  for (let len = count; len > 1; len = parentLevelLength(len)) {
    const nextKnown: number[] = [];
    const nextHashes: Uint8Array[] = [];
    for (let k = 0; k < known.length; k++) {
      const i = known[k]!;
      const h = hashes[k]!;
      const sibling = i ^ 1;
      let parent = h;
      if (sibling < len) {
        let sib: Uint8Array | undefined;
        if (known[k + 1] === sibling) {
          sib = hashes[k + 1]!;
          k++;
        } else {
          sib = siblings[s++];
          if (sib?.length !== 32) throw new DietcoinError('INVALID_PROOF', 'multiproof is missing a sibling');
        }
        parent = i & 1 ? hashNode(sib, h) : hashNode(h, sib);
      }
      nextKnown.push(i >>> 1);
      nextHashes.push(parent);
    }
    known = nextKnown;
    hashes = nextHashes;
  }
  if (s !== siblings.length) {
    throw new DietcoinError('INVALID_PROOF', `multiproof has ${siblings.length - s} unused siblings`);
  }
  return rootHash(count, hashes[0]!);
}
