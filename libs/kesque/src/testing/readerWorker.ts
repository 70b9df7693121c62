// Worker of reader.test.ts: opens a reader on the handle it is given and checks, until told to
// stop, that every key it reads has the value the writer gave it (or, for keys the writer is
// still adding, either nothing or that value).
import { parentPort, workerData } from 'node:worker_threads';
import { openKesqueReader } from '../reader.js';
import type { KesqueReaderHandle } from '../types.js';
import { keyOf, valueFor } from './fixtures.js';

interface Data {
  handle: KesqueReaderHandle;
  stop: SharedArrayBuffer;
  /** [0]: keys below this are written; the writer raises it. */
  written: SharedArrayBuffer;
}

const data = workerData as Data;
const reader = openKesqueReader(data.handle);
const stop = new Int32Array(data.stop);
const written = new Int32Array(data.written);
let reads = 0;
let errors = 0;
let firstError = '';
let i = 0;
while (Atomics.load(stop, 0) === 0) {
  const limit = Atomics.load(written, 0);
  if (limit === 0) continue;
  const k = (i++ * 7919) % (limit + 100);
  const value = reader.get('trie', keyOf(k));
  reads++;
  const expected = valueFor(k);
  const ok =
    k >= limit
      ? value === undefined || Buffer.compare(value, expected) === 0
      : value !== undefined && Buffer.compare(value, expected) === 0;
  if (!ok) {
    errors++;
    if (!firstError) firstError = `key ${k} (limit ${limit}): ${value ? 'wrong value' : 'missing'}`;
  }
}
const counters = reader.counters();
reader.close();
parentPort!.postMessage({
  reads,
  errors,
  firstError,
  gets: counters.gets,
  mappedReads: counters.mappedReads,
});
