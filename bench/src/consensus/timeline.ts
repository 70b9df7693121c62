// `node bench/dist/consensus/timeline.js <run dir>`: where each height's time went on each
// validator, from the node logs of a bench run made with KHIPU_LOG_LEVEL=debug (the consensus
// service then logs heightStarted, proposalAccepted, "proposal executed" with the importer's
// phases, every message sent, decided (the commit quorum), "decision stored" (its write), and GC
// pauses of 10 ms or more).
// A run dir is .bench-data/consensus/v4-bt1000-load200 (one validator-i directory per node).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One height on one validator, in milliseconds from its proposal's acceptance. */
export interface HeightTimeline {
  height: number;
  /** True when this validator proposed the deciding proposal. */
  proposer: boolean;
  /** Proposal accepted → decided, the commit quorum (what
   *  khipu_chain_consensus_proposal_to_finality_seconds observes). */
  finalityMs: number;
  /** Proposal executed (the importer's phases, wall ms), absent on the proposer. */
  executed?: { atMs: number; decode: number; execute: number; shards: number };
  prepareSentMs?: number;
  commitSentMs?: number;
  /** The decision's storage (block commit and the pool's update), after `finalityMs`. */
  storedMs?: number;
  /** GC pauses of 10 ms or more logged between acceptance and decision, summed. */
  gcMs: number;
  roundChanges: number;
}

interface LogLine {
  time: string;
  msg: string;
  component?: string;
  [key: string]: unknown;
}

/** Folds one validator's log lines (pino JSON, in order) into its heights that were decided
 *  after an accepted proposal. Lines that are not JSON or not the consensus service's are skipped. */
export function heightTimelines(lines: readonly string[]): HeightTimeline[] {
  const out: HeightTimeline[] = [];
  let current: (Omit<HeightTimeline, 'finalityMs'> & { acceptedAt?: number; address?: string }) | null = null;
  let address: string | undefined;
  let decided: HeightTimeline | null = null;
  for (const line of lines) {
    let e: LogLine;
    try {
      e = JSON.parse(line) as LogLine;
    } catch {
      continue;
    }
    if (e.component !== 'consensus') continue;
    if (e.msg === 'consensus started' && typeof e.address === 'string') address = e.address;
    const t = Date.parse(e.time);
    if (e.msg === 'heightStarted') {
      current = { height: Number(e.height), proposer: false, gcMs: 0, roundChanges: 0 };
      continue;
    }
    if (e.msg === 'decision stored') {
      if (decided && Number(e.height) === decided.height) decided.storedMs = Number(e.ms);
      decided = null;
      continue;
    }
    if (!current) continue;
    const at = current.acceptedAt;
    const since = at === undefined ? undefined : t - at;
    switch (e.msg) {
      case 'proposalAccepted':
        // The last accepted proposal is the deciding one (a round change brings another): the
        // steps of an earlier round are dropped.
        current.acceptedAt = t;
        current.proposer = e.proposer === address;
        delete current.executed;
        delete current.prepareSentMs;
        delete current.commitSentMs;
        break;
      case 'proposal executed':
        if (since !== undefined)
          current.executed = {
            atMs: since,
            decode: Number(e.decode),
            execute: Number(e.execute),
            shards: Number(e.shards),
          };
        break;
      case 'sent':
        if (since === undefined) break;
        if (e.type === 'prepare') current.prepareSentMs = since;
        if (e.type === 'commit') current.commitSentMs = since;
        break;
      case 'round change':
        current.roundChanges++;
        break;
      case 'gc':
        if (since !== undefined) current.gcMs += Number(e.ms);
        break;
      case 'decided':
        // Final at the commit quorum; the write that follows ("decision stored") is its own step.
        if (since !== undefined && Number(e.height) === current.height) {
          const { acceptedAt: _a, address: _d, ...rest } = current;
          decided = { ...rest, finalityMs: since };
          out.push(decided);
        }
        current = null;
        break;
    }
  }
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor(s.length / 2)] as number);
}

function main(dir: string): void {
  const all: (HeightTimeline & { validator: string })[] = [];
  for (const validator of readdirSync(dir).filter((d) => d.startsWith('validator-'))) {
    for (const f of readdirSync(join(dir, validator)).filter((n) => n.endsWith('.log'))) {
      const lines = readFileSync(join(dir, validator, f), 'utf8').split('\n');
      for (const h of heightTimelines(lines)) all.push({ ...h, validator });
    }
  }
  all.sort((a, b) => a.height - b.height || a.validator.localeCompare(b.validator));
  const fmt = (n: number | undefined) => (n === undefined ? '-' : String(Math.round(n)));
  console.log(
    'height validator role finality executed@(decode/execute/shards) prepare commit stored gc rounds',
  );
  for (const h of all) {
    const x = h.executed;
    console.log(
      [
        h.height,
        h.validator,
        h.proposer ? 'proposer' : 'validator',
        h.finalityMs,
        x ? `${x.atMs}(${x.decode}/${x.execute}/${x.shards})` : '-',
        fmt(h.prepareSentMs),
        fmt(h.commitSentMs),
        fmt(h.storedMs),
        h.gcMs,
        h.roundChanges,
      ].join(' '),
    );
  }
  const validators = all.filter((h) => h.executed);
  console.log(
    JSON.stringify({
      heights: all.length,
      finalityP50Ms: median(all.map((h) => h.finalityMs)),
      executedAtP50Ms: median(validators.map((h) => h.executed?.atMs ?? 0)),
      storedP50Ms: median(all.flatMap((h) => (h.storedMs === undefined ? [] : [h.storedMs]))),
      gcP50Ms: median(all.map((h) => h.gcMs)),
    }),
  );
}

const dir = process.argv[2];
if (import.meta.url === `file://${process.argv[1]}`) {
  if (!dir) {
    console.error('usage: node bench/dist/consensus/timeline.js <run dir with validator-i/node-*.log>');
    process.exit(2);
  }
  main(dir);
}
