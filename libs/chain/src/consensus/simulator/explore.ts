// Runs many random schedules and, on the first failure, shrinks it and reports how to reproduce.
import { generateSchedule, type Schedule } from './schedule.js';
import { shrinkSchedule } from './shrink.js';
import type { SimulatorCrypto } from './simCrypto.js';
import { runSimulation, type SimulationResult, type Violation } from './simulation.js';

export interface ExploreParameters {
  crypto: SimulatorCrypto;
  /** First seed; schedules use seeds first … first + count - 1. */
  firstSeed: number;
  count: number;
  /** Force the validator count of every schedule. */
  validators?: number;
}

export interface ExploreFailure {
  seed: number;
  violation: Violation;
  schedule: Schedule;
  shrunk: Schedule;
  /** Trace of the shrunk run (its last lines are the interesting ones). */
  trace: string[];
}

export interface ExploreReport {
  schedules: number;
  ms: number;
  decidedHeights: number;
  deliveries: number;
  maxRound: number;
  /** Worst simulated time from GST to the liveness target. */
  worstMsToLiveness: number;
  evidence: number;
  failure: ExploreFailure | null;
}

/** Runs `count` schedules; stops at the first violation and shrinks it. */
export function exploreSchedules({ crypto, firstSeed, count, validators }: ExploreParameters): ExploreReport {
  const started = performance.now();
  const report: ExploreReport = {
    schedules: 0,
    ms: 0,
    decidedHeights: 0,
    deliveries: 0,
    maxRound: 0,
    worstMsToLiveness: 0,
    evidence: 0,
    failure: null,
  };
  for (let i = 0; i < count; i++) {
    const seed = (firstSeed + i) >>> 0;
    const schedule = generateSchedule(seed, validators === undefined ? {} : { validators });
    const result: SimulationResult = runSimulation(schedule, { crypto });
    report.schedules++;
    report.decidedHeights += result.stats.height;
    report.deliveries += result.stats.deliveries;
    report.maxRound = Math.max(report.maxRound, result.stats.maxRound);
    report.worstMsToLiveness = Math.max(report.worstMsToLiveness, result.stats.msToLiveness);
    report.evidence += result.stats.evidence;
    if (result.violation) {
      const kind = result.violation.kind;
      const { schedule: shrunk } = shrinkSchedule(
        schedule,
        kind,
        (s) => runSimulation(s, { crypto }).violation?.kind ?? null,
      );
      const replay = runSimulation(shrunk, { crypto, trace: true });
      report.failure = { seed, violation: result.violation, schedule, shrunk, trace: replay.trace };
      break;
    }
  }
  report.ms = performance.now() - started;
  return report;
}

/** A failure as text: seed, violation, the shrunk schedule as JSON and the trace's tail. */
export function formatFailure(f: ExploreFailure, traceLines = 200): string {
  return [
    `consensus simulation failed: seed ${f.seed}: ${f.violation.kind} at t=${f.violation.at}: ${f.violation.detail}`,
    `reproduce: runSimulation(${JSON.stringify(f.shrunk)}, { crypto, trace: true })`,
    `original schedule: ${JSON.stringify(f.schedule)}`,
    `trace of the shrunk run (last ${traceLines} lines):`,
    ...f.trace.slice(-traceLines),
  ].join('\n');
}
