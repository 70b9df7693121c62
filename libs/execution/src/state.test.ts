import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RLP } from '@ethereumjs/rlp';
import { executionCrypto, loadExecutionCrypto } from './crypto.js';
import { createMemoryStateStore, StateDB } from './state.js';
import { LeafNode } from './trieBatch.js';

describe('[execution] StateDB decoded trie-node cache', () => {
  it('stays within its byte budget and still answers every node', async () => {
    await loadExecutionCrypto();
    const keccak = executionCrypto().keccak256;
    const store = createMemoryStateStore();
    const hashes: Uint8Array[] = [];
    const entries: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 2000; i++) {
      const leaf = RLP.encode([
        Uint8Array.from([0x20, i >> 8, i & 255]),
        RLP.encode([i, 1n, new Uint8Array(32)]),
      ]);
      const hash = keccak(leaf);
      hashes.push(hash);
      entries.push([hash, leaf]);
    }
    await store.write(entries);
    const budget = 64 * 1024;
    const db = new StateDB(store, budget);
    for (const hash of hashes) assert.ok(db.node(hash) instanceof LeafNode);
    assert.ok(db.nodeCacheBytesUsed > 0);
    assert.ok(db.nodeCacheBytesUsed <= budget, `${db.nodeCacheBytesUsed} bytes cached`);
    // Evicted or cached, every node reads back the same.
    for (const [i, hash] of hashes.entries()) {
      const node = db.node(hash) as LeafNode;
      assert.deepEqual([...node.path.slice(-4)], [i >> 12, (i >> 8) & 15, (i >> 4) & 15, i & 15]);
    }
    db.forgetNodes();
    assert.equal(db.nodeCacheBytesUsed, 0);
  });

  it('answers the nodes it handed out without the store, within its budget, until forgotten', async () => {
    await loadExecutionCrypto();
    const keccak = executionCrypto().keccak256;
    let storeReads = 0;
    const inner = createMemoryStateStore();
    const store = {
      ...inner,
      get(key: Uint8Array) {
        storeReads += 1;
        return inner.get(key);
      },
      getHex(key: string) {
        storeReads += 1;
        return inner.getHex(key);
      },
    };
    const leafOf = (i: number) =>
      RLP.encode([Uint8Array.from([0x20, i >> 8, i & 255]), RLP.encode([i, 1n, new Uint8Array(32)])]);
    // Room for three blocks of 20 equal-sized leaves (250 bytes of entry heap each).
    const recentBudget = 60 * (leafOf(0).length + 250);
    const db = new StateDB(store, 0, recentBudget);
    const blocks: Uint8Array[][] = [];
    for (let block = 0; block < 4; block++) {
      const hashes: Uint8Array[] = [];
      for (let i = block * 20; i < block * 20 + 20; i++) {
        const leaf = leafOf(i);
        const hash = keccak(leaf);
        db.putSync(hash, leaf);
        hashes.push(hash);
      }
      await inner.write(db.takePending());
      blocks.push(hashes);
      assert.ok(db.recentNodeBytesUsed <= recentBudget, `${db.recentNodeBytesUsed} bytes kept`);
    }
    // The newest block's nodes come from memory (the decoded cache has no budget here)…
    for (const hash of blocks[3] as Uint8Array[]) assert.ok(db.node(hash) instanceof LeafNode);
    assert.equal(storeReads, 0);
    assert.deepEqual(
      await db.get(Buffer.from((blocks[3] as Uint8Array[])[0] as Uint8Array).toString('hex')),
      leafOf(60),
    );
    assert.equal(storeReads, 0);
    // …the oldest ones were dropped and come from the store, the same.
    for (const [i, hash] of (blocks[0] as Uint8Array[]).entries()) {
      assert.equal(((db.node(hash) as LeafNode).path.at(-1) as number) & 15, i & 15);
    }
    assert.equal(storeReads, 20);
    db.forgetNodes();
    assert.equal(db.recentNodeBytesUsed, 0);
    for (const hash of blocks[3] as Uint8Array[]) assert.ok(db.node(hash) instanceof LeafNode);
    assert.equal(storeReads, 40);
  });

  it('tells apart nodes whose hashes share their first bytes', async () => {
    const store = createMemoryStateStore();
    const leafOf = (i: number) =>
      RLP.encode([Uint8Array.from([0x20, i]), RLP.encode([i, 1n, new Uint8Array(32)])]);
    // Hashes equal in their first 30 bits (the cache's key) and in their first 4 bytes.
    const hashes = [0xaa, 0xbb, 0xcc].map((fill) =>
      Uint8Array.from([0xc1, 2, 3, 4, ...new Uint8Array(28).fill(fill)]),
    );
    hashes.push(Uint8Array.from([0x01, 2, 3, 4, ...new Uint8Array(28).fill(0xaa)]));
    await store.write(hashes.map((hash, i) => [hash, leafOf(i)]));
    const db = new StateDB(store);
    for (let round = 0; round < 3; round++) {
      for (const [i, hash] of hashes.entries()) {
        const node = db.node(hash) as LeafNode;
        assert.equal(
          ((node.path.at(-2) as number) << 4) | (node.path.at(-1) as number),
          i,
          `round ${round}, node ${i}`,
        );
      }
    }
    // One entry per key (equal-sized leaves): the budget counts what is held.
    const single = new StateDB(store);
    single.node(hashes[0] as Uint8Array);
    assert.equal(db.nodeCacheBytesUsed, single.nodeCacheBytesUsed);
  });
});
