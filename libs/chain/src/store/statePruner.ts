// State pruning: keeps the world state of the last `retentionBlocks` blocks (all of it on an
// archive node) and reclaims older trie nodes with Kesque's online compaction.
//
// The pruner records the `trie` keys every batch writes, in one set per block commit (the writes
// after block n committed). A cycle (every `everyBlocks` blocks, one at a time, in the background):
//   1. notes the head H,
//   2. collects the keys reachable from the kept roots: blocks `[floor, H]`, where the floor is
//      the retention window's start, lowered to the block after the state-shard snapshot (a
//      restart replays the shards from there and reads those states),
//   3. compacts `trie` keeping the reachable keys and those written after block H − 1 committed;
//      compacts `meta` (only superseded head records and snapshots go).
// Why this is safe while blocks go on: every block that can still commit descends from H, so it
// was executed after H − 1 committed (after H itself, unless consensus pipelines one block on an
// uncommitted parent): its new nodes were recorded, and the others it reuses from its parent,
// which is H or a later block, so by induction every node a later state needs is kept. Execution
// writes a block's state before its block batch, and consensus may hold a built block for a
// while: neither matters, the writes are recorded from the parent's commit on. Kesque's
// compaction only reads sealed segments and keeps any key rewritten since it started.
// Crash safety is Kesque's: a kill -9 before the manifest switch reopens the old table, after it
// the compacted one; either holds every kept node.

import { hexToBytes } from '@ethereumjs/util';
import type { CompactionReport, KesqueReaderHandle } from '@khipu/kesque';
import type { BlockReader } from '../rpc/backend.js';
import type { KVOp, KVStore } from './kv.js';
import { collectLiveKeys, KeySet } from './liveNodes.js';
import { Tables } from './tables.js';

/** How much past state the node keeps. */
export interface StateRetention {
  /** Keep every block's state. */
  archive: boolean;
  /** Without `archive`: the state of the last `blocks` blocks (the head included). */
  blocks: number;
}

export const DEFAULT_STATE_RETENTION: StateRetention = { archive: false, blocks: 128 };

/** The oldest block whose state is answered for, given the head. */
export function oldestKeptState(retention: StateRetention, head: bigint): bigint {
  if (retention.archive) return 0n;
  const oldest = head - BigInt(retention.blocks) + 1n;
  return oldest > 0n ? oldest : 0n;
}

/** The slice of Kesque the pruner needs besides reads and batches. */
export interface CompactingKV extends KVStore {
  compact(table: string, isLive: (key: Uint8Array, value: Uint8Array) => boolean): Promise<CompactionReport>;
}

/** A `KVStore` whose batches can report the `trie` keys they write (see the file comment). */
export interface RecordingKV extends KVStore {
  /** Starts collecting written `trie` keys into `into`; returns the function that stops it. */
  recordWrites(into: KeySet): () => void;
}

/** What `createRecordingKV` passes through besides reads and batches. */
export type KVExtras = Partial<Pick<CompactingKV, 'compact'>> & { readerHandle?: () => KesqueReaderHandle };

/** Wraps `kv` so that its `trie` writes can be recorded; `compact` and `readerHandle` pass through. */
export function createRecordingKV(kv: KVStore & KVExtras): RecordingKV & KVExtras {
  const recorders = new Set<KeySet>();
  const wrapped: RecordingKV & KVExtras = {
    get: (table, key) => kv.get(table, key),
    batch(ops: readonly KVOp[]) {
      if (recorders.size > 0) {
        for (const op of ops) {
          if (op.type === 'put' && op.table === Tables.trie && typeof op.key !== 'number') {
            for (const r of recorders) r.add(op.key);
          }
        }
      }
      return kv.batch(ops);
    },
    recordWrites(into) {
      recorders.add(into);
      return () => {
        recorders.delete(into);
      };
    },
  };
  if (kv.compact) wrapped.compact = kv.compact.bind(kv);
  if (kv.readerHandle) wrapped.readerHandle = kv.readerHandle.bind(kv);
  return wrapped;
}

/** The outcome of one pruning cycle. */
export interface PruneReport {
  head: bigint;
  /** The oldest block whose state was kept. */
  keptFrom: bigint;
  liveKeys: number;
  trie: CompactionReport;
}

export interface StatePrunerOptions {
  kv: RecordingKV & CompactingKV;
  blocks: Pick<BlockReader, 'getHeaderByNumber' | 'headNumber'>;
  retention: StateRetention;
  /** Blocks between cycles (default: the retention window, at least 16). */
  everyBlocks?: number;
  /** The block of the state-shard snapshot, if any: states after it are kept for the replay. */
  snapshotBlock: () => bigint | undefined;
  onPruned?: (report: PruneReport) => void;
  onError?: (error: unknown) => void;
}

