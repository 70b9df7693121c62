// Worker thread of the execution pool: recovers senders, and runs its share of a block's
// transactions from the parent state, returning each transaction's outcome and access in the compact wire layout.
import { parentPort } from 'node:worker_threads';
import { Block, createBlockHeaderFromRLP } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import { createTxFromRLP } from '@ethereumjs/tx';
import { bytesToUnprefixedHex } from '@ethereumjs/util';
import { OutcomeBatch } from './access.js';
import { createExecutionCommon } from './common.js';
import { ContentionProbe } from './contention.js';
import { loadExecutionCrypto } from './crypto.js';
import {
  carrySender,
  createTxEngine,
  loadExtensions,
  runTracked,
  setBlockCoinbase,
  type TxEngine,
} from './engine.js';
import type {
  FromWorker,
  HashMessage,
  InitMessage,
  RecoverMessage,
  RunMessage,
  ToWorker,
} from './protocol.js';
import { OUTCOME_CHUNK, packEntries, unpackChanges, unpackEntries, unpackShare } from './protocol.js';
import { recoverSenderKey } from './signing.js';
import { createCachedStateManager, type HexStateReader, StateDB } from './state.js';
import { childToRef, commitSubtrie, type TrieChange, updateTrie } from './trieBatch.js';
import type { StateEntry, StateReader } from './types.js';

const port = parentPort;
if (port === null) throw new Error('worker.js must run in a worker thread');

let common: Common;
let keccak256: (data: Uint8Array) => Uint8Array;
let engine: TxEngine;
let baseCommutative: ReadonlySet<string>;
let stateDB: StateDB | undefined;
const replica = new Map<string, Uint8Array>();

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

async function init(message: InitMessage): Promise<void> {
  const crypto = await loadExecutionCrypto();
  keccak256 = crypto.keccak256;
  common = createExecutionCommon({ chainId: message.chainId, crypto });
  let reader: StateReader;
  if (message.stateSource !== undefined) {
    const mod = (await import(message.stateSource.module)) as {
      openStateReader: (handle: unknown) => StateReader;
    };
    reader = mod.openStateReader(message.stateSource.handle);
  } else {
    const mirror: HexStateReader = {
      get: (key) => replica.get(bytesToUnprefixedHex(key)),
      getHex: (key) => replica.get(key),
    };
    reader = mirror;
  }
  stateDB = new StateDB(reader);
  const sm = await createCachedStateManager({ db: stateDB, common, keccak256: crypto.keccak256 });
  const extensions = await loadExtensions(message.extensions);
  engine = await createTxEngine({ common, sm, extensions, trackReads: true });
  baseCommutative = engine.tracker.commutative;
  send({ type: 'ready', backend: crypto.backend });
}

function recover(message: RecoverMessage): void {
  const keys = new Uint8Array(64 * message.txs.length);
  const invalid: { index: number; reason: string }[] = [];
  message.txs.forEach((raw, i) => {
    try {
      const tx = createTxFromRLP(raw, { common, freeze: false });
      keys.set(recoverSenderKey(tx, raw, keccak256), i * 64);
    } catch (cause) {
      invalid.push({ index: i, reason: cause instanceof Error ? cause.message : String(cause) });
    }
  });
  send({ type: 'recovered', id: message.id, keys, invalid }, [keys.buffer]);
}

