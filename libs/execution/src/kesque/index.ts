// @khipu/execution/kesque: execution's StateStore over a Kesque table, with a shared reader for
// the worker threads (they open the store's segments and shared index themselves: no copy).
import type { BatchOp, Kesque, KesqueReaderHandle } from '@khipu/kesque';
import type { StateEntry, StateStore } from '../types.js';

export interface CreateKesqueStateStoreParameters {
  kesque: Kesque;
  /** Hash table holding trie nodes and code (default `trie`). */
  table?: string;
}

/** Handle posted to the workers: the store's reader handle and the table. */
export interface KesqueStateReaderHandle {
  kesque: KesqueReaderHandle;
  table: string;
}

/** The module workers load to read a Kesque table (its `openStateReader` takes a
 *  {@link KesqueStateReaderHandle}): for stores that write through their own wrapper of Kesque
 *  and only need the workers' side. */
export const KESQUE_STATE_READER_MODULE = new URL('./reader.js', import.meta.url).href;

/**
 * A {@link StateStore} over `kesque`: reads from the table, one atomic batch per block, and
 * `workerSource()` so that parallel workers read the same store through `openKesqueReader`.
 */
export function createKesqueStateStore({
  kesque,
  table = 'trie',
}: CreateKesqueStateStoreParameters): StateStore {
  return {
    get: (key) => kesque.get(table, key),
    write: (entries: readonly StateEntry[]) =>
      kesque.batch(entries.map(([key, value]): BatchOp => ({ type: 'put', table, key, value }))),
    workerSource: () => ({
      module: KESQUE_STATE_READER_MODULE,
      handle: { kesque: kesque.readerHandle(), table } satisfies KesqueStateReaderHandle,
    }),
  };
}
