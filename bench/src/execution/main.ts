// `npm run bench -- execution [--quick] [--json] [--workers N] [--workload transfers|erc20|amm]
//   [--rounds N]`
//
// Validates one block of each workload (transfers, ERC-20 with hot recipients, AMM) from RLP,
// with sender recovery, state root and commit included, six ways from the same parent state:
// stock @ethereumjs/vm runBlock (README set-up, fee pool credited after), our serial executor, our
// parallel executor with 1 worker and with N workers (default 2) following the producer's lanes,
// N workers unordered (the executor may group calls to contracts it learned to be contended), and
// N workers unordered with no history (every run judged afresh by the workers' contention probe:
// what a validator sees on its first block). State lives in Kesque (fsync per block batch). Ours:
// after a warm-up of each, the five modes run interleaved, one after another in each round, so
// that a load change on the shared machine hits every mode alike; each row is the median of its
// rounds, and each parallel mode is also judged against serial by the median of its per-round
// ratios (serial ms / parallel ms of the same round). Stock (an order of magnitude slower): one
// run after a warm-up. Prints a table per workload and, with --json, one JSON object as the very
// last line.
import { availableParallelism } from 'node:os';
import {
  buildBlock,
  createExecutor,
  type ExecuteBlockReturnType,
  type Executor,
  executeBlock,
  type PhaseTimes,
} from '@khipu/execution';
import { COINBASE, runStockBlock } from '@khipu/execution/testing';
import { createWorkload, WORKLOADS, type WorkloadName } from './workloads.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const workersArg = args.indexOf('--workers');
const workers = workersArg >= 0 ? Number(args[workersArg + 1]) : 2;
const workloadArg = args.indexOf('--workload');
const only = workloadArg >= 0 ? (args[workloadArg + 1] as WorkloadName) : undefined;
if (only !== undefined && !WORKLOADS.includes(only))
  throw new Error(`--workload: one of ${WORKLOADS.join(', ')}`);
const count = quick ? 1000 : 2000;
const roundsArg = args.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : quick ? 3 : 5;

const log = (...parts: unknown[]) => {
  if (!json) console.log(...parts);
  else console.error(...parts);
};

