// `npm run bench -- consensus [--quick] [--json]`: 4 and 7 validator processes on localhost
// (apps/chain's dist/main.js, fully meshed over TCP), under 200 ETH transfers per second
// (steadyLoad.ts). Per validator count:
// - at a 1 s block time: blocks per second, time from proposal to finality p50/p99 (the nodes'
//   khipu_chain_consensus_proposal_to_finality_seconds histograms, prometheus.ts: from a
//   validator accepting the proposal to its commit quorum), and to the final block stored and
//   served over RPC (khipu_chain_consensus_proposal_to_stored_seconds), consensus
//   messages and bytes per block (the nodes' khipu_chain_p2p_{messages_sent,sent_bytes}_total of
//   the consensus channel, libs/chain/src/p2p/trafficMetrics.ts), then the
//   stall when the next proposer is killed (SIGKILL): the gap between the last block before and
//   the first block after, seen by a surviving validator;
// - the smallest block time that holds (halving from 1 s while blocks keep their pace, every
//   height decides in round 0 and the load is mined) and its blocks per second.
// Writes its table into bench/RESULTS.md; with --json the last line of output is the result object.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  blockAt,
  createValidatorNet,
  headOf,
  type NetNode,
  sealsAt,
  type ValidatorNet,
} from '@khipu/chain-node/dist/testing/validatorNet.js';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { commitSpreads, watchHeads } from './headWatch.js';
import { cpuSecondsOf } from './processCpu.js';
import {
  addHistograms,
  counterOf,
  type Histogram,
  histogramDelta,
  histogramOf,
  quantileOf,
  shareAtMost,
} from './prometheus.js';
import { signTransfers, startSteadyLoad } from './steadyLoad.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');

const CHAIN_ID = 7788;
const TRANSFERS_PER_SECOND = 200;
const SENDERS = 200;
const GAS_PRICE = 100_000_000_000n;
/** `--name=value` of the command line, parsed by `parse`; undefined when absent. A value that
 *  does not parse ends the run with exit code 2 before anything starts. */
function option<T>(name: string, parse: (v: string) => T | null): T | undefined {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return undefined;
  const v = parse(raw);
  if (v === null) {
    console.error(`bench consensus: --${name}: cannot use "${raw}"`);
    process.exit(2);
  }
  return v;
}
const positiveInt = (v: string) => (/^[1-9]\d*$/.test(v) ? Number(v) : null);
/** Experiments (not the benchmark's own configuration: such a run leaves RESULTS.md alone):
 *  `--validators=4,7` and `--round-timeout-ms=N` (default: the node's, block time + 1 s). */
const VALIDATOR_COUNTS = option('validators', (v) => {
  const counts = v.split(',').map(positiveInt);
  return counts.every((c) => c !== null && c >= 4) ? (counts as number[]) : null;
}) ?? [4, 7];
const ROUND_TIMEOUT_MS = option('round-timeout-ms', positiveInt);
const experiment = args.some((a) => a.startsWith('--validators=') || a.startsWith('--round-timeout-ms='));
/** Block times tried, largest first; the search stops at the first that does not hold. */
const BLOCK_TIMES_MS = quick ? [1000, 500, 250] : [1000, 500, 250, 100];
const WARMUP_S = quick ? 4 : 10;
const MEASURE_S = quick ? 15 : 60;
/** Longest wait for the chain to produce again after the proposer is killed. */
const STALL_LIMIT_MS = 20_000;
/** A block time holds when blocks come at least this share of its nominal pace and the load is mined. */
const HOLD_SHARE = 0.9;

const FINALITY = 'khipu_chain_consensus_proposal_to_finality_seconds';
const HEIGHT_FINALITY = 'khipu_chain_consensus_finality_seconds';
const STORED = 'khipu_chain_consensus_proposal_to_stored_seconds';
const ROUND_CHANGES = 'khipu_chain_consensus_round_changes_total';

