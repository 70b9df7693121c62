// Child-process entry of one benchmark phase: `node phase.js '<PhaseParameters as JSON>'`. Sends
// its PhaseResult to the parent over the IPC channel and exits; anything it prints goes to the
// parent's stderr, so the parent's stdout stays clean for the table and the JSON line.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import {
  createMissingLookups,
  createPresentLookups,
  createRecordBatch,
  type DatasetParameters,
  KEY_BYTES,
  type LookupKeys,
  recordValue,
} from './dataset.js';
import type {
  ColdResult,
  CompactResult,
  LoadResult,
  PhaseParameters,
  PhaseResult,
  WarmResult,
} from './phases.js';
import type { ReaderWorkerData, ReaderWorkerMessage } from './readerWorker.js';
import { type ReadPassResult, runBestOf, runReadPass } from './readPass.js';
import { type BenchStore, openBenchStore, type ReadCounters } from './store.js';
import { loadIntoPageCache } from './storeFiles.js';

/** Read-order streams: one for the single-thread pass, one for verification, one per worker. */
const STREAM_WARM = 1;
const STREAM_VERIFY = 2;
const STREAM_COLD = 3;
const STREAM_WORKER_BASE = 100;
const VERIFY_KEYS = 2_000;

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function log(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

async function runLoad(p: Extract<PhaseParameters, { phase: 'load' }>): Promise<LoadResult> {
  const store = await openBenchStore({ engine: p.engine, dir: p.dir, sync: p.sync });
  let engineNs = 0n;
  let bytes = 0;
  const reportEvery = Math.max(1, Math.floor(p.dataset.records / p.batchSize / 10));
  let batches = 0;
  for (let first = 0; first < p.dataset.records; first += p.batchSize) {
    // Generating the records is not timed: only the engine's write is.
    const batch = createRecordBatch(p.dataset, first, p.batchSize);
    bytes += batch.bytes;
    const t = process.hrtime.bigint();
    await store.write(batch.keys, batch.values);
    engineNs += process.hrtime.bigint() - t;
    if (++batches % reportEvery === 0) {
      const done = Math.min(p.dataset.records, first + p.batchSize);
      log(`${p.engine} load ${done}/${p.dataset.records} (${(done / (Number(engineNs) / 1e9)) | 0} rec/s)`);
    }
  }
  const t = process.hrtime.bigint();
  await store.close();
  engineNs += process.hrtime.bigint() - t;
  const s = Number(engineNs) / 1e9;
  return {
    phase: 'load',
    records: p.dataset.records,
    seconds: s,
    recordsPerSecond: p.dataset.records / s,
    bytesWritten: bytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

async function runCompact(p: Extract<PhaseParameters, { phase: 'compact' }>): Promise<CompactResult> {
  const store = await openBenchStore({ engine: p.engine, dir: p.dir, sync: p.sync });
  if (store.compact === undefined) throw new Error(`engine ${p.engine} has no compaction step`);
  const t = process.hrtime.bigint();
  await store.compact();
  await store.close();
  return { phase: 'compact', seconds: seconds(t) };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks sample keys byte for byte, so that a fast engine is also a correct one. */
function verify(store: BenchStore, dataset: DatasetParameters): number {
  const present = createPresentLookups(dataset, STREAM_VERIFY, VERIFY_KEYS);
  const keyAt = (lookups: LookupKeys, i: number) => lookups.keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
  for (let i = 0; i < present.count; i++) {
    const index = present.indexes[i]!;
    const value = store.get(keyAt(present, i));
    if (value === undefined || !equalBytes(value, recordValue(dataset.seed, index))) {
      throw new Error(`${store.engine}: record ${index} reads back wrong (${value?.length ?? 'missing'})`);
    }
  }
  const missing = createMissingLookups(dataset, 1_000_000_000, VERIFY_KEYS);
  for (let i = 0; i < missing.count; i++) {
    if (store.get(keyAt(missing, i)) !== undefined)
      throw new Error(`${store.engine}: a key never written reads back`);
  }
  return VERIFY_KEYS * 2;
}

function diskReadsPerGet(before: ReadCounters | undefined, after: ReadCounters | undefined): number | null {
  if (before === undefined || after === undefined) return null;
  const gets = after.gets - before.gets - (after.cacheHits - before.cacheHits);
  return gets > 0 ? (after.diskReads - before.diskReads) / gets : null;
}

/** Reads from `threads` worker threads at once, in `passes` passes started together through a
 *  shared flag; returns the best pass's combined rate (reads of all threads / slowest thread). */
async function parallelReads(
  store: BenchStore,
  p: Extract<PhaseParameters, { phase: 'warm' }>,
): Promise<{ readsPerSecond: number; passes: number[] }> {
  const start = new SharedArrayBuffer(4);
  const flag = new Int32Array(start);
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  const finished: Promise<void>[] = [];
  const results: ReadPassResult[][] = Array.from({ length: p.passes }, () => []);
  let passDone: (() => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  for (let w = 0; w < p.threads; w++) {
    const data: ReaderWorkerData = {
      spec: store.readerSpec(),
      dataset: p.dataset,
      stream: STREAM_WORKER_BASE + w,
      reads: p.parallelReads,
      maxSeconds: p.maxSeconds,
      passes: p.passes,
      start,
    };
    const worker = new Worker(new URL('./readerWorker.js', import.meta.url), { workerData: data });
    workers.push(worker);
    let onReady!: () => void;
    ready.push(new Promise<void>((resolve) => (onReady = resolve)));
    finished.push(
      new Promise<void>((resolve) => {
        worker.on('error', (error) => failed!(error));
        worker.on('exit', (code) => {
          if (code !== 0) failed!(new Error(`${p.engine} reader worker exited with ${code}`));
        });
        worker.on('message', (message: ReaderWorkerMessage) => {
          if (message.type === 'ready') onReady();
          else if (message.type === 'pass') {
            const list = results[message.pass - 1]!;
            list.push(message.result);
            if (list.length === p.threads) passDone?.();
          } else resolve();
        });
      }),
    );
  }
  await Promise.race([Promise.all(ready), failure]);
  const rates: number[] = [];
  for (let pass = 1; pass <= p.passes; pass++) {
    const done = new Promise<void>((resolve) => {
      passDone = resolve;
    });
    Atomics.store(flag, 0, pass);
    Atomics.notify(flag, 0);
    await Promise.race([done, failure]);
    const list = results[pass - 1]!;
    const reads = list.reduce((sum, r) => sum + r.reads, 0);
    rates.push(reads / Math.max(...list.map((r) => r.seconds)));
  }
  await Promise.race([Promise.all(finished), failure]);
  await Promise.all(workers.map((w) => w.terminate()));
  return { readsPerSecond: Math.max(...rates), passes: rates };
}

async function runWarm(p: Extract<PhaseParameters, { phase: 'warm' }>): Promise<WarmResult> {
  loadIntoPageCache(p.dir);
  const t = process.hrtime.bigint();
  const store = await openBenchStore({ engine: p.engine, dir: p.dir, sync: p.sync });
  const reopenSeconds = seconds(t);
  const rssAfterOpenBytes = process.memoryUsage().rss;
  const verified = verify(store, p.dataset);

  const present = createPresentLookups(p.dataset, STREAM_WARM, p.reads);
  const missing = createMissingLookups(p.dataset, 0, p.reads);
  const get = (key: Uint8Array) => store.get(key);
  // A short untimed pass first, so that every engine's read path is compiled and warmed alike.
  runReadPass(get, present, 2, 50_000);

  const c0 = store.readCounters();
  const hit = runBestOf(get, present, p.maxSeconds, p.passes);
  if (hit.found !== hit.reads)
    throw new Error(`${p.engine}: ${hit.reads - hit.found} present keys not found`);
  const c1 = store.readCounters();
  const miss = runBestOf(get, missing, p.maxSeconds, p.passes);
  if (miss.found !== 0) throw new Error(`${p.engine}: ${miss.found} missing keys found`);
  const c2 = store.readCounters();
  const rates = (r: { passes: number[] }) => r.passes.map((x) => x | 0).join(' / ');
  log(`${p.engine} warm: present ${rates(hit)} reads/s, missing ${rates(miss)} reads/s`);
  // The prepared keys are the harness's, not the engine's: leave them out.
  const harnessBytes = present.keys.byteLength + missing.keys.byteLength;
  const rssBytes = process.memoryUsage().rss - harnessBytes;
  const rssAnonBytes = statusBytes('RssAnon') - harnessBytes;
  const parallel = await parallelReads(store, p);
  log(`${p.engine} warm: ${rates(parallel)} reads/s with ${p.threads} threads`);
  const indexBytes = store.indexBytes() ?? null;
  await store.close();
  return {
    phase: 'warm',
    reopenSeconds,
    readsPerSecond: hit.readsPerSecond,
    missingReadsPerSecond: miss.readsPerSecond,
    parallelReadsPerSecond: parallel.readsPerSecond,
    passes: { present: hit.passes, missing: miss.passes, parallel: parallel.passes },
    rssAfterOpenBytes,
    rssBytes,
    rssAnonBytes,
    indexBytes,
    diskReadsPerGet: diskReadsPerGet(c0, c1),
    diskReadsPerMissingGet: diskReadsPerGet(c1, c2),
    tagCollisions: c2 !== undefined && c0 !== undefined ? c2.tagCollisions - c0.tagCollisions : null,
    verified,
  };
}

/** A `kB` field of /proc/self/status, in bytes. */
function statusBytes(field: string): number {
  const text = readFileSync('/proc/self/status', 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
}

interface ProcessIO {
  syscr: number;
  readBytes: number;
}

function processIO(): ProcessIO {
  const text = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { syscr: field('syscr'), readBytes: field('read_bytes') };
}

async function runCold(p: Extract<PhaseParameters, { phase: 'cold' }>): Promise<ColdResult> {
  // The parent has dropped every file of the store from the page cache before starting us.
  const t = process.hrtime.bigint();
  const store = await openBenchStore({ engine: p.engine, dir: p.dir, sync: p.sync });
  const reopenSeconds = seconds(t);
  const present = createPresentLookups(p.dataset, STREAM_COLD, p.reads);
  const c0 = store.readCounters();
  const io0 = processIO();
  const faults0 = process.resourceUsage().majorPageFault;
  const pass = runReadPass((key) => store.get(key), present, p.maxSeconds);
  const faults1 = process.resourceUsage().majorPageFault;
  const io1 = processIO();
  const c1 = store.readCounters();
  if (pass.found !== pass.reads)
    throw new Error(`${p.engine}: ${pass.reads - pass.found} present keys not found`);
  await store.close();
  log(`${p.engine} cold: ${(pass.reads / pass.seconds) | 0} reads/s over ${pass.reads} reads`);
  return {
    phase: 'cold',
    reopenSeconds,
    reads: pass.reads,
    readsPerSecond: pass.reads / pass.seconds,
    majorFaultsPerGet: (faults1 - faults0) / pass.reads,
    readSyscallsPerGet: (io1.syscr - io0.syscr) / pass.reads,
    diskBytesPerGet: (io1.readBytes - io0.readBytes) / pass.reads,
    diskReadsPerGet: diskReadsPerGet(c0, c1),
  };
}

async function run(p: PhaseParameters): Promise<PhaseResult> {
  switch (p.phase) {
    case 'load':
      return runLoad(p);
    case 'compact':
      return runCompact(p);
    case 'warm':
      return runWarm(p);
    case 'cold':
      return runCold(p);
  }
}

const parameters = JSON.parse(process.argv[2] ?? '') as PhaseParameters;
const result = await run(parameters);
await new Promise<void>((resolve, reject) =>
  process.send!(result, undefined, {}, (error) => (error ? reject(error) : resolve())),
);
process.exit(0);
