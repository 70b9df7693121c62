import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type AccountChange, initDietcoin, keccak256, StateShards } from '@khipu/dietcoin';
import { isChainError } from '../errors.js';
import { createMemoryKV, type KVStore } from './kv.js';
import { captureShards, readShardSnapshot, shardSnapshotOp } from './shardSnapshot.js';
import { SHARD_SNAPSHOT_KEY, Tables } from './tables.js';

const address = (i: number) => new Uint8Array(20).fill(i);
const account = (balance: bigint) => ({
  nonce: 1n,
  balance,
  storageRoot: new Uint8Array(32).fill(0x56),
  codeHash: new Uint8Array(32).fill(0xc5),
});

async function withPreimages(kv: KVStore, count: number): Promise<void> {
  const ops = [];
  for (let i = 1; i <= count; i++) {
    ops.push({ type: 'put' as const, table: Tables.preimage, key: keccak256(address(i)), value: address(i) });
  }
  await kv.batch(ops);
}

describe('[chain] state-shard snapshot', () => {
  before(async () => {
    await initDietcoin();
  });

  it('restores every leaf at its position, after deletions moved leaves (swap-remove)', async () => {
    const kv = createMemoryKV();
    await withPreimages(kv, 40);
    const shards = new StateShards({ shardBits: 2 });
    const changes: AccountChange[] = [];
    for (let i = 1; i <= 30; i++) changes.push({ address: address(i), account: account(BigInt(i)) });
    shards.update(changes);
    // Deletions swap the shard's last leaf into the freed slot: positions no longer follow keys.
    shards.update([3, 7, 11, 20].map((i) => ({ address: address(i), account: undefined })));
    shards.update([31, 32, 33].map((i) => ({ address: address(i), account: account(1n) })));
    shards.update([{ address: address(5), account: account(500n) }]);

    await kv.batch([await shardSnapshotOp(kv, captureShards(shards), 77n)]);
    const restored = readShardSnapshot(kv, 2);
    assert.ok(restored);
    assert.equal(restored.blockNumber, 77n);
    assert.deepEqual(restored.shards.root, shards.root);
    for (let s = 0; s < shards.shardCount; s++) {
      assert.deepEqual(restored.shards.shardAccounts(s), shards.shardAccounts(s));
    }
    // It goes on as the original would.
    const next = [
      { address: address(34), account: account(2n) },
      { address: address(1), account: undefined },
    ];
    assert.deepEqual(restored.shards.update(next), shards.update(next));
  });

  it('is absent on a store without one, and refuses a corrupt or foreign record', async () => {
    const kv = createMemoryKV();
    assert.equal(readShardSnapshot(kv, 2), undefined);
    const refused = (code: string, pattern: RegExp) => (e: unknown) =>
      isChainError(e) && e.code === code && pattern.test(e.message);

    await kv.batch([
      { type: 'put', table: Tables.meta, key: SHARD_SNAPSHOT_KEY, value: new Uint8Array([0xff]) },
    ]);
    assert.throws(() => readShardSnapshot(kv, 2), refused('CORRUPT_STORE', /snapshot/));

    await withPreimages(kv, 2);
    const shards = new StateShards({ shardBits: 3 });
    shards.update([{ address: address(1), account: account(1n) }]);
    await kv.batch([await shardSnapshotOp(kv, captureShards(shards), 1n)]);
    assert.throws(() => readShardSnapshot(kv, 2), refused('CORRUPT_STORE', /3 shard bits, the chain 2/));
    assert.ok(readShardSnapshot(kv, 3));

    shards.update([{ address: address(9), account: account(1n) }]);
    await assert.rejects(
      shardSnapshotOp(kv, captureShards(shards), 2n),
      refused('CORRUPT_STORE', /no address preimage/),
    );
  });
});
