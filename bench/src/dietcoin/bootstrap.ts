// Bootstrap of a generated chain through a HeaderSource, persisting to Kesque as a real client:
// (a) skipping: seals checked on the last block of each epoch (the set change) and the head;
// (b) full header chain: every header decoded and its parent link checked, seals as in (a).
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createHeaderChain,
  createKesqueHeaderStore,
  DIETCOIN_TABLES,
  type GeneratedChain,
  generateChain,
  HEADER_RECORD_BYTES,
  type SyncMode,
} from '@khipu/dietcoin';
import { openKesque } from '@khipu/kesque';
import { progress, seconds } from './timing.js';

export const BOOTSTRAP_EPOCH = 10_000;
const START = 1_600_000_000;

export interface BootstrapFigures {
  mode: SyncMode;
  blocks: number;
  seconds: number;
  headersVerified: number;
  sealChecks: number;
  recordsStored: number;
  /** Bytes the source served (sealed headers, headers). */
  bytesFetched: number;
  /** Bytes of the Kesque directory after close, per stored record. */
  diskBytesPerRecord: number;
}

export function generateBootstrapChain(blocks: number): { chain: GeneratedChain; seconds: number } {
  const t0 = performance.now();
  const chain = generateChain({
    chainId: 21n,
    length: blocks,
    epochLength: BOOTSTRAP_EPOCH,
    validatorsPerSet: 4,
    seal: 'setChangesAndHead',
    startTimestamp: START,
    onProgress: (n) => {
      if (n > 0) progress(`generated ${n} headers`);
    },
  });
  return { chain, seconds: seconds(t0) };
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    n += s.isDirectory() ? dirBytes(p) : s.size;
  }
  return n;
}

export async function measureBootstrap(
  chain: GeneratedChain,
  mode: SyncMode,
  root: string,
): Promise<BootstrapFigures> {
  const dir = join(root, mode);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const blocks = chain.headers.count - 1;
  const kesque = await openKesque({ dir, tables: { ...DIETCOIN_TABLES } });
  const source = chain.source();
  const hc = await createHeaderChain({
    chainId: chain.chainId,
    quorum: 'count',
    epochLength: BOOTSTRAP_EPOCH,
    // 1M one-second blocks are 11.6 days: the head is fresh, the checkpoint may be old, and each
    // step extends a head that is within the trusting period.
    trustingPeriodSeconds: 14 * 86_400,
    now: () => START + blocks + 5,
    store: createKesqueHeaderStore({ kesque }),
    checkpoint: { header: chain.headers.get(0)!, validators: chain.setOf(0) },
  });
  let lastReport = 0;
  const t0 = performance.now();
  const report = await hc.sync({
    source,
    mode,
    batchSize: 10_000,
    onProgress: (p) => {
      if (p.elapsedSeconds - lastReport >= 2) {
        lastReport = p.elapsedSeconds;
        progress(`${mode}: ${p.height}/${p.target} after ${p.elapsedSeconds.toFixed(1)} s`);
      }
    },
  });
  const s = seconds(t0);
  if (report.head.number !== blocks) throw new Error(`${mode} bootstrap stopped at ${report.head.number}`);
  await kesque.close();
  const disk = dirBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  const figures: BootstrapFigures = {
    mode,
    blocks,
    seconds: s,
    headersVerified: report.headersVerified,
    sealChecks: report.sealChecks,
    recordsStored: report.recordsStored + 1,
    bytesFetched: source.served.bytes,
    diskBytesPerRecord: disk / (report.recordsStored + 1),
  };
  progress(
    `${mode}: ${blocks} blocks in ${s.toFixed(2)} s (${figures.recordsStored} records of ${HEADER_RECORD_BYTES} B)`,
  );
  return figures;
}
