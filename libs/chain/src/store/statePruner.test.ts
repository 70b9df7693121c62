import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, KECCAK256_NULL, KECCAK256_RLP } from '@ethereumjs/util';
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import type { CompactionReport } from '@khipu/kesque';
import type { Hash, HeaderData } from '../rpc/backend.js';
import { createMemoryKV, type KVStore } from './kv.js';
import { collectLiveKeys, KeySet } from './liveNodes.js';
import { createOverlayStateDB } from './stateDB.js';
import { type CompactingKV, createRecordingKV, oldestKeptState, StatePruner } from './statePruner.js';
import { Tables } from './tables.js';

/** A memory KV whose `compact` drops the table's keys the predicate refuses, as Kesque's does. */
function compactingMemoryKV(): KVStore & CompactingKV & { keys(table: string): Uint8Array[] } {
  const kv = createMemoryKV();
  const written = new Map<string, Map<string, Uint8Array>>();
  return {
    get: kv.get,
    async batch(ops) {
      for (const op of ops) {
        if (typeof op.key === 'number') continue;
        let t = written.get(op.table);
        if (!t) {
          t = new Map();
          written.set(op.table, t);
        }
        if (op.type === 'put') t.set(bytesToHex(op.key), op.key);
        else t.delete(bytesToHex(op.key));
      }
      await kv.batch(ops);
    },
    keys: (table) => [...(written.get(table)?.values() ?? [])],
    async compact(table, isLive): Promise<CompactionReport> {
      let dropped = 0;
      let kept = 0;
      for (const key of [...(written.get(table)?.values() ?? [])]) {
        const value = kv.get(table, key) as Uint8Array;
        if (isLive(key, value)) kept++;
        else {
          dropped++;
          written.get(table)?.delete(bytesToHex(key));
          await kv.batch([{ type: 'del', table, key }]);
        }
      }
      return { table, recordsKept: kept, recordsDropped: dropped, bytesBefore: 0, bytesAfter: 0, seconds: 0 };
    },
  };
}

/** Writes a world state of `accounts` (each with one storage slot and its own code) to `kv`. */
async function writeState(kv: KVStore, accounts: { address: number; balance: bigint; slot: bigint }[]) {
  const db = createOverlayStateDB(kv);
  const world = new MerklePatriciaTrie({ db, useKeyHashing: true, valueEncoding: 'view' });
  for (const a of accounts) {
    const storage = new MerklePatriciaTrie({ db, useKeyHashing: true, valueEncoding: 'view' });
    await storage.put(new Uint8Array(32), RLP.encode(a.slot));
    const code = new Uint8Array([0x60, a.address, 0x00]);
    await db.put(bytesToHex(keccak256(code)).slice(2), code);
    const address = new Uint8Array(20).fill(a.address);
    await world.put(address, RLP.encode([0n, a.balance, storage.root(), keccak256(code)]));
  }
  await kv.batch(db.pendingOps());
  return { root: world.root() };
}

function blocksOf(roots: Uint8Array[]) {
  return {
    headNumber: () => BigInt(roots.length - 1),
    getHeaderByNumber: (n: bigint) =>
      n < BigInt(roots.length)
        ? ({ number: n, stateRoot: bytesToHex(roots[Number(n)] as Uint8Array) as Hash } as HeaderData)
        : null,
  };
}

