import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { isKesqueError } from './errors.js';
import { openKesqueReader } from './reader.js';
import { readBackend } from './segmentMap.js';
import { openKesque } from './store.js';
import { keyOf, removeDir, tempDir, valueFor } from './testing/fixtures.js';
import type { BatchOp } from './types.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) removeDir(d);
});
const TABLES = { trie: { kind: 'hash' }, header: { kind: 'number' } } as const;

function puts(from: number, to: number): BatchOp[] {
  const ops: BatchOp[] = [];
  for (let i = from; i < to; i++) ops.push({ type: 'put', table: 'trie', key: keyOf(i), value: valueFor(i) });
  return ops;
}

describe('[Kesque] readers in worker threads', () => {
  it('read the shared index without copying it while the writer grows it, rolls and compacts', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = await openKesque({
      dir,
      tables: TABLES,
      segmentBytes: 64 * 1024,
      durability: { mode: 'never' },
    });
    await store.batch(puts(0, 1000));
    const stop = new SharedArrayBuffer(4);
    const written = new SharedArrayBuffer(4);
    Atomics.store(new Int32Array(written), 0, 1000);
    const file = fileURLToPath(new URL('./testing/readerWorker.js', import.meta.url));
    const workers = [0, 1].map(
      () => new Worker(file, { workerData: { handle: store.readerHandle(), stop, written } }),
    );
    const results = workers.map(
      (w) =>
        new Promise<{ reads: number; errors: number; firstError: string; mappedReads: number }>(
          (resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          },
        ),
    );
    // Grow the index (partitions reallocate), roll segments, compact: readers must follow.
    for (let b = 1000; b < 30_000; b += 1000) {
      await store.batch(puts(b, b + 1000));
      Atomics.store(new Int32Array(written), 0, b + 1000);
      await new Promise((r) => setTimeout(r, 5));
    }
    await store.compact('trie', () => true);
    await new Promise((r) => setTimeout(r, 50));
    Atomics.store(new Int32Array(stop), 0, 1);
    for (const r of await Promise.all(results)) {
      assert.equal(r.errors, 0, r.firstError);
      assert.ok(r.reads > 1000, `${r.reads} reads`);
      // Each worker maps the segments on its own.
      if (readBackend.backend === 'mmap') assert.ok(r.mappedReads > 0, `${r.mappedReads} mapped reads`);
    }
    await store.close();
  });

  it('reads in the same thread too, and refuses after close', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = await openKesque({ dir, tables: TABLES });
    await store.batch([...puts(0, 10), { type: 'put', table: 'header', key: 4, value: valueFor(4) }]);
    const reader = openKesqueReader(store.readerHandle());
    assert.deepEqual(reader.get('trie', keyOf(3)), valueFor(3));
    assert.deepEqual(reader.get('header', 4), valueFor(4));
    assert.equal(reader.has('trie', keyOf(99)), false);
    assert.throws(
      () => reader.get('trie', new Uint8Array(5)),
      (e) => isKesqueError(e, 'KEY_SIZE'),
    );
    assert.throws(
      () => reader.get('nope', keyOf(1)),
      (e) => isKesqueError(e, 'UNKNOWN_TABLE'),
    );
    reader.close();
    assert.throws(
      () => reader.get('trie', keyOf(3)),
      (e) => isKesqueError(e, 'CLOSED'),
    );
    assert.throws(
      () => openKesqueReader({} as never),
      (e) => isKesqueError(e, 'BAD_OPTIONS'),
    );
    await store.close();
  });
});
