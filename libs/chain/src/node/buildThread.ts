// The producer's blocks built on a thread of their own. A block executing on the main thread held
// up every RPC request for its whole run (an ERC-20 block of 870 transfers: ~1 s), so admission
// stalled behind it and the load generator's connections sat idle. Here the main thread hands the
// pool's transactions (bytes and recovered keys) to a worker that runs libs/execution's buildBlock
// over Kesque's reader handle, and serves RPC while it runs; the worker hands back the block's
// output and its state writes, which the main thread writes through the node's store (where the
// pruner records them) before the producer goes on, exactly as the execution store did.
// Imported blocks (mode `import`) and any build the thread fails run on `fallback`.
import { Worker } from 'node:worker_threads';
import type { KesqueReaderHandle } from '@khipu/kesque';
import type { BlockExecutor, ExecuteBlockInput, ExecuteBlockOutput } from '../exec/types.js';
import type { KVStore } from '../store/kv.js';
import { Tables } from '../store/tables.js';
import type { BuildJob, BuildReply, BuildWorkerData } from './buildWire.js';
import { decodeStateWrites } from './stateWrites.js';

export interface CreateThreadBlockExecutorParameters {
  chainId: bigint;
  /** The node's store: its reader handle goes to the thread, the state writes come back to it. */
  kv: KVStore & { readerHandle: () => KesqueReaderHandle };
  /** The hash of canonical block `n` (BLOCKHASH), for the 256 blocks before each built one. */
  blockHash: (n: bigint) => Uint8Array | undefined;
  /** Runs imported blocks, and a build the thread failed (its writes, if any, were not kept). */
  fallback: BlockExecutor;
  /** Told of a build the thread failed, before it runs on `fallback`. */
  onThreadError?: (error: Error) => void;
}

/** A `BlockExecutor` that builds on a worker thread (see the file comment); `close` stops it. */
export function createThreadBlockExecutor(
  p: CreateThreadBlockExecutorParameters,
): BlockExecutor & { close(): Promise<void> } {
  let worker: Worker | undefined;
  let nextId = 0;
  /** The job in flight (one at a time: the producer awaits each block). */
  let waiting: { id: number; resolve: (reply: BuildReply) => void } | undefined;

  const fail = (w: Worker, message: string) => {
    if (worker === w) worker = undefined;
    const current = waiting;
    waiting = undefined;
    current?.resolve({ id: current.id, ok: false, message });
  };

  const spawn = (): Worker => {
    const data: BuildWorkerData = {
      chainId: p.chainId,
      kesque: p.kv.readerHandle(),
      table: Tables.trie,
    };
    const w = new Worker(new URL('./buildWorker.js', import.meta.url), { workerData: data });
    w.unref();
    w.on('message', (reply: BuildReply) => {
      w.unref();
      const current = waiting;
      if (current === undefined || current.id !== reply.id) return;
      waiting = undefined;
      current.resolve(reply);
    });
    w.on('error', (error) => fail(w, `the block-building thread failed: ${error.message}`));
    w.on('exit', (code) => fail(w, `the block-building thread exited (${code})`));
    return w;
  };

  const build = (input: ExecuteBlockInput): Promise<BuildReply> => {
    worker ??= spawn();
    const w = worker;
    const number = input.context.number;
    const ancestors: [bigint, Uint8Array][] = [];
    for (let n = number > 256n ? number - 256n : 0n; n < number; n++) {
      const hash = p.blockHash(n);
      if (hash) ancestors.push([n, hash]);
    }
    const job: BuildJob = {
      id: nextId++,
      parentStateRoot: input.parentStateRoot,
      context: input.context,
      raws: input.transactions.map((t) => t.raw),
      senders: input.transactions.map((t) => t.sender),
      hashes: input.transactions.map((t) => t.hash),
      publicKeys: input.transactions.map((t) => t.senderPublicKey),
      ancestors,
    };
    return new Promise<BuildReply>((resolve) => {
      waiting = { id: job.id, resolve };
      // Held while a block is out, so that the process does not exit under it.
      w.ref();
      w.postMessage(job);
    });
  };

  return {
    async execute(input: ExecuteBlockInput): Promise<ExecuteBlockOutput> {
      if (input.mode !== 'build' || waiting !== undefined) return p.fallback.execute(input);
      const reply = await build(input);
      if (!reply.ok) {
        p.onThreadError?.(new Error(reply.message));
        return p.fallback.execute(input);
      }
      // Before the block goes on: the producer reads the new state (shards, supply) right after.
      // The entries are views into the transferred buffer: Kesque copies them as it appends.
      await p.kv.batch(
        decodeStateWrites(reply.writes).map(([key, value]) => ({
          type: 'put' as const,
          table: Tables.trie,
          key,
          value,
        })),
      );
      const { included, skipped, ...rest } = reply.output;
      const at = (i: number) => input.transactions[i] as ExecuteBlockInput['transactions'][number];
      return {
        ...rest,
        included: included.map(at),
        skipped: skipped.map((s) => ({ transaction: at(s.index), reason: s.reason })),
      };
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
