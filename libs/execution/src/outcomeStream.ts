// Outcomes of a parallel run as the workers send them: the merge takes transaction i's outcome
// when it has arrived and waits for it otherwise, so merging overlaps the workers' run.

/** Encoded outcomes by transaction index, filled by the pool, read in block order by the merge. */
export class OutcomeStream {
  private readonly arrived = new Map<number, Uint8Array>();
  private waiter: { index: number; resolve: (outcome: Uint8Array | undefined) => void } | undefined;
  private ended = false;

  add(indices: readonly number[], outcomes: readonly Uint8Array[]): void {
    indices.forEach((index, k) => {
      const outcome = outcomes[k];
      if (outcome !== undefined) this.arrived.set(index, outcome);
    });
    const w = this.waiter;
    if (w !== undefined && this.arrived.has(w.index)) {
      this.waiter = undefined;
      w.resolve(this.take(w.index));
    }
  }

  /** No more outcomes will come (the run settled): a waiting read gets undefined. */
  end(): void {
    this.ended = true;
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve(this.take(w.index));
  }

  /** Outcome `index` if it has arrived (and forgets it). */
  take(index: number): Uint8Array | undefined {
    const outcome = this.arrived.get(index);
    if (outcome !== undefined) this.arrived.delete(index);
    return outcome;
  }

  /** Outcome `index`, waiting for it; undefined when the run ended without it. One reader. */
  get(index: number): Promise<Uint8Array | undefined> {
    const outcome = this.take(index);
    if (outcome !== undefined || this.ended) return Promise.resolve(outcome);
    return new Promise((resolve) => {
      this.waiter = { index, resolve };
    });
  }
}
