// The phases of the benchmark. Each runs in a fresh child process (see phase.ts), so that one
// engine's heap, native caches and mapped pages never count against another, and the parent can
// drop the page cache between phases with every store closed.
import type { DatasetParameters } from './dataset.js';
import type { EngineName } from './store.js';

export interface PhaseCommon {
  engine: EngineName;
  dir: string;
  dataset: DatasetParameters;
  sync: boolean;
}

export type PhaseParameters =
  | (PhaseCommon & { phase: 'load'; batchSize: number })
  | (PhaseCommon & { phase: 'compact' })
  | (PhaseCommon & {
      phase: 'warm';
      reads: number;
      maxSeconds: number;
      /** Reads of the 2-thread pass, per thread. */
      parallelReads: number;
      threads: number;
      /** Timed passes per measure; the best is reported (see runBestOf). */
      passes: number;
    })
  | (PhaseCommon & { phase: 'cold'; reads: number; maxSeconds: number });

export interface LoadResult {
  phase: 'load';
  records: number;
  seconds: number;
  recordsPerSecond: number;
  bytesWritten: number;
  maxRssBytes: number;
}

export interface CompactResult {
  phase: 'compact';
  seconds: number;
}

export interface WarmResult {
  phase: 'warm';
  reopenSeconds: number;
  readsPerSecond: number;
  missingReadsPerSecond: number;
  parallelReadsPerSecond: number;
  /** Rate of every pass, best first not implied: in the order run. */
  passes: { present: number[]; missing: number[]; parallel: number[] };
  rssAfterOpenBytes: number;
  rssBytes: number;
  /** Anonymous part of the RSS (heap, native allocations), without file pages an engine maps. */
  rssAnonBytes: number;
  indexBytes: number | null;
  /** Kesque only: disk reads per get of a present key, and of a missing key (cache off). */
  diskReadsPerGet: number | null;
  diskReadsPerMissingGet: number | null;
  tagCollisions: number | null;
  /** Keys checked byte for byte against the data set before timing. */
  verified: number;
}

export interface ColdResult {
  phase: 'cold';
  reopenSeconds: number;
  reads: number;
  readsPerSecond: number;
  /** Major page faults per get (mmap readers: LMDB, LevelDB's table files). */
  majorFaultsPerGet: number;
  /** read(2)/pread(2) calls per get, from /proc/self/io (pread readers: Kesque). */
  readSyscallsPerGet: number;
  /** Bytes the process caused to be fetched from the block device, per get. */
  diskBytesPerGet: number;
  diskReadsPerGet: number | null;
}

export type PhaseResult = LoadResult | CompactResult | WarmResult | ColdResult;
