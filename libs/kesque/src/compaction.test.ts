import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isKesqueError } from './errors.js';
import { openKesque } from './store.js';
import { copyDir, FaultyFileIO, hex, keyOf, removeDir, tempDir, valueFor } from './testing/fixtures.js';
import type { BatchOp } from './types.js';

const TABLES = { trie: { kind: 'hash' }, header: { kind: 'number' } } as const;
const dirs: string[] = [];
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) removeDir(d);
});

function puts(from: number, to: number, salt = 0): BatchOp[] {
  const ops: BatchOp[] = [];
  for (let i = from; i < to; i++)
    ops.push({ type: 'put', table: 'trie', key: keyOf(i), value: valueFor(i + salt) });
  return ops;
}

/** Live: keys whose first byte is even. */
const evenFirstByte = (key: Uint8Array): boolean => (key[0]! & 1) === 0;

function segmentFiles(d: string): string[] {
  return fs.readdirSync(path.join(d, 'trie')).filter((f) => f.endsWith('.seg'));
}

describe('[Kesque] compaction', () => {
  it('keeps live records, drops the rest, reclaims disk and survives reopen', async () => {
    const d = dir();
    let store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 64 * 1024 });
    for (let b = 0; b < 20; b++) await store.batch(puts(b * 100, b * 100 + 100));
    // Overwrites and deletes leave dead versions behind.
    await store.batch(puts(0, 300, 7));
    await store.batch(
      Array.from({ length: 100 }, (_, i) => ({ type: 'del' as const, table: 'trie', key: keyOf(1000 + i) })),
    );
    const before = segmentFiles(d);
    const report = await store.compact('trie', evenFirstByte);
    assert.equal(report.table, 'trie');
    assert.ok(report.bytesAfter < report.bytesBefore / 2 + 64 * 1024, JSON.stringify(report));
    assert.equal(report.recordsKept + report.recordsDropped, 1900);
    for (const f of before)
      assert.ok(!segmentFiles(d).includes(f) || f === before[before.length - 1], `${f} deleted`);
    const check = async (s: typeof store): Promise<void> => {
      for (let i = 0; i < 2000; i++) {
        const k = keyOf(i);
        const expected =
          i >= 1000 && i < 1100 ? undefined : evenFirstByte(k) ? valueFor(i < 300 ? i + 7 : i) : undefined;
        assert.deepEqual(s.get('trie', k), expected, `key ${i}`);
      }
    };
    await check(store);
    assert.equal(store.counters().compactions, 1);
    await store.close();
    store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 64 * 1024 });
    await check(store);
    await store.close();
    for (const f of fs.readdirSync(d)) if (f.startsWith('snapshot-')) fs.rmSync(path.join(d, f));
    store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 64 * 1024 });
    await check(store);
    await store.close();
  });

  it('runs while reads and writes go on, and every read sees the latest value', async () => {
    const d = dir();
    const store = await openKesque({
      dir: d,
      tables: TABLES,
      segmentBytes: 256 * 1024,
      durability: { mode: 'never' },
      compactionSliceBytes: 16 * 1024,
    });
    const model = new Map<string, Uint8Array>();
    const n = 20_000;
    for (let b = 0; b < n; b += 500) {
      const ops = puts(b, b + 500);
      await store.batch(ops);
      for (const op of ops) if (op.type === 'put') model.set(hex(op.key as Uint8Array), op.value);
    }
    // Compaction keeps every key (all live) so the model stays exact while batches change things.
    let done = false;
    const compaction = store
      .compact('trie', () => true)
      .then((r) => {
        done = true;
        return r;
      });
    let round = 0;
    let reads = 0;
    while (!done) {
      round++;
      const ops: BatchOp[] = [];
      for (let j = 0; j < 50; j++) {
        const i = (round * 131 + j * 977) % (n + 2000);
        if (j % 7 === 0) ops.push({ type: 'del', table: 'trie', key: keyOf(i) });
        else ops.push({ type: 'put', table: 'trie', key: keyOf(i), value: valueFor(i + round) });
      }
      await store.batch(ops);
      for (const op of ops) {
        const k = hex(op.key as Uint8Array);
        if (op.type === 'put') model.set(k, op.value);
        else model.delete(k);
      }
      for (let j = 0; j < 200; j++) {
        const i = (round * 7919 + j * 31) % (n + 2000);
        assert.deepEqual(store.get('trie', keyOf(i)), model.get(hex(keyOf(i))), `round ${round} key ${i}`);
        reads++;
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    const report = await compaction;
    assert.ok(round > 3, `only ${round} rounds ran during compaction (${JSON.stringify(report)})`);
    assert.ok(reads > 0 && report.recordsKept > 0);
    assert.equal(store.count('trie'), model.size);
    for (const [k, v] of model) assert.deepEqual(store.get('trie', Buffer.from(k, 'hex')), v);
    await store.close();
    const reopened = await openKesque({ dir: d, tables: TABLES });
    assert.equal(reopened.count('trie'), model.size);
    for (const [k, v] of model) assert.deepEqual(reopened.get('trie', Buffer.from(k, 'hex')), v);
    await reopened.close();
  });

  it('loses nothing when the process dies at any moment of a compaction', async () => {
    const d = dir();
    const io = new FaultyFileIO();
    const store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 32 * 1024, fileIO: io });
    for (let b = 0; b < 10; b++) await store.batch(puts(b * 100, b * 100 + 100));
    // Copy the directory at every write the compaction makes, and at its end.
    const crashes: string[] = [];
    io.onWrite = () => {
      const c = dir();
      copyDir(d, c);
      crashes.push(c);
    };
    await store.compact('trie', evenFirstByte);
    io.onWrite = undefined;
    const last = dir();
    copyDir(d, last);
    crashes.push(last);
    await store.close();
    assert.ok(crashes.length > 3);
    let before = 0;
    let afterSwitch = 0;
    for (const c of crashes) {
      const s = await openKesque({ dir: c, tables: TABLES });
      let dropped = 0;
      for (let i = 0; i < 1000; i++) {
        const k = keyOf(i);
        const v = s.get('trie', k);
        if (evenFirstByte(k)) assert.deepEqual(v, valueFor(i), `${c} key ${i}`);
        else if (v === undefined) dropped++;
        else assert.deepEqual(v, valueFor(i));
      }
      // All or nothing: before the manifest switch every dead record is still there, after it none.
      assert.ok(dropped === 0 || s.count('trie') === 1000 - dropped);
      if (dropped === 0) before++;
      else afterSwitch++;
      await s.close();
    }
    assert.ok(before > 0 && afterSwitch > 0, `${before} before, ${afterSwitch} after`);
  });

  it('compacts a number table', async () => {
    const store = await openKesque({ dir: dir(), tables: TABLES });
    await store.batch(
      Array.from({ length: 100 }, (_, i) => ({
        type: 'put' as const,
        table: 'header',
        key: i,
        value: valueFor(i),
      })),
    );
    const report = await store.compact('header', (key) => Buffer.from(key).readUInt32BE(4) % 10 === 0);
    assert.equal(report.recordsKept, 10);
    for (let i = 0; i < 100; i++)
      assert.deepEqual(store.get('header', i), i % 10 === 0 ? valueFor(i) : undefined);
    await store.close();
  });

  it('refuses a second compaction while one runs, and undoes one whose predicate throws', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 16 * 1024 });
    for (let b = 0; b < 10; b++) await store.batch(puts(b * 100, b * 100 + 100));
    const first = store.compact('trie', () => true);
    await assert.rejects(
      store.compact('trie', () => true),
      (e) => isKesqueError(e, 'COMPACTION_RUNNING'),
    );
    await first;
    const files = segmentFiles(d).length;
    let calls = 0;
    await assert.rejects(
      store.compact('trie', () => {
        if (++calls > 500) throw new Error('predicate failed');
        return false;
      }),
      /predicate failed/,
    );
    for (let i = 0; i < 1000; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i), `key ${i}`);
    assert.ok(segmentFiles(d).length <= files + 1);
    await store.close();
    const reopened = await openKesque({ dir: d, tables: TABLES });
    assert.equal(reopened.count('trie'), 1000);
    await reopened.close();
  });

  it('stops at a segment boundary when the store closes, keeping what it finished', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 16 * 1024 });
    for (let b = 0; b < 20; b++) await store.batch(puts(b * 100, b * 100 + 100));
    const running = store.compact('trie', evenFirstByte).catch((e) => e);
    await new Promise<void>((r) => setImmediate(r));
    await store.close();
    await running;
    const reopened = await openKesque({ dir: d, tables: TABLES });
    for (let i = 0; i < 2000; i++) {
      const k = keyOf(i);
      if (evenFirstByte(k)) assert.deepEqual(reopened.get('trie', k), valueFor(i));
    }
    await reopened.close();
  });
});
