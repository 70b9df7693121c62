// The driver's round timer: one timer at a time (a new one replaces the old, as the engine's
// `setTimer` says). Its expiry does not count while this validator is still building or
// validating the block of that round: it is reported a grace period after that work ends, if no
// other timer replaced it. Under CPU pressure a proposal that takes longer to execute than the
// round has left would otherwise be abandoned just as it was about to be prepared, and the next
// round's proposer would start over with an even larger block. Timers only serve liveness in
// QBFT, so this costs no safety; a proposer that never proposes is unaffected (nothing to wait
// for), and the wait is bounded by the execution of one block.

export interface RoundTimer {
  /** Arms the timer of (height, round) to expire after `afterMs`, then `graceMs` after any block
   *  work of that round in flight ends; replaces the timer armed before. */
  arm(timer: { timerId: number; height: number; round: number; afterMs: number; graceMs: number }): void;
  /** Notes block work for (height, round) in flight here; call the returned function when it ends. */
  working(height: number, round: number): () => void;
  /** Clears the timer. */
  stop(): void;
}

export function createRoundTimer(onExpired: (timerId: number) => void): RoundTimer {
  let handle: NodeJS.Timeout | null = null;
  let armed: { timerId: number; height: number; round: number; graceMs: number } | null = null;
  /** Expired while block work of its round was in flight: reported after the work. */
  let waiting = false;
  const work = new Map<string, number>();
  const keyOf = (height: number, round: number) => `${height}/${round}`;

  const clear = () => {
    if (handle) clearTimeout(handle);
    handle = null;
  };
  const expire = () => {
    handle = null;
    const t = armed;
    if (!t) return;
    if ((work.get(keyOf(t.height, t.round)) ?? 0) > 0) {
      waiting = true;
      return;
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
    working(height, round) {
      const key = keyOf(height, round);
      work.set(key, (work.get(key) ?? 0) + 1);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        const left = (work.get(key) ?? 1) - 1;
        if (left > 0) {
          work.set(key, left);
          return;
        }
        work.delete(key);
        if (waiting && armed && keyOf(armed.height, armed.round) === key) {
          waiting = false;
          handle = setTimeout(expire, armed.graceMs);
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
