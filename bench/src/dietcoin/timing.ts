// Small timing helpers for the dietcoin benchmark.

/** Progress and notes go to stderr, so that stdout carries the table and the JSON line. */
export function progress(message: string): void {
  process.stderr.write(`[dietcoin] ${message}\n`);
}

export function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** Median of `runs` timings of `f`, in microseconds. */
export function medianMicros(runs: number, f: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Operations per second of `f` over at least `minMs` milliseconds. */
export function rate(f: (i: number) => void, minMs = 300): number {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    for (let k = 0; k < 100; k++) f(n++);
  }
  return n / seconds(t0);
}
