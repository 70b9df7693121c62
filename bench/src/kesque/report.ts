// Shapes the phase results into the report of issue 3: one object per engine, the ratios against
// the bar, a text table, and the JSON line.
import type { ColdResult, CompactResult, LoadResult, WarmResult } from './phases.js';
import type { EngineName } from './store.js';

/** Figures of one engine in one on-disk state (LevelDB: as loaded, then compacted). */
export interface StateFigures {
  warmReadsPerSecond: number;
  warmMissingReadsPerSecond: number;
  parallelReadsPerSecond: number;
  /** Rates of the single-thread (present, missing) and 2-thread passes the figures above are the best of. */
  warmPasses: { present: number[]; missing: number[]; parallel: number[] };
  coldReadsPerSecond: number;
  reopenSeconds: number;
  coldReopenSeconds: number;
  rssBytes: number;
  rssAnonBytes: number;
  rssAfterOpenBytes: number;
  diskBytes: number;
  /** Disk reads per get of a present key from the engine's own counters (Kesque). */
  diskReadsPerGet: number | null;
  diskReadsPerMissingGet: number | null;
  tagCollisions: number | null;
  coldMajorFaultsPerGet: number;
  coldReadSyscallsPerGet: number;
  coldDiskBytesPerGet: number;
  /** Bytes of the store still in the page cache after dropping it (should be ~0). */
  pageCacheBytesAfterDrop: number;
}

export interface EngineFigures extends StateFigures {
  loadRecordsPerSecond: number;
  loadSeconds: number;
  loadMaxRssBytes: number;
  indexBytesPerRecord: number | null;
  /** LevelDB only: the same passes after `compactRange` over every key. */
  compacted?: StateFigures & { compactSeconds: number };
}

export interface StateRun {
  warm: WarmResult;
  cold: ColdResult;
  diskBytes: number;
  pageCacheBytesAfterDrop: number;
}

export function stateFigures(run: StateRun): StateFigures {
  return {
    warmReadsPerSecond: run.warm.readsPerSecond,
    warmMissingReadsPerSecond: run.warm.missingReadsPerSecond,
    parallelReadsPerSecond: run.warm.parallelReadsPerSecond,
    warmPasses: run.warm.passes,
    coldReadsPerSecond: run.cold.readsPerSecond,
    reopenSeconds: run.warm.reopenSeconds,
    coldReopenSeconds: run.cold.reopenSeconds,
    rssBytes: run.warm.rssBytes,
    rssAnonBytes: run.warm.rssAnonBytes,
    rssAfterOpenBytes: run.warm.rssAfterOpenBytes,
    diskBytes: run.diskBytes,
    diskReadsPerGet: run.warm.diskReadsPerGet,
    diskReadsPerMissingGet: run.warm.diskReadsPerMissingGet,
    tagCollisions: run.warm.tagCollisions,
    coldMajorFaultsPerGet: run.cold.majorFaultsPerGet,
    coldReadSyscallsPerGet: run.cold.readSyscallsPerGet,
    coldDiskBytesPerGet: run.cold.diskBytesPerGet,
    pageCacheBytesAfterDrop: run.pageCacheBytesAfterDrop,
  };
}

export function engineFigures(
  records: number,
  load: LoadResult,
  loaded: StateRun,
  compacted?: { compact: CompactResult; run: StateRun },
): EngineFigures {
  const figures: EngineFigures = {
    loadRecordsPerSecond: load.recordsPerSecond,
    loadSeconds: load.seconds,
    loadMaxRssBytes: load.maxRssBytes,
    indexBytesPerRecord: loaded.warm.indexBytes === null ? null : loaded.warm.indexBytes / records,
    ...stateFigures(loaded),
  };
  if (compacted !== undefined) {
    figures.compacted = { compactSeconds: compacted.compact.seconds, ...stateFigures(compacted.run) };
  }
  return figures;
}

export interface KesqueBenchReport {
  records: number;
  engines: Partial<Record<EngineName, EngineFigures>>;
  ratios: {
    warmReadVsLmdb: number | null;
    warmReadVsLevelCompacted: number | null;
    coldReadVsLmdb: number | null;
    loadVsLevel: number | null;
  };
  kesque: {
    indexBytesPerRecord: number | null;
    diskReadsPerGet: number | null;
    reopenSeconds: number | null;
  };
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined || b === 0 ? null : a / b;
}

export function createReport(
  records: number,
  engines: Partial<Record<EngineName, EngineFigures>>,
): KesqueBenchReport {
  const { kesque, lmdb, level } = engines;
  return {
    records,
    engines,
    ratios: {
      warmReadVsLmdb: ratio(kesque?.warmReadsPerSecond, lmdb?.warmReadsPerSecond),
      warmReadVsLevelCompacted: ratio(kesque?.warmReadsPerSecond, level?.compacted?.warmReadsPerSecond),
      coldReadVsLmdb: ratio(kesque?.coldReadsPerSecond, lmdb?.coldReadsPerSecond),
      loadVsLevel: ratio(kesque?.loadRecordsPerSecond, level?.loadRecordsPerSecond),
    },
    kesque: {
      indexBytesPerRecord: kesque?.indexBytesPerRecord ?? null,
      diskReadsPerGet: kesque?.diskReadsPerGet ?? null,
      reopenSeconds: kesque?.reopenSeconds ?? null,
    },
  };
}

