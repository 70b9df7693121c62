// The node core assembled: store, state, executor, state shards, readers and (for a validator)
// the producer, over one KV store. The node (node/node.ts) adds the pool, RPC and metrics.
import type { Common } from '@ethereumjs/common';
import { bytesToHex } from '@ethereumjs/util';
import { initDietcoin, keccak256, type StateShards, type ValidatorSet } from '@khipu/dietcoin';
import { createExecutor, type ExecutionMode } from '@khipu/execution';
import type { KesqueReaderHandle } from '@khipu/kesque';
import { ChainError } from '../errors.js';
import { createExecutionStateStore } from '../exec/executionStore.js';
import { EXTENSIONS_MODULE } from '../exec/extensions.js';
import { createLibraryExecutor } from '../exec/libExecutor.js';
import { replayStateShards } from '../exec/stateShards.js';
import type { BlockExecutor } from '../exec/types.js';
import type { GenesisConfig } from '../genesis/config.js';
import { buildGenesis, validatorSetOf } from '../genesis/genesis.js';
import { Importer } from '../importer/importer.js';
import { Producer, type ProducerOptions, type ShardsHolder } from '../producer/producer.js';
import { EMPTY_TRANSACTION_SOURCE, type TransactionSource } from '../producer/types.js';
import type { CallExecutor, KhipuReader, StateReader } from '../rpc/backend.js';
import { ChainStore } from '../store/chainStore.js';
import { encodeNumber } from '../store/codec.js';
import type { KVStore } from '../store/kv.js';
import { createOverlayStateDB, type OverlayStateDB } from '../store/stateDB.js';
import { CHAIN_ID_KEY, Tables } from '../store/tables.js';
import { createChainCallExecutor } from './callExecutor.js';
import { createChainKhipuReader } from './khipuReader.js';
import { createChainStateReader } from './stateReader.js';

export interface OpenChainParameters {
  /** The store; Kesque's `readerHandle` lets execution workers read it (parallel mode). */
  kv: KVStore & { readerHandle?: () => KesqueReaderHandle };
  genesis: GenesisConfig;
  /** The validator key of this node; without it the node follows and does not produce. */
  validatorKey?: Uint8Array;
  source?: TransactionSource;
  onBlock?: ProducerOptions['onBlock'];
  onError?: ProducerOptions['onError'];
  /** Clock for the producer (tests pin it). */
  now?: () => number;
  /** How libs/execution runs blocks: `serial` (the default) or `parallel` with `workers` threads. */
  execution?: { mode: ExecutionMode; workers?: number };
}

/** An open chain. `producer` is set when the node holds a validator key. */
export interface Chain {
  chainId: bigint;
  common: Common;
  genesis: GenesisConfig;
  store: ChainStore;
  db: OverlayStateDB;
  executor: BlockExecutor;
  validators: ValidatorSet;
  state: StateReader & { stateAt: ReturnType<typeof createChainStateReader>['stateAt'] };
  calls: CallExecutor;
  khipu: KhipuReader;
  producer: Producer | undefined;
  /** Imports blocks sealed elsewhere (followers, and validators once consensus runs). */
  importer: Importer;
  /** The state shards at the head. */
  shards(): StateShards;
  /** Stops the producer (waiting for a block in progress to commit). */
  stop(): Promise<void>;
}

/**
 * Opens the chain over `kv`: commits genesis on an empty store, or checks that the stored genesis
 * is the one configured and resumes from the stored head (its state root intact by construction:
 * the head moved only in the batch that wrote the state).
 * @throws ChainError GENESIS_MISMATCH when the store holds another chain.
 */
export async function openChain(p: OpenChainParameters): Promise<Chain> {
  await initDietcoin();
  const config = p.genesis;
  const execution = p.execution ?? { mode: 'serial' };
  const library = await createExecutor({
    chainId: config.chainId,
    store: createExecutionStateStore(p.kv),
    extensions: { module: EXTENSIONS_MODULE },
    workers: execution.mode === 'parallel' ? (execution.workers ?? 2) : 0,
  });
  // One Common for everything: libs/execution's (native crypto, our consensus type, the EIPs we
  // run), so that transactions parsed anywhere in the node carry the same rules.
  const common = library.common;
  const store = new ChainStore({ kv: p.kv, common });
  const db = createOverlayStateDB(p.kv);
  const validators = validatorSetOf(config);
  const built = await buildGenesis({ config, db, kv: p.kv, common });
  let shards: StateShards;
  if (!store.isInitialized()) {
    await store.commitBlock({
      ...built.commit,
      extraOps: [{ type: 'put', table: Tables.meta, key: CHAIN_ID_KEY, value: encodeNumber(config.chainId) }],
    });
    db.markCommitted(built.commit.stateOps);
    shards = built.shards;
  } else {
    db.discard();
    const storedChainId = store.storedChainId();
    if (storedChainId !== config.chainId) {
      throw new ChainError(
        'GENESIS_MISMATCH',
        `the store holds chain ${storedChainId ?? 'unknown'}, the config is for chain ${config.chainId}: use another data directory`,
        { details: { stored: storedChainId, expected: config.chainId } },
      );
    }
    const stored = store.getHeaderRLP(0n);
    const storedHash = stored ? store.getHeaderByNumber(0n)?.hash : undefined;
    const expected = bytesToHex(keccak256(built.headerRLP));
    if (storedHash !== expected) {
      throw new ChainError(
        'GENESIS_MISMATCH',
        `the store holds chain with genesis ${storedHash ?? 'none'}, the config makes ${expected}: use another data directory or the same genesis`,
        { details: { stored: storedHash, expected } },
      );
    }
    shards = await replayStateShards({
      db,
      kv: p.kv,
      blocks: store,
      upTo: store.headNumber(),
      shardBits: config.stateShardBits,
      common,
    });
  }
  const executor = createLibraryExecutor(library, execution.mode);
  const rebuildShards = () =>
    replayStateShards({
      db,
      kv: p.kv,
      blocks: store,
      upTo: store.headNumber(),
      shardBits: config.stateShardBits,
      common,
    });
  const holder: ShardsHolder = { current: shards };
  const producer = p.validatorKey
    ? new Producer({
        chainId: config.chainId,
        common,
        store,
        db,
        executor,
        source: p.source ?? EMPTY_TRANSACTION_SOURCE,
        shards: holder,
        rebuildShards,
        validators,
        privateKey: p.validatorKey,
        blockTimeMs: config.blockTimeMs,
        minBaseFee: config.baseFeePerGas,
        ...(p.now ? { now: p.now } : {}),
        ...(p.onBlock ? { onBlock: p.onBlock } : {}),
        ...(p.onError ? { onError: p.onError } : {}),
      })
    : undefined;
  const currentShards = () => holder.current;
  const importer = new Importer({
    chainId: config.chainId,
    common,
    store,
    db,
    executor,
    validators,
    shards: holder,
    rebuildShards,
    minBaseFee: config.baseFeePerGas,
  });
  const state = createChainStateReader({ blocks: store, db, common });
  return {
    chainId: config.chainId,
    common,
    genesis: config,
    store,
    db,
    executor,
    validators,
    state,
    calls: createChainCallExecutor({ blocks: store, db, common }),
    khipu: createChainKhipuReader({
      chainId: config.chainId,
      store,
      db,
      common,
      validators,
      shards: currentShards,
      shardBits: config.stateShardBits,
    }),
    producer,
    importer,
    shards: currentShards,
    async stop() {
      await producer?.stop();
      await library.close();
    },
  };
}
