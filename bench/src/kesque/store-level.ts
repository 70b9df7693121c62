// classic-level (LevelDB) under the benchmark, with its default options: the only settings passed
// are the encodings (raw bytes in and out, no conversion) and `multithreading`, which LevelDB's
// binding needs to let the worker threads open the same store; none changes how LevelDB stores or
// caches data. Reads go through `getSync`; a batch is one `batch` with `sync` as configured.
import { ClassicLevel } from 'classic-level';
import type { BenchReader, BenchStore, OpenBenchStoreParameters, ReaderSpec } from './store.js';

type BinaryLevel = ClassicLevel<Uint8Array, Uint8Array>;

async function openDatabase(dir: string): Promise<BinaryLevel> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
    keyEncoding: 'view',
    valueEncoding: 'view',
    multithreading: true,
  });
  await db.open();
  return db;
}

export async function openLevelStore(parameters: OpenBenchStoreParameters): Promise<BenchStore> {
  const db = await openDatabase(parameters.dir);
  return {
    engine: 'level',
    async write(keys, values) {
      const ops = new Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }>(keys.length);
      for (let i = 0; i < keys.length; i++) ops[i] = { type: 'put', key: keys[i]!, value: values[i]! };
      await db.batch(ops, { sync: parameters.sync });
    },
    get: (key) => db.getSync(key),
    indexBytes: () => undefined,
    readCounters: () => undefined,
    async compact() {
      // Every key is 32 bytes, so [0x00] .. [0xff x 33] spans them all.
      await db.compactRange(new Uint8Array([0]), new Uint8Array(33).fill(0xff));
    },
    readerSpec: () => ({ engine: 'level', dir: parameters.dir }),
    close: () => db.close(),
  };
}

export async function openLevelStoreReader(spec: ReaderSpec): Promise<BenchReader> {
  const db = await openDatabase(spec.dir);
  return { get: (key) => db.getSync(key), close: () => db.close() };
}
