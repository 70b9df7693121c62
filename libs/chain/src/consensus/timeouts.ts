// Round timers. Exponential, capped: round r lasts min(baseMs * 2^r, maxMs). The cap does not cost
// liveness because a round's timer starts only once a quorum asked for the round (see engine.ts):
// honest validators start each round within one message delay of each other, so any cap above a
// few message delays is enough after global stabilization.
import { ConsensusError } from './errors.js';
import type { RoundTimeouts } from './types.js';

export const DEFAULT_ROUND_TIMEOUTS: RoundTimeouts = { baseMs: 1000, maxMs: 16_000 };

/** The length of round `round`'s timer in ms. */
export function roundTimeoutMs({ baseMs, maxMs }: RoundTimeouts, round: number): number {
  // 2^31 overflows nothing in doubles; the cap keeps the product finite for any uint32 round.
  return Math.min(maxMs, baseMs * 2 ** Math.min(round, 31));
}

/**
 * Fills and checks round timeouts.
 * @throws ConsensusError INVALID_CONFIG when a value is not a positive integer or max < base.
 */
export function resolveRoundTimeouts(partial: Partial<RoundTimeouts> = {}): RoundTimeouts {
  const t = { ...DEFAULT_ROUND_TIMEOUTS, ...partial };
  if (!Number.isInteger(t.baseMs) || t.baseMs <= 0 || !Number.isInteger(t.maxMs) || t.maxMs < t.baseMs) {
    throw new ConsensusError('INVALID_CONFIG', `round timeouts base ${t.baseMs} ms, max ${t.maxMs} ms`);
  }
  return t;
}
