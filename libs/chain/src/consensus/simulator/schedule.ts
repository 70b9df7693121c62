// Schedules: everything that varies between simulated runs, as plain data, so that a failing run
// can be printed, shrunk and replayed. Faults before global stabilization time (GST): drops,
// long delays (which reorder), partitions, crashes with restarts. After GST the network delivers
// every message within `maxDelayAfterGst` and only the byzantine and permanently crashed nodes
// (together at most f) misbehave.
import { maxFaulty } from '../quorum.js';
import { createPrng } from './prng.js';

/** What a byzantine node does besides running the protocol. */
export type ByzantineBehaviour =
  /** Sends one proposal to some validators and a conflicting one to the others. */
  | 'equivocateProposal'
  /** Sends conflicting prepares and commits (with valid seals) to different validators. */
  | 'equivocateVotes'
  /** Sends random bytes and corrupted encodings of its messages. */
  | 'garbage'
  /** Drops each of its messages with probability 1/2. */
  | 'silent'
  /** Sends round changes claiming a prepared block without a valid certificate. */
  | 'fakeRoundChange'
  /** Proposes blocks that do not validate. */
  | 'invalidBlock';

export const BYZANTINE_BEHAVIOURS: readonly ByzantineBehaviour[] = [
  'equivocateProposal',
  'equivocateVotes',
  'garbage',
  'silent',
  'fakeRoundChange',
  'invalidBlock',
];

export interface Crash {
  node: number;
  at: number;
  /** Null: the node never comes back (it counts as faulty). */
  restartAt: number | null;
}

export interface Partition {
  from: number;
  to: number;
  /** Group of each node; messages between groups are lost while the partition lasts. */
  groups: number[];
}

/**
 * Validator-set changes: epoch e holds heights e·length … (e+1)·length − 1 and is sealed by the
 * nodes `sets[e]` (the last entry for every later epoch), as validatorSchedule.ts fixes it.
 */
export interface EpochSets {
  length: number;
  sets: number[][];
}

export interface Schedule {
  /** Drives the network's delays and drops and the blocks' contents. */
  seed: number;
  /** Nodes in the run; with `epochs`, some of them follow the chain outside the current set. */
  validators: number;
  /** Omitted: every node validates every height. */
  epochs?: EpochSets;
  /** Voting power per node (stake, as on the hub); omitted: one vote each. */
  stakes?: number[];
  byzantine: { node: number; behaviours: ByzantineBehaviour[] }[];
  crashes: Crash[];
  partitions: Partition[];
  /** Probability that a message is lost before GST. */
  dropRate: number;
  /** Message delays are uniform in [1, max] ms, before and after GST. */
  maxDelayBeforeGst: number;
  maxDelayAfterGst: number;
  gst: number;
  /** Liveness: every live honest node decides this many heights past the highest decided at GST. */
  heightsAfterGst: number;
  timeouts: { baseMs: number; maxMs: number };
  /** Time to build a block and to validate one. */
  buildMs: number;
  validateMs: number;
}

export interface GenerateScheduleOptions {
  /** Force the validator count (default: 4 or 7). */
  validators?: number;
  /** Force set changes on (true) or off (false); default one schedule in four. */
  epochs?: boolean;
}

