// `openKesqueReader`: a read-only view of an open store from another thread. The index memory is
// the writer's own (SharedArrayBuffers in the handle); the reader opens the segment files itself and
// follows the writer's sequence lock, so a get never sees an index change half made.

import { ValueCache } from './cache.js';
import { KesqueError } from './errors.js';
import type { ReaderHandleTables } from './store.js';
import { Counters, ReadBuffer, TableReader } from './tableReader.js';
import type { KesqueCounters, KesqueReader, KesqueReaderHandle, TableKey } from './types.js';

export interface OpenKesqueReaderOptions {
  /** A value cache of this thread (default 0: none). */
  cacheBytes?: number;
}

/** A reader in any thread over the store `handle` describes (`store.readerHandle()`, posted
 *  through `workerData` or `postMessage`). Reads are synchronous and never copy the index.
 *  Throws KesqueError BAD_OPTIONS for something that is not a handle.
 *
 *  @example
 *  // main thread
 *  new Worker(file, { workerData: { handle: store.readerHandle() } });
 *  // worker
 *  const reader = openKesqueReader(workerData.handle);
 *  reader.get('trie', key);
 */
export function openKesqueReader(
  handle: KesqueReaderHandle,
  options: OpenKesqueReaderOptions = {},
): KesqueReader & {
  counters(): KesqueCounters & { readArounds: number; mappedReads: number };
  getTransient(table: string, key: TableKey): Uint8Array | undefined;
} {
  if (!handle || typeof handle.dir !== 'string' || typeof handle.tables !== 'object') {
    throw new KesqueError('BAD_OPTIONS', 'openKesqueReader needs the handle of store.readerHandle()');
  }
  return new KesqueThreadReader(handle, options);
}

class KesqueThreadReader implements KesqueReader {
  private readonly tables = new Map<string, TableReader>();
  private readonly buffer = new ReadBuffer();
  private readonly counter = new Counters();
  private readonly cache: ValueCache | undefined;
  private closed = false;
  private readonly dir: string;

  constructor(handle: KesqueReaderHandle, options: OpenKesqueReaderOptions) {
    this.dir = handle.dir;
    const verify = (handle as { verifyChecksums?: boolean }).verifyChecksums ?? false;
    for (const [name, shared] of Object.entries(handle.tables as ReaderHandleTables)) {
      const table = new TableReader(shared, false);
      table.verifyChecksums = verify;
      const cold = (handle as { coldReadMs?: number }).coldReadMs;
      if (typeof cold === 'number') table.coldReadMs = cold;
      const around = (handle as { readAroundBytes?: number }).readAroundBytes;
      if (typeof around === 'number') table.readAroundBytes = around;
      this.tables.set(name, table);
    }
    const cacheBytes = options.cacheBytes ?? 0;
    this.cache = cacheBytes > 0 ? new ValueCache(cacheBytes, 'clock') : undefined;
  }

  private table(name: string): TableReader {
    if (this.closed) throw new KesqueError('CLOSED', `reader of ${this.dir} is closed`);
    const t = this.tables.get(name);
    if (t === undefined) {
      throw new KesqueError('UNKNOWN_TABLE', `no table ${JSON.stringify(name)} in store ${this.dir}`, {
        details: { table: name },
      });
    }
    return t;
  }

  get(table: string, key: TableKey): Uint8Array | undefined {
    const t = this.table(table);
    t.checkKey(key);
    return t.get(key, this.buffer, this.counter, this.cache, true);
  }

  /** As `get`, with the value a view of this reader's buffer, valid until its next read. */
  getTransient(table: string, key: TableKey): Uint8Array | undefined {
    const t = this.table(table);
    t.checkKey(key);
    this.buffer.transient = true;
    try {
      return t.get(key, this.buffer, this.counter, this.cache, true);
    } finally {
      this.buffer.transient = false;
    }
  }

  has(table: string, key: TableKey): boolean {
    return this.get(table, key) !== undefined;
  }

  counters(): KesqueCounters & { readArounds: number; mappedReads: number } {
    return { ...this.counter };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.tables.values()) t.closeFiles();
  }
}