/** The bar of issue 3 at 10M records, as [label, holds?] pairs. */
export function checkBar(report: KesqueBenchReport): [string, boolean | null][] {
  const r = report.ratios;
  const k = report.kesque;
  const cold = report.engines.kesque?.coldReadsPerSecond;
  const coldLevel = report.engines.level?.compacted?.coldReadsPerSecond;
  const at = (x: number | null, bar: number, atMost = false) =>
    x === null ? null : atMost ? x <= bar : x >= bar;
  return [
    ['warm reads >= 1.5x lmdb', at(r.warmReadVsLmdb, 1.5)],
    ['warm reads >= 3x compacted LevelDB', at(r.warmReadVsLevelCompacted, 3)],
    ['cold reads >= 1.5x lmdb', at(r.coldReadVsLmdb, 1.5)],
    ['cold reads >= 1.5x compacted LevelDB', at(ratio(cold, coldLevel), 1.5)],
    ['load >= 2x LevelDB', at(r.loadVsLevel, 2)],
    ['index <= 12 bytes/record', at(k.indexBytesPerRecord, 12, true)],
    ['<= 1.001 disk reads/get', at(k.diskReadsPerGet, 1.001, true)],
    ['reopen < 2 s', k.reopenSeconds === null ? null : k.reopenSeconds < 2],
  ];
}

const fmtRate = (x: number | null | undefined) =>
  x === null || x === undefined ? '-' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`;
const fmtBytes = (x: number | null | undefined) =>
  x === null || x === undefined
    ? '-'
    : x >= 2 ** 30
      ? `${(x / 2 ** 30).toFixed(2)} GiB`
      : `${(x / 2 ** 20).toFixed(0)} MiB`;
const fmtNum = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? '-' : x.toFixed(digits);

/** A plain-text table: one column per engine state. */
export function formatTable(report: KesqueBenchReport): string {
  const columns: [string, StateFigures, EngineFigures][] = [];
  for (const [name, figures] of Object.entries(report.engines) as [EngineName, EngineFigures][]) {
    columns.push([name === 'level' ? 'level (loaded)' : name, figures, figures]);
    if (figures.compacted) columns.push(['level (compacted)', figures.compacted, figures]);
  }
  const rows: [string, (s: StateFigures, e: EngineFigures) => string][] = [
    ['load records/s', (_, e) => fmtRate(e.loadRecordsPerSecond)],
    ['warm reads/s (present)', (s) => fmtRate(s.warmReadsPerSecond)],
    ['warm reads/s (missing)', (s) => fmtRate(s.warmMissingReadsPerSecond)],
    ['reads/s, 2 threads', (s) => fmtRate(s.parallelReadsPerSecond)],
    ['cold reads/s', (s) => fmtRate(s.coldReadsPerSecond)],
    ['index bytes/record', (_, e) => fmtNum(e.indexBytesPerRecord)],
    ['disk reads/get (counted)', (s) => fmtNum(s.diskReadsPerGet, 4)],
    ['cold major faults/get', (s) => fmtNum(s.coldMajorFaultsPerGet, 3)],
    ['cold read syscalls/get', (s) => fmtNum(s.coldReadSyscallsPerGet, 3)],
    ['cold disk KiB/get', (s) => fmtNum(s.coldDiskBytesPerGet / 1024, 2)],
    ['RSS after reads', (s) => fmtBytes(s.rssBytes)],
    ['  of which anonymous', (s) => fmtBytes(s.rssAnonBytes)],
    ['disk size', (s) => fmtBytes(s.diskBytes)],
    ['reopen s (warm)', (s) => fmtNum(s.reopenSeconds, 3)],
    ['reopen s (cold)', (s) => fmtNum(s.coldReopenSeconds, 3)],
  ];
  const header = ['', ...columns.map((c) => c[0])];
  const body = rows.map(([label, cell]) => [label, ...columns.map(([, s, e]) => cell(s, e))]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const r = report.ratios;
  const bar = checkBar(report)
    .map(([label, ok]) => `  ${ok === null ? '?' : ok ? 'ok  ' : 'MISS'}  ${label}`)
    .join('\n');
  return [
    `${report.records} records`,
    line(header),
    ...body.map(line),
    '',
    `ratios: warm vs lmdb ${fmtNum(r.warmReadVsLmdb)}x, warm vs compacted level ${fmtNum(r.warmReadVsLevelCompacted)}x, cold vs lmdb ${fmtNum(r.coldReadVsLmdb)}x, load vs level ${fmtNum(r.loadVsLevel)}x`,
    'bar (issue 3, 10M records):',
    bar,
  ].join('\n');
}
