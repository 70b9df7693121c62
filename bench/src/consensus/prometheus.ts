// Reads the node's Prometheus text (/metrics): counters and histograms summed over nodes, and
// percentiles of a histogram between two scrapes. The node keeps no raw samples, so a percentile
// is interpolated inside its bucket (linear, as Prometheus' histogram_quantile does): its
// resolution is the bucket width (../../libs/chain/src/metrics/consensusMetrics.ts).

/** Cumulative bucket counts by upper bound (seconds), `+Inf` as Infinity; plus the sum and count. */
export interface Histogram {
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

const sample = (text: string, name: string): { labels: string; value: number }[] => {
  const out: { labels: string; value: number }[] = [];
  const re = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) out.push({ labels: m[1] ?? '', value: Number(m[2]) });
  return out;
};

/** The sum of every series of `name` (all label sets); 0 when absent. */
export function counterOf(text: string, name: string): number {
  return sample(text, name).reduce((a, s) => a + s.value, 0);
}

/** The histogram `name`, every label set but `le` summed. */
export function histogramOf(text: string, name: string): Histogram {
  const buckets = new Map<number, number>();
  for (const s of sample(text, `${name}_bucket`)) {
    const le = /(?:^|,)le="([^"]+)"/.exec(s.labels)?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + s.value);
  }
  return { buckets, sum: counterOf(text, `${name}_sum`), count: counterOf(text, `${name}_count`) };
}

/** Adds histograms (of several nodes). */
export function addHistograms(hs: readonly Histogram[]): Histogram {
  const buckets = new Map<number, number>();
  for (const h of hs) for (const [b, c] of h.buckets) buckets.set(b, (buckets.get(b) ?? 0) + c);
  return {
    buckets,
    sum: hs.reduce((a, h) => a + h.sum, 0),
    count: hs.reduce((a, h) => a + h.count, 0),
  };
}

/** What was observed between two scrapes: `after` minus `before`. */
export function histogramDelta(after: Histogram, before: Histogram): Histogram {
  const buckets = new Map<number, number>();
  for (const [b, c] of after.buckets) buckets.set(b, c - (before.buckets.get(b) ?? 0));
  return { buckets, sum: after.sum - before.sum, count: after.count - before.count };
}

/**
 * The q-quantile (0 < q < 1) of `h` in the histogram's unit, interpolated linearly inside the
 * bucket it falls in (from the previous bound, 0 for the first); null when `h` is empty. A
 * quantile in the +Inf bucket is reported as the highest finite bound (a floor, not a value).
 * @throws RangeError when q is not in (0, 1).
 */
export function quantileOf(h: Histogram, q: number): number | null {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile must be in (0, 1), got ${q}`);
  const bounds = [...h.buckets.keys()].sort((a, b) => a - b);
  const total = h.buckets.get(Number.POSITIVE_INFINITY) ?? h.count;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bound of bounds) {
    const cumulative = h.buckets.get(bound) ?? 0;
    if (cumulative >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return lower;
      const inBucket = cumulative - below;
      return inBucket <= 0 ? bound : lower + ((bound - lower) * (rank - below)) / inBucket;
    }
    lower = bound;
    below = cumulative;
  }
  return lower;
}

/** The share of observations at most `bound` (a bucket bound), e.g. "p99 under 0.5 s" holds when ≥ 0.99. */
export function shareAtMost(h: Histogram, bound: number): number | null {
  const total = h.buckets.get(Number.POSITIVE_INFINITY) ?? h.count;
  const at = h.buckets.get(bound);
  if (total <= 0) return null;
  if (at === undefined) throw new RangeError(`${bound} is not a bucket bound`);
  return at / total;
}
