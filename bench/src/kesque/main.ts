// `npm run bench -- kesque [--quick] [--json]`: Kesque against lmdb-js and classic-level (issue 3).
//
// Every engine loads the same seeded records (32-byte random keys, values of 100 to 600 bytes) in
// batches of the same size with the same durability, then each phase runs in a fresh child
// process: load; warm reads (files read into the page cache first); for LevelDB, compactRange and
// the read passes again; cold reads after every file of the closed store is dropped from the page
// cache. Each engine's store is deleted before the next engine starts.
//
// Options: --quick (1M records instead of 10M), --json (the report as one JSON line, last),
// --records N, --engines kesque,lmdb,level, --batch N (records per batch, default 10000),
// --no-sync (fsync off for every engine; default on for every engine), --seed N,
// --dir PATH (default .bench-data/kesque). KESQUE_BENCH_CPU_PROF=DIR profiles each phase.
import { fork } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DatasetParameters } from './dataset.js';
import type {
  ColdResult,
  CompactResult,
  LoadResult,
  PhaseParameters,
  PhaseResult,
  WarmResult,
} from './phases.js';
import { createReport, type EngineFigures, engineFigures, formatTable, type StateRun } from './report.js';
import { ENGINES, type EngineName, isEngineName } from './store.js';
import { diskBytes, dropFromPageCache } from './storeFiles.js';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    records: { type: 'string' },
    engines: { type: 'string', default: ENGINES.join(',') },
    batch: { type: 'string', default: '10000' },
    'no-sync': { type: 'boolean', default: false },
    seed: { type: 'string', default: '20261121' },
    dir: { type: 'string', default: '.bench-data/kesque' },
  },
});

const records = Number(options.records ?? (options.quick ? 1_000_000 : 10_000_000));
const dataset: DatasetParameters = { seed: Number(options.seed) >>> 0, records };
const sync = !options['no-sync'];
const batchSize = Number(options.batch);
const engines = options.engines.split(',').map((name) => {
  if (!isEngineName(name)) throw new Error(`unknown engine ${name}; expected one of ${ENGINES.join(', ')}`);
  return name;
});
/** Reads per single-thread pass and per worker, and the time bound of each pass. */
const warmReads = options.quick ? 1_500_000 : 3_000_000;
const warmSeconds = options.quick ? 6 : 12;
const coldReads = options.quick ? 100_000 : 300_000;
const coldSeconds = options.quick ? 8 : 15;
const root = resolve(options.dir);
/** Warm measures are taken as the best of this many passes (the machine is shared). */
const WARM_PASSES = 3;

function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

function runPhase<R extends PhaseResult>(parameters: PhaseParameters): Promise<R> {
  const profile = process.env.KESQUE_BENCH_CPU_PROF;
  const execArgv = ['--expose-gc'];
  if (profile) execArgv.push('--cpu-prof', `--cpu-prof-dir=${profile}`);
  return new Promise((resolvePhase, reject) => {
    // The child's stdout goes to our stderr: our stdout carries only the table and the JSON line.
    const child = fork(new URL('./phase.js', import.meta.url), [JSON.stringify(parameters)], {
      execArgv,
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    let result: PhaseResult | undefined;
    child.on('message', (message) => {
      result = message as PhaseResult;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (result !== undefined && result.phase === parameters.phase) resolvePhase(result as R);
      else
        reject(new Error(`${parameters.engine} ${parameters.phase} phase failed (exit ${code ?? signal})`));
    });
  });
}

async function measureState(engine: EngineName, dir: string): Promise<StateRun> {
  const common = { engine, dir, dataset, sync };
  const warm = await runPhase<WarmResult>({
    ...common,
    phase: 'warm',
    reads: warmReads,
    maxSeconds: warmSeconds,
    parallelReads: warmReads,
    threads: 2,
    passes: WARM_PASSES,
  });
  const pageCacheBytesAfterDrop = dropFromPageCache(dir);
  progress(`${engine}: dropped from the page cache (${pageCacheBytesAfterDrop} bytes still cached)`);
  const cold = await runPhase<ColdResult>({
    ...common,
    phase: 'cold',
    reads: coldReads,
    maxSeconds: coldSeconds,
  });
  return { warm, cold, diskBytes: diskBytes(dir), pageCacheBytesAfterDrop };
}

async function benchEngine(engine: EngineName): Promise<EngineFigures> {
  const dir = join(root, engine);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    progress(
      `${engine}: loading ${records} records in batches of ${batchSize}, fsync ${sync ? 'on' : 'off'}`,
    );
    const load = await runPhase<LoadResult>({ engine, dir, dataset, sync, phase: 'load', batchSize });
    const loaded = await measureState(engine, dir);
    if (engine !== 'level') return engineFigures(records, load, loaded);
    progress('level: compactRange over every key');
    const compact = await runPhase<CompactResult>({ engine, dir, dataset, sync, phase: 'compact' });
    const compacted = await measureState(engine, dir);
    return engineFigures(records, load, loaded, { compact, run: compacted });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const figures: Partial<Record<EngineName, EngineFigures>> = {};
try {
  for (const engine of engines) figures[engine] = await benchEngine(engine);
} finally {
  rmSync(root, { recursive: true, force: true });
}
const report = createReport(records, figures);
process.stdout.write(`${formatTable(report)}\n`);
if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