describe('[chain] state pruner', () => {
  before(async () => {
    await initDietcoin();
  });

  it('keeps the last N states, or every one on an archive node', () => {
    assert.equal(oldestKeptState({ archive: false, blocks: 128 }, 1000n), 873n);
    assert.equal(oldestKeptState({ archive: false, blocks: 128 }, 100n), 0n);
    assert.equal(oldestKeptState({ archive: true, blocks: 128 }, 1000n), 0n);
  });

  it('records only trie writes, and only while asked', async () => {
    const kv = createRecordingKV(createMemoryKV());
    const seen = new KeySet();
    const stop = kv.recordWrites(seen);
    await kv.batch([
      { type: 'put', table: Tables.trie, key: new Uint8Array(32).fill(1), value: new Uint8Array([1]) },
      { type: 'put', table: Tables.preimage, key: new Uint8Array(32).fill(2), value: new Uint8Array([2]) },
    ]);
    stop();
    await kv.batch([
      { type: 'put', table: Tables.trie, key: new Uint8Array(32).fill(3), value: new Uint8Array([3]) },
    ]);
    assert.equal(seen.size, 1);
    assert.ok(seen.has(new Uint8Array(32).fill(1)));
    assert.deepEqual(kv.get(Tables.trie, new Uint8Array(32).fill(3)), new Uint8Array([3]));
  });

  it('walks account tries, storage tries and code', async () => {
    const kv = createMemoryKV();
    const { root } = await writeState(kv, [
      { address: 1, balance: 5n, slot: 7n },
      { address: 2, balance: 6n, slot: 8n },
    ]);
    const live = new KeySet();
    assert.deepEqual(await collectLiveKeys(kv, [root, KECCAK256_RLP], live), { complete: true });
    // 2 codes, 2 single-leaf storage tries, a branch and 2 leaves of the account trie.
    assert.equal(live.size, 7);
    assert.ok(live.has(keccak256(new Uint8Array([0x60, 1, 0x00]))));
    assert.ok(!live.has(KECCAK256_NULL));
    await assert.rejects(
      collectLiveKeys(kv, [new Uint8Array(32).fill(9)], new KeySet()),
      /trie node 0x0909.* is missing/,
    );
  });

  it('drops what the kept states do not reach, keeping what was written since the commit before the head', async () => {
    const inner = compactingMemoryKV();
    const kv = Object.assign(createRecordingKV(inner), { compact: inner.compact });
    const roots: Uint8Array[] = [];
    for (let i = 0; i < 4; i++)
      roots.push((await writeState(kv, [{ address: 1, balance: BigInt(i), slot: BigInt(i) }])).root);
    const pruner = new StatePruner({
      kv,
      blocks: blocksOf(roots),
      retention: { archive: false, blocks: 2 },
      snapshotBlock: () => 3n,
    });
    // A block's state written but not committed yet (as execution does before the block batch).
    const late = await writeState(kv, [{ address: 1, balance: 99n, slot: 99n }]);
    const first = await pruner.prune();
    assert.equal(first?.keptFrom, 2n);
    assert.ok(inner.get(Tables.trie, late.root), 'written after the head committed: kept');
    // Two more blocks commit (not the late one): it can no longer become part of the chain.
    for (let i = 4; i < 6; i++) {
      roots.push((await writeState(kv, [{ address: 1, balance: BigInt(i), slot: BigInt(i) }])).root);
      pruner.onBlock(BigInt(i));
    }
    const second = await pruner.prune();
    assert.ok(second && second.trie.recordsDropped > 0);
    assert.equal(inner.get(Tables.trie, late.root), undefined, 'two commits later, unreachable: dropped');
    assert.equal(inner.get(Tables.trie, roots[0] as Uint8Array), undefined);
    assert.deepEqual(await collectLiveKeys(inner, roots.slice(4), new KeySet()), { complete: true });
    await pruner.stop();
  });

  it('keeps every state after the shard snapshot, which a restart replays', async () => {
    const inner = compactingMemoryKV();
    const kv = Object.assign(createRecordingKV(inner), { compact: inner.compact });
    const roots: Uint8Array[] = [];
    for (let i = 0; i < 6; i++)
      roots.push((await writeState(kv, [{ address: 1, balance: BigInt(i), slot: 1n }])).root);
    const pruner = new StatePruner({
      kv,
      blocks: blocksOf(roots),
      retention: { archive: false, blocks: 2 },
      snapshotBlock: () => 1n,
    });
    await pruner.prune();
    const report = await pruner.prune();
    assert.equal(report?.keptFrom, 2n);
    assert.equal(inner.get(Tables.trie, roots[1] as Uint8Array), undefined);
    assert.deepEqual(await collectLiveKeys(inner, roots.slice(2), new KeySet()), { complete: true });
    await pruner.stop();
  });

  it('starts a cycle every N blocks, one at a time, and none on an archive node', async () => {
    const inner = compactingMemoryKV();
    const kv = Object.assign(createRecordingKV(inner), { compact: inner.compact });
    const roots = [(await writeState(kv, [{ address: 1, balance: 1n, slot: 1n }])).root];
    let cycles = 0;
    const pruner = new StatePruner({
      kv,
      blocks: blocksOf(roots),
      retention: { archive: false, blocks: 128 },
      everyBlocks: 16,
      snapshotBlock: () => 0n,
      onPruned: () => cycles++,
    });
    for (let n = 0n; n < 16n; n++) pruner.onBlock(n);
    await pruner.stop();
    assert.equal(cycles, 0);
    const again = new StatePruner({
      kv,
      blocks: blocksOf(roots),
      retention: { archive: false, blocks: 128 },
      everyBlocks: 16,
      snapshotBlock: () => 0n,
      onPruned: () => cycles++,
    });
    again.onBlock(0n);
    again.onBlock(16n);
    again.onBlock(40n); // a cycle is running: not a second one
    await new Promise((resolve) => setImmediate(resolve)); // (stop() cancels a cycle not started)
    await again.stop();
    assert.equal(cycles, 1);
    const archive = new StatePruner({
      kv,
      blocks: blocksOf(roots),
      retention: { archive: true, blocks: 128 },
      snapshotBlock: () => 0n,
      onPruned: () => cycles++,
    });
    archive.onBlock(0n);
    archive.onBlock(1000n);
    assert.equal(await archive.prune(), undefined);
    assert.equal(cycles, 1);
  });
});