/** A random small schedule from `seed`. */
export function generateSchedule(seed: number, options: GenerateScheduleOptions = {}): Schedule {
  const r = createPrng(seed ^ 0x5eed_c0de);
  const n = options.validators ?? (r.chance(0.8) ? 4 : 7);
  const f = maxFaulty(n);
  const nodes = Array.from({ length: n }, (_, i) => i);
  // Shuffle, then hand out roles: byzantine, permanently crashed, crash-and-restart, plain honest.
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  const gst = r.chance(0.15) ? 0 : r.between(50, 400);
  const byzCount = r.int(f + 1);
  const deadCount = r.int(f - byzCount + 1);
  const byzantine = nodes.slice(0, byzCount).map((node) => ({
    node,
    behaviours: BYZANTINE_BEHAVIOURS.filter(() => r.chance(0.4)),
  }));
  const crashes: Crash[] = nodes
    .slice(byzCount, byzCount + deadCount)
    .map((node) => ({ node, at: r.between(0, gst + 200), restartAt: null }));
  // One schedule in five weighs votes by stake; the faulty then hold less than 1/3 of it.
  const stakes = r.chance(0.2) ? nodes.map(() => r.between(1, 4)) : undefined;
  if (stakes) {
    const total = stakes.reduce((a, b) => a + b, 0);
    const bound = Math.floor((total - 1) / 3);
    const faultyPower = () =>
      [...byzantine.map((b) => b.node), ...crashes.map((c) => c.node)].reduce((a, i) => a + stakes[i]!, 0);
    while (faultyPower() > bound) {
      if (crashes.length > 0) crashes.pop();
      else byzantine.pop();
    }
  }
  if (gst > 0) {
    for (const node of nodes.slice(byzCount + deadCount)) {
      if (!r.chance(0.25)) continue;
      const at = r.between(0, gst - 1);
      crashes.push({ node, at, restartAt: r.between(at + 1, gst) });
    }
  }
  const partitions: Partition[] = [];
  const partitionCount = gst > 0 ? r.int(3) : 0;
  for (let i = 0; i < partitionCount; i++) {
    const from = r.between(0, gst - 1);
    partitions.push({
      from,
      to: r.between(from + 1, gst),
      groups: Array.from({ length: n }, () => r.int(2)),
    });
  }
  const base: Schedule = {
    seed: seed >>> 0,
    validators: n,
    ...(stakes ? { stakes } : {}),
    byzantine,
    crashes,
    partitions,
    dropRate: gst > 0 ? r.pick([0, 0.05, 0.2, 0.4]) : 0,
    maxDelayBeforeGst: r.pick([5, 20, 60, 150]),
    maxDelayAfterGst: r.pick([2, 5, 10]),
    gst,
    heightsAfterGst: 2,
    timeouts: { baseMs: 50, maxMs: 400 },
    buildMs: r.between(1, 5),
    validateMs: r.between(1, 5),
  };
  // Drawn from a PRNG of their own, so schedules without set changes stay what they were.
  const e = createPrng(seed ^ 0x0e90_c4a5);
  return (options.epochs ?? e.chance(0.25)) ? withSetChanges(base, e) : base;
}

/**
 * Adds one honest node outside the genesis set and changes the set every 2 or 3 heights: each
 * epoch one member leaves and the node outside joins, so nodes take turns following and
 * validating. Faults are dropped until the faulty hold less than 1/3 of every set's power.
 */
function withSetChanges(s: Schedule, r: ReturnType<typeof createPrng>): Schedule {
  const n = s.validators;
  const spare = n;
  const sets: number[][] = [Array.from({ length: n }, (_, i) => i)];
  let outside = spare;
  for (let epoch = 1; epoch < 4; epoch++) {
    const previous = sets[epoch - 1]!;
    const leaving = previous[r.int(n)]!;
    sets.push([...previous.filter((x) => x !== leaving), outside].sort((a, b) => a - b));
    outside = leaving;
  }
  const stakes = s.stakes ? [...s.stakes, r.between(1, 4)] : undefined;
  const length = r.between(2, 3);
  const out: Schedule = {
    ...s,
    validators: n + 1,
    epochs: { length, sets },
    // Liveness then spans at least one change of set.
    heightsAfterGst: Math.max(s.heightsAfterGst, length + 1),
    ...(stakes ? { stakes } : {}),
    byzantine: [...s.byzantine],
    crashes: [...s.crashes],
  };
  while (!faultsBoundedInEverySet(out)) {
    const permanent = out.crashes.findLastIndex((c) => c.restartAt === null);
    if (permanent >= 0) out.crashes.splice(permanent, 1);
    else out.byzantine.pop();
  }
  return out;
}

/** The nodes of the set sealing `height`. */
export function setNodesAt(s: Schedule, height: number): number[] {
  if (!s.epochs) return Array.from({ length: s.validators }, (_, i) => i);
  const sets = s.epochs.sets;
  return sets[Math.min(Math.floor(height / s.epochs.length), sets.length - 1)]!;
}

/** Every set of `s` (one when the set never changes). */
export function allSets(s: Schedule): number[][] {
  return s.epochs ? s.epochs.sets : [setNodesAt(s, 0)];
}

/** True when the faulty nodes hold less than 1/3 of the voting power of every set. */
export function faultsBoundedInEverySet(s: Schedule): boolean {
  const faulty = faultyNodes(s);
  return allSets(s).every((set) => {
    const total = set.reduce((a, i) => a + stakeOf(s, i), 0);
    const bad = set.filter((i) => faulty.has(i)).reduce((a, i) => a + stakeOf(s, i), 0);
    return bad <= Math.floor((total - 1) / 3);
  });
}

/** Voting power of node `i` in `s`. */
export function stakeOf(s: Schedule, i: number): number {
  return s.stakes?.[i] ?? 1;
}

/** Node indices that are faulty in `s`: byzantine or crashed for good. */
export function faultyNodes(s: Schedule): Set<number> {
  const out = new Set<number>(s.byzantine.map((b) => b.node));
  for (const c of s.crashes) if (c.restartAt === null) out.add(c.node);
  return out;
}
