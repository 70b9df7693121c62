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
});
