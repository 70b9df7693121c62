import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isKesqueError } from './errors.js';
import { openKesqueReader } from './reader.js';
import { readBackend } from './segmentMap.js';
import { openKesque } from './store.js';
import { keyOf, removeDir, tempDir, valueFor } from './testing/fixtures.js';
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

function puts(from: number, to: number, length?: number): BatchOp[] {
  const ops: BatchOp[] = [];
  for (let i = from; i < to; i++)
    ops.push({ type: 'put', table: 'trie', key: keyOf(i), value: valueFor(i, length) });
  return ops;
}

const skip = readBackend.backend === 'mmap' ? false : `no mmap backend here (${readBackend.reason})`;

describe('[Kesque] memory-mapped reads', () => {
  it('uses the mmap backend where @riaskov/mmap-io loads', () => {
    // The build machines and CI install the addon: a pread backend there is a broken install.
    assert.equal(readBackend.backend, 'mmap', readBackend.reason);
  });

  it('reads through a map, reads records written after it with pread, and maps again once the segment grew', {
    skip,
  }, async () => {
    const store = await openKesque({
      dir: dir(),
      tables: TABLES,
      durability: { mode: 'never' },
      cacheBytes: 0,
    });
    await store.batch([...puts(0, 1000), { type: 'put', table: 'header', key: 7, value: valueFor(7) }]);
    for (let i = 0; i < 1000; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    assert.deepEqual(store.get('header', 7), valueFor(7));
    let c = store.counters();
    assert.equal(c.mappedReads, 1001);
    assert.equal(c.diskReads, 1001);

    // Written after the map was made: past its end, so pread (never a read past the file's end).
    await store.batch(puts(1000, 1010));
    for (let i = 1000; i < 1010; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    c = store.counters();
    assert.equal(c.mappedReads, 1001);
    assert.equal(c.diskReads, 1011);

    // 10 MB more: a record that far past the map makes a new one, covering every record before it.
    for (let b = 1010; b < 11_010; b += 1000) await store.batch(puts(b, b + 1000, 1000));
    assert.deepEqual(store.get('trie', keyOf(11_009)), valueFor(11_009, 1000));
    for (let i = 1000; i < 1010; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    c = store.counters();
    assert.equal(c.mappedReads, 1001 + 11);

    // Transient reads copy out of the map into the reused buffer; values of plain gets stay whole.
    const kept = store.get('trie', keyOf(3))!;
    const transient = store.getTransient('trie', keyOf(4))!;
    assert.deepEqual(transient, valueFor(4));
    store.getTransient('trie', keyOf(5));
    assert.deepEqual(kept, valueFor(3));
    kept[0] = kept[0]! ^ 0xff; // a copy, not the read-only map: writing into it is harmless
    assert.deepEqual(store.get('trie', keyOf(3)), valueFor(3));
    await store.close();
  });

  it('reads values longer than the read window and the slab from the map', { skip }, async () => {
    const store = await openKesque({
      dir: dir(),
      tables: TABLES,
      durability: { mode: 'never' },
      cacheBytes: 0,
    });
    await store.batch([...puts(0, 3, 100_000), ...puts(3, 6, 5000)]);
    for (let i = 0; i < 3; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i, 100_000));
    for (let i = 3; i < 6; i++) assert.deepEqual(store.getTransient('trie', keyOf(i)), valueFor(i, 5000));
    assert.equal(store.counters().mappedReads, 6);
    await store.close();
  });

  it('follows compaction: reads go on during it and land in the new segments after it', {
    skip,
  }, async () => {
    const d = dir();
    const store = await openKesque({
      dir: d,
      tables: TABLES,
      segmentBytes: 64 * 1024,
      durability: { mode: 'never' },
      cacheBytes: 0,
    });
    for (let b = 0; b < 3000; b += 100) await store.batch(puts(b, b + 100));
    for (let i = 0; i < 3000; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    const live = (key: Uint8Array): boolean => (key[0]! & 1) === 0;
    const before = fs.readdirSync(path.join(d, 'trie')).length;
    let reads = 0;
    let wrong = '';
    let running = true;
    const reading = (async () => {
      while (running) {
        for (let n = 0; n < 50; n++, reads++) {
          const i = (reads * 7919) % 3000;
          const value = store.get('trie', keyOf(i));
          // Dead keys may vanish at any moment; live keys never change.
          if (value !== undefined && Buffer.compare(value, valueFor(i)) !== 0) wrong ||= `key ${i}`;
          if (value === undefined && live(keyOf(i))) wrong ||= `live key ${i} missing`;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    const report = await store.compact('trie', live);
    running = false;
    await reading;
    assert.equal(wrong, '');
    assert.ok(reads > 0);
    assert.ok(report.recordsDropped > 0);
    assert.ok(fs.readdirSync(path.join(d, 'trie')).length < before, 'old segments deleted');
    const mapped = store.counters().mappedReads;
    for (let i = 0; i < 3000; i++) {
      assert.deepEqual(store.get('trie', keyOf(i)), live(keyOf(i)) ? valueFor(i) : undefined);
    }
    assert.ok(
      store.counters().mappedReads > mapped + 1000,
      'live records read through maps of the new segments',
    );
    await store.close();
  });

  it('a reader keeps reading a segment unlinked under its map; one that must open it gets SEGMENT_MISSING', {
    skip,
  }, async () => {
    const d = dir();
    const store = await openKesque({
      dir: d,
      tables: TABLES,
      segmentBytes: 64 * 1024,
      durability: { mode: 'never' },
      cacheBytes: 0,
    });
    for (let b = 0; b < 1000; b += 100) await store.batch(puts(b, b + 100));
    const mapped = openKesqueReader(store.readerHandle());
    assert.deepEqual(mapped.get('trie', keyOf(0)), valueFor(0));
    assert.equal(mapped.counters().mappedReads, 1);
    const first = path.join(d, 'trie', '0000000001.seg');
    fs.rmSync(first);
    // The pages of an unlinked file stay valid while mapped: no SIGBUS, the same bytes.
    for (let i = 0; i < 20; i++) assert.deepEqual(mapped.get('trie', keyOf(i)), valueFor(i));
    const fresh = openKesqueReader(store.readerHandle());
    assert.throws(
      () => fresh.get('trie', keyOf(0)),
      (e) => isKesqueError(e, 'SEGMENT_MISSING'),
    );
    mapped.close();
    fresh.close();
    await store.close().catch(() => {});
  });

  it('falls back to pread, reads the same values and says why, when forced or when the addon does not load', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES });
    await store.batch(puts(0, 50));
    await store.close();
    const storeModule = fileURLToPath(new URL('./store.js', import.meta.url));
    const mapModule = fileURLToPath(new URL('./segmentMap.js', import.meta.url));
    const fixtures = fileURLToPath(new URL('./testing/fixtures.js', import.meta.url));
    const script = `
      const { openKesque } = await import(${JSON.stringify(storeModule)});
      const { readBackend } = await import(${JSON.stringify(mapModule)});
      const { keyOf, valueFor } = await import(${JSON.stringify(fixtures)});
      const store = await openKesque({ dir: ${JSON.stringify(d)}, tables: { trie: { kind: 'hash' }, header: { kind: 'number' } }, cacheBytes: 0 });
      let same = 0;
      for (let i = 0; i < 50; i++) if (Buffer.compare(store.get('trie', keyOf(i)), valueFor(i)) === 0) same++;
      const c = store.counters();
      await store.close();
      console.log(JSON.stringify({ readBackend, same, mappedReads: c.mappedReads, diskReads: c.diskReads }));
    `;
    const run = (args: string[], env: NodeJS.ProcessEnv) => {
      const out = execFileSync(process.execPath, [...args, '--input-type=module', '-e', script], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      return JSON.parse(out.trim().split('\n').pop()!);
    };
    assert.deepEqual(run([], { KESQUE_READ_BACKEND: 'pread' }), {
      readBackend: { backend: 'pread', reason: 'KESQUE_READ_BACKEND=pread' },
      same: 50,
      mappedReads: 0,
      diskReads: 50,
    });
    // An addon that does not load (not built, wrong ABI): pread, and the reason says so.
    const preload = path.join(d, 'no-mmap.cjs');
    fs.writeFileSync(
      preload,
      `const M = require('node:module'); const load = M._load;
       M._load = function (id, ...rest) {
         if (id === '@riaskov/mmap-io') throw new Error('no build of the addon');
         return load.call(this, id, ...rest);
       };`,
    );
    const broken = run(['--require', preload], { KESQUE_READ_BACKEND: '' });
    assert.equal(broken.readBackend.backend, 'pread');
    assert.match(broken.readBackend.reason, /@riaskov\/mmap-io did not load: no build of the addon/);
    assert.equal(broken.same, 50);
    assert.equal(broken.mappedReads, 0);
  });
});
