// Randomized model test: a seeded sequence of batches (puts, overwrites, deletes across tables),
// reopens, crashes (a copy of the directory as a kill -9 would leave it), rebuilds without a
// snapshot and compactions, checked after every step against an in-memory Map.
// KHIPU_TEST_SEED replays a failing run.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type KesqueStore, openKesque } from './store.js';
import { copyDir, hex, removeDir, seeded, tempDir } from './testing/fixtures.js';
import type { BatchOp, TableKey } from './types.js';

const TABLES = { trie: { kind: 'hash' }, code: { kind: 'hash' }, header: { kind: 'number' } } as const;
const SEED = Number(process.env.KHIPU_TEST_SEED ?? 20261121);
const dirs: string[] = [];
after(() => {
  for (const d of dirs) removeDir(d);
});

type Model = Map<string, Map<string, Uint8Array>>;

function modelKey(key: TableKey): string {
  return typeof key === 'number' ? `n${key}` : hex(key);
}

function cloneModel(m: Model): Model {
  return new Map([...m].map(([t, kv]) => [t, new Map(kv)]));
}

async function run(seed: number, steps: number, tagMask?: number): Promise<void> {
  const next = seeded(seed);
  const int = (n: number): number => Math.floor(next() * n);
  let dir = tempDir('kesque-model-');
  dirs.push(dir);
  const options = {
    tables: TABLES,
    segmentBytes: 24 * 1024,
    durability: { mode: 'never' as const },
    tagMask,
    snapshotIntervalMs: 0,
  };
  let store: KesqueStore = await openKesque({ dir, ...options });
  let model: Model = new Map(Object.keys(TABLES).map((t) => [t, new Map()]));
  // A small key universe, so overwrites, deletes of present keys and collisions are common.
  const universe = Array.from({ length: 600 }, () => {
    const k = new Uint8Array(32);
    for (let i = 0; i < 32; i++) k[i] = int(256);
    return k;
  });
  // Some keys that share partition and tag with others.
  for (let i = 0; i < 40; i++) universe[i + 40]!.set(universe[i]!.subarray(0, 6));
  const randomKey = (table: string): TableKey =>
    table === 'header' ? int(300) : universe[int(universe.length)]!;
  const randomValue = (): Uint8Array => {
    const v = new Uint8Array(int(5) === 0 ? int(3000) : int(120));
    for (let i = 0; i < v.length; i++) v[i] = int(256);
    return v;
  };

  const check = (label: string): void => {
    for (const [table, kv] of model) {
      assert.equal(store.count(table), kv.size, `${label}: count of ${table}`);
      for (let i = 0; i < 40; i++) {
        const key = randomKey(table);
        assert.deepEqual(store.get(table, key), kv.get(modelKey(key)), `${label}: ${table} ${modelKey(key)}`);
      }
    }
  };
  const checkAll = (label: string): void => {
    for (const [table, kv] of model) {
      const seen = new Map<string, Uint8Array>();
      for (const [k, v] of store.entries(table)) seen.set(modelKey(k), v);
      assert.equal(seen.size, kv.size, `${label}: entries of ${table}`);
      for (const [k, v] of kv) assert.deepEqual(seen.get(k), v, `${label}: ${table} ${k}`);
    }
  };

  for (let step = 0; step < steps; step++) {
    const label = `seed ${seed} step ${step}`;
    const action = int(100);
    if (action < 80) {
      const ops: BatchOp[] = [];
      const n = 1 + int(30);
      for (let i = 0; i < n; i++) {
        const table = ['trie', 'trie', 'code', 'header'][int(4)]!;
        const key = randomKey(table);
        if (int(4) === 0) ops.push({ type: 'del', table, key });
        else ops.push({ type: 'put', table, key, value: randomValue() });
      }
      await store.batch(ops);
      for (const op of ops) {
        const kv = model.get(op.table)!;
        if (op.type === 'put') kv.set(modelKey(op.key), op.value);
        else kv.delete(modelKey(op.key));
      }
      check(label);
    } else if (action < 85) {
      await store.close();
      if (int(2) === 0)
        for (const f of fs.readdirSync(dir)) if (f.startsWith('snapshot-')) fs.rmSync(path.join(dir, f));
      store = await openKesque({ dir, ...options });
      checkAll(`${label} after reopen`);
    } else if (action < 90) {
      // Crash: copy the files as they are, continue in the copy.
      const copy = tempDir('kesque-model-');
      dirs.push(copy);
      copyDir(dir, copy);
      await store.close();
      dir = copy;
      store = await openKesque({ dir, ...options });
      checkAll(`${label} after crash`);
    } else if (action < 96) {
      const table = ['trie', 'code', 'header'][int(3)]!;
      const salt = int(256);
      const live = (key: Uint8Array): boolean => ((key[key.length - 1]! ^ salt) & 3) !== 0;
      const snapshot = cloneModel(model);
      await store.compact(table, live);
      model = snapshot;
      const kv = model.get(table)!;
      for (const k of [...kv.keys()]) {
        const bytes = k.startsWith('n') ? numberKeyBytes(Number(k.slice(1))) : Buffer.from(k, 'hex');
        if (!live(bytes)) kv.delete(k);
      }
      checkAll(`${label} after compaction of ${table}`);
    } else {
      await store.flushAndSnapshot();
      check(label);
    }
  }
  checkAll(`seed ${seed} end`);
  await store.close();
}

function numberKeyBytes(n: number): Uint8Array {
  const out = Buffer.alloc(8);
  out.writeUInt32BE(Math.floor(n / 2 ** 32), 0);
  out.writeUInt32BE(n >>> 0, 4);
  return out;
}

describe('[Kesque] model test against a Map', () => {
  it(`agrees with the model over random batches, reopens, crashes and compactions (seed ${SEED})`, async () => {
    await run(SEED, 300);
  });
  it('agrees with the model when narrow tags make most keys collide', async () => {
    await run(SEED + 1, 200, 0x3);
  });
});
