// One small interface over the three engines of the benchmark, so that every phase runs the same
// code against each of them. Each engine lives in its own module, loaded on demand, so that a
// phase process loads the native code of its engine only.

export type EngineName = 'kesque' | 'lmdb' | 'level';
export const ENGINES: readonly EngineName[] = ['kesque', 'lmdb', 'level'];

export interface OpenBenchStoreParameters {
  engine: EngineName;
  dir: string;
  /** fsync before a batch resolves (the same for every engine in one run). */
  sync: boolean;
}

/** Counters an engine keeps about its own reads; only Kesque has them. */
export interface ReadCounters {
  gets: number;
  diskReads: number;
  cacheHits: number;
  tagCollisions: number;
}

/** What a worker thread needs to read the same open store (structured-clonable). */
export interface ReaderSpec {
  engine: EngineName;
  dir: string;
  /** Engine-specific handle (Kesque's reader handle), if any. */
  handle?: unknown;
}

/** A read-only view opened inside a worker thread. */
export interface BenchReader {
  get(key: Uint8Array): Uint8Array | undefined;
  close(): Promise<void>;
}

/** An open store under benchmark. The contract: `write` resolves once the batch is durable under
 *  the configured policy; `get` returns the whole value (or undefined) synchronously, and the bytes
 *  it returns stay valid at least until the next `get`. */
export interface BenchStore {
  readonly engine: EngineName;
  write(keys: readonly Buffer[], values: readonly Buffer[]): Promise<void>;
  get(key: Uint8Array): Uint8Array | undefined;
  /** Bytes of memory held by the key index, when the engine reports it. */
  indexBytes(): number | undefined;
  readCounters(): ReadCounters | undefined;
  /** Rewrites the store into its compact form (LevelDB: compactRange over every key). */
  compact?(): Promise<void>;
  readerSpec(): ReaderSpec;
  close(): Promise<void>;
}

export async function openBenchStore(parameters: OpenBenchStoreParameters): Promise<BenchStore> {
  switch (parameters.engine) {
    case 'kesque':
      return (await import('./store-kesque.js')).openKesqueStore(parameters);
    case 'lmdb':
      return (await import('./store-lmdb.js')).openLmdbStore(parameters);
    case 'level':
      return (await import('./store-level.js')).openLevelStore(parameters);
  }
}

export async function openBenchReader(spec: ReaderSpec): Promise<BenchReader> {
  switch (spec.engine) {
    case 'kesque':
      return (await import('./store-kesque.js')).openKesqueStoreReader(spec);
    case 'lmdb':
      return (await import('./store-lmdb.js')).openLmdbStoreReader(spec);
    case 'level':
      return (await import('./store-level.js')).openLevelStoreReader(spec);
  }
}

export function isEngineName(name: string): name is EngineName {
  return (ENGINES as readonly string[]).includes(name);
}
