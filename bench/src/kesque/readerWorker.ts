// Worker thread of the parallel read pass: opens a reader on the store the main thread holds open,
// prepares its own random keys, reports ready, waits on the shared start flag, then reads until its
// keys run out or the time is up.
import { parentPort, workerData } from 'node:worker_threads';
import { createPresentLookups, type DatasetParameters } from './dataset.js';
import { type ReadPassResult, runReadPass } from './readPass.js';
import { openBenchReader, type ReaderSpec } from './store.js';

export interface ReaderWorkerData {
  spec: ReaderSpec;
  dataset: DatasetParameters;
  /** Read-order stream of this worker; every worker gets its own. */
  stream: number;
  reads: number;
  maxSeconds: number;
  /** Timed passes, each over its own slice of the keys and bounded by maxSeconds / passes. */
  passes: number;
  /** Int32Array over a SharedArrayBuffer: [0] is the number of the pass all workers may start. */
  start: SharedArrayBuffer;
}

export type ReaderWorkerMessage =
  | { type: 'ready' }
  | { type: 'pass'; pass: number; result: ReadPassResult }
  | { type: 'done' };

async function main(): Promise<void> {
  const data = workerData as ReaderWorkerData;
  const port = parentPort!;
  const reader = await openBenchReader(data.spec);
  const lookups = createPresentLookups(data.dataset, data.stream, data.reads);
  port.postMessage({ type: 'ready' } satisfies ReaderWorkerMessage);
  const flag = new Int32Array(data.start);
  const slice = Math.floor(lookups.count / data.passes);
  for (let pass = 1; pass <= data.passes; pass++) {
    for (let seen = Atomics.load(flag, 0); seen < pass; seen = Atomics.load(flag, 0))
      Atomics.wait(flag, 0, seen);
    const get = (key: Uint8Array) => reader.get(key);
    const result = runReadPass(get, lookups, data.maxSeconds / data.passes, slice, (pass - 1) * slice);
    port.postMessage({ type: 'pass', pass, result } satisfies ReaderWorkerMessage);
  }
  await reader.close();
  port.postMessage({ type: 'done' } satisfies ReaderWorkerMessage);
}

await main();
