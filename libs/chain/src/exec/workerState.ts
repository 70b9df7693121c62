// Opened inside libs/execution's worker threads (`WorkerStateSource.module`): a Kesque reader on
// the node's store, sharing its index memory, answering execution's state reads from `trie`.
import type { StateReader } from '@khipu/execution';
import { type KesqueReaderHandle, openKesqueReader } from '@khipu/kesque';
import { Tables } from '../store/tables.js';

/** Called by libs/execution in each worker with the store's reader handle. */
export function openStateReader(handle: KesqueReaderHandle): StateReader {
  const reader = openKesqueReader(handle);
  return { get: (key) => reader.get(Tables.trie, key) };
}

/** Where workers load this module from. */
export const WORKER_STATE_MODULE = new URL('./workerState.js', import.meta.url).href;
