// State shards: accounts partitioned into 2^k shards by the first k bits of keccak(address).
//   leaf data     = addressHash (32) ‖ RLP(account)
//   shardDigest   = merkleRoot(hashLeaf(leaf data) …), 0x00…00 for an empty shard
//   shardRoot     = merkleRoot(hashLeaf(shardDigest) for shard 0 … 2^k − 1)
// Leaves keep their position: a block's changes are applied in ascending addressHash order; an
// update rewrites its leaf in place, a new account is appended at the end of its shard, and a
// deleted account's slot takes the shard's last leaf. Positions never shift, so a block rehashes
// only the paths of the leaves it changed (and of the shard's last leaf when the count changes),
// and the tree of shards only the paths of the shards it changed. The order is deterministic:
// every node applying the same blocks holds the same trees.
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

/** One shard: leaves in position order, an index by address hash, and every level of its tree. */
class Shard {
  keys: Uint8Array[] = [];
  accounts: Uint8Array[] = [];
  levels: Uint8Array[][] = [[]];
  digest: Uint8Array = ZERO_ROOT;
  private readonly position = new Map<string, number>();

  find(key: Uint8Array): number | undefined {
    return this.position.get(keyOf(key));
  }

  /** Applies changes sorted by key (one per key), then rehashes the touched paths. */
  apply(changes: readonly PendingChange[]): void {
    const leaves = this.levels[0]!;
    const before = leaves.length;
    const dirty: number[] = [];
    for (const c of changes) {
      const k = keyOf(c.key);
      const at = this.position.get(k);
      if (c.leaf) {
        if (at !== undefined) {
          this.accounts[at] = c.account!;
          leaves[at] = c.leaf;
          dirty.push(at);
        } else {
          this.position.set(k, leaves.length);
          dirty.push(leaves.length);
          this.keys.push(c.key);
          this.accounts.push(c.account!);
          leaves.push(c.leaf);
        }
      } else if (at !== undefined) {
        // swap-remove: the last leaf moves into the freed slot
        const last = leaves.length - 1;
        this.position.delete(k);
        if (at !== last) {
          this.keys[at] = this.keys[last]!;
          this.accounts[at] = this.accounts[last]!;
          leaves[at] = leaves[last]!;
          this.position.set(keyOf(this.keys[at]!), at);
          dirty.push(at);
        }
        this.keys.pop();
        this.accounts.pop();
        leaves.pop();
      }
    }
    // when the count changed, the right edge of the tree changed: rehash the last leaf's path
    if (leaves.length !== before && leaves.length > 0) dirty.push(leaves.length - 1);
    this.rehash(dirty.filter((i) => i < leaves.length));
  }

  /** Rehashes the ancestors of the leaves at `dirty` (any order, duplicates allowed). */
  private rehash(dirty: number[]): void {
    let level = this.levels[0]!;
    let changed = [...new Set(dirty)].sort((a, b) => a - b);
    let d = 0;
    while (level.length > 1) {
      const len = parentLevelLength(level.length);
      let up = this.levels[d + 1];
      if (!up) {
        up = [];
        this.levels[d + 1] = up;
      }
      const next: number[] = [];
      for (const i of changed) {
        const p = i >>> 1;
        if (next[next.length - 1] === p) continue;
        next.push(p);
        const l = level[2 * p]!;
        const r = level[2 * p + 1];
        up[p] = r ? hashNode(l, r) : l;
      }
      up.length = len;
      changed = next;
      level = up;
      d++;
    }
    this.levels.length = d + 1;
    this.digest = level.length === 0 ? ZERO_ROOT : rootHash(this.levels[0]!.length, level[0]!);
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

function keyOf(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
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

  /** Sorts one shard's changes by key (the last change of a key wins) and applies them. */
  private applyToShard(shard: Shard, list: PendingChange[]): void {
    list.sort((a, b) => compareBytes(a.key, b.key));
    shard.apply(
      list.filter((c, i) => {
        const next = list[i + 1];
        return !next || compareBytes(next.key, c.key) !== 0;
      }),
    );
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
    const index = this.shards[shard]!.find(addressHash);
    return index === undefined ? undefined : { shard, index, addressHash };
  }

  /** Leaf index, count, siblings and encoded account of the leaf at `index` of `shard`. */
  leafProof(shard: number, index: number): { count: number; siblings: Uint8Array[]; account: Uint8Array } {
    const s = this.shardAt(shard);
    return { count: s.keys.length, siblings: s.proof(index), account: s.accounts[index]! };
  }

  /** (addressHash, encoded account) pairs of a shard, in leaf order. */
  shardAccounts(shard: number): { addressHash: Uint8Array; account: Uint8Array }[] {
    const s = this.shardAt(shard);
    return s.keys.map((addressHash, i) => ({ addressHash, account: s.accounts[i]! }));
  }
}
