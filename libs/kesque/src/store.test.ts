import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isKesqueError } from './errors.js';
import { SEGMENT_HEADER_BYTES, TYPE_PUT } from './format.js';
import { scanRecords } from './scan.js';
import { type KesqueStore, openKesque } from './store.js';
import { copyDir, FaultyFileIO, keyOf, removeDir, tempDir, valueFor } from './testing/fixtures.js';
import type { BatchOp } from './types.js';

const TABLES = { trie: { kind: 'hash' }, code: { kind: 'hash' }, header: { kind: 'number' } } as const;
const dirs: string[] = [];
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) removeDir(d);
});

function puts(table: string, from: number, to: number): BatchOp[] {
  const ops: BatchOp[] = [];
  for (let i = from; i < to; i++) ops.push({ type: 'put', table, key: keyOf(i), value: valueFor(i) });
  return ops;
}

async function rejects(promise: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    if (typeof promise === 'function') await promise();
    else await promise;
  } catch (error) {
    assert.ok(isKesqueError(error), `expected a KesqueError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return;
  }
  assert.fail(`expected ${code}`);
}

describe('[Kesque] store', () => {
  it('puts, gets, deletes and iterates across hash and number tables', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES });
    await store.batch(puts('trie', 0, 500));
    await store.batch([
      { type: 'put', table: 'header', key: 7, value: valueFor(7) },
      { type: 'put', table: 'code', key: keyOf(1, 9), value: valueFor(1) },
    ]);
    assert.deepEqual(store.get('trie', keyOf(3)), valueFor(3));
    assert.equal(store.get('trie', keyOf(9999)), undefined);
    assert.deepEqual(store.get('header', 7), valueFor(7));
    assert.equal(store.get('header', 8), undefined);
    assert.ok(store.has('code', keyOf(1, 9)));
    await store.batch([
      { type: 'del', table: 'trie', key: keyOf(3) },
      { type: 'put', table: 'trie', key: keyOf(4), value: valueFor(44) },
      { type: 'del', table: 'header', key: 7 },
    ]);
    assert.equal(store.get('trie', keyOf(3)), undefined);
    assert.deepEqual(store.get('trie', keyOf(4)), valueFor(44));
    assert.equal(store.get('header', 7), undefined);
    const seen = new Map<string, Uint8Array>();
    for (const [k, v] of store.entries('trie')) seen.set(Buffer.from(k as Uint8Array).toString('hex'), v);
    assert.equal(seen.size, 499);
    assert.deepEqual(seen.get(Buffer.from(keyOf(4)).toString('hex')), valueFor(44));
    assert.equal(store.count('trie'), 499);
    const c = store.counters();
    assert.ok(c.gets >= 6 && c.diskReads >= 1 && c.bytesWritten > 0 && c.batches === 3);
    await store.close();
  });

  it('refuses a key that is not 32 bytes, a number key on a hash table and an unknown table', async () => {
    const store = await openKesque({ dir: dir(), tables: TABLES });
    await rejects(() => store.get('trie', new Uint8Array(31)), 'KEY_SIZE');
    await rejects(() => store.get('trie', 5), 'KEY_TYPE');
    await rejects(() => store.get('header', keyOf(1)), 'KEY_TYPE');
    await rejects(() => store.get('header', -1), 'KEY_SIZE');
    await rejects(() => store.get('header', 1.5), 'KEY_SIZE');
    await rejects(() => store.get('nope', keyOf(1)), 'UNKNOWN_TABLE');
    await rejects(
      store.batch([{ type: 'put', table: 'trie', key: new Uint8Array(33), value: valueFor(1) }]),
      'KEY_SIZE',
    );
    // A refused op leaves nothing of its batch behind.
    await rejects(
      store.batch([
        ...puts('trie', 0, 10),
        { type: 'put', table: 'trie', key: new Uint8Array(3), value: valueFor(1) },
      ]),
      'KEY_SIZE',
    );
    assert.equal(store.get('trie', keyOf(0)), undefined);
    await store.batch(puts('trie', 0, 10));
    assert.deepEqual(store.get('trie', keyOf(0)), valueFor(0));
    await store.close();
  });

  it('refuses every call on a closed store with CLOSED', async () => {
    const store = await openKesque({ dir: dir(), tables: TABLES });
    await store.batch(puts('trie', 0, 3));
    await store.close();
    await store.close();
    await rejects(() => store.get('trie', keyOf(0)), 'CLOSED');
    await rejects(() => store.has('trie', keyOf(0)), 'CLOSED');
    await rejects(store.batch(puts('trie', 0, 1)), 'CLOSED');
    await rejects(() => store.entries('trie').next(), 'CLOSED');
    await rejects(
      store.compact('trie', () => true),
      'CLOSED',
    );
    await rejects(() => store.readerHandle(), 'CLOSED');
  });

  it('refuses bad options and a second open of the same directory', async () => {
    const d = dir();
    await rejects(openKesque({ dir: d, tables: {} }), 'BAD_OPTIONS');
    await rejects(openKesque({ dir: d, tables: { 'a/b': { kind: 'hash' } } }), 'BAD_OPTIONS');
    await rejects(openKesque({ dir: d, tables: TABLES, segmentBytes: 10 }), 'BAD_OPTIONS');
    const store = await openKesque({ dir: d, tables: TABLES });
    await rejects(openKesque({ dir: d, tables: TABLES }), 'LOCKED');
    await store.close();
    await rejects(openKesque({ dir: d, tables: { trie: { kind: 'number' } } }), 'BAD_OPTIONS');
    const again = await openKesque({ dir: d, tables: TABLES });
    await again.close();
  });

  it('reopens from the snapshot written at close, and rebuilds with progress when it is corrupt or missing', async () => {
    const d = dir();
    let store = await openKesque({ dir: d, tables: TABLES });
    for (let b = 0; b < 10; b++) await store.batch(puts('trie', b * 200, b * 200 + 200));
    await store.batch([{ type: 'put', table: 'header', key: 3, value: valueFor(3) }]);
    await store.close();
    const manifest = JSON.parse(JSON.parse(fs.readFileSync(path.join(d, 'MANIFEST'), 'utf8')).body);
    assert.match(manifest.snapshot, /^snapshot-/);
    const progress: number[] = [];
    store = await openKesque({ dir: d, tables: TABLES, onProgress: (p) => progress.push(p.records) });
    assert.equal(progress.length, 0, 'a good snapshot needs no rebuild');
    assert.equal(store.count('trie'), 2000);
    await store.close();
    // Flip one byte of the snapshot: it is ignored and the index rebuilt from the log.
    const snapFile = path.join(
      d,
      JSON.parse(JSON.parse(fs.readFileSync(path.join(d, 'MANIFEST'), 'utf8')).body).snapshot,
    );
    const bytes = fs.readFileSync(snapFile);
    bytes[bytes.length >> 1]! ^= 0x40;
    fs.writeFileSync(snapFile, bytes);
    store = await openKesque({ dir: d, tables: TABLES, onProgress: (p) => progress.push(p.records) });
    assert.ok(progress.length > 0 && progress.includes(2000), 'rebuild reports progress');
    for (let i = 0; i < 2000; i += 37) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    assert.deepEqual(store.get('header', 3), valueFor(3));
    await store.close();
    // Remove the snapshot file altogether.
    for (const f of fs.readdirSync(d)) if (f.startsWith('snapshot-')) fs.rmSync(path.join(d, f));
    progress.length = 0;
    store = await openKesque({ dir: d, tables: TABLES, onProgress: (p) => progress.push(p.records) });
    assert.ok(progress.length > 0);
    assert.equal(store.count('trie'), 2000);
    await store.close();
  });

  it('replays batches written after the last snapshot (a kill -9 skips the close)', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES });
    await store.batch(puts('trie', 0, 100));
    await store.flushAndSnapshot();
    await store.batch(puts('trie', 100, 200));
    await store.batch([{ type: 'del', table: 'trie', key: keyOf(5) }]);
    const crashed = dir();
    copyDir(d, crashed);
    await store.close();
    const reopened = await openKesque({ dir: crashed, tables: TABLES });
    assert.equal(reopened.count('trie'), 199);
    assert.equal(reopened.get('trie', keyOf(5)), undefined);
    assert.deepEqual(reopened.get('trie', keyOf(150)), valueFor(150));
    await reopened.close();
  });

  it('cuts a torn tail: a half-written batch is gone whole after reopen', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES, snapshotIntervalMs: 0 });
    await store.batch(puts('trie', 0, 50));
    await store.batch(puts('trie', 50, 100));
    const crashed = dir();
    copyDir(d, crashed);
    await store.close();
    const seg = path.join(crashed, 'trie', '0000000001.seg');
    const size = fs.statSync(seg).size;
    for (const cut of [size - 3, size - 40, size - 300]) {
      const copy = dir();
      copyDir(crashed, copy);
      fs.truncateSync(path.join(copy, 'trie', '0000000001.seg'), cut);
      const reopened = await openKesque({ dir: copy, tables: TABLES });
      assert.equal(reopened.count('trie'), 50, `cut at ${cut}`);
      assert.equal(reopened.get('trie', keyOf(60)), undefined);
      assert.deepEqual(reopened.get('trie', keyOf(49)), valueFor(49));
      await reopened.batch(puts('trie', 100, 110));
      await reopened.close();
      const again = await openKesque({ dir: copy, tables: TABLES });
      assert.equal(again.count('trie'), 60);
      await again.close();
    }
  });

  it('keeps a batch across tables whole: a crash between its tables drops it from every table', async () => {
    const d = dir();
    const io = new FaultyFileIO();
    const crashed = dir();
    const store = await openKesque({ dir: d, tables: TABLES, fileIO: io, snapshotIntervalMs: 0 });
    await store.batch([...puts('trie', 0, 10), { type: 'put', table: 'header', key: 1, value: valueFor(1) }]);
    // Copy the directory when the second table's part is about to be written.
    let writes = 0;
    io.onWrite = () => {
      if (++writes === 2) copyDir(d, crashed);
    };
    await store.batch([
      ...puts('trie', 10, 20),
      { type: 'put', table: 'header', key: 2, value: valueFor(2) },
    ]);
    io.onWrite = undefined;
    await store.close();
    const reopened = await openKesque({ dir: crashed, tables: TABLES });
    assert.equal(reopened.count('trie'), 10, 'the batch is gone from the table it reached');
    assert.equal(reopened.get('header', 2), undefined);
    assert.deepEqual(reopened.get('header', 1), valueFor(1));
    await reopened.close();
  });

  it('reports a corrupt record in the middle of a segment with CORRUPT_RECORD, at open and on read', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES, snapshotIntervalMs: 0 });
    for (let b = 0; b < 5; b++) await store.batch(puts('trie', b * 20, b * 20 + 20));
    const crashed = dir();
    copyDir(d, crashed);
    await store.close();
    // Damage a value byte of a record in the middle: the tail scan finds it and valid records after it.
    const seg = path.join(crashed, 'trie', '0000000001.seg');
    const bytes = fs.readFileSync(seg);
    bytes[SEGMENT_HEADER_BYTES + 200]! ^= 0xff;
    fs.writeFileSync(seg, bytes);
    await rejects(openKesque({ dir: crashed, tables: TABLES }), 'CORRUPT_RECORD');
    // With a good snapshot the open does not scan the log; the damaged record is found when read.
    const d2 = dir();
    const s2 = await openKesque({ dir: d2, tables: TABLES, verifyChecksums: true });
    await s2.batch(puts('trie', 0, 20));
    await s2.close();
    const seg2 = path.join(d2, 'trie', '0000000001.seg');
    const b2 = fs.readFileSync(seg2);
    b2[SEGMENT_HEADER_BYTES + 60]! ^= 0x01;
    fs.writeFileSync(seg2, b2);
    const s3 = await openKesque({ dir: d2, tables: TABLES, verifyChecksums: true });
    let corrupt = 0;
    for (let i = 0; i < 20; i++) {
      try {
        s3.get('trie', keyOf(i));
      } catch (error) {
        assert.ok(isKesqueError(error, 'CORRUPT_RECORD'));
        corrupt++;
      }
    }
    assert.equal(corrupt, 1);
    await s3.close();
  });

  it('rolls segments at the configured size and reads across them', async () => {
    const d = dir();
    let store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 16 * 1024 });
    for (let b = 0; b < 40; b++) await store.batch(puts('trie', b * 25, b * 25 + 25));
    const files = fs.readdirSync(path.join(d, 'trie')).filter((f) => f.endsWith('.seg'));
    assert.ok(files.length > 5, `${files.length} segments`);
    for (const f of files) assert.ok(fs.statSync(path.join(d, 'trie', f)).size < 16 * 1024 + 8 * 1024);
    for (let i = 0; i < 1000; i += 7) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    await store.close();
    for (const f of fs.readdirSync(d)) if (f.startsWith('snapshot-')) fs.rmSync(path.join(d, f));
    store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 16 * 1024 });
    assert.equal(store.count('trie'), 1000);
    await store.close();
  });

  it('never lets a record of up to a page straddle a page boundary (one page per cold get)', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES, snapshotIntervalMs: 0 });
    for (let b = 0; b < 10; b++) await store.batch(puts('trie', b * 100, b * 100 + 100));
    await store.compact('trie', (k) => k[1]! < 200);
    await store.batch(puts('trie', 2000, 2100));
    let records = 0;
    for (const name of fs.readdirSync(path.join(d, 'trie'))) {
      const fd = fs.openSync(path.join(d, 'trie', name), 'r');
      const size = fs.fstatSync(fd).size;
      scanRecords(fd, SEGMENT_HEADER_BYTES, size, 32, true, (_b, _at, offset, type, kl, vl) => {
        if (type !== TYPE_PUT) return false;
        const bytes = 16 + kl + vl;
        assert.ok(
          Math.floor(offset / 4096) === Math.floor((offset + bytes - 1) / 4096),
          `record at ${offset} of ${bytes} bytes in ${name}`,
        );
        records++;
        return false;
      });
      fs.closeSync(fd);
    }
    assert.ok(records > 700, `${records} records`);
    for (let i = 0; i < 1000; i += 3) {
      const k = keyOf(i);
      assert.deepEqual(store.get('trie', k), k[1]! < 200 ? valueFor(i) : undefined);
    }
    await store.close();
  });

  it('reads and writes records at offsets past 4 GiB (sparse segment)', async () => {
    const d = dir();
    let store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 2 ** 32 });
    await store.batch(puts('trie', 0, 10));
    store.padForTests('trie', 2 ** 32 + 4096);
    await store.batch(puts('trie', 10, 20));
    const seg = path.join(d, 'trie', '0000000001.seg');
    assert.ok(fs.statSync(seg).size > 2 ** 32);
    for (let i = 0; i < 20; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    await store.close();
    for (const f of fs.readdirSync(d)) if (f.startsWith('snapshot-')) fs.rmSync(path.join(d, f));
    store = await openKesque({ dir: d, tables: TABLES, segmentBytes: 2 ** 32 });
    for (let i = 0; i < 20; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    await store.close();
  });

  it('groups concurrent batches into one fsync under durability always', async () => {
    const io = new FaultyFileIO();
    const store = await openKesque({ dir: dir(), tables: TABLES, fileIO: io });
    await store.batch(puts('trie', 0, 1));
    const before = io.syncs;
    await Promise.all(
      Array.from({ length: 50 }, (_, b) => store.batch(puts('trie', b * 2 + 10, b * 2 + 12))),
    );
    assert.ok(io.syncs - before <= 3, `${io.syncs - before} fsyncs for 50 batches`);
    await store.close();
  });

  it('does not fsync per batch under never and fsyncs on its timer under interval', async () => {
    const io = new FaultyFileIO();
    const never = await openKesque({ dir: dir(), tables: TABLES, fileIO: io, durability: { mode: 'never' } });
    for (let b = 0; b < 20; b++) await never.batch(puts('trie', b, b + 1));
    assert.equal(io.syncs, 0);
    await never.close();
    const io2 = new FaultyFileIO();
    const interval = await openKesque({
      dir: dir(),
      tables: TABLES,
      fileIO: io2,
      durability: { mode: 'interval', intervalMs: 20 },
    });
    await interval.batch(puts('trie', 0, 5));
    assert.equal(io2.syncs, 0);
    for (let waited = 0; io2.syncs === 0 && waited < 2000; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(io2.syncs >= 1);
    await interval.close();
  });

  it('refuses a batch on a full disk with DISK_FULL and loses nothing acknowledged', async () => {
    const d = dir();
    const io = new FaultyFileIO();
    const store = await openKesque({ dir: d, tables: TABLES, fileIO: io });
    await store.batch(puts('trie', 0, 100));
    io.failAfter = 0;
    io.partialBytes = 700;
    await rejects(store.batch(puts('trie', 100, 200)), 'DISK_FULL');
    // The second table of a batch fails: the first table's part is cut back too.
    io.failAfter = 1;
    io.partialBytes = 0;
    await rejects(
      store.batch([...puts('trie', 200, 210), { type: 'put', table: 'header', key: 1, value: valueFor(1) }]),
      'DISK_FULL',
    );
    assert.equal(store.get('trie', keyOf(150)), undefined);
    assert.equal(store.get('trie', keyOf(205)), undefined);
    assert.equal(store.count('trie'), 100);
    // Space comes back: the store goes on.
    io.failAfter = Number.POSITIVE_INFINITY;
    await store.batch(puts('trie', 300, 310));
    await store.close();
    const reopened = await openKesque({ dir: d, tables: TABLES });
    assert.equal(reopened.count('trie'), 110);
    for (let i = 0; i < 100; i++) assert.deepEqual(reopened.get('trie', keyOf(i)), valueFor(i));
    assert.equal(reopened.get('header', 1), undefined);
    await reopened.close();
  });

  it('fails the batch with WRITE_FAILED when fsync fails, and refuses later writes', async () => {
    const io = new FaultyFileIO();
    const store = await openKesque({ dir: dir(), tables: TABLES, fileIO: io });
    await store.batch(puts('trie', 0, 3));
    io.failSync = true;
    await rejects(store.batch(puts('trie', 3, 6)), 'WRITE_FAILED');
    await rejects(store.batch(puts('trie', 6, 9)), 'FAILED');
    assert.deepEqual(store.get('trie', keyOf(0)), valueFor(0));
    await store.close();
  });

  it('restores a segment file deleted under it, fails with SEGMENT_DELETED, and reopens whole', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES });
    await store.batch(puts('trie', 0, 100));
    const seg = path.join(d, 'trie', '0000000001.seg');
    fs.rmSync(seg);
    await rejects(store.batch(puts('trie', 100, 120)), 'SEGMENT_DELETED');
    assert.ok(fs.existsSync(seg), 'restored from the open descriptor');
    await rejects(store.batch(puts('trie', 200, 201)), 'SEGMENT_DELETED');
    assert.deepEqual(store.get('trie', keyOf(5)), valueFor(5));
    await store.close();
    const reopened = await openKesque({ dir: d, tables: TABLES });
    for (let i = 0; i < 100; i++) assert.deepEqual(reopened.get('trie', keyOf(i)), valueFor(i));
    await reopened.close();
  });

  it('refuses to open with SEGMENT_MISSING when a listed segment is gone', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES });
    await store.batch(puts('trie', 0, 10));
    await store.close();
    fs.rmSync(path.join(d, 'trie', '0000000001.seg'));
    await rejects(openKesque({ dir: d, tables: TABLES }), 'SEGMENT_MISSING');
  });

  it('refuses a corrupt manifest with CORRUPT_MANIFEST', async () => {
    const d = dir();
    const store = await openKesque({ dir: d, tables: TABLES });
    await store.close();
    fs.writeFileSync(path.join(d, 'MANIFEST'), '{"crc":1,"body":"{}"}');
    await rejects(openKesque({ dir: d, tables: TABLES }), 'CORRUPT_MANIFEST');
  });

  it('answers getTransient with a view that the next read overwrites', async () => {
    const store = await openKesque({ dir: dir(), tables: TABLES, cacheBytes: 0 });
    await store.batch(puts('trie', 0, 10));
    const first = store.getTransient('trie', keyOf(1))!;
    assert.deepEqual(Uint8Array.from(first), valueFor(1));
    assert.deepEqual(store.getTransient('trie', keyOf(2)), valueFor(2));
    assert.notDeepEqual(Uint8Array.from(first), valueFor(1));
    assert.equal(store.getTransient('trie', keyOf(99)), undefined);
    await rejects(() => store.getTransient('trie', new Uint8Array(2)), 'KEY_SIZE');
    await store.close();
  });

  it('prefetches the region around a read that went to the disk, once per region', async () => {
    // coldReadMs 0 takes every read for a cold one.
    const store = await openKesque({ dir: dir(), tables: TABLES, coldReadMs: 0, cacheBytes: 0 });
    await store.batch(puts('trie', 0, 3000));
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3000; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    }
    const c = (store as KesqueStore).counters();
    const regions = Math.ceil(store.diskBytes() / (256 * 1024)) + 1;
    assert.ok(
      c.readArounds > 0 && c.readArounds <= regions,
      `${c.readArounds} prefetches, ${regions} regions`,
    );
    assert.equal(c.diskReads, 6000);
    await new Promise((r) => setTimeout(r, 20));
    await store.close();
  });

  it('serves hot values from its cache and counts hits and misses', async () => {
    const store = await openKesque({ dir: dir(), tables: TABLES, cacheBytes: 1024 * 1024 });
    await store.batch(puts('trie', 0, 100));
    for (let r = 0; r < 5; r++)
      for (let i = 0; i < 10; i++) assert.deepEqual(store.get('trie', keyOf(i)), valueFor(i));
    const c = store.counters();
    assert.equal(c.cacheMisses, 10);
    assert.equal(c.cacheHits, 40);
    assert.equal(c.diskReads, 10);
    // An overwrite is a new record at a new position: the cache never answers with the old value.
    await store.batch([{ type: 'put', table: 'trie', key: keyOf(1), value: valueFor(1001) }]);
    assert.deepEqual(store.get('trie', keyOf(1)), valueFor(1001));
    await store.close();
  });
});
