// The driver's round timer: one timer at a time (a new one replaces the old, as the engine's
// `setTimer` says). Its expiry does not count while this validator is still building or
// validating the block of that round, nor until a grace period after that work ended: it is
// reported then, if no other timer replaced it. Under CPU pressure a proposal that takes longer
// to execute than the round has left would otherwise be abandoned just as it was about to be
// prepared, and the next round's proposer would start over with an even larger block.
//
// The grace is at least as long as the work took: the other validators execute the same block
// at the same time on similar machines, and when they share CPUs their finishing times spread
// with the work's length; their prepares are what this one waits for. A proposer waits a whole
// round timeout after its build: the others have yet to execute its block, and a proposer that
// leaves the round withholds its commit, so that the decision waits for the slowest of them.
// Timers only serve liveness in QBFT, so none of this costs safety; a proposer that never
// proposes is not waited for (no work), and every wait is bounded.

export interface RoundTimer {
  /** Arms the timer of (height, round) to expire after `afterMs`, then, when block work of that
   *  round was in flight, `graceMs` (or as long as the work took, if longer) after it ends;
   *  replaces the timer armed before. */
  arm(timer: { timerId: number; height: number; round: number; afterMs: number; graceMs: number }): void;
  /** Notes block work for (height, round) in flight here; call the returned function when it
   *  ends. `holdMs`: the least the timer then waits (the proposer passes the round timeout). */
  working(height: number, round: number, holdMs?: number): () => void;
  /** Clears the timer. */
  stop(): void;
}

export function createRoundTimer(
  onExpired: (timerId: number) => void,
  now: () => number = Date.now,
): RoundTimer {
  let handle: NodeJS.Timeout | null = null;
  let armed: { timerId: number; height: number; round: number; graceMs: number } | null = null;
  /** Expired while block work of its round was in flight: looked at again when the work ends. */
  let waiting = false;
  /** Block work in flight per round: how many pieces, and since when. */
  const work = new Map<string, { count: number; since: number }>();
  /** The block work that ended last: its round, when it ended and how long it took. */
  let finished: { key: string; endedAt: number; holdMs: number } | null = null;
  const keyOf = (height: number, round: number) => `${height}/${round}`;

  const clear = () => {
    if (handle) clearTimeout(handle);
    handle = null;
  };
  const expire = () => {
    handle = null;
    const t = armed;
    if (!t) return;
    const key = keyOf(t.height, t.round);
    if (work.has(key)) {
      waiting = true;
      return;
    }
    if (finished?.key === key) {
      const left = finished.endedAt + Math.max(t.graceMs, finished.holdMs) - now();
      if (left > 0) {
        handle = setTimeout(expire, left);
        return;
      }
    }
    armed = null;
    onExpired(t.timerId);
  };

  return {
    arm({ timerId, height, round, afterMs, graceMs }) {
      clear();
      waiting = false;
      armed = { timerId, height, round, graceMs };
      handle = setTimeout(expire, afterMs);
    },
    working(height, round, holdMs = 0) {
      const key = keyOf(height, round);
      const w = work.get(key) ?? { count: 0, since: now() };
      w.count++;
      work.set(key, w);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        if (--w.count > 0) return;
        work.delete(key);
        const endedAt = now();
        finished = { key, endedAt, holdMs: Math.max(holdMs, endedAt - w.since) };
        if (waiting && armed && keyOf(armed.height, armed.round) === key) {
          waiting = false;
          expire();
        }
      };
    },
    stop() {
      clear();
      armed = null;
      waiting = false;
    },
  };
}
