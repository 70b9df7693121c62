// State shards: accounts partitioned into 2^k shards by the first k bits of keccak(address).
//   leaf data     = addressHash (32) ‖ RLP(account)         (leaves sorted by addressHash)
//   shardDigest   = merkleRoot(hashLeaf(leaf data) …), 0x00…00 for an empty shard
//   shardRoot     = merkleRoot(hashLeaf(shardDigest) for shard 0 … 2^k − 1)
// Updated per block: only changed shards are touched; within a shard, an update in place
// rehashes its path, an insertion or deletion rehashes the nodes right of it; the tree of shards
// rehashes only the paths of changed shards.
import { keccak256 } from '../crypto/keccak.js';
import { compareBytes, concatBytes } from '../encoding/bytes.js';
import { DietcoinError } from '../errors.js';
import { hashLeaf, hashNode, parentLevelLength, rootHash, ZERO_ROOT } from '../merkle/tree.js';
import { type Account, encodeAccount } from './account.js';

export const MAX_SHARD_BITS = 16;

/** First `bits` bits of an address hash: its shard. */
export function shardOf(addressHash: Uint8Array, bits: number): number {
  if (bits === 0) return 0;
  const v =
    ((addressHash[0]! << 24) | (addressHash[1]! << 16) | (addressHash[2]! << 8) | addressHash[3]!) >>> 0;
  return v >>> (32 - bits);
}

/** One shard: sorted leaves and every level of its tree. */
class Shard {
  keys: Uint8Array[] = [];
  accounts: Uint8Array[] = [];
  levels: Uint8Array[][] = [[]];
  digest: Uint8Array = ZERO_ROOT;

  find(key: Uint8Array): { found: boolean; index: number } {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareBytes(this.keys[mid]!, key);
      if (c === 0) return { found: true, index: mid };
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return { found: false, index: lo };
  }

  /** Rehashes the levels above the changed leaves: `from` onwards when positions shifted, else `dirty`. */
  rehash(from: number | undefined, dirty: number[]): void {
    const leaves = this.levels[0]!;
    let d = 0;
    let level = leaves;
    // indices on this level whose parent must be recomputed
    let changed: number[] | undefined =
      from === undefined ? [...new Set(dirty)].sort((a, b) => a - b) : undefined;
    let start = from ?? 0;
    while (level.length > 1) {
      const len = parentLevelLength(level.length);
      let up = this.levels[d + 1];
      if (!up) {
        up = [];
        this.levels[d + 1] = up;
      }
      const recompute = (p: number) => {
        const l = level[2 * p]!;
        const r = level[2 * p + 1];
        up![p] = r ? hashNode(l, r) : l;
      };
      if (changed) {
        const next: number[] = [];
        for (const i of changed) {
          const p = i >>> 1;
          if (next[next.length - 1] !== p) {
            next.push(p);
            recompute(p);
          }
        }
        changed = next;
      } else {
        const p0 = start >>> 1;
        for (let p = p0; p < len; p++) recompute(p);
        start = p0;
      }
      up.length = len;
      level = up;
      d++;
    }
    this.levels.length = d + 1;
    this.digest = leaves.length === 0 ? ZERO_ROOT : rootHash(leaves.length, level[0]!);
  }

  proof(index: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = index;
    for (let d = 0; d < this.levels.length - 1; d++) {
      const level = this.levels[d]!;
      if ((i ^ 1) < level.length) out.push(level[i ^ 1]!);
      i >>>= 1;
    }
    return out;
  }
}

interface PendingChange {
  key: Uint8Array;
  /** undefined: delete */
  leaf: Uint8Array | undefined;
  account?: Uint8Array;
}

/** A change to one account: its new state, or `undefined` to delete it. */
export interface AccountChange {
  address: Uint8Array;
  account: Account | undefined;
}

export interface CreateStateShardsParameters {
  /** k: the state is split into 2^k shards. */
  shardBits: number;
}

/** The state as shards, kept in memory with every tree level for proofs. */
export class StateShards {
  readonly shardBits: number;
  readonly shardCount: number;
  private readonly shards: Shard[];
  /** levels of the tree over shard leaf hashes; level 0 has 2^k entries. */
  private readonly top: Uint8Array[][];
  private cachedRoot: Uint8Array;

  constructor({ shardBits }: CreateStateShardsParameters) {
    if (!Number.isInteger(shardBits) || shardBits < 0 || shardBits > MAX_SHARD_BITS) {
      throw new RangeError(`shardBits ${shardBits} is not in 0..${MAX_SHARD_BITS}`);
    }
    this.shardBits = shardBits;
    this.shardCount = 2 ** shardBits;
    this.shards = Array.from({ length: this.shardCount }, () => new Shard());
    const emptyLeaf = hashLeaf(ZERO_ROOT);
    this.top = [new Array(this.shardCount).fill(emptyLeaf)];
    for (let len = this.shardCount; len > 1; len = parentLevelLength(len)) {
      const below = this.top[this.top.length - 1]!;
      const up: Uint8Array[] = [];
      for (let p = 0; p < parentLevelLength(len); p++) up.push(hashNode(below[2 * p]!, below[2 * p + 1]!));
      this.top.push(up);
    }
    this.cachedRoot = rootHash(this.shardCount, this.top[this.top.length - 1]![0]!);
  }

  /** shardRoot for the header. */
  get root(): Uint8Array {
    return this.cachedRoot;
  }

  shardDigest(shard: number): Uint8Array {
    return this.shardAt(shard).digest;
  }

