// lmdb-js under the benchmark: raw binary keys and values, reads through `getBinaryFast` (its
// fastest read call: it copies into one reusable buffer). A batch is one `db.batch` transaction;
// with `sync` it resolves after `db.flushed` (LMDB's default overlapping sync has already made
// the commit durable then), without it the environment is opened with `noSync`.
import { open, type RootDatabase } from 'lmdb';
import type { BenchReader, BenchStore, OpenBenchStoreParameters, ReaderSpec } from './store.js';

type BinaryDatabase = RootDatabase<Buffer, Buffer>;

function openDatabase(dir: string, sync: boolean): BinaryDatabase {
  return open<Buffer, Buffer>({ path: dir, keyEncoding: 'binary', encoding: 'binary', noSync: !sync });
}

export function openLmdbStore(parameters: OpenBenchStoreParameters): BenchStore {
  const db = openDatabase(parameters.dir, parameters.sync);
  return {
    engine: 'lmdb',
    async write(keys, values) {
      await db.batch(() => {
        for (let i = 0; i < keys.length; i++) void db.put(keys[i]!, values[i]!);
      });
      if (parameters.sync) await db.flushed;
    },
    get: (key) => db.getBinaryFast(key as Buffer),
    indexBytes: () => undefined,
    readCounters: () => undefined,
    readerSpec: () => ({ engine: 'lmdb', dir: parameters.dir, handle: parameters.sync }),
    close: () => db.close(),
  };
}

export function openLmdbStoreReader(spec: ReaderSpec): BenchReader {
  const db = openDatabase(spec.dir, spec.handle === true);
  return { get: (key) => db.getBinaryFast(key as Buffer), close: () => db.close() };
}
