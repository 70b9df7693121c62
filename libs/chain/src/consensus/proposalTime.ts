// The timestamp bound a validator applies to a proposal before it prepares it. The importer
// already wants a timestamp after the parent's; this adds the future bound, which only a proposal
// can break in a way that matters (a proposer with a clock far ahead would drag every later block
// ahead). Blocks faster than one a second must each still move the seconds-timestamp by one, so
// parent + 1 is always allowed even when that is ahead of the clock.

/** Seconds a proposal may be ahead of the validator's clock (clock skew between organisations). */
export const DEFAULT_FUTURE_ALLOWANCE_S = 15;

export interface ProposalTimeParameters {
  timestamp: bigint;
  parentTimestamp: bigint;
  /** The validator's clock, milliseconds since the epoch. */
  nowMs: number;
  /** Least seconds between parent and child (0: only "after the parent", which the importer checks). */
  minIntervalS?: number;
  futureAllowanceS?: number;
}

/** Why the proposal's timestamp is refused, or null when it is acceptable. */
export function proposalTimestampProblem(p: ProposalTimeParameters): string | null {
  const min = p.parentTimestamp + BigInt(Math.max(1, p.minIntervalS ?? 1));
  if (p.timestamp < min) {
    return `timestamp ${p.timestamp} is before its parent's ${p.parentTimestamp} + ${min - p.parentTimestamp} s`;
  }
  const allowance = BigInt(p.futureAllowanceS ?? DEFAULT_FUTURE_ALLOWANCE_S);
  const latest = BigInt(Math.floor(p.nowMs / 1000)) + allowance;
  if (p.timestamp > latest && p.timestamp !== min) {
    return `timestamp ${p.timestamp} is more than ${allowance} s ahead of this validator's clock (${Math.floor(p.nowMs / 1000)})`;
  }
  return null;
}
