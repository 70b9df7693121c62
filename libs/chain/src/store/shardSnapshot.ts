// A snapshot of dietcoin's state shards at one block, so that a restart restores them and replays
// only the blocks after it instead of every block since genesis (see exec/stateShards.ts).
//
// Leaves keep the position they were created at, so the snapshot records every shard's leaves in
// position order: RLP [version, blockNumber, shardBits, [[address(20), account], ...] per shard].
// Restoring appends the leaves in that order. One record under `meta[SHARD_SNAPSHOT_KEY]`, replaced
// in one put: a crash leaves the previous snapshot or the new one, never half of one.
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex } from '@ethereumjs/util';
import { type AccountChange, decodeAccount, StateShards } from '@khipu/dietcoin';
import { ChainError } from '../errors.js';
import { decodeNumber, encodeNumber } from './codec.js';
import type { KVOp, KVReader } from './kv.js';
import { SHARD_SNAPSHOT_KEY, Tables } from './tables.js';

const FORMAT_VERSION = 1;

/** A decoded snapshot: the shards at the end of `blockNumber`. */
export interface ShardSnapshot {
  blockNumber: bigint;
  shards: StateShards;
}

/** The leaves of every shard at one moment, in position order. Taking it is cheap (no hashing, no
 *  reads) and later blocks do not change it: leaves are replaced, never mutated, by an update. */
export interface CapturedShards {
  shardBits: number;
  leaves: { addressHash: Uint8Array; account: Uint8Array }[][];
}

export function captureShards(shards: StateShards): CapturedShards {
  const leaves = [];
  for (let s = 0; s < shards.shardCount; s++) leaves.push(shards.shardAccounts(s));
  return { shardBits: shards.shardBits, leaves };
}

/** Leaves encoded between two yields to the event loop: a large state must not stall blocks. */
const LEAVES_PER_SLICE = 8192;

/**
 * The op that stores `captured` as the snapshot of block `blockNumber`. Addresses come from the
 * `preimage` table (every account the shards hold had its preimage written with its block).
 * @throws ChainError CORRUPT_STORE when an account has no address preimage.
 */
export async function shardSnapshotOp(
  kv: KVReader,
  captured: CapturedShards,
  blockNumber: bigint,
): Promise<KVOp> {
  const perShard: [Uint8Array, Uint8Array][][] = [];
  let done = 0;
  for (const shard of captured.leaves) {
    const list: [Uint8Array, Uint8Array][] = [];
    for (const { addressHash, account } of shard) {
      const address = kv.get(Tables.preimage, addressHash);
      if (!address) {
        throw new ChainError('CORRUPT_STORE', `account ${bytesToHex(addressHash)} has no address preimage`);
      }
      list.push([address, account]);
      if (++done % LEAVES_PER_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    perShard.push(list);
  }
  const value = RLP.encode([
    encodeNumber(BigInt(FORMAT_VERSION)),
    encodeNumber(blockNumber),
    encodeNumber(BigInt(captured.shardBits)),
    perShard,
  ]);
  return { type: 'put', table: Tables.meta, key: SHARD_SNAPSHOT_KEY, value };
}

/**
 * The stored snapshot, or `undefined` when there is none. The caller checks its root against the
 * header of its block.
 * @throws ChainError CORRUPT_STORE when the record does not decode or was made with other shard bits.
 */
export function readShardSnapshot(kv: KVReader, shardBits: number): ShardSnapshot | undefined {
  const value = kv.get(Tables.meta, SHARD_SNAPSHOT_KEY);
  if (value === undefined) return undefined;
  let fields: unknown;
  try {
    fields = RLP.decode(value);
  } catch (cause) {
    throw new ChainError('CORRUPT_STORE', 'the state-shard snapshot is not valid RLP', { cause });
  }
  if (!Array.isArray(fields) || fields.length !== 4) {
    throw new ChainError('CORRUPT_STORE', 'the state-shard snapshot does not have 4 fields');
  }
  const [version, number, bits, perShard] = fields as [Uint8Array, Uint8Array, Uint8Array, unknown];
  if (decodeNumber(version) !== BigInt(FORMAT_VERSION)) {
    throw new ChainError('CORRUPT_STORE', `state-shard snapshot format ${decodeNumber(version)} is unknown`);
  }
  if (decodeNumber(bits) !== BigInt(shardBits)) {
    throw new ChainError(
      'CORRUPT_STORE',
      `the state-shard snapshot has ${decodeNumber(bits)} shard bits, the chain ${shardBits}`,
    );
  }
  const shards = new StateShards({ shardBits });
  if (!Array.isArray(perShard) || perShard.length !== shards.shardCount) {
    throw new ChainError(
      'CORRUPT_STORE',
      `the state-shard snapshot does not list ${shards.shardCount} shards`,
    );
  }
  const lists = perShard as [Uint8Array, Uint8Array][][];
  // Round i appends the i-th leaf of every shard that has one: within one `update` a shard gets a
  // single new account, which goes to its end, so every leaf lands at its recorded position.
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    const round: AccountChange[] = [];
    for (const list of lists) {
      const leaf = list[i];
      if (leaf) round.push({ address: leaf[0], account: decodeAccount(leaf[1]) });
    }
    shards.update(round);
  }
  return { blockNumber: decodeNumber(number), shards };
}
