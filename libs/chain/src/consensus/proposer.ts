// Proposer selection: round-robin over the validators sorted by address.
import type { Address } from './types.js';

/**
 * The proposer of `height` at `round`: `validators[(height + round) mod n]` where `validators`
 * ascend by address. Every validator proposes once in n consecutive rounds, and the proposer of
 * round 0 moves by one each height, so a crashed validator costs at most one round change per height.
 */
export function proposerOf(validators: readonly Address[], height: number, round: number): Address {
  const n = validators.length;
  return validators[(((height + round) % n) + n) % n]!;
}
