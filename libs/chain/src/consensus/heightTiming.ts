// When a height's proposer builds and when its round 0 gives up, timed from one reference that
// every validator shares: the moment the parent's deciding proposal went out (its proposer) or
// came in (everyone else), a few ms apart on a healthy network. Timing from each validator's own
// commit instead (what the node did before) made the block period block time + build +
// consensus + commit, and a validator slow to commit the parent proposed late while the others'
// round-0 timers, started from their earlier commits, ran out first: a round change per such
// height. QBFT in Besu likewise times the block period from the parent block.
import { proposerOf } from './proposer.js';
import type { Address } from './types.js';

/**
 * When the proposer of the next height starts building: early enough that its proposal goes out
 * a block time after the parent's, by its own last build time (at most half the block time, so a
 * slow build never turns into blocks faster than the block time allows).
 */
export function buildAtMs(parentProposedAtMs: number, blockTimeMs: number, lastBuildMs = 0): number {
  return parentProposedAtMs + blockTimeMs - Math.min(Math.max(0, lastBuildMs), blockTimeMs / 2);
}

export interface RoundZeroTimerParameters {
  /** When the parent's deciding proposal was seen (the height's reference). */
  parentProposedAtMs: number;
  nowMs: number;
  /** Round 0's timeout (the engine's), which counts the block time the proposer waits. */
  roundTimeoutMs: number;
  blockTimeMs: number;
}

/**
 * How long round 0's timer runs from now: until the round timeout after the shared reference, so
 * every validator gives up at about the same moment however late it committed the parent. A
 * validator that starts the height later than that still gives the proposal what it needs after
 * the block time (the round timeout less the block time, at least a quarter of the timeout)
 * rather than asking for a round change the moment it starts.
 */
export function roundZeroTimerMs(p: RoundZeroTimerParameters): number {
  return Math.max(
    proposalAllowanceMs(p.roundTimeoutMs, p.blockTimeMs),
    Math.ceil(p.parentProposedAtMs + p.roundTimeoutMs - p.nowMs),
  );
}

/** What a round's timeout leaves a proposal after the block time: the timeout less the block
 *  time, at least a quarter of the timeout. */
export function proposalAllowanceMs(roundTimeoutMs: number, blockTimeMs: number): number {
  return Math.max(roundTimeoutMs - blockTimeMs, Math.ceil(roundTimeoutMs / 4));
}

/** How long the votes of a round get at least once this validator has its block built or
 *  validated, when the round's timer expired meanwhile (roundTimer.ts): half the proposal
 *  allowance. */
export function afterBlockWorkGraceMs(roundTimeoutMs: number, blockTimeMs: number): number {
  return Math.ceil(proposalAllowanceMs(roundTimeoutMs, blockTimeMs) / 2);
}

/** Heights ahead of the last one taken, and rounds, a proposal clock remembers (as the engine buffers). */
const HEIGHTS_AHEAD = 4;
const ROUNDS = 64;

/**
 * When each proposal was first seen, by (height, round), so that the decided one becomes the next
 * height's reference. Only the round's proposer is believed: another validator's message cannot
 * move the pace. Bounded: heights up to 4 ahead, rounds below 64.
 */
export interface ProposalClock {
  /** Notes a proposal by `sender` for (height, round) seen at `atMs`; later sightings keep the first. */
  seen(height: number, round: number, sender: Address, atMs: number): void;
  /** The time the proposal of (height, round) was first seen, or undefined; forgets `height` and below. */
  take(height: number, round: number): number | undefined;
}

export function createProposalClock(
  validatorsAt: (height: number) => readonly Address[],
  /** The first height the clock is for (the driver's start height). */
  firstHeight: number,
): ProposalClock {
  const firstSeen = new Map<string, number>();
  const keyOf = (height: number, round: number) => `${height}/${round}`;
  let forgottenUpTo = firstHeight - 1;
  return {
    seen(height, round, sender, atMs) {
      if (height <= forgottenUpTo || height > forgottenUpTo + HEIGHTS_AHEAD) return;
      if (!Number.isInteger(round) || round < 0 || round >= ROUNDS) return;
      if (proposerOf(validatorsAt(height), height, round) !== sender) return;
      const key = keyOf(height, round);
      if (!firstSeen.has(key)) firstSeen.set(key, atMs);
    },
    take(height, round) {
      const at = firstSeen.get(keyOf(height, round));
      forgottenUpTo = Math.max(forgottenUpTo, height);
      for (const key of firstSeen.keys()) {
        if (Number(key.slice(0, key.indexOf('/'))) <= forgottenUpTo) firstSeen.delete(key);
      }
      return at;
    },
  };
}
