// The block-building thread (see buildThread.ts): runs the producer's blocks with its own
// libs/execution executor, reading the state through Kesque's reader handle (libs/execution's
// StateDB keeps the nodes its last blocks wrote) and handing the state writes back to the main
// thread, packed and transferred (stateWrites.ts), which writes them through the node's store.
import { parentPort, workerData } from 'node:worker_threads';
import { RLP } from '@ethereumjs/rlp';
import {
  create1559FeeMarketTxFromBytesArray,
  createAccessList2930TxFromBytesArray,
  createLegacyTxFromBytesArray,
  type TypedTransaction,
} from '@ethereumjs/tx';
import { Address } from '@ethereumjs/util';
import { initDietcoin } from '@khipu/dietcoin';
import { createExecutor, type StateEntry } from '@khipu/execution';
import { openKesqueReader } from '@khipu/kesque';
import { EXTENSIONS_MODULE } from '../exec/extensions.js';
import { createLibraryExecutor } from '../exec/libExecutor.js';
import type { PendingTransaction } from '../exec/types.js';
import { createSharedTxCommon } from '../txpool/decode.js';
import type { BuildJob, BuildReply, BuildWorkerData } from './buildWire.js';
import { encodeStateWrites } from './stateWrites.js';

const port = parentPort;
if (port === null) throw new Error('buildWorker.js runs as a worker thread');
const data = workerData as BuildWorkerData;

await initDietcoin();
const reader = openKesqueReader(data.kesque);
/** The writes of the block being run: handed back with its result, written by the main thread. */
let writes: StateEntry[] = [];
/** BLOCKHASH answers of the block being run, sent with it. */
let ancestors = new Map<bigint, Uint8Array>();
const store = {
  get: (key: Uint8Array) => reader.get(data.table, key),
  write: async (entries: readonly StateEntry[]) => {
    for (const e of entries) writes.push(e);
  },
};
const library = await createExecutor({
  chainId: data.chainId,
  store,
  extensions: { module: EXTENSIONS_MODULE },
  workers: 0,
  blockHashes: { blockHash: (n) => ancestors.get(n) },
});
const executor = createLibraryExecutor(library, 'serial');
const common = createSharedTxCommon(library.common);

/** The pool's transaction again, from its bytes, with the sender, key and hash the pool found
 *  (trusted, as execution trusts the pool's keys): one RLP decode and one object, no hashing. */
function pendingOf(
  raw: Uint8Array,
  sender: Uint8Array,
  hash: Uint8Array,
  publicKey: Uint8Array | undefined,
): PendingTransaction {
  const type = (raw[0] ?? 0) >= 0xc0 ? 0 : raw[0];
  const fields = RLP.decode(type === 0 ? raw : raw.subarray(1)) as never;
  // Not frozen: the sender's address is attached below, as the pool does.
  const options = { common, freeze: false };
  let tx: TypedTransaction;
  if (type === 0) tx = createLegacyTxFromBytesArray(fields, options);
  else if (type === 1) tx = createAccessList2930TxFromBytesArray(fields, options);
  else if (type === 2) tx = create1559FeeMarketTxFromBytesArray(fields, options);
  else throw new Error(`transaction type ${type} is not one the pool admits`);
  const cache = (tx as unknown as { cache: { senderPubKey?: Uint8Array; hash?: Uint8Array } }).cache;
  cache.hash = hash;
  if (publicKey) cache.senderPubKey = publicKey;
  const address = new Address(sender);
  (tx as { getSenderAddress: () => Address }).getSenderAddress = () => address;
  return { tx, raw, sender, hash, ...(publicKey ? { senderPublicKey: publicKey } : {}) };
}

async function run(job: BuildJob): Promise<BuildReply> {
  writes = [];
  ancestors = new Map(job.ancestors);
  const transactions = job.raws.map((raw, i) =>
    pendingOf(raw, job.senders[i] as Uint8Array, job.hashes[i] as Uint8Array, job.publicKeys[i]),
  );
  const index = new Map<PendingTransaction, number>(transactions.map((t, i) => [t, i]));
  const out = await executor.execute({
    parentStateRoot: job.parentStateRoot,
    context: job.context,
    transactions,
    mode: 'build',
  });
  const packed = encodeStateWrites(writes);
  const { included, skipped, ...rest } = out;
  return {
    id: job.id,
    ok: true,
    output: {
      ...rest,
      included: included.map((t) => index.get(t) as number),
      skipped: skipped.map((s) => ({ index: index.get(s.transaction) as number, reason: s.reason })),
    },
    writes: packed,
  };
}

// One job at a time: the main thread sends the next block only after this one's reply.
port.on('message', (job: BuildJob) => {
  run(job).then(
    (reply) => port.postMessage(reply, reply.ok ? [reply.writes.buffer as ArrayBuffer] : []),
    (error: unknown) =>
      port.postMessage({
        id: job.id,
        ok: false,
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies BuildReply),
  );
});