const key = (label: string) => `0x${createHash('sha256').update(label).digest('hex')}` as Hex;
const senderKeys = Array.from({ length: SENDERS }, (_, i) => key(`khipu consensus bench ${i}`));

function log(message: string): void {
  if (json) process.stderr.write(`${message}\n`);
  else console.log(message);
}

/** Every node process this run started; SIGKILLed on any exit, so none outlives the bench. */
const nets = new Set<ValidatorNet>();
function killAll(): void {
  for (const net of nets)
    for (const n of [...net.validators, ...net.followers]) {
      const child = n.process?.child;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scrape(node: NetNode): Promise<string> {
  if (!node.process) return '';
  return (await fetch(`${node.process.url}/metrics`)).text();
}

interface Snapshot {
  at: number;
  /** CPU seconds of all validator processes so far. */
  cpu: number;
  head: number;
  metrics: string[];
}

async function snapshot(net: ValidatorNet, observer: NetNode): Promise<Snapshot> {
  const [head, metrics] = await Promise.all([headOf(observer), Promise.all(net.validators.map(scrape))]);
  const cpu = net.validators.reduce((a, v) => a + cpuSecondsOf(v.process?.child.pid), 0);
  return { at: performance.now(), cpu, head, metrics };
}

/** What the validators wrote to each other on the consensus channel (every send to a peer counts). */
function consensusSent(texts: string[], name: string): number {
  const series = new RegExp(`^${name}\\{[^}]*channel="consensus"[^}]*\\} (\\S+)$`, 'gm');
  return texts.reduce((a, t) => a + [...t.matchAll(series)].reduce((n, m) => n + Number(m[1]), 0), 0);
}
const MESSAGES_SENT = 'khipu_chain_p2p_messages_sent_total';
const BYTES_SENT = 'khipu_chain_p2p_sent_bytes_total';

const sumHistogram = (texts: string[], name: string): Histogram =>
  addHistograms(texts.map((t) => histogramOf(t, name)));
const sumCounter = (texts: string[], name: string): number =>
  texts.reduce((a, t) => a + counterOf(t, name), 0);

/** Polls `node`'s head every 10 ms until it reaches `height`; the time it was first seen. */
async function seeHeight(node: NetNode, height: number, limitMs: number): Promise<number | null> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    if ((await headOf(node).catch(() => -1)) >= height) return performance.now();
    await sleep(10);
  }
  return null;
}

interface Stall {
  /** Between the observer seeing the last block before the kill and the first after it. */
  gapMs: number;
  /** From the kill to the first block after it. */
  killToBlockMs: number;
  /** The round the next block was decided in (1: one round change). */
  round: number;
  height: number;
}

/**
 * Waits for a new block h, kills the proposer of h + 1 (round 0: validators by address,
 * index (h + 1) mod n) before it builds, and times the next block on a survivor.
 * @throws Error when no block follows within STALL_LIMIT_MS.
 */
async function killNextProposer(net: ValidatorNet): Promise<Stall> {
  const sorted = [...net.validators].sort((a, b) =>
    a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1,
  );
  const watch = sorted[0] as NetNode;
  const h = (await headOf(watch)) + 1;
  const seenBefore = await seeHeight(watch, h, 10_000);
  if (seenBefore === null) throw new Error(`no block ${h} within 10 s before the kill`);
  const victim = sorted[(h + 1) % sorted.length] as NetNode;
  const killedAt = performance.now();
  await net.kill(victim);
  const observer = sorted.find((v) => v !== victim) as NetNode;
  const seenAfter = await seeHeight(observer, h + 1, STALL_LIMIT_MS);
  if (seenAfter === null)
    throw new Error(`no block after the proposer was killed within ${STALL_LIMIT_MS} ms`);
  return {
    gapMs: Math.round(seenAfter - seenBefore),
    killToBlockMs: Math.round(seenAfter - killedAt),
    round: (await sealsAt(observer, h + 1)).round,
    height: h + 1,
  };
}

