// `node --expose-gc bench/dist/execution/cpuBudget.js [--rounds N] [--count N] [--workload W]
//   [--modes serial,lanes,unordered]`
//
// Where the CPU of one block goes, serial against 2 workers, measured per thread: on a shared,
// loaded 2-vCPU machine wall times swing by 2x between runs, but CPU time per thread does not.
// The modes run interleaved (serial, parallel, serial, …) in one process on one block validated
// from RLP from the same parent state, committed to Kesque as in main.ts. Thread CPU comes from
// /proc/self/task/<tid>/stat (Linux, 10 ms ticks: hence several rounds): the main thread (the
// coordinator), the two execution workers, and V8's platform threads (concurrent GC and
// compilation), which give the serial mode part of a second core for free.
import { readdirSync, readFileSync } from 'node:fs';
import { buildBlock, createExecutor, executeBlock } from '@khipu/execution';
import { COINBASE } from '@khipu/execution/testing';
import { createWorkload, WORKLOADS, type WorkloadName } from './workloads.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback;
};
const rounds = Number(option('--rounds', '6'));
// serial, parallel with the producer's lanes, parallel unordered (no lanes given).
type Mode = 'serial' | 'lanes' | 'unordered';
const MODES: readonly Mode[] = ['serial', 'lanes', 'unordered'];
const modes = option('--modes', 'serial,lanes').split(',') as Mode[];
if (!modes.every((m) => MODES.includes(m))) throw new Error(`--modes: some of ${MODES.join(', ')}`);
const count = Number(option('--count', '2000'));
const workloadName = option('--workload', 'transfers') as WorkloadName;
if (!WORKLOADS.includes(workloadName)) throw new Error(`--workload: one of ${WORKLOADS.join(', ')}`);
if (!(rounds > 0 && count > 0)) throw new Error('--rounds and --count take positive integers');

/** CPU ms per thread id, from the kernel's utime + stime (clock ticks of 10 ms). */
function threadCpu(): Map<string, number> {
  const cpu = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return cpu;
}

const workload = await createWorkload(workloadName, count);
const { world } = workload;
const serial = await createExecutor({ chainId: world.chainId, store: world.store, workers: 0 });
const beforeWorkers = new Set(threadCpu().keys());
const parallel = await createExecutor({ chainId: world.chainId, store: world.store, workers: 2 });
// The execution workers are the threads the parallel executor started (V8's platform threads
// exist from the start).
const workerThreads = new Set([...threadCpu().keys()].filter((tid) => !beforeWorkers.has(tid)));
const built = await buildBlock(parallel, {
  parent: world.genesis,
  transactions: workload.transactions,
  coinbase: COINBASE,
  timestamp: 2n,
  mode: 'parallel',
  commit: false,
});
const rlp = built.block.serialize();
interface Totals {
  wall: number[];
  main: number;
  workers: number;
  platform: number;
}
const totals = Object.fromEntries(
  modes.map((m) => [m, { wall: [], main: 0, workers: 0, platform: 0 }]),
) as unknown as Record<Mode, Totals>;

async function run(mode: Mode, record: boolean): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = threadCpu();
  const t = performance.now();
  await executeBlock(mode === 'serial' ? serial : parallel, {
    block: rlp,
    parentStateRoot: world.genesisRoot,
    mode: mode === 'serial' ? 'serial' : 'parallel',
    lanes: mode === 'lanes' ? built.lanes : undefined,
  });
  const wall = performance.now() - t;
  if (!record) return;
  const sum = totals[mode];
  sum.wall.push(wall);
  for (const [tid, ms] of threadCpu()) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === String(process.pid)) sum.main += used;
    else if (workerThreads.has(tid)) sum.workers += used;
    else sum.platform += used;
  }
}

for (let i = 0; i < 2; i++) for (const mode of modes) await run(mode, false);
for (let i = 0; i < rounds; i++) for (const mode of modes) await run(mode, true);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const perBlock = (ms: number) => Math.round(ms / rounds);
const report = Object.fromEntries(
  modes.map((mode) => {
    const s = totals[mode];
    return [
      mode,
      {
        wallMedianMs: Math.round(median(s.wall)),
        cpuMs: perBlock(s.main + s.workers + s.platform),
        mainMs: perBlock(s.main),
        workersMs: perBlock(s.workers),
        platformMs: perBlock(s.platform),
      },
    ];
  }),
);
// Wall of the first mode over each other mode, per round (the modes ran back to back).
const [base, ...others] = modes;
const baseWall = base === undefined ? [] : totals[base].wall;
const ratios = Object.fromEntries(
  others.map((mode) => {
    const perRound = baseWall.map((w, i) => Number((w / (totals[mode].wall[i] ?? w)).toFixed(3)));
    return [`${base}Over${mode[0]?.toUpperCase()}${mode.slice(1)}`, { median: median(perRound), perRound }];
  }),
);
console.log(
  JSON.stringify({
    workload: workloadName,
    transactions: built.block.transactions.length,
    rounds,
    ...report,
    wallRatios: ratios,
  }),
);
await serial.close();
await parallel.close();
await workload.close();