interface Measured {
  ms: number;
  gas: bigint;
  txs: number;
  stats?: ExecuteBlockReturnType['stats'];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function medianRun(runs: Measured[]): Measured {
  const ms = median(runs.map((r) => r.ms));
  return runs.find((r) => r.ms === ms) ?? (runs[0] as Measured);
}

async function measure(run: () => Promise<Measured>, times: number): Promise<Measured> {
  await run(); // warm-up (JIT)
  const runs: Measured[] = [];
  for (let i = 0; i < times; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    runs.push(await run());
  }
  return medianRun(runs);
}

/** Runs every mode once per round, in turn, after a warm-up of each: the median run of each
 *  mode, and every run by round. */
async function interleaved<K extends string>(
  modes: Record<K, () => Promise<Measured>>,
  times: number,
): Promise<{ medians: Record<K, Measured>; byRound: Record<K, Measured[]> }> {
  const names = Object.keys(modes) as K[];
  for (const name of names) await modes[name]();
  const byRound = Object.fromEntries(names.map((name) => [name, [] as Measured[]])) as Record<K, Measured[]>;
  for (let i = 0; i < times; i++) {
    for (const name of names) {
      (globalThis as { gc?: () => void }).gc?.();
      byRound[name].push(await modes[name]());
    }
  }
  const medians = Object.fromEntries(names.map((name) => [name, medianRun(byRound[name])])) as Record<
    K,
    Measured
  >;
  return { medians, byRound };
}

/** Speed of `runs` over `base`, round by round (same gas: base ms / run ms), and their median. */
function roundRatios(base: Measured[], runs: Measured[]): { median: number; perRound: number[] } {
  const perRound = runs.map((r, i) => Number(((base[i]?.ms ?? r.ms) / r.ms).toFixed(3)));
  return { median: median(perRound), perRound };
}

const mgas = (m: Measured) => Number(m.gas) / 1e6 / (m.ms / 1000);
const tps = (m: Measured) => m.txs / (m.ms / 1000);
const fmt = (n: number, d = 1) => n.toFixed(d);

function phases(p: PhaseTimes | undefined): string {
  if (p === undefined) return '';
  return `decode ${fmt(p.decode, 0)} · recovery ${fmt(p.recovery, 0)} · parallel ${fmt(p.parallel, 0)} · merge ${fmt(p.merge, 0)} · re-runs ${fmt(p.reruns, 0)} · root ${fmt(p.stateRoot, 0)} · commit ${fmt(p.commit, 0)} ms`;
}

async function benchWorkload(name: WorkloadName) {
  const workload = await createWorkload(name, count);
  const { world } = workload;
  const serialExecutor = await createExecutor({ chainId: world.chainId, store: world.store, workers: 0 });
  const one = await createExecutor({ chainId: world.chainId, store: world.store, workers: 1 });
  const many = await createExecutor({ chainId: world.chainId, store: world.store, workers });
  const fresh = await createExecutor({
    chainId: world.chainId,
    store: world.store,
    workers,
    learnContention: false,
  });
  try {
    const built = await buildBlock(many, {
      parent: world.genesis,
      transactions: workload.transactions,
      coinbase: COINBASE,
      timestamp: 2n,
      mode: 'parallel',
      commit: false,
    });
    if (built.skipped.length > 0)
      throw new Error(`producer skipped ${built.skipped.length}: ${built.skipped[0]?.reason}`);
    const rlp = built.block.serialize();
    const parentStateRoot = world.genesisRoot;
    const ours =
      (executor: Executor, mode: 'serial' | 'parallel', lanes?: number[][]) =>
      async (): Promise<Measured> => {
        const t = performance.now();
        const r = await executeBlock(executor, { block: rlp, parentStateRoot, mode, lanes });
        return { ms: performance.now() - t, gas: r.gasUsed, txs: r.receipts.length, stats: r.stats };
      };
    const stock = await measure(async () => {
      const t = performance.now();
      const r = await runStockBlock({
        store: world.store,
        chainId: world.chainId,
        rlp,
        parentStateRoot,
        commit: true,
      });
      return { ms: performance.now() - t, gas: r.gasUsed, txs: r.receipts.length };
    }, 1);
    const { medians, byRound } = await interleaved(
      {
        serial: ours(serialExecutor, 'serial'),
        parallel1: ours(one, 'parallel', built.lanes),
        parallel: ours(many, 'parallel', built.lanes),
        unordered: ours(many, 'parallel'),
        cold: ours(fresh, 'parallel'),
      },
      rounds,
    );
    const { serial, parallel1, parallel, unordered, cold } = medians;
    const ratios = {
      lanes: roundRatios(byRound.serial, byRound.parallel),
      unordered: roundRatios(byRound.serial, byRound.unordered),
      noHistory: roundRatios(byRound.serial, byRound.cold),
    };
    const rows: [string, Measured][] = [
      ['stock runBlock', stock],
      ['serial', serial],
      ['parallel 1 worker, lanes', parallel1],
      [`parallel ${workers} workers, lanes`, parallel],
      [`parallel ${workers} workers, unordered`, unordered],
      [`parallel ${workers} w, unordered, no history`, cold],
    ];
    log(
      `\n${name}: ${built.block.transactions.length} txs, ${built.gasUsed} gas, ${built.lanes.length} lanes`,
    );
    log(
      `  ${workers} workers over serial, median of per-round ratios: lanes ${fmt(ratios.lanes.median, 3)}×, unordered ${fmt(ratios.unordered.median, 3)}×, no history ${fmt(ratios.noHistory.median, 3)}× (lanes by round: ${ratios.lanes.perRound.join(', ')})`,
    );
    for (const [label, m] of rows) {
      const s = m.stats;
      log(
        `  ${label.padEnd(30)} ${fmt(mgas(m)).padStart(6)} Mgas/s ${fmt(tps(m), 0).padStart(6)} tx/s ${fmt(m.ms, 0).padStart(6)} ms` +
          (s
            ? `  parallelism ${fmt(s.parallelism * 100)}% re-runs ${s.reruns}${s.fallback ? ' FALLBACK' : ''} ran ${s.scheduled}${s.contentionDetected ? ' (contention detected)' : ''}${s.lanesLearned ? ' (learned lanes)' : ''}${s.rootInWorkers ? ' (root in workers)' : ''}\n      ${phases(s.phases)}`
            : ''),
      );
    }
    return {
      stockMgas: Number(fmt(mgas(stock), 2)),
      serialMgas: Number(fmt(mgas(serial), 2)),
      parallel1Mgas: Number(fmt(mgas(parallel1), 2)),
      parallelMgas: Number(fmt(mgas(parallel), 2)),
      parallelUnorderedMgas: Number(fmt(mgas(unordered), 2)),
      parallelUnorderedNoHistoryMgas: Number(fmt(mgas(cold), 2)),
      /** 2 workers with lanes, and unordered with no history, over our serial mode: medians of
       *  the per-round ratios (the modes ran interleaved), the fair comparison on a shared machine. */
      parallelOverSerial: ratios.lanes.median,
      noHistoryOverSerial: ratios.noHistory.median,
      /** Every parallel mode over serial, round by round. */
      ratios,
      /** How each parallel run actually ran ('serial' when the executor chose to). */
      scheduled: {
        lanes: parallel.stats?.scheduled,
        unordered: unordered.stats?.scheduled,
        noHistory: cold.stats?.scheduled,
      },
      contentionDetected: cold.stats?.contentionDetected ?? false,
      lanesLearned: unordered.stats?.lanesLearned ?? false,
      rootInWorkers: parallel.stats?.rootInWorkers ?? false,
      parallelism: Number(fmt(unordered.stats?.parallelism ?? 0, 4)),
      parallelismOrdered: Number(fmt(parallel.stats?.parallelism ?? 0, 4)),
      reruns: unordered.stats?.reruns ?? 0,
      rerunsOrdered: parallel.stats?.reruns ?? 0,
      txs: built.block.transactions.length,
      gas: Number(built.gasUsed),
      crypto: serial.stats?.crypto,
    };
  } finally {
    await Promise.all([serialExecutor.close(), one.close(), many.close(), fresh.close()]);
    await workload.close();
  }
}

const results: Record<string, Awaited<ReturnType<typeof benchWorkload>>> = {};
log(
  `execution benchmark: ${count} txs per block, ${rounds} interleaved rounds after a warm-up, ${workers} workers, ${availableParallelism()} cores`,
);
for (const name of only === undefined ? WORKLOADS : [only]) results[name] = await benchWorkload(name);
const output = { workloads: results, cores: availableParallelism(), workers, txsPerBlock: count, rounds };
if (json) console.log(JSON.stringify(output));
