// Sender recovery for admission: the public key that signed a transaction's signing hash.
// Recovery (~50-90 us of native libsecp256k1 per transaction) is the largest single cost of
// eth_sendRawTransaction; on the node's main thread it competes with block production and
// every other RPC. `createWorkerSenderRecovery` gathers the requests of one event-loop turn into
// a batch, recovers the batch on a worker thread and answers each request when its batch returns.
// `inlineSenderRecovery` recovers on the calling thread (tests, tools, a node without workers).
import { Worker } from 'node:worker_threads';
import { recoverPublicKeyFromSignature } from '../crypto.js';
import { ChainError } from '../errors.js';
import { RECOVERY_ITEM_BYTES, RECOVERY_RESULT_BYTES } from './recoveryWire.js';

/** What recovering a transaction's sender needs. */
export interface RecoveryRequest {
  /** The transaction's signing hash (32 bytes). */
  digest: Uint8Array;
  /** r (32 bytes, big-endian) then s (32 bytes). */
  signature: Uint8Array;
  /** 0 or 1. */
  recoveryId: number;
}

/** Recovers senders' public keys (64 bytes, uncompressed without the 0x04 prefix). */
export interface SenderRecovery {
  /** Rejects with `SenderRecoveryError` when the signature does not recover. */
  recover(request: RecoveryRequest): Promise<Uint8Array>;
  /** Stops the worker threads, if any; requests in flight are answered first. */
  close(): Promise<void>;
}

/** A signature that recovers no public key (not a worker failure: the transaction's fault). */
export class SenderRecoveryError extends Error {
  override readonly name = 'SenderRecoveryError';
}

/** Recovery on the calling thread. */
export const inlineSenderRecovery: SenderRecovery = {
  async recover({ digest, signature, recoveryId }) {
    try {
      return recoverPublicKeyFromSignature(digest, signature, recoveryId);
    } catch (cause) {
      throw new SenderRecoveryError('signature does not recover', { cause });
    }
  },
  async close() {},
};

export interface WorkerSenderRecoveryOptions {
  /** Worker threads (default 1: on a few cores one thread takes recovery off the main thread
   *  without taking a core from block execution). */
  threads?: number;
  /** Largest batch sent at once (default 256): a bound on one message and one worker turn. */
  maxBatch?: number;
  /** How long the first request of a batch waits for others before the batch is sent, in ms
   *  (default 0: until the end of the event-loop turn). Each batch wakes a thread, which costs
   *  the main thread more than a recovery on some virtual machines: a few ms gather several. */
  gatherMs?: number;
}

interface Waiter {
  resolve: (publicKey: Uint8Array) => void;
  reject: (error: Error) => void;
}

interface Batch {
  id: number;
  waiters: Waiter[];
  thread: RecoveryThread;
}

interface RecoveryThread {
  worker: Worker;
  /** A batch is out on this thread: the next one waits for it (see `createWorkerSenderRecovery`). */
  busy: boolean;
}

/** Batched recovery on worker threads (see the file comment). Each thread holds at most one batch:
 *  requests that arrive meanwhile gather into the next, so that batches grow with the load and
 *  the main thread wakes a thread once per batch, not once per transaction. Batches are answered
 *  in the order they were sent, so admissions resume in arrival order (a sender's nonces stay in
 *  order). */
