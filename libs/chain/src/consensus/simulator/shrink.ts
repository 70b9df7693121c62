// Shrinking: given a failing schedule, remove faults and simplify parameters one at a time while
// the run still fails with the same kind of violation, so the printed reproduction is small.
import type { Schedule } from './schedule.js';
import type { ViolationKind } from './simulation.js';

export interface ShrinkResult {
  schedule: Schedule;
  /** Runs spent shrinking. */
  attempts: number;
}

/** Simpler variants of `s`, the most drastic first. */
function candidates(s: Schedule): Schedule[] {
  const out: Schedule[] = [];
  for (let i = 0; i < s.byzantine.length; i++)
    out.push({ ...s, byzantine: s.byzantine.filter((_, j) => j !== i) });
  for (let i = 0; i < s.crashes.length; i++) out.push({ ...s, crashes: s.crashes.filter((_, j) => j !== i) });
  for (let i = 0; i < s.partitions.length; i++)
    out.push({ ...s, partitions: s.partitions.filter((_, j) => j !== i) });
  s.byzantine.forEach((b, i) => {
    for (const behaviour of b.behaviours) {
      const byzantine = s.byzantine.map((x, j) =>
        j === i ? { ...x, behaviours: x.behaviours.filter((y) => y !== behaviour) } : x,
      );
      out.push({ ...s, byzantine });
    }
  });
  if (s.dropRate > 0) out.push({ ...s, dropRate: 0 });
  if (s.gst > 0) {
    const gst = Math.floor(s.gst / 2);
    out.push({
      ...s,
      gst,
      crashes: s.crashes.map((c) => ({
        ...c,
        at: Math.min(c.at, gst),
        restartAt: c.restartAt === null ? null : Math.min(c.restartAt, gst),
      })),
      partitions: s.partitions.map((p) => ({ ...p, from: Math.min(p.from, gst), to: Math.min(p.to, gst) })),
    });
  }
  if (s.heightsAfterGst > 1) out.push({ ...s, heightsAfterGst: s.heightsAfterGst - 1 });
  if (s.maxDelayBeforeGst > 5)
    out.push({ ...s, maxDelayBeforeGst: Math.max(5, Math.floor(s.maxDelayBeforeGst / 2)) });
  return out;
}

/**
 * Greedy shrinking: keep the first simpler schedule that still fails with `kind`, until none does
 * or `maxAttempts` runs were spent.
 */
export function shrinkSchedule(
  schedule: Schedule,
  kind: ViolationKind,
  fails: (s: Schedule) => ViolationKind | null,
  maxAttempts = 300,
): ShrinkResult {
  let current = schedule;
  let attempts = 0;
  for (let progress = true; progress && attempts < maxAttempts; ) {
    progress = false;
    for (const c of candidates(current)) {
      if (++attempts > maxAttempts) break;
      if (fails(c) === kind) {
        current = c;
        progress = true;
        break;
      }
    }
  }
  return { schedule: current, attempts };
}
