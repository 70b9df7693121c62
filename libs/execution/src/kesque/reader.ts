// Loaded by execution workers (WorkerStateSource.module): opens a Kesque reader from the handle.
import { openKesqueReader } from '@khipu/kesque';
import type { StateReader } from '../types.js';
import type { KesqueStateReaderHandle } from './index.js';

/** The worker's reader of the table named in the handle. */
export function openStateReader(handle: KesqueStateReaderHandle): StateReader {
  const reader = openKesqueReader(handle.kesque);
  return { get: (key) => reader.get(handle.table, key) };
}
