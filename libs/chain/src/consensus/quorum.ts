// Quorum arithmetic over a validator set counted by heads (enterprise chains): n = 3f + 1 + k.

/** Largest number of faulty validators `n` validators tolerate: floor((n - 1) / 3). */
export function maxFaulty(n: number): number {
  return Math.floor((n - 1) / 3);
}

/** Smallest count that is more than 2/3 of `n`: floor(2n / 3) + 1. Two quorums share an honest validator. */
export function quorumSize(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}
