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
  /** Int32Array over a SharedArrayBuffer: [0] turns 1 when all workers may start. */
  start: SharedArrayBuffer;
}

export type ReaderWorkerMessage = { type: 'ready' } | { type: 'done'; result: ReadPassResult };

async function main(): Promise<void> {
  const data = workerData as ReaderWorkerData;
  const port = parentPort!;
  const reader = await openBenchReader(data.spec);
  const lookups = createPresentLookups(data.dataset, data.stream, data.reads);
  port.postMessage({ type: 'ready' } satisfies ReaderWorkerMessage);
  const flag = new Int32Array(data.start);
  while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0);
  const result = runReadPass((key) => reader.get(key), lookups, data.maxSeconds);
  await reader.close();
  port.postMessage({ type: 'done', result } satisfies ReaderWorkerMessage);
}

await main();
