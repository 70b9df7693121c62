// libs/execution's StateStore over the chain's KV store: trie nodes and code in the `trie` table.
// Execution writes a block's state in its own batch before the block batch moves the head: the
// nodes are content-addressed, so a crash between the two leaves harmless orphans and the head
// still points at a state that is whole.
import type { StateEntry, StateStore } from '@khipu/execution';
import { KESQUE_STATE_READER_MODULE, type KesqueStateReaderHandle } from '@khipu/execution/kesque';
import type { KesqueReaderHandle } from '@khipu/kesque';
import type { KVStore } from '../store/kv.js';
import { Tables } from '../store/tables.js';

/** Wraps `kv` as execution's state store. Writes go through `kv` (the node records them for
 *  pruning); with Kesque's `readerHandle`, worker threads read the same store with
 *  libs/execution's Kesque reader, through shared index memory (parallel execution needs it). */
export function createExecutionStateStore(
  kv: KVStore & { readerHandle?: () => KesqueReaderHandle },
): StateStore {
  const store: StateStore = {
    get: (key) => kv.get(Tables.trie, key),
    write: (entries: readonly StateEntry[]) =>
      kv.batch(entries.map(([key, value]) => ({ type: 'put', table: Tables.trie, key, value }))),
  };
  const handle = kv.readerHandle?.bind(kv);
  if (handle) {
    store.workerSource = () => ({
      module: KESQUE_STATE_READER_MODULE,
      handle: { kesque: handle(), table: Tables.trie } satisfies KesqueStateReaderHandle,
    });
  }
  return store;
}