async function run(message: RunMessage): Promise<void> {
  const started = performance.now();
  const header = createBlockHeaderFromRLP(message.header, { common, skipConsensusFormatValidation: true });
  const block = new Block(header, [], [], [], { common });
  const sm = engine.sm;
  await sm.setStateRoot(message.parentStateRoot, true);
  setBlockCoinbase(engine, baseCommutative, header.coinbase.bytes);
  engine.blockHashes.set(message.ancestors);
  // One sequence in block order: each transaction runs on the writes of the earlier ones of the
  // share (the merge compares what it read with what they wrote), so nothing is undone between
  // transactions. A base checkpoint keeps the state manager from flushing to the trie after each
  // transaction; its revert drops the share's writes at the end.
  await sm.checkpoint();
  const share = unpackShare(message.share);
  const indices: number[] = [];
  const outcomes = new OutcomeBatch();
  const recovered: number[] = [];
  const recoveredKeys: Uint8Array[] = [];
  // The sender address of each share position run (carrySender hashed the key already): the
  // coordinator would hash every key again after the block.
  const senders = new Uint8Array(20 * share.indices.length);
  let ran = 0;
  const invalid: { index: number; reason: string }[] = [];
  let recoveryMs = 0;
  const probe = message.probeContention ? new ContentionProbe() : undefined;
  let contended = false;
  try {
    for (let k = 0; k < share.indices.length; k++) {
      const raw = share.txs[k];
      let key = share.senderKeys[k];
      const index = share.indices[k];
      if (raw === undefined || key === undefined || index === undefined) continue;
      const tx = createTxFromRLP(raw, { common, freeze: false });
      if (key.length === 0) {
        const r0 = performance.now();
        try {
          key = recoverSenderKey(tx, raw, keccak256);
        } catch (cause) {
          invalid.push({ index, reason: cause instanceof Error ? cause.message : String(cause) });
          // The coordinator refuses the block; the rest of the share would only waste time.
          break;
        } finally {
          recoveryMs += performance.now() - r0;
        }
        recovered.push(index);
        recoveredKeys.push(key);
      }
      carrySender(tx, key, keccak256);
      senders.set(tx.getSenderAddress().bytes, 20 * k);
      ran = k + 1;
      const { outcome } = await runTracked(engine, tx, block, 0n);
      indices.push(index);
      outcomes.add(outcome);
      if (outcomes.count === OUTCOME_CHUNK) {
        const chunk = outcomes.take();
        send({ type: 'outcomes', id: message.id, indices: indices.splice(0), outcomes: chunk }, [
          chunk.bytes.buffer as ArrayBuffer,
        ]);
      }
      if (probe?.observe(outcome.access)) {
        contended = true;
        break;
      }
    }
  } finally {
    await sm.revert();
    // Workers never write: drop whatever the final flush produced.
    stateDB?.discardPending();
  }
  const keys = new Uint8Array(64 * recoveredKeys.length);
  recoveredKeys.forEach((key, k) => {
    keys.set(key, 64 * k);
  });
  const packed = outcomes.take();
  send(
    {
      type: 'ran',
      id: message.id,
      indices,
      outcomes: packed,
      recovered,
      keys,
      senders: senders.subarray(0, 20 * ran),
      invalid,
      busyMs: performance.now() - started,
      recoveryMs,
      contended,
    },
    [keys.buffer, senders.buffer, packed.bytes.buffer as ArrayBuffer],
  );
}

/** Updates and hashes this worker's subtries of a trie (the coordinator assembles the root). */
function hash(message: HashMessage): void {
  const db = stateDB as StateDB;
  const read = (h: Uint8Array) => db.node(h);
  const changes = unpackChanges(message.changes);
  const children: Uint8Array[] = [];
  const entries: StateEntry[] = [];
  let lo = 0;
  message.nibbles.forEach((nibble, k) => {
    let hi = lo;
    while (hi < changes.length && (changes[hi] as TrieChange).nibbles[0] === nibble) hi++;
    const start = childToRef(message.children[k] as Uint8Array);
    const node = updateTrie(start, changes.slice(lo, hi), read, 1);
    const committed = commitSubtrie(node, keccak256);
    children.push(committed.child);
    for (const e of committed.entries) entries.push(e);
    lo = hi;
  });
  const packed = packEntries(entries);
  send({ type: 'hashed', id: message.id, children, entries: packed }, [packed.buffer as ArrayBuffer]);
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    try {
      switch (message.type) {
        case 'init':
          await init(message);
          break;
        case 'sync':
          for (const [key, value] of unpackEntries(message.entries))
            replica.set(bytesToUnprefixedHex(key), value.slice());
          break;
        case 'recover':
          recover(message);
          break;
        case 'run':
          await run(message);
          break;
        case 'hash':
          hash(message);
          break;
        case 'close':
          port.close();
          break;
      }
    } catch (cause) {
      const id = 'id' in message ? message.id : -1;
      send({
        type: 'failed',
        id,
        error: cause instanceof Error ? `${cause.message}\n${cause.stack}` : String(cause),
      });
    }
  });
});
