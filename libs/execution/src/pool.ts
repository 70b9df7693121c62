// A warm pool of worker threads for sender recovery and the parallel phase. Workers stay up
// across blocks: each loads the crypto, the chain's Common, the extensions and its own cached state
// manager once.
import { Worker } from 'node:worker_threads';
import type { AncestorHashes } from './blockHashes.js';
import { ExecutionError } from './errors.js';
import type { FromWorker, PackedList, ToWorker, WorkerShare } from './protocol.js';
import { packEntries, packShare, unpackList } from './protocol.js';
import type { ExtensionsSource, StateStore } from './types.js';

export interface CreateWorkerPoolParameters {
  size: number;
  chainId: number;
  store: StateStore;
  extensions?: ExtensionsSource;
}

interface Pending {
  resolve: (message: FromWorker) => void;
  reject: (error: Error) => void;
  /** Interim messages of the request (a run's outcomes so far). */
  progress?: (message: FromWorker) => void;
}

/** What the workers returned for a block (the outcomes went to `onOutcomes`): recovered sender
 *  keys by index, refused signatures, each worker's busy and recovery time. */
export interface ShareResults {
  keys: Map<number, Uint8Array>;
  /** Sender addresses (20 bytes) of the transactions the workers ran, by index. */
  senders: Map<number, Uint8Array>;
  invalid: { index: number; reason: string }[];
  busyMs: number[];
  recoveryMs: number[];
  /** A worker stopped early on a contended block; the outcomes are partial. */
  contended: boolean;
}

/** The pool's handle: recovery and lane runs, each split across the workers. */
export interface WorkerPool {
  readonly size: number;
  /** Sender public keys (64 bytes each) of `txs`, or the index and reason of the first invalid one. */
  recover(txs: Uint8Array[]): Promise<{ keys: Uint8Array[]; invalid: { index: number; reason: string }[] }>;
  /** Brings the workers' view of the store up to date (no-op with a shared reader). */
  sync(): void;
  /** Runs one trie-update share per worker (see HashMessage); returns each worker's reply. */
  hash(
    shares: { nibbles: number[]; children: Uint8Array[]; changes: Uint8Array }[],
  ): Promise<{ children: Uint8Array[]; entries: Uint8Array }[]>;
  /** Runs one share per worker. `onOutcomes` is told of the encoded outcomes as they arrive
   *  (every OUTCOME_CHUNK per worker, then the rest), before the promise settles. */
  run(
    header: Uint8Array,
    parentStateRoot: Uint8Array,
    shares: WorkerShare[],
    ancestors?: AncestorHashes,
    probeContention?: boolean,
    onOutcomes?: (indices: readonly number[], outcomes: readonly Uint8Array[]) => void,
  ): Promise<ShareResults>;
  close(): Promise<void>;
}

class Thread {
  readonly worker: Worker;
  private pending = new Map<number, Pending>();
  private readyWaiter: Pending | undefined;
  failure: Error | undefined;

  constructor() {
    this.worker = new Worker(new URL('./worker.js', import.meta.url));
    this.worker.on('message', (message: FromWorker) => this.onMessage(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`worker exited with code ${code}`));
    });
    // Idle workers must not keep the process alive; a pending request must.
    this.worker.unref();
  }

  private hold(): void {
    if (this.pending.size === 0 && this.readyWaiter === undefined) this.worker.unref();
    else this.worker.ref();
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.readyWaiter?.reject(error);
    this.readyWaiter = undefined;
    this.hold();
  }

  private onMessage(message: FromWorker): void {
    if (message.type === 'ready') {
      const waiter = this.readyWaiter;
      this.readyWaiter = undefined;
      this.hold();
      waiter?.resolve(message);
      return;
    }
    const p = this.pending.get(message.id);
    if (p === undefined) {
      if (message.type === 'failed') this.fail(new Error(message.error));
      return;
    }
    if (message.type === 'outcomes') {
      p.progress?.(message);
      return;
    }
    this.pending.delete(message.id);
    this.hold();
    if (message.type === 'failed') p.reject(new Error(message.error));
    else p.resolve(message);
  }

  ready(init: ToWorker): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
      this.hold();
      this.worker.postMessage(init);
    });
  }

  request(id: number, message: ToWorker, progress?: (message: FromWorker) => void): Promise<FromWorker> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      this.hold();
      this.worker.postMessage(message);
    });
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }
}

/**
 * Starts `size` worker threads and waits until each has loaded crypto, Common and extensions.
 * @throws ExecutionError `WORKER_FAILED` when a worker cannot start.
 */
