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
      module: new URL('./reader.js', import.meta.url).href,
      handle: { kesque: kesque.readerHandle(), table } satisfies KesqueStateReaderHandle,
    }),
  };
}
