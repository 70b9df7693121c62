// Quorum arithmetic over a validator set counted by heads (enterprise chains): n = 3f + 1 + k.

/** Largest number of faulty validators `n` validators tolerate: floor((n - 1) / 3). */
export function maxFaulty(n: number): number {
  return Math.floor((n - 1) / 3);
}

/** Smallest count that is more than 2/3 of `n`: floor(2n / 3) + 1. Two quorums share an honest validator. */
export function quorumSize(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}

/** True when `power` is more than 2/3 of `total` (dietcoin's `hasQuorum`): two such sets share an honest validator. */
export function isQuorumPower(power: bigint, total: bigint): boolean {
  return 3n * power > 2n * total;
}

/**
 * True when `power` exceeds what faulty validators may hold (strictly less than 1/3 of `total`,
 * i.e. at most ⌊(total − 1) / 3⌋): such a set contains an honest validator. With one vote each,
 * that is f + 1 validators.
 */
export function exceedsFaultyPower(power: bigint, total: bigint): boolean {
  return power > (total - 1n) / 3n;
}