interface RunParameters {
  validators: number;
  blockTimeMs: number;
  transactions: Hex[][];
  /** Transfers per second; 0: empty blocks (the consensus alone). */
  perSecond: number;
  /** Kill the next proposer after the measured window. */
  kill: boolean;
}

interface RunResult {
  validators: number;
  blockTimeMs: number;
  perSecond: number;
  /** Cores the validator processes used together in the window (the machine has 2, shared). */
  validatorCores: number;
  /** The machine's 1-minute load average at the end of the window. */
  loadAverage: number;
  blocksPerSecond: number;
  minedPerSecond: number;
  roundChanges: number;
  holds: boolean;
  finalityP50ms: number | null;
  finalityP99ms: number | null;
  /** Share of (node, height) finality observations at most 500 ms (a bucket bound: exact). */
  finalityShareUnder500ms: number | null;
  heightFinalityP50ms: number | null;
  /** Proposal accepted → the final block stored and served over RPC (finality plus its write). */
  storedP50ms: number | null;
  storedP99ms: number | null;
  messagesPerBlock: number;
  bytesPerBlock: number;
  /** Per height, from the first validator committing it to the last (headWatch.ts). */
  commitSpreadP50ms: number | null;
  commitSpreadP99ms: number | null;
  load: { sent: number; accepted: number; skipped: number; errors: string[] } | null;
  stall: Stall | null;
}

async function run({
  validators,
  blockTimeMs,
  transactions,
  perSecond,
  kill,
}: RunParameters): Promise<RunResult> {
  const dir = join(root, '.bench-data', 'consensus', `v${validators}-bt${blockTimeMs}-load${perSecond}`);
  rmSync(dir, { recursive: true, force: true });
  const net = await createValidatorNet({
    dir,
    validators,
    chainId: CHAIN_ID,
    blockTimeMs,
    // The node's default (block time + 1 s), spelled out because the helper always sets it.
    roundTimeoutMs: ROUND_TIMEOUT_MS ?? blockTimeMs + 1000,
    alloc: Object.fromEntries(
      senderKeys.map((k) => [privateKeyToAccount(k).address, { balance: (10n ** 24n).toString() }]),
    ),
  });
  nets.add(net);
  try {
    await Promise.all(net.validators.map((v) => net.start(v)));
    const watch = net.validators[0] as NetNode;
    if ((await seeHeight(watch, 2, 60_000)) === null) throw new Error('the chain did not start within 60 s');
    const heads = await watchHeads(net.validators.map((v) => v.process?.wsUrl ?? ''));
    const load =
      perSecond > 0
        ? startSteadyLoad({
            transactions,
            perSecond,
            urlOf: (sender) => net.validators[sender % validators]?.process?.url ?? null,
          })
        : null;
    try {
      await sleep(WARMUP_S * 1000);
      const before = await snapshot(net, watch);
      await sleep(MEASURE_S * 1000);
      const after = await snapshot(net, watch);
      const blocks = after.head - before.head;
      let mined = 0;
      for (let n = before.head + 1; n <= after.head; n++) {
        const b = (await blockAt(watch, n)) as { transactions?: unknown[] } | null;
        mined += b?.transactions?.length ?? 0;
      }
      const seconds = (after.at - before.at) / 1000;
      const finality = histogramDelta(
        sumHistogram(after.metrics, FINALITY),
        sumHistogram(before.metrics, FINALITY),
      );
      const stored = histogramDelta(
        sumHistogram(after.metrics, STORED),
        sumHistogram(before.metrics, STORED),
      );
      const heightFinality = histogramDelta(
        sumHistogram(after.metrics, HEIGHT_FINALITY),
        sumHistogram(before.metrics, HEIGHT_FINALITY),
      );
      const roundChanges =
        sumCounter(after.metrics, ROUND_CHANGES) - sumCounter(before.metrics, ROUND_CHANGES);
      const messages =
        consensusSent(after.metrics, MESSAGES_SENT) - consensusSent(before.metrics, MESSAGES_SENT);
      const bytes = consensusSent(after.metrics, BYTES_SENT) - consensusSent(before.metrics, BYTES_SENT);
      const spreads = commitSpreads(heads.arrivals, before.head + 1, after.head, validators);
      const spreadAt = (q: number) =>
        spreads.length === 0
          ? null
          : Math.round(spreads[Math.min(spreads.length - 1, Math.floor(q * spreads.length))] ?? 0);
      const blocksPerSecond = blocks / seconds;
      const minedPerSecond = mined / seconds;
      const ms = (s: number | null) => (s === null ? null : Math.round(s * 1000));
      const result: RunResult = {
        validators,
        blockTimeMs,
        perSecond,
        validatorCores: Number(((after.cpu - before.cpu) / seconds).toFixed(2)),
        loadAverage: Number((loadavg()[0] ?? 0).toFixed(1)),
        blocksPerSecond: Number(blocksPerSecond.toFixed(2)),
        minedPerSecond: Math.round(minedPerSecond),
        roundChanges,
        holds:
          blocksPerSecond >= (HOLD_SHARE * 1000) / blockTimeMs &&
          roundChanges === 0 &&
          minedPerSecond >= HOLD_SHARE * perSecond,
        finalityP50ms: ms(quantileOf(finality, 0.5)),
        finalityP99ms: ms(quantileOf(finality, 0.99)),
        finalityShareUnder500ms: shareAtMost(finality, 0.5),
        heightFinalityP50ms: ms(quantileOf(heightFinality, 0.5)),
        storedP50ms: ms(quantileOf(stored, 0.5)),
        storedP99ms: ms(quantileOf(stored, 0.99)),
        messagesPerBlock: blocks > 0 ? Math.round(messages / blocks) : 0,
        bytesPerBlock: blocks > 0 ? Math.round(bytes / blocks) : 0,
        commitSpreadP50ms: spreadAt(0.5),
        commitSpreadP99ms: spreadAt(0.99),
        load: load?.stats() ?? null,
        stall: kill ? await killNextProposer(net) : null,
      };
      return result;
    } finally {
      await load?.stop();
      heads.close();
    }
  } finally {
    await net.stopAll();
    nets.delete(net);
  }
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : String(v));

