// The block-building thread (see buildThread.ts): runs the producer's blocks with its own
// libs/execution executor, reading the state through Kesque's reader handle and handing the state
// writes back to the main thread, which writes them through the node's store.
import { parentPort, workerData } from 'node:worker_threads';
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import { createExecutor, type StateEntry } from '@khipu/execution';
import { openKesqueReader } from '@khipu/kesque';
import { EXTENSIONS_MODULE } from '../exec/extensions.js';
import { createLibraryExecutor } from '../exec/libExecutor.js';
import type { PendingTransaction } from '../exec/types.js';
import { createSharedTxCommon, decodeTransaction } from '../txpool/decode.js';
import { inlineSenderRecovery, type SenderRecovery } from '../txpool/senderRecovery.js';
import type { BuildJob, BuildReply, BuildWorkerData } from './buildWire.js';

const port = parentPort;
if (port === null) throw new Error('buildWorker.js runs as a worker thread');
const data = workerData as BuildWorkerData;

await initDietcoin();
const reader = openKesqueReader(data.kesque);
/** The writes of the block being run: handed back with its result, written by the main thread. */
let writes: StateEntry[] = [];
/** BLOCKHASH answers of the block being run, sent with it. */
let ancestors = new Map<bigint, Uint8Array>();
const library = await createExecutor({
  chainId: data.chainId,
  store: {
    get: (key) => reader.get(data.table, key),
    write: async (entries) => {
      for (const e of entries) writes.push(e);
    },
  },
  extensions: { module: EXTENSIONS_MODULE },
  workers: 0,
  blockHashes: { blockHash: (n) => ancestors.get(n) },
});
const executor = createLibraryExecutor(library, 'serial');
const common = createSharedTxCommon(library.common);

/** The pool's transaction again, from its bytes and the key the pool recovered (trusted). */
async function pendingOf(raw: Uint8Array, publicKey: Uint8Array | undefined): Promise<PendingTransaction> {
  const recovery: SenderRecovery = publicKey
    ? { recover: async () => publicKey, close: async () => {} }
    : inlineSenderRecovery;
  const pooled = await decodeTransaction(raw, {
    chainId: data.chainId,
    common,
    keccak256,
    // Admitted by the pool already: only its decoding is wanted here, not its policy.
    allowUnprotected: true,
    maxTxBytes: Number.MAX_SAFE_INTEGER,
    blockGasLimit: 2n ** 64n,
    recovery,
  });
  return {
    tx: pooled.tx,
    raw,
    sender: Buffer.from(pooled.from.slice(2), 'hex'),
    ...(publicKey ? { senderPublicKey: publicKey } : {}),
    hash: Buffer.from(pooled.hash.slice(2), 'hex'),
  };
}

async function run(job: BuildJob): Promise<BuildReply> {
  writes = [];
  ancestors = new Map(job.ancestors);
  const transactions = await Promise.all(job.raws.map((raw, i) => pendingOf(raw, job.publicKeys[i])));
  const index = new Map<PendingTransaction, number>(transactions.map((t, i) => [t, i]));
  const out = await executor.execute({
    parentStateRoot: job.parentStateRoot,
    context: job.context,
    transactions,
    mode: 'build',
  });
  const { included, skipped, ...rest } = out;
  return {
    id: job.id,
    ok: true,
    output: {
      ...rest,
      included: included.map((t) => index.get(t) as number),
      skipped: skipped.map((s) => ({ index: index.get(s.transaction) as number, reason: s.reason })),
    },
    writes,
  };
}

// One job at a time: the main thread sends the next block only after this one's reply.
port.on('message', (job: BuildJob) => {
  run(job).then(
    (reply) => port.postMessage(reply),
    (error: unknown) =>
      port.postMessage({
        id: job.id,
        ok: false,
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies BuildReply),
  );
});