  accountCount(shard: number): number {
    return this.shardAt(shard).keys.length;
  }

  private shardAt(i: number): Shard {
    const s = this.shards[i];
    if (!s) throw new DietcoinError('WRONG_SHARD', `shard ${i} is outside 0..${this.shardCount - 1}`);
    return s;
  }

  /**
   * Applies one block's account changes and returns the new shardRoot; rehashes only what changed.
   * @throws DietcoinError INVALID_ACCOUNT for a malformed address or account.
   */
  update(changes: readonly AccountChange[]): Uint8Array {
    const byShard = new Map<number, PendingChange[]>();
    for (const c of changes) {
      if (c.address.length !== 20) throw new DietcoinError('INVALID_ACCOUNT', 'address must be 20 bytes');
      const key = keccak256(c.address);
      const s = shardOf(key, this.shardBits);
      let list = byShard.get(s);
      if (!list) {
        list = [];
        byShard.set(s, list);
      }
      if (c.account === undefined) list.push({ key, leaf: undefined });
      else {
        const account = encodeAccount(c.account);
        list.push({ key, leaf: hashLeaf(concatBytes(key, account)), account });
      }
    }
    const changedShards: number[] = [];
    for (const [s, list] of byShard) {
      const shard = this.shards[s]!;
      this.applyToShard(shard, list);
      this.top[0]![s] = hashLeaf(shard.digest);
      changedShards.push(s);
    }
    if (changedShards.length > 0) {
      let changed = changedShards.sort((a, b) => a - b);
      for (let d = 0; d < this.top.length - 1; d++) {
        const below = this.top[d]!;
        const up = this.top[d + 1]!;
        const next: number[] = [];
        for (const i of changed) {
          const p = i >>> 1;
          if (next[next.length - 1] === p) continue;
          next.push(p);
          up[p] = hashNode(below[2 * p]!, below[2 * p + 1]!);
        }
        changed = next;
      }
      this.cachedRoot = rootHash(this.shardCount, this.top[this.top.length - 1]![0]!);
    }
    return this.cachedRoot;
  }

  /** Merges sorted changes into a shard in one pass, then rehashes what they touched. */
  private applyToShard(shard: Shard, list: PendingChange[]): void {
    // sort by key; for one key the last change wins (Array.prototype.sort is stable)
    list.sort((a, b) => compareBytes(a.key, b.key));
    const changes = list.filter((c, i) => {
      const next = list[i + 1];
      return !next || compareBytes(next.key, c.key) !== 0;
    });
    const leaves = shard.levels[0]!;
    const dirty: number[] = [];
    let structural = false;
    for (const c of changes) {
      const { found, index } = shard.find(c.key);
      if (found && c.leaf) {
        shard.accounts[index] = c.account!;
        leaves[index] = c.leaf;
        dirty.push(index);
      } else if (found || c.leaf) structural = true;
    }
    if (!structural) {
      if (dirty.length > 0) shard.rehash(undefined, dirty);
      return;
    }
    const keys: Uint8Array[] = [];
    const accounts: Uint8Array[] = [];
    const hashes: Uint8Array[] = [];
    let from: number | undefined;
    let i = 0;
    for (const c of changes) {
      while (i < shard.keys.length && compareBytes(shard.keys[i]!, c.key) < 0) {
        keys.push(shard.keys[i]!);
        accounts.push(shard.accounts[i]!);
        hashes.push(leaves[i]!);
        i++;
      }
      const found = i < shard.keys.length && compareBytes(shard.keys[i]!, c.key) === 0;
      if (found) i++;
      if (c.leaf) {
        from ??= keys.length;
        keys.push(c.key);
        accounts.push(c.account!);
        hashes.push(c.leaf);
      } else if (found) from ??= keys.length;
    }
    for (; i < shard.keys.length; i++) {
      keys.push(shard.keys[i]!);
      accounts.push(shard.accounts[i]!);
      hashes.push(leaves[i]!);
    }
    shard.keys = keys;
    shard.accounts = accounts;
    shard.levels[0] = hashes;
    shard.rehash(from ?? 0, []);
  }

  /** Path of a shard's leaf to shardRoot (k siblings). */
  shardPath(shard: number): Uint8Array[] {
    this.shardAt(shard);
    const out: Uint8Array[] = [];
    let i = shard;
    for (let d = 0; d < this.top.length - 1; d++) {
      out.push(this.top[d]![i ^ 1]!);
      i >>>= 1;
    }
    return out;
  }

  /** Where an account sits, if present. */
  locate(address: Uint8Array): { shard: number; index: number; addressHash: Uint8Array } | undefined {
    const addressHash = keccak256(address);
    const shard = shardOf(addressHash, this.shardBits);
    const { found, index } = this.shards[shard]!.find(addressHash);
    return found ? { shard, index, addressHash } : undefined;
  }

  /** Leaf index, count, siblings and encoded account of the leaf at `index` of `shard`. */
  leafProof(shard: number, index: number): { count: number; siblings: Uint8Array[]; account: Uint8Array } {
    const s = this.shardAt(shard);
    return { count: s.keys.length, siblings: s.proof(index), account: s.accounts[index]! };
  }

  /** Sorted (addressHash, encoded account) pairs of a shard. */
  shardAccounts(shard: number): { addressHash: Uint8Array; account: Uint8Array }[] {
    const s = this.shardAt(shard);
    return s.keys.map((addressHash, i) => ({ addressHash, account: s.accounts[i]! }));
  }
}
