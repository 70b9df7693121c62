// Public contract of Kesque. Other packages (the @ethereumjs adapter, the benchmark, the crash
// harness, libs/execution and libs/dietcoin) build against these types: keep them stable.

/** How a table is keyed. `hash`: 32-byte keys through the in-memory tag index. `number`: a
 *  non-negative integer key (block number) used as a position, with no hash index. */
export type TableKind = 'hash' | 'number';

export interface TableOptions {
  kind: TableKind;
}

/** When `batch` resolves. `always` (the default) fsyncs before resolving; `interval` fsyncs at
 *  most every `intervalMs`; `never` leaves it to the OS. */
export type Durability = { mode: 'always' } | { mode: 'interval'; intervalMs: number } | { mode: 'never' };

export type TableKey = Uint8Array | number;

export type BatchOp =
  | { type: 'put'; table: string; key: TableKey; value: Uint8Array }
  | { type: 'del'; table: string; key: TableKey };

export interface RebuildProgress {
  table: string;
  /** Bytes of log scanned so far and in all. */
  bytes: number;
  totalBytes: number;
  records: number;
}

export interface OpenKesqueParameters {
  /** Directory of the store; created when missing. */
  dir: string;
  /** Named tables, e.g. `{ trie: { kind: 'hash' }, code: { kind: 'hash' }, header: { kind: 'number' } }`. */
  tables: Record<string, TableOptions>;
  durability?: Durability;
  /** Segment files roll once they reach this size. */
  segmentBytes?: number;
  /** Bound of the hot-value cache in bytes; 0 disables it. */
  cacheBytes?: number;
  /** Period of index snapshots while open; snapshots are also written at close. */
  snapshotIntervalMs?: number;
  /** Called while an index is rebuilt from the log (missing or corrupt snapshot). */
  onProgress?: (progress: RebuildProgress) => void;
}

export interface CompactionReport {
  table: string;
  recordsKept: number;
  recordsDropped: number;
  bytesBefore: number;
  bytesAfter: number;
  seconds: number;
}

/** Monotonic counters, read by the node's metrics. */
export interface KesqueCounters {
  gets: number;
  diskReads: number;
  tagCollisions: number;
  cacheHits: number;
  cacheMisses: number;
  bytesWritten: number;
  batches: number;
  compactions: number;
}

/** Structured-clonable description of an open store (shared index memory and segment paths),
 *  posted to worker threads so that they read without copying the index. */
export interface KesqueReaderHandle {
  readonly dir: string;
  readonly tables: Record<string, unknown>;
}

/** Read-only view usable from any thread. */
export interface KesqueReader {
  get(table: string, key: TableKey): Uint8Array | undefined;
  has(table: string, key: TableKey): boolean;
  close(): void;
}

/** An open store. Reads are synchronous (at most one disk read for almost every key); writes go
 *  through atomic batches. */
export interface Kesque extends KesqueReader {
  /** Applies every op or none; resolves once durable under the store's policy. */
  batch(ops: readonly BatchOp[]): Promise<void>;
  entries(table: string): IterableIterator<[TableKey, Uint8Array]>;
  /** Rewrites the table keeping only records for which `isLive` holds; reads and writes go on. */
  compact(table: string, isLive: (key: Uint8Array, value: Uint8Array) => boolean): Promise<CompactionReport>;
  counters(): KesqueCounters;
  /** Bytes of memory the index holds, for bytes-per-record reports. */
  indexBytes(): number;
  readerHandle(): KesqueReaderHandle;
  close(): Promise<void>;
}
