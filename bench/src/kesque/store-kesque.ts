// Kesque under the benchmark: one hash table, value cache off (`cacheBytes: 0`) so that every read
// pass measures the index and the disk, and durability `always` or `never` as configured. Reads go
// through `getTransient`, Kesque's counterpart of lmdb's `getBinaryFast`: the value is a view of a
// buffer reused by the next read, with no allocation per value. The read backend (memory maps, or
// pread without the addon or with KESQUE_READ_BACKEND=pread) is logged once per phase.
import { type KesqueReaderHandle, openKesque, openKesqueReader, readBackend } from '@khipu/kesque';
import type { BenchReader, BenchStore, OpenBenchStoreParameters, ReaderSpec } from './store.js';

const TABLE = 'records';

export async function openKesqueStore(parameters: OpenBenchStoreParameters): Promise<BenchStore> {
  const why = readBackend.reason === undefined ? '' : ` (${readBackend.reason})`;
  process.stderr.write(`  kesque read backend: ${readBackend.backend}${why}\n`);
  const store = await openKesque({
    dir: parameters.dir,
    tables: { [TABLE]: { kind: 'hash' } },
    durability: parameters.sync ? { mode: 'always' } : { mode: 'never' },
    cacheBytes: 0,
  });
  return {
    engine: 'kesque',
    async write(keys, values) {
      const ops = new Array<{ type: 'put'; table: string; key: Uint8Array; value: Uint8Array }>(keys.length);
      for (let i = 0; i < keys.length; i++)
        ops[i] = { type: 'put', table: TABLE, key: keys[i]!, value: values[i]! };
      await store.batch(ops);
    },
    get: (key) => store.getTransient(TABLE, key),
    indexBytes: () => store.indexBytes(),
    readCounters() {
      const c = store.counters();
      return { gets: c.gets, diskReads: c.diskReads, cacheHits: c.cacheHits, tagCollisions: c.tagCollisions };
    },
    readerSpec: () => ({
      engine: 'kesque',
      dir: parameters.dir,
      handle: store.readerHandle() as KesqueReaderHandle,
    }),
    close: () => store.close(),
  };
}

export async function openKesqueStoreReader(spec: ReaderSpec): Promise<BenchReader> {
  const reader = openKesqueReader(spec.handle as KesqueReaderHandle);
  return {
    get: (key) => reader.getTransient(TABLE, key),
    async close() {
      reader.close();
    },
  };
}