function updateResults(table: string): void {
  const path = join(root, 'bench', 'RESULTS.md');
  const start = '<!-- consensus:start -->';
  const end = '<!-- consensus:end -->';
  const section = `${start}\n${table}\n${end}`;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) text = text.slice(0, a) + section + text.slice(b + end.length);
  else if (text.includes('\n## Consensus\n'))
    text = text.replace('\n## Consensus\n', `\n## Consensus\n\n${section}\n`);
  else text = `${text.trimEnd()}\n\n## Consensus\n\n${section}\n`;
  writeFileSync(path, text);
}

async function main(): Promise<void> {
  const perSender = Math.ceil(((WARMUP_S + MEASURE_S) * TRANSFERS_PER_SECOND) / SENDERS) + 30;
  log(`signing ${perSender * SENDERS} transfers from ${SENDERS} senders`);
  const transactions = await signTransfers({
    keys: senderKeys,
    chainId: CHAIN_ID,
    perSender,
    gasPrice: GAS_PRICE,
  });
  mkdirSync(join(root, '.bench-data', 'consensus'), { recursive: true });
  const summary: Record<string, Record<string, unknown>> = {};
  const rows: string[] = [];
  const row = (r: RunResult) =>
    `| ${r.validators} | ${r.perSecond} | ${r.blocksPerSecond} | ${r.minedPerSecond} | ${fmt(r.finalityP50ms)} | ${fmt(r.finalityP99ms)} | ${r.finalityShareUnder500ms === null ? 'n/a' : `${(r.finalityShareUnder500ms * 100).toFixed(0)}%`} | ${fmt(r.storedP50ms)} / ${fmt(r.storedP99ms)} | ${fmt(r.heightFinalityP50ms)} | ${r.roundChanges} | ${r.messagesPerBlock} | ${r.bytesPerBlock} | ${fmt(r.commitSpreadP50ms)} / ${fmt(r.commitSpreadP99ms)} | ${fmt(r.stall?.gapMs)} (kill → block ${fmt(r.stall?.killToBlockMs)}, round ${fmt(r.stall?.round)}) | ${r.validatorCores} (${r.loadAverage}) |`;
  const searches: string[] = [];
  for (const validators of VALIDATOR_COUNTS) {
    log(`${validators} validators, block time 1000 ms, empty blocks`);
    const empty = await run({ validators, blockTimeMs: 1000, transactions, perSecond: 0, kill: true });
    log(JSON.stringify(empty));
    rows.push(row(empty));
    let atOneSecond: RunResult | null = null;
    let smallest: RunResult | null = null;
    const tried: string[] = [];
    for (const blockTimeMs of BLOCK_TIMES_MS) {
      log(`${validators} validators, block time ${blockTimeMs} ms, ${TRANSFERS_PER_SECOND} transfers/s`);
      const r = await run({
        validators,
        blockTimeMs,
        transactions,
        perSecond: TRANSFERS_PER_SECOND,
        kill: blockTimeMs === 1000,
      });
      log(JSON.stringify(r));
      tried.push(
        `${blockTimeMs} ms: ${r.blocksPerSecond} blocks/s, ${r.minedPerSecond} tx/s, ${r.roundChanges} round changes (${r.holds ? 'holds' : 'does not hold'})`,
      );
      if (blockTimeMs === 1000) {
        atOneSecond = r;
        rows.push(row(r));
      }
      if (!r.holds) break;
      smallest = r;
    }
    if (!atOneSecond) throw new Error('no run at a 1 s block time');
    const a = atOneSecond;
    searches.push(
      `- ${validators} validators under ${TRANSFERS_PER_SECOND} transfers/s: smallest block time that holds: ${smallest ? `${smallest.blockTimeMs} ms (${smallest.blocksPerSecond} blocks/s)` : 'none of those tried'}; tried ${tried.join('; ')}.`,
    );
    summary[`validators${validators}`] = {
      finalityP50ms: a.finalityP50ms,
      finalityP99ms: a.finalityP99ms,
      storedP50ms: a.storedP50ms,
      storedP99ms: a.storedP99ms,
      stallAfterProposerKillMs: a.stall?.gapMs ?? null,
      messagesPerBlock: a.messagesPerBlock,
      bytesPerBlock: a.bytesPerBlock,
      blocksPerSecond: a.blocksPerSecond,
      smallestBlockTimeMs: smallest?.blockTimeMs ?? null,
      blocksPerSecondAtSmallest: smallest?.blocksPerSecond ?? null,
      emptyBlocks: {
        finalityP50ms: empty.finalityP50ms,
        finalityP99ms: empty.finalityP99ms,
        stallAfterProposerKillMs: empty.stall?.gapMs ?? null,
        messagesPerBlock: empty.messagesPerBlock,
        bytesPerBlock: empty.bytesPerBlock,
      },
    };
  }
  const table = [
    `### consensus bench (${quick ? '--quick, ' : ''}block time 1 s, round timeout ${ROUND_TIMEOUT_MS ?? 'block time + 1 s (default)'}, ${WARMUP_S} s warm-up then ${MEASURE_S} s measured per run, transfers from ${SENDERS} senders, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    '| validators | load tx/s | blocks/s | mined tx/s | proposal → finality p50 ms | p99 ms | ≤ 500 ms | proposal → stored p50 / p99 ms | height start → finality p50 ms | round changes | messages/block | bytes/block | commit spread p50 / p99 ms | stall after proposer kill ms | validator cores (load avg) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...searches,
  ].join('\n');
  if (!experiment) updateResults(table);
  log(table);
  console.log(JSON.stringify(summary));
}

main().catch((e) => {
  console.error(`bench consensus: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  killAll();
  process.exit(1);
});
