import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MerklePatriciaTrie } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import { bytesToHex, KECCAK256_RLP, ValueEncoding } from '@ethereumjs/util';
import { loadExecutionCrypto } from './crypto.js';
import { createMemoryStateStore, StateDB } from './state.js';
import { Rng } from './testing/scenario.js';
import {
  commitTrie,
  decodeTrieNode,
  keyToNibbles,
  orderedTrieRoot,
  sortChanges,
  type TrieChange,
  updateTrie,
} from './trieBatch.js';

const crypto = await loadExecutionCrypto();

/** A stock trie over a memory store (keys as given, not hashed), and a sync reader of its nodes. */
async function stockTrie(entries: [Uint8Array, Uint8Array][]) {
  const store = createMemoryStateStore();
  const db = new StateDB(store);
  const trie = new MerklePatriciaTrie({ db, valueEncoding: ValueEncoding.Bytes });
  for (const [k, v] of entries) await trie.put(k, v);
  await store.write(db.takePending());
  return { store, db, trie };
}

function randomKey(rng: Rng, prefix?: Uint8Array): Uint8Array {
  const key = rng.bytes(32);
  if (prefix !== undefined) key.set(prefix);
  return key;
}

/** Applies the changes with the batch and with stock ethereumjs, and compares roots and contents. */
async function check(initial: [Uint8Array, Uint8Array][], changes: [Uint8Array, Uint8Array | undefined][]) {
  const { store, trie } = await stockTrie(initial);
  const before = trie.root();
  const list: TrieChange[] = changes.map(([k, v]) => ({ nibbles: keyToNibbles(k), value: v }));
  const root = updateTrie(initial.length === 0 ? undefined : before, sortChanges(list), (h) => {
    const bytes = store.get(h);
    return bytes === undefined ? undefined : decodeTrieNode(bytes);
  });
  const committed = commitTrie(root, crypto.keccak256, KECCAK256_RLP);
  for (const [k, v] of changes) {
    if (v === undefined) await trie.del(k);
    else await trie.put(k, v);
  }
  assert.equal(bytesToHex(committed.root), bytesToHex(trie.root()));
  // The new nodes alone make the new trie readable from the store.
  await store.write(committed.entries);
  const fresh = new MerklePatriciaTrie({ db: new StateDB(store), valueEncoding: ValueEncoding.Bytes });
  fresh.root(committed.root);
  const expected = new Map(initial.map(([k, v]) => [bytesToHex(k), v]));
  for (const [k, v] of changes) {
    if (v === undefined) expected.delete(bytesToHex(k));
    else expected.set(bytesToHex(k), v);
  }
  for (const [k, v] of expected) assert.deepEqual(await fresh.get(Buffer.from(k.slice(2), 'hex')), v);
}

describe('[execution] batched trie update', () => {
  it('matches stock ethereumjs for random puts, updates and deletes', async () => {
    const rng = new Rng(11);
    for (let round = 0; round < 30; round++) {
      const size = [0, 1, 2, 5, 40, 300][round % 6] as number;
      const initial: [Uint8Array, Uint8Array][] = [];
      for (let i = 0; i < size; i++) initial.push([randomKey(rng), rng.bytes(1 + rng.int(80))]);
      const changes: [Uint8Array, Uint8Array | undefined][] = [];
      const seen = new Set<string>();
      const add = (k: Uint8Array, v: Uint8Array | undefined) => {
        if (seen.has(bytesToHex(k))) return;
        seen.add(bytesToHex(k));
        changes.push([k, v]);
      };
      const n = 1 + rng.int(size + 20);
      for (let i = 0; i < n; i++) {
        const pick = rng.int(4);
        const existing = initial[rng.int(Math.max(1, initial.length))];
        if (pick === 0 && existing !== undefined) add(existing[0], undefined);
        else if (pick === 1 && existing !== undefined) add(existing[0], rng.bytes(1 + rng.int(80)));
        else if (pick === 2) add(randomKey(rng), undefined);
        else add(randomKey(rng), rng.bytes(1 + rng.int(80)));
      }
      await check(initial, changes);
    }
  });

  it('matches stock ethereumjs when deletes collapse branches and extensions', async () => {
    const rng = new Rng(5);
    const shared = Uint8Array.of(0xab, 0xcd);
    const initial: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 6; i++) initial.push([randomKey(rng, shared), rng.bytes(40)]);
    initial.push([randomKey(rng), rng.bytes(40)]);
    // Delete all but one key under the shared prefix, then all of them, then everything.
    await check(
      initial,
      initial.slice(0, 5).map(([k]) => [k, undefined]),
    );
    await check(
      initial,
      initial.slice(0, 6).map(([k]) => [k, undefined]),
    );
    await check(
      initial,
      initial.map(([k]) => [k, undefined]),
    );
    // Split an extension: a new key diverging inside the shared prefix.
    await check(initial, [[randomKey(rng, Uint8Array.of(0xab, 0xc0)), rng.bytes(40)]]);
  });

  it('inlines nodes under 32 bytes as ethereumjs does', async () => {
    const rng = new Rng(9);
    const base = rng.bytes(32);
    const keys = [0, 1, 2, 3].map((last) => {
      const k = base.slice();
      k[31] = last;
      return k;
    });
    const initial: [Uint8Array, Uint8Array][] = keys.slice(0, 3).map((k) => [k, Uint8Array.of(1)]);
    await check(initial, [[keys[3] as Uint8Array, Uint8Array.of(2)]]);
    await check(initial, [[keys[0] as Uint8Array, undefined]]);
    await check(initial, [
      [keys[0] as Uint8Array, undefined],
      [keys[1] as Uint8Array, undefined],
    ]);
  });

  it('builds index-keyed tries (transactions, receipts) as ethereumjs does', async () => {
    const rng = new Rng(3);
    for (const n of [0, 1, 2, 16, 127, 128, 129, 300, 1100]) {
      const values = Array.from({ length: n }, () => rng.bytes(1 + rng.int(120)));
      const trie = new MerklePatriciaTrie();
      for (let i = 0; i < n; i++) await trie.put(RLP.encode(i), values[i] as Uint8Array);
      const root = orderedTrieRoot(values, crypto.keccak256, KECCAK256_RLP);
      assert.equal(bytesToHex(root), bytesToHex(trie.root()), `${n} values`);
    }
  });
});