export function createWorkerSenderRecovery(options: WorkerSenderRecoveryOptions = {}): SenderRecovery {
  const threadCount = Math.max(1, options.threads ?? 1);
  const maxBatch = Math.max(1, options.maxBatch ?? 256);
  const gatherMs = Math.max(0, options.gatherMs ?? 0);
  const threads: (RecoveryThread | undefined)[] = Array.from({ length: threadCount }, () => undefined);
  let queued: { request: RecoveryRequest; waiter: Waiter }[] = [];
  let flushScheduled = false;
  let nextBatchId = 0;
  let nextToDeliver = 0;
  const sent = new Map<number, Batch>();
  /** Results that arrived before an earlier batch's: held until it is delivered. */
  const arrived = new Map<number, { output?: Uint8Array; error?: Error }>();
  let closed = false;
  /** close() waiting for the queue and the batches in flight. */
  let onDrained: (() => void)[] = [];

  const deliver = () => {
    for (;;) {
      const result = arrived.get(nextToDeliver);
      const batch = sent.get(nextToDeliver);
      if (result === undefined || batch === undefined) break;
      arrived.delete(nextToDeliver);
      sent.delete(nextToDeliver);
      nextToDeliver++;
      for (const [i, w] of batch.waiters.entries()) {
        const at = i * RECOVERY_RESULT_BYTES;
        const output = result.output;
        if (output === undefined) w.reject(result.error ?? new Error('no recovery result'));
        else if (output[at] === 1) w.resolve(output.slice(at + 1, at + RECOVERY_RESULT_BYTES));
        else w.reject(new SenderRecoveryError('signature does not recover'));
      }
    }
    if (queued.length > 0) flush();
    else if (sent.size === 0) {
      for (const resolve of onDrained) resolve();
      onDrained = [];
    }
  };

  const spawn = (slot: number): RecoveryThread => {
    const worker = new Worker(new URL('./recoveryWorker.js', import.meta.url));
    const thread: RecoveryThread = { worker, busy: false };
    worker.unref();
    worker.on('message', (message: { id: number; output: Uint8Array }) => {
      thread.busy = false;
      worker.unref();
      arrived.set(message.id, { output: message.output });
      deliver();
    });
    const fail = (error: Error) => {
      // Every batch this thread held fails; the next batch starts a new thread.
      if (threads[slot] === thread) threads[slot] = undefined;
      for (const batch of sent.values()) {
        if (batch.thread === thread && !arrived.has(batch.id)) arrived.set(batch.id, { error });
      }
      deliver();
    };
    worker.on('error', (cause) =>
      fail(new ChainError('CRYPTO_BACKEND_UNAVAILABLE', 'the sender recovery thread failed', { cause })),
    );
    worker.on('exit', (code) => {
      if (!closed) {
        fail(new ChainError('CRYPTO_BACKEND_UNAVAILABLE', `the sender recovery thread exited (${code})`));
      }
    });
    return thread;
  };

  /** Sends one batch to each idle thread while requests are queued. */
  function flush(): void {
    flushScheduled = false;
    for (let slot = 0; slot < threadCount && queued.length > 0; slot++) {
      const thread = threads[slot] ?? spawn(slot);
      threads[slot] = thread;
      if (thread.busy) continue;
      const items = queued.length <= maxBatch ? queued : queued.slice(0, maxBatch);
      queued = queued.length <= maxBatch ? [] : queued.slice(maxBatch);
      const input = new Uint8Array(items.length * RECOVERY_ITEM_BYTES);
      for (const [i, { request }] of items.entries()) {
        const at = i * RECOVERY_ITEM_BYTES;
        input.set(request.digest, at);
        input.set(request.signature, at + 32);
        input[at + 96] = request.recoveryId;
      }
      const id = nextBatchId++;
      sent.set(id, { id, waiters: items.map((q) => q.waiter), thread });
      thread.busy = true;
      thread.worker.ref();
      thread.worker.postMessage({ id, input }, [input.buffer]);
    }
  }

  return {
    recover(request) {
      if (closed) return Promise.reject(new ChainError('CLOSED', 'sender recovery is closed'));
      return new Promise<Uint8Array>((resolve, reject) => {
        queued.push({ request, waiter: { resolve, reject } });
        if (!flushScheduled) {
          flushScheduled = true;
          // After this turn's I/O callbacks (or `gatherMs`): the requests that arrived meanwhile
          // share a batch.
          if (gatherMs > 0) setTimeout(flush, gatherMs);
          else setImmediate(flush);
        }
      });
    },
    async close() {
      if (closed) return;
      flush();
      if (sent.size > 0 || queued.length > 0) await new Promise<void>((resolve) => onDrained.push(resolve));
      closed = true;
      await Promise.all(threads.map((t) => t?.worker.terminate()));
    },
  };
}