/** Runs pruning cycles in the background as blocks are committed (see the file comment). */
export class StatePruner {
  readonly #o: StatePrunerOptions;
  readonly #every: bigint;
  #lastCycleHead: bigint | undefined;
  #running: Promise<PruneReport | undefined> | undefined;
  #cycles: Promise<unknown> = Promise.resolve();
  #stopped = false;
  /** Trie keys written since the current interval started, and how to stop recording them. */
  /** Trie keys written after block `after` committed, one set per commit, newest last (only the
   *  newest records). Kept from the commit before the head (or before the head of the running
   *  cycle): a block executed on a parent that is not committed yet (pipelined by consensus)
   *  writes before that parent's commit. */
  #recent: { after: bigint; keys: KeySet; stop: () => void }[] = [];
  /** The head when the running cycle started. */
  #cycleHead: bigint | undefined;

  constructor(options: StatePrunerOptions) {
    this.#o = options;
    this.#every = BigInt(Math.max(16, options.everyBlocks ?? options.retention.blocks));
    if (!options.retention.archive) this.#rotate(options.blocks.headNumber());
  }

  /** Starts the set of writes after block `head` committed and forgets sets no cycle needs. */
  #rotate(head: bigint): void {
    this.#recent.at(-1)?.stop();
    const keys = new KeySet();
    this.#recent.push({ after: head, keys, stop: this.#o.kv.recordWrites(keys) });
    const base = this.#cycleHead !== undefined && this.#cycleHead < head ? this.#cycleHead : head;
    while ((this.#recent[0]?.after ?? base) < base - 1n) this.#recent.shift();
  }

  #writtenRecently(key: Uint8Array): boolean {
    for (const r of this.#recent) if (r.keys.has(key)) return true;
    return false;
  }

  /** Called after each committed block: starts a cycle when one is due and none is running. */
  onBlock(head: bigint): void {
    if (this.#o.retention.archive || this.#stopped) return;
    this.#rotate(head);
    if (this.#running) return;
    this.#lastCycleHead ??= head;
    if (head - this.#lastCycleHead < this.#every) return;
    this.#lastCycleHead = head;
    this.#running = this.prune().then(
      (report) => report,
      (error) => {
        this.#o.onError?.(error);
        return undefined;
      },
    );
    void this.#running.finally(() => {
      this.#running = undefined;
    });
  }

  /**
   * Runs one cycle now (tests, and `onBlock`). Resolves `undefined` on an archive node or when
   * stopped (before the compaction started: nothing was dropped then).
   * @throws ChainError CORRUPT_STORE when a kept state is missing a node (nothing is dropped).
   */
  prune(): Promise<PruneReport | undefined> {
    // One cycle at a time, whoever asks: a cycle started under another would stop recording the
    // other's interval, which could then drop a node written in between.
    const cycle = this.#cycles
      .then(() => this.#cycle())
      .finally(() => {
        this.#cycleHead = undefined;
      });
    this.#cycles = cycle.catch(() => undefined);
    return cycle;
  }

  async #cycle(): Promise<PruneReport | undefined> {
    if (this.#o.retention.archive || this.#stopped) return undefined;
    const { kv, blocks } = this.#o;
    const live = new KeySet();
    const head = blocks.headNumber();
    this.#cycleHead = head;
    let keptFrom = oldestKeptState(this.#o.retention, head);
    const snapshot = this.#o.snapshotBlock();
    if (snapshot === undefined) keptFrom = 0n;
    else if (snapshot + 1n < keptFrom) keptFrom = snapshot + 1n;
    const roots: Uint8Array[] = [];
    for (let n = keptFrom; n <= head; n++) {
      const header = await blocks.getHeaderByNumber(n);
      if (header) roots.push(hexToBytes(header.stateRoot));
    }
    const walk = await collectLiveKeys(kv, roots, live, () => this.#stopped);
    if (!walk.complete) return undefined;
    const trie = await kv.compact(Tables.trie, (key) => live.has(key) || this.#writtenRecently(key));
    await kv.compact(Tables.meta, () => true);
    const report: PruneReport = { head, keptFrom, liveKeys: live.size, trie };
    this.#o.onPruned?.(report);
    return report;
  }

  /** Stops starting cycles and recording, and waits for the one running (its walk stops early). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#cycles;
    this.#recent.at(-1)?.stop();
    this.#recent = [];
  }
}