export async function createWorkerPool(p: CreateWorkerPoolParameters): Promise<WorkerPool> {
  const threads = Array.from({ length: p.size }, () => new Thread());
  const stateSource = p.store.workerSource?.();
  if (stateSource === undefined && p.store.changesSince === undefined) {
    throw new ExecutionError(
      'WORKER_FAILED',
      'the state store offers workers neither a shared reader nor changesSince',
    );
  }
  try {
    await Promise.all(
      threads.map((t) =>
        t.ready({ type: 'init', chainId: p.chainId, extensions: p.extensions, stateSource }),
      ),
    );
  } catch (cause) {
    await Promise.all(threads.map((t) => t.worker.terminate()));
    throw new ExecutionError('WORKER_FAILED', `execution worker did not start: ${String(cause)}`, {}, cause);
  }
  let nextId = 1;
  let cursor = 0;
  let closed = false;
  const check = () => {
    if (closed) throw new ExecutionError('POOL_CLOSED', 'the execution worker pool is closed');
  };
  const wrap = (cause: unknown) =>
    new ExecutionError(
      'WORKER_FAILED',
      `execution worker failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      {},
      cause,
    );

  return {
    size: p.size,
    async recover(txs) {
      check();
      const chunk = Math.ceil(txs.length / threads.length);
      const parts = threads.map((t, w) => {
        const slice = txs.slice(w * chunk, (w + 1) * chunk);
        if (slice.length === 0) return Promise.resolve(undefined);
        return t.request(nextId, { type: 'recover', id: nextId++, txs: slice });
      });
      let results: (FromWorker | undefined)[];
      try {
        results = await Promise.all(parts);
      } catch (cause) {
        throw wrap(cause);
      }
      const keys: Uint8Array[] = [];
      const invalid: { index: number; reason: string }[] = [];
      results.forEach((r, w) => {
        if (r === undefined || r.type !== 'recovered') return;
        const n = r.keys.length / 64;
        for (let i = 0; i < n; i++) keys.push(r.keys.subarray(i * 64, i * 64 + 64));
        for (const bad of r.invalid) invalid.push({ index: w * chunk + bad.index, reason: bad.reason });
      });
      invalid.sort((a, b) => a.index - b.index);
      return { keys, invalid };
    },
    sync() {
      check();
      if (stateSource !== undefined || p.store.changesSince === undefined) return;
      const { entries, cursor: next } = p.store.changesSince(cursor);
      cursor = next;
      if (entries.length === 0) return;
      const packed = packEntries(entries);
      for (const t of threads) t.post({ type: 'sync', entries: packed });
    },
    async hash(shares) {
      check();
      try {
        const replies = await Promise.all(
          shares.map((share, w) => {
            const thread = threads[w % threads.length] as Thread;
            return thread.request(nextId, { type: 'hash', id: nextId++, ...share });
          }),
        );
        return replies.map((r) => {
          if (r.type !== 'hashed') throw new Error(`unexpected reply ${r.type} to a hash request`);
          return { children: r.children, entries: r.entries };
        });
      } catch (cause) {
        throw wrap(cause);
      }
    },
    async run(header, parentStateRoot, shares, ancestors, probeContention = false, onOutcomes) {
      check();
      const keys = new Map<number, Uint8Array>();
      const senders = new Map<number, Uint8Array>();
      const invalid: { index: number; reason: string }[] = [];
      const busyMs: number[] = [];
      const recoveryMs: number[] = [];
      let contended = false;
      const collect = (indices: readonly number[], list: PackedList) => {
        onOutcomes?.(indices, unpackList(list));
      };
      const progress = (m: FromWorker) => {
        if (m.type === 'outcomes') collect(m.indices, m.outcomes);
      };
      try {
        const results = await Promise.all(
          threads.map((t, w) => {
            const share = shares[w];
            if (share === undefined || share.indices.length === 0) return Promise.resolve(undefined);
            return t.request(
              nextId,
              {
                type: 'run',
                id: nextId++,
                header,
                parentStateRoot,
                share: packShare(share),
                ancestors,
                probeContention,
              },
              progress,
            );
          }),
        );
        // A worker stopped on a contended block: the block will run serially, so its last
        // outcomes are not handed on (the merge would only re-run them to no use).
        contended = results.some((r) => r?.type === 'ran' && r.contended);
        results.forEach((r, w) => {
          if (r === undefined || r.type !== 'ran') return;
          const indices = shares[w]?.indices ?? [];
          for (let k = 0; k < r.senders.length / 20; k++) {
            const index = indices[k];
            if (index !== undefined) senders.set(index, r.senders.subarray(20 * k, 20 * k + 20));
          }
          busyMs.push(r.busyMs);
          recoveryMs.push(r.recoveryMs);
          if (!contended) collect(r.indices, r.outcomes);
          r.recovered.forEach((index, k) => {
            keys.set(index, r.keys.subarray(k * 64, k * 64 + 64));
          });
          invalid.push(...r.invalid);
        });
      } catch (cause) {
        throw wrap(cause);
      }
      invalid.sort((a, b) => a.index - b.index);
      return { keys, senders, invalid, busyMs, recoveryMs, contended };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
