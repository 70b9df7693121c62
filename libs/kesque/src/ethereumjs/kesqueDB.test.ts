import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt';
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager';
import { Account, Address, bytesToHex, hexToBytes, MapDB, ValueEncoding } from '@ethereumjs/util';
import { isKesqueError } from '../errors.js';
import { openKesque } from '../index.js';
import type { Kesque } from '../types.js';
import { createKesqueDB, type KesqueDB, kesqueDBTableOptions } from './index.js';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kesque-ethereumjs-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function open(dir: string, durability: 'always' | 'never' = 'never'): Promise<Kesque> {
  return openKesque({
    dir,
    tables: kesqueDBTableOptions(),
    durability: durability === 'always' ? { mode: 'always' } : { mode: 'never' },
  });
}

/** Small seeded generator (mulberry32), so that a failing sequence can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

function randomBytes(next: () => number, min: number, max: number): Uint8Array {
  const out = new Uint8Array(min + Math.floor(next() * (max - min + 1)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(next() * 256);
  return out;
}

interface TrieVariant {
  name: string;
  useKeyHashing: boolean;
  useNodePruning: boolean;
  valueEncoding?: ValueEncoding;
}

const VARIANTS: TrieVariant[] = [
  { name: 'hashed keys', useKeyHashing: true, useNodePruning: false },
  { name: 'raw keys with pruning', useKeyHashing: false, useNodePruning: true },
  {
    name: 'bytes value encoding with pruning',
    useKeyHashing: true,
    useNodePruning: true,
    valueEncoding: ValueEncoding.Bytes,
  },
];

async function createTrie(
  db: KesqueDB | MapDB<string, string | Uint8Array>,
  variant: TrieVariant,
  root?: Uint8Array,
) {
  return createMPT({
    db,
    useKeyHashing: variant.useKeyHashing,
    useNodePruning: variant.useNodePruning,
    ...(variant.valueEncoding === undefined ? {} : { valueEncoding: variant.valueEncoding }),
    ...(root === undefined ? {} : { root }),
  });
}

describe('[Kesque] ethereumjs adapter', () => {
  for (const variant of VARIANTS) {
    it(`gives the same trie roots as a MapDB over random inserts and deletes (${variant.name}), and the same trie after a reopen`, async () => {
      const dir = freshDir();
      let store = await open(dir);
      const kesqueTrie = await createTrie(
        createKesqueDB({
          store,
          valueEncoding: variant.valueEncoding === ValueEncoding.Bytes ? 'view' : 'string',
        }),
        variant,
      );
      const mapTrie = await createTrie(new MapDB<string, string | Uint8Array>(), variant);
      const model = new Map<`0x${string}`, Uint8Array>();
      const next = random(0xc0ffee ^ variant.name.length);
      // A pool of keys with shared prefixes, so that branch and extension nodes both appear.
      const prefixes = Array.from({ length: 6 }, () => randomBytes(next, 0, 3));
      const newKey = () => {
        const prefix = prefixes[Math.floor(next() * prefixes.length)]!;
        const tail = randomBytes(next, 1, 8);
        const key = new Uint8Array(prefix.length + tail.length);
        key.set(prefix);
        key.set(tail, prefix.length);
        return key;
      };
      for (let round = 0; round < 24; round++) {
        // Most rounds go through a checkpoint (one adapter batch per commit); some write directly.
        const checkpointed = round % 3 !== 2;
        if (checkpointed) {
          kesqueTrie.checkpoint();
          mapTrie.checkpoint();
        }
        for (let op = 0; op < 32; op++) {
          const existing = [...model.keys()];
          if (existing.length > 0 && next() < 0.3) {
            const hex = existing[Math.floor(next() * existing.length)]!;
            await kesqueTrie.del(hexToBytes(hex));
            await mapTrie.del(hexToBytes(hex));
            model.delete(hex);
          } else {
            const key = existing.length > 0 && next() < 0.2 ? hexToBytes(existing[0]!) : newKey();
            // Short values stay inline in their parent; long ones become nodes of their own.
            const value = randomBytes(next, 1, next() < 0.5 ? 8 : 80);
            await kesqueTrie.put(key, value);
            await mapTrie.put(key, value);
            model.set(bytesToHex(key), value);
          }
        }
        if (checkpointed) {
          await kesqueTrie.commit();
          await mapTrie.commit();
        }
        assert.deepEqual(kesqueTrie.root(), mapTrie.root(), `root after round ${round}`);
      }
      const root = kesqueTrie.root();
      await store.close();

      store = await open(dir);
      const reopened = await createTrie(createKesqueDB({ store }), variant, root);
      assert.deepEqual(reopened.root(), root);
      assert.equal(await reopened.checkRoot(root), true);
      for (const [hex, value] of model) {
        assert.deepEqual(await reopened.get(hexToBytes(hex)), value, `value of ${hex} after reopen`);
      }
      await store.close();
    });
  }

  it('keeps the persisted root of a trie with root persistence across a reopen', async () => {
    const dir = freshDir();
    let store = await open(dir, 'always');
    const trie = await createMPT({
      db: createKesqueDB({ store }),
      useKeyHashing: true,
      useRootPersistence: true,
    });
    await trie.put(hexToBytes('0x01'), hexToBytes('0xaaaa'));
    await trie.put(hexToBytes('0x0102'), new Uint8Array(64).fill(7));
    await trie.persistRoot();
    const root = trie.root();
    await store.close();

    store = await open(dir);
    const reopened: MerklePatriciaTrie = await createMPT({
      db: createKesqueDB({ store }),
      useKeyHashing: true,
      useRootPersistence: true,
    });
    assert.deepEqual(reopened.root(), root);
    assert.deepEqual(await reopened.get(hexToBytes('0x0102')), new Uint8Array(64).fill(7));
    await store.close();
  });

  it('commits and reloads accounts, storage and code through a MerkleStateManager with caches', async () => {
    const dir = freshDir();
    let store = await open(dir, 'always');
    const trie = await createMPT({ db: createKesqueDB({ store }), useKeyHashing: true });
    const state = new MerkleStateManager({ trie, caches: new Caches() });
    const next = random(42);
    const accounts = Array.from({ length: 12 }, (_, i) => ({
      address: new Address(randomBytes(next, 20, 20)),
      balance: BigInt(1000 + i),
      nonce: BigInt(i),
      slots: Array.from({ length: 4 }, () => ({
        key: randomBytes(next, 32, 32),
        value: randomBytes(next, 1, 32),
      })),
      code: i % 3 === 0 ? randomBytes(next, 10, 300) : undefined,
    }));
    await state.checkpoint();
    for (const a of accounts) {
      await state.putAccount(a.address, new Account(a.nonce, a.balance));
      for (const slot of a.slots) await state.putStorage(a.address, slot.key, slot.value);
      if (a.code !== undefined) await state.putCode(a.address, a.code);
    }
    await state.commit();
    const stateRoot = await state.getStateRoot();
    await store.close();

    store = await open(dir);
    const reloadedTrie = await createMPT({
      db: createKesqueDB({ store }),
      useKeyHashing: true,
      root: stateRoot,
    });
    const reloaded = new MerkleStateManager({ trie: reloadedTrie, caches: new Caches() });
    assert.deepEqual(await reloaded.getStateRoot(), stateRoot);
    for (const a of accounts) {
      const account = await reloaded.getAccount(a.address);
      assert.ok(account !== undefined, `account ${a.address} after reopen`);
      assert.equal(account.balance, a.balance);
      assert.equal(account.nonce, a.nonce);
      for (const slot of a.slots) {
        // Storage values come back without leading zeros, as the state manager stores them.
        const expected = slot.value.slice(slot.value.findIndex((b) => b !== 0) >>> 0);
        const stored = await reloaded.getStorage(a.address, slot.key);
        assert.equal(
          bytesToHex(stored),
          bytesToHex(slot.value.every((b) => b === 0) ? new Uint8Array() : expected),
        );
      }
      assert.deepEqual(await reloaded.getCode(a.address), a.code ?? new Uint8Array());
      if (a.code !== undefined) {
        // Code sits in the code table under its bare hash; the trie table does not have it.
        const hash = account.codeHash;
        assert.deepEqual(store.get('code', hash), a.code);
        assert.equal(store.has('trie', hash), false);
      }
    }
    await store.close();
  });

  it('refuses keys that are not a 32-byte hash or a 33-byte code key, naming the key', async () => {
    const store = await open(freshDir());
    const db = createKesqueDB({ store });
    const cases: [string | Uint8Array, 'KEY_SIZE' | 'KEY_TYPE'][] = [
      [new Uint8Array(31), 'KEY_SIZE'],
      [new Uint8Array(33), 'KEY_SIZE'], // 33 bytes without the 'c' prefix
      [Buffer.from('__root__').toString('hex'), 'KEY_SIZE'], // root persistence without key hashing
      [`${'ab'.repeat(39)}`, 'KEY_SIZE'], // prefixStorageTrieKeys: 7-byte prefix + node hash
      ['zz'.repeat(32), 'KEY_TYPE'],
      ['abc', 'KEY_TYPE'],
    ];
    for (const [key, code] of cases) {
      await assert.rejects(
        db.get(key),
        (e: unknown) => isKesqueError(e, code) && /KesqueDB key/.test(String(e)),
      );
      await assert.rejects(db.put(key, '00'), (e: unknown) => isKesqueError(e, code));
    }
    await store.close();
  });

  it('writes a batch whole or not at all when one of its ops is refused', async () => {
    const store = await open(freshDir());
    const db = createKesqueDB({ store });
    const good = 'aa'.repeat(32);
    await assert.rejects(
      db.batch([
        { type: 'put', key: good, value: '0102' },
        { type: 'put', key: 'bb'.repeat(20), value: '03' },
      ]),
      (e: unknown) => isKesqueError(e, 'KEY_SIZE'),
    );
    assert.equal(await db.get(good), undefined);
    await db.batch([
      { type: 'put', key: good, value: '0102' },
      { type: 'put', key: `63${'cc'.repeat(32)}`, value: '6001' },
      { type: 'del', key: good },
      { type: 'put', key: good, value: '0304' },
    ]);
    assert.equal(await db.get(good), '0304');
    assert.equal(await db.get(`0x63${'cc'.repeat(32)}`), '6001');
    await store.close();
  });

  it('answers in the encoding asked for, accepts 0x-prefixed hex, and refuses JSON', async () => {
    const store = await open(freshDir());
    const db = createKesqueDB({ store });
    const key = new Uint8Array(32).fill(9);
    await db.put(key, '0xDEADbeef');
    assert.equal(await db.get(key), 'deadbeef');
    assert.deepEqual(await db.get(key, { valueEncoding: 'view' }), hexToBytes('0xdeadbeef'));
    assert.deepEqual(
      await createKesqueDB({ store, valueEncoding: 'view' }).get(bytesToHex(key)),
      hexToBytes('0xdeadbeef'),
    );
    await assert.rejects(db.get(key, { valueEncoding: 'json' }), (e: unknown) =>
      isKesqueError(e, 'BAD_OPTIONS'),
    );
    await assert.rejects(db.put(key, 'not hex'), (e: unknown) => isKesqueError(e, 'BAD_OPTIONS'));
    assert.throws(
      () => createKesqueDB({ store, valueEncoding: 'json' as 'string' }),
      (e: unknown) => isKesqueError(e, 'BAD_OPTIONS'),
    );
    await db.del(key);
    assert.equal(await db.get(key), undefined);
    await store.close();
  });

  it('shares the store between shallow copies', async () => {
    const store = await open(freshDir());
    const db = createKesqueDB({ store });
    const copy = db.shallowCopy();
    await db.open();
    await copy.put('11'.repeat(32), '42');
    assert.equal(await db.get('11'.repeat(32)), '42');
    assert.equal(copy.store, store);
    await store.close();
  });
});
