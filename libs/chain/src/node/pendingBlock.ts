// The pending block, as geth users expect it: the pool's executable transactions run on top of the
// head through the producer's path (libs/execution's buildBlock, same selection, same rules), not
// sealed and never committed. State methods, eth_call and eth_estimateGas at `pending` read its
// state.
//
// Cost is bounded: it is built lazily, on the first request after the head or the pool changed
// (cached per (head hash, pool version); concurrent requests share one build), from at most
// `maxTransactions` transactions. It runs on an executor of its own (no worker threads) whose
// trie writes go to an in-memory layer over the store: nothing reaches the disk, the producer's
// executor and its caches are untouched, and a reader keeps the layer of the build it started on.
import type { Common } from '@ethereumjs/common';
import { bytesToHex, hexToBytes } from '@ethereumjs/util';
import { encodeHeader } from '@khipu/dietcoin';
import type { StateStore } from '@khipu/execution';
import type { BlockExecutor, PendingTransaction } from '../exec/types.js';
import { builtBlockHeader, childBlockContext } from '../producer/blockHeader.js';
import type { TransactionSource } from '../producer/types.js';
import type { BlockData, BlockReader, CallExecutor, HeaderData, StateReader } from '../rpc/backend.js';
import { blockSize } from '../store/chainStore.js';
import { decodeHeader } from '../store/codec.js';
import type { KVReader, KVStore } from '../store/kv.js';
import { createOverlayStateDB } from '../store/stateDB.js';
import { Tables } from '../store/tables.js';
import { storedToTransactionData } from '../store/transaction.js';
import { createChainCallExecutor } from './callExecutor.js';
import { createChainStateReader } from './stateReader.js';

/** Most pool transactions one pending block is built from (the block gas limit also bounds it). */
export const DEFAULT_PENDING_MAX_TRANSACTIONS = 1000;

/** A built pending block and readers of its state (the block number is `block.header.number`). */
export interface PendingBlock {
  block: BlockData;
  state: StateReader;
  calls: CallExecutor;
}

/** Trie writes of the pending executor: kept in memory, one layer per build. */
export interface PendingLayer {
  current: Map<string, Uint8Array>;
}

/** libs/execution's store for the pending executor: reads the layer of the build in progress, then
 *  the chain's store; writes only to the layer. */
export function createPendingExecutionStore(kv: KVReader, layer: PendingLayer): StateStore {
  return {
    get: (key) => layer.current.get(bytesToHex(key)) ?? kv.get(Tables.trie, key),
    write: async (entries) => {
      for (const [key, value] of entries) layer.current.set(bytesToHex(key), value);
    },
  };
}

export interface PendingBlockBuilderOptions {
  common: Common;
  /** The chain's committed blocks. */
  blocks: Pick<BlockReader, 'headNumber' | 'getHeaderByNumber'> & { headHeader(): HeaderData };
  kv: KVStore;
  /** The executor for pending builds (see the file comment), made on first use, and the layer its
   *  store writes to. */
  executor: () => Promise<BlockExecutor>;
  layer: PendingLayer;
  /** The pool's transactions, as the producer takes them. */
  take: TransactionSource['take'];
  /** Changes whenever the pool admits a transaction (removals happen with a new head). */
  poolVersion: () => number;
  /** The chain's base fee rule for the child of a header. */
  nextBaseFee: (parent: HeaderData) => bigint;
  /** Beneficiary shown in the pending header (this node's validator, or zero). */
  coinbase: Uint8Array;
  maxTransactions?: number;
  now?: () => number;
}

/** Builds and caches the pending block (see the file comment). */
export class PendingBlockBuilder {
  readonly #o: PendingBlockBuilderOptions;
  #cached: { key: string; pending: Promise<PendingBlock> } | undefined;
  /** Builds run one at a time: they share the pending executor and its layer. */
  #tail: Promise<unknown> = Promise.resolve();
  builds = 0;

  constructor(options: PendingBlockBuilderOptions) {
    this.#o = options;
  }

  /** The pending block on top of the current head with the pool as it is now. */
  get(): Promise<PendingBlock> {
    const parent = this.#o.blocks.headHeader();
    const key = `${parent.hash}:${this.#o.poolVersion()}`;
    if (this.#cached?.key === key) return this.#cached.pending;
    const pending = this.#tail.then(() => this.#build(parent));
    this.#tail = pending.catch(() => undefined);
    this.#cached = { key, pending };
    // A failed build is not cached: the next request tries again.
    pending.catch(() => {
      if (this.#cached?.pending === pending) this.#cached = undefined;
    });
    return pending;
  }

  async #build(parent: HeaderData): Promise<PendingBlock> {
    const o = this.#o;
    this.builds++;
    const context = childBlockContext(parent, {
      nowMs: (o.now ?? Date.now)(),
      coinbase: o.coinbase,
      baseFeePerGas: o.nextBaseFee(parent),
    });
    const number = context.number;
    const candidates = (await o.take(context.gasLimit, context.baseFeePerGas)).slice(
      0,
      o.maxTransactions ?? DEFAULT_PENDING_MAX_TRANSACTIONS,
    );
    const layer = new Map<string, Uint8Array>();
    o.layer.current = layer;
    const executor = await o.executor();
    const out = await executor.execute({
      parentStateRoot: hexToBytes(parent.stateRoot),
      context,
      transactions: candidates,
      mode: 'build',
    });
    // Not sealed, no roots of its own: the extraData of a pending block carries nothing.
    const headerRLP = encodeHeader(
      builtBlockHeader(context, out, {
        validatorsHash: new Uint8Array(32),
        nextValidatorsHash: new Uint8Array(32),
        messageRoot: new Uint8Array(32),
        shardRoot: new Uint8Array(32),
        parentSeals: { round: 0, seals: [] },
      }),
    );
    const header = decodeHeader(headerRLP);
    const block: BlockData = {
      header,
      transactions: out.included.map((t: PendingTransaction) =>
        storedToTransactionData({ raw: t.raw, sender: t.sender }, o.common),
      ),
      size: blockSize(headerRLP.length, out.included),
    };
    // Readers of this build: its layer over the store, its header as the only block they know.
    const layerKV: KVReader = {
      get: (table, key) =>
        table === Tables.trie && typeof key !== 'number'
          ? (layer.get(bytesToHex(key)) ?? o.kv.get(table, key))
          : o.kv.get(table, key),
    };
    const db = createOverlayStateDB(layerKV);
    const view = {
      getHeaderByNumber: (n: bigint) => (n === number ? header : o.blocks.getHeaderByNumber(n)),
    };
    return {
      block,
      state: createChainStateReader({ blocks: view, db, common: o.common }),
      // The call executor reads only headers (block context, BLOCKHASH) of the reader it is given.
      calls: createChainCallExecutor({ blocks: view as BlockReader, db, common: o.common }),
    };
  }
}
