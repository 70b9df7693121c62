// The node core assembled: store, state, executor, state shards, readers and (for a validator)
// the producer, over one KV store. The node (node/node.ts) adds the pool, RPC and metrics.
import type { Common } from '@ethereumjs/common';
import { bytesToHex, hexToBytes } from '@ethereumjs/util';
import {
  decodeHeader as decodeKhipuHeader,
  initDietcoin,
  keccak256,
  type StateShards,
  type ValidatorSet,
} from '@khipu/dietcoin';
import { createExecutor, type ExecutionMode, type Executor } from '@khipu/execution';
import { createConsensusCrypto } from '../consensus/crypto.js';
import type { ConsensusError } from '../consensus/errors.js';
import { followValidatorSchedule } from '../consensus/scheduleFollower.js';
import type { ValidatorSchedule } from '../consensus/validatorSchedule.js';
import { ChainError } from '../errors.js';
import { createCanonicalBlockHashes } from '../exec/blockHashSource.js';
import { createExecutionStateStore } from '../exec/executionStore.js';
import { EXTENSIONS_MODULE } from '../exec/extensions.js';
import { createLibraryExecutor } from '../exec/libExecutor.js';
import { type RestoredStateShards, replayStateShards, restoreStateShards } from '../exec/stateShards.js';
import type { BlockExecutor } from '../exec/types.js';
import type { GenesisConfig } from '../genesis/config.js';
import { buildGenesis, validatorSetOf } from '../genesis/genesis.js';
import { validatorScheduleOf } from '../genesis/validatorSchedule.js';
import { Importer } from '../importer/importer.js';
import { nextBaseFee, Producer, type ProducerOptions, type ShardsHolder } from '../producer/producer.js';
import { EMPTY_TRANSACTION_SOURCE, type TransactionSource } from '../producer/types.js';
import {
  type BlockReader,
  type CallExecutor,
  type HeaderData,
  type KhipuReader,
  type StateReader,
  StateUnavailableError,
} from '../rpc/backend.js';
import { ChainStore } from '../store/chainStore.js';
import { encodeNumber } from '../store/codec.js';
import type { KVStore } from '../store/kv.js';
import { captureShards, shardSnapshotOp } from '../store/shardSnapshot.js';
import { createOverlayStateDB, type OverlayStateDB } from '../store/stateDB.js';
import {
  type CompactingKV,
  createRecordingKV,
  DEFAULT_STATE_RETENTION,
  type KVExtras,
  oldestKeptState,
  type PruneReport,
  StatePruner,
  type StateRetention,
} from '../store/statePruner.js';
import { CHAIN_ID_KEY, Tables } from '../store/tables.js';
import { createThreadBlockExecutor } from './buildThread.js';
import { createChainCallExecutor } from './callExecutor.js';
import { createChainKhipuReader } from './khipuReader.js';
import {
  createPendingExecutionStore,
  type PendingBlock,
  PendingBlockBuilder,
  type PendingBlockBuilderOptions,
  type PendingLayer,
} from './pendingBlock.js';
import { createChainStateReader, readKeptState } from './stateReader.js';

export interface OpenChainParameters {
  /** The store; Kesque's `readerHandle` lets execution workers read it (parallel mode), its
   *  `compact` lets the node prune old state. */
  kv: KVStore & KVExtras;
  genesis: GenesisConfig;
  /** The validator key of this node; without it the node follows and does not produce. */
  validatorKey?: Uint8Array;
  source?: TransactionSource;
  onBlock?: ProducerOptions['onBlock'];
  onError?: ProducerOptions['onError'];
  /** A final block carried a governance validator-set change the schedule refused. */
  onSetChangeRefused?: (height: number, error: ConsensusError) => void;
  /** Clock for the producer (tests pin it). */
  now?: () => number;
  /** How libs/execution runs blocks: `serial` (the default) or `parallel` with `workers` threads;
   *  `buildThread` (serial mode, a store with a reader handle): the producer's blocks run on a
   *  thread of their own (node/buildThread.ts), so that RPC is served while a block executes. */
  execution?: { mode: ExecutionMode; workers?: number; buildThread?: boolean };
  /** The build thread failed a block (it then ran on the main thread). */
  onBuildThreadError?: (error: Error) => void;
  /** Serve a pending block built from `source` (node/pendingBlock.ts); `version` changes whenever
   *  the pool admits a transaction. Without it, `pending` is the head. */
  pendingPool?: { version: () => number; maxTransactions?: number };
  /** Past state kept and how (see store/statePruner.ts). */
  state?: {
    /** Default: the last 128 blocks. */
    retention?: StateRetention;
    /** Blocks between state-shard snapshots (default 64, half the default retention). */
    snapshotEveryBlocks?: number;
    /** Blocks between pruning cycles (default: the retention window). */
    pruneEveryBlocks?: number;
    onPruned?: (report: PruneReport) => void;
    onPruneError?: (error: unknown) => void;
  };
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
  /** The validator set of every height (epochs, configured and governance changes), kept in step with the store. */
  schedule: ValidatorSchedule;
  state: StateReader & { stateAt: ReturnType<typeof createChainStateReader>['stateAt'] };
  calls: CallExecutor;
  khipu: KhipuReader;
  producer: Producer | undefined;
  /** Imports blocks sealed elsewhere (followers, and validators once consensus runs). */
  importer: Importer;
  /** The state shards at the head. */
  shards(): StateShards;
  /** How the state shards were restored when the chain opened (`undefined` on a new store). */
  shardsRestored: Omit<RestoredStateShards, 'shards'> | undefined;
  /** The oldest block whose state is kept (0 on an archive node). */
  oldestState(): bigint;
  /** Prunes old state (`undefined` on an archive node or a store without compaction). */
  pruner: StatePruner | undefined;
  /** The pending block (`undefined` without `pendingPool`); `state` and `calls` answer for block
   *  `headNumber() + 1` from it. */
  pending: (PendingBlockBuilder & { close(): Promise<void> }) | undefined;
  /** The RPC's `BlockReader`: the store, and the pending header as block `headNumber() + 1`. */
  rpcBlocks: BlockReader;
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
  const retention = p.state?.retention ?? DEFAULT_STATE_RETENTION;
  const snapshotEvery = BigInt(Math.max(1, p.state?.snapshotEveryBlocks ?? 64));
  // Every write goes through `kv`, so that a pruning cycle sees the trie nodes written under it.
  const kv = createRecordingKV(p.kv);
  const library = await createExecutor({
    chainId: config.chainId,
    store: createExecutionStateStore(kv),
    extensions: { module: EXTENSIONS_MODULE },
    workers: execution.mode === 'parallel' ? (execution.workers ?? 2) : 0,
    // BLOCKHASH: the canonical hashes below the block being run (asked only after `store` exists).
    blockHashes: createCanonicalBlockHashes((n) => store.getHeaderRLP(n), keccak256),
  });
  // One Common for everything: libs/execution's (native crypto, our consensus type, the EIPs we
  // run), so that transactions parsed anywhere in the node carry the same rules.
  const common = library.common;
  const baseFeeAfter = (parent: HeaderData) =>
    nextBaseFee(
      parent.gasUsed,
      parent.gasLimit,
      parent.baseFeePerGas ?? config.baseFeePerGas,
      config.baseFeePerGas,
    );
  const store = new ChainStore({ kv, common, nextBaseFee: baseFeeAfter });
  const db = createOverlayStateDB(kv);
  const validators = validatorSetOf(config);
  const built = await buildGenesis({ config, db, kv, common });
  let shards: StateShards;
  let shardsRestored: Chain['shardsRestored'];
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
    const restored = await restoreStateShards({
      db,
      kv,
      blocks: store,
      upTo: store.headNumber(),
      shardBits: config.stateShardBits,
      common,
    });
    shards = restored.shards;
    shardsRestored = { from: restored.from, replayedBlocks: restored.replayedBlocks };
  }
  const schedule = validatorScheduleOf(config, await createConsensusCrypto());
  const unfollowSchedule = followValidatorSchedule({
    store,
    schedule,
    common,
    ...(p.onSetChangeRefused ? { onRefused: p.onSetChangeRefused } : {}),
  });
  const executor = createLibraryExecutor(library, execution.mode);
  const rebuildShards = () =>
    replayStateShards({
      db,
      kv,
      blocks: store,
      upTo: store.headNumber(),
      shardBits: config.stateShardBits,
      common,
    });
  const holder: ShardsHolder = { current: shards };
  const readerHandle = kv.readerHandle;
  const buildThread =
    p.validatorKey && execution.buildThread && execution.mode === 'serial' && readerHandle
      ? createThreadBlockExecutor({
          chainId: config.chainId,
          kv: kv as typeof kv & { readerHandle: NonNullable<typeof readerHandle> },
          blockHash: createCanonicalBlockHashes((n) => store.getHeaderRLP(n), keccak256).blockHash,
          fallback: executor,
          ...(p.onBuildThreadError ? { onThreadError: p.onBuildThreadError } : {}),
        })
      : undefined;
  const producer = p.validatorKey
    ? new Producer({
        chainId: config.chainId,
        common,
        store,
        db,
        executor: buildThread ?? executor,
        source: p.source ?? EMPTY_TRANSACTION_SOURCE,
        shards: holder,
        rebuildShards,
        validators,
        schedule,
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
    schedule,
    shards: holder,
    rebuildShards,
    minBaseFee: config.baseFeePerGas,
  });
  const snapshots = new ShardSnapshotWriter(kv, store, holder, shardsRestored?.from);
  // A restart that replayed blocks snapshots at once, so that the next one replays none of them.
  if (shardsRestored && shardsRestored.replayedBlocks > 0) snapshots.write(store.headHeader());
  const oldestState = () => oldestKeptState(retention, store.headNumber());
  const compactingKV = kv.compact ? (kv as typeof kv & CompactingKV) : undefined;
  const pruner =
    compactingKV && !retention.archive
      ? new StatePruner({
          kv: compactingKV,
          blocks: store,
          retention,
          ...(p.state?.pruneEveryBlocks !== undefined ? { everyBlocks: p.state.pruneEveryBlocks } : {}),
          snapshotBlock: () => snapshots.durableBlock,
          ...(p.state?.onPruned ? { onPruned: p.state.onPruned } : {}),
          ...(p.state?.onPruneError ? { onError: p.state.onPruneError } : {}),
        })
      : undefined;
  const unsubscribe = store.subscribeNewBlocks(({ header }) => {
    if (header.number % snapshotEvery === 0n) snapshots.write(header);
    pruner?.onBlock(header.number);
  });
  const committedState = createChainStateReader({ blocks: store, db, common, oldestState });
  const committedCalls = createChainCallExecutor({ blocks: store, db, common });
  const pending = p.pendingPool
    ? createPendingBuilder({
        chainId: config.chainId,
        common,
        store,
        kv,
        take: (p.source ?? EMPTY_TRANSACTION_SOURCE).take,
        poolVersion: p.pendingPool.version,
        nextBaseFee: baseFeeAfter,
        coinbase: producer ? hexToBytes(producer.address) : new Uint8Array(20),
        ...(p.pendingPool.maxTransactions !== undefined
          ? { maxTransactions: p.pendingPool.maxTransactions }
          : {}),
        ...(p.now ? { now: p.now } : {}),
      })
    : undefined;
  // A block above the head is the pending one (the RPC resolves `pending` to head + 1).
  const isPending = (n: bigint) => pending !== undefined && n > store.headNumber();
  const pendingBlock = () => (pending as PendingBlockBuilder).get();
  const state: Chain['state'] = {
    stateAt: committedState.stateAt,
    getBalance: async (a, n) => {
      if (!isPending(n)) return committedState.getBalance(a, n);
      const b = await pendingBlock();
      return b.state.getBalance(a, b.block.header.number);
    },
    getNonce: async (a, n) => {
      if (!isPending(n)) return committedState.getNonce(a, n);
      const b = await pendingBlock();
      return b.state.getNonce(a, b.block.header.number);
    },
    getCode: async (a, n) => {
      if (!isPending(n)) return committedState.getCode(a, n);
      const b = await pendingBlock();
      return b.state.getCode(a, b.block.header.number);
    },
    getStorageAt: async (a, slot, n) => {
      if (!isPending(n)) return committedState.getStorageAt(a, slot, n);
      const b = await pendingBlock();
      return b.state.getStorageAt(a, slot, b.block.header.number);
    },
    getProof: async (a, slots, n) => {
      if (!isPending(n)) return committedState.getProof(a, slots, n);
      const b = await pendingBlock();
      return b.state.getProof(a, slots, b.block.header.number);
    },
  };
  const calls: CallExecutor = {
    async call(request, blockNumber) {
      if (isPending(blockNumber)) {
        const b = await pendingBlock();
        return b.calls.call(request, b.block.header.number);
      }
      if (blockNumber < oldestState()) throw new StateUnavailableError(blockNumber);
      return readKeptState(blockNumber, async () => committedCalls.call(request, blockNumber));
    },
  };
  return {
    chainId: config.chainId,
    common,
    genesis: config,
    store,
    db,
    executor,
    validators,
    schedule,
    state,
    calls,
    khipu: createChainKhipuReader({
      chainId: config.chainId,
      store,
      db,
      common,
      validators,
      schedule,
      shards: currentShards,
      shardBits: config.stateShardBits,
    }),
    producer,
    importer,
    shards: currentShards,
    shardsRestored,
    oldestState,
    pruner,
    pending,
    rpcBlocks: pending ? withPendingHeader(store, pendingBlock) : store,
    async stop() {
      unfollowSchedule();
      unsubscribe();
      await producer?.stop();
      await buildThread?.close();
      await pruner?.stop();
      await snapshots.flush();
      await library.close();
      await pending?.close();
    },
  };
}

/** `store` whose `getHeaderByNumber` answers a block above the head with the pending header. */
function withPendingHeader(store: ChainStore, pendingBlock: () => Promise<PendingBlock>): BlockReader {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'getHeaderByNumber') {
        return (n: bigint) =>
          n > target.headNumber()
            ? pendingBlock().then((b) => (b.block.header.number === n ? b.block.header : null))
            : target.getHeaderByNumber(n);
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A stored header's hash as bytes (undefined when there is no such block). */
function blockHashBytes(header: HeaderData | null): Uint8Array | undefined {
  return header === null ? undefined : hexToBytes(header.hash);
}

/** A pending block builder whose executor (libs/execution, no workers, trie writes to memory) is
 *  created on the first pending request. */
function createPendingBuilder(
  o: Omit<PendingBlockBuilderOptions, 'executor' | 'layer' | 'blocks' | 'kv'> & {
    chainId: bigint;
    store: ChainStore;
    kv: KVStore;
  },
): PendingBlockBuilder & { close(): Promise<void> } {
  const layer: PendingLayer = { current: new Map() };
  let library: Promise<Executor> | undefined;
  const builder = new PendingBlockBuilder({
    ...o,
    blocks: o.store,
    layer,
    executor: async () => {
      library ??= createExecutor({
        chainId: o.chainId,
        store: createPendingExecutionStore(o.kv, layer),
        extensions: { module: EXTENSIONS_MODULE },
        workers: 0,
        blockHashes: { blockHash: (n) => blockHashBytes(o.store.getHeaderByNumber(n)) },
      });
      return createLibraryExecutor(await library, 'serial');
    },
  });
  return Object.assign(builder, {
    async close() {
      if (library) await (await library).close();
    },
  });
}

/** Writes state-shard snapshots in the background, one at a time, and knows the durable one. */
class ShardSnapshotWriter {
  /** The block of the last snapshot known durable. */
  durableBlock: bigint | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KVStore,
    private readonly store: ChainStore,
    private readonly holder: ShardsHolder,
    restoredFrom: bigint | undefined,
  ) {
    this.durableBlock = restoredFrom !== undefined && restoredFrom >= 0n ? restoredFrom : undefined;
  }

  /** Snapshots the shards now, if they are those of `header` (the block just committed; a block
   *  in progress may already have changed them, then this one is skipped). The leaves are captured
   *  synchronously; encoding (in slices) and the write are queued. */
  write(header: HeaderData): void {
    const rlp = this.store.getHeaderRLP(header.number);
    if (!rlp) return;
    const want = decodeKhipuHeader(rlp).header.extra.shardRoot;
    if (!Buffer.from(want).equals(Buffer.from(this.holder.current.root))) return;
    const captured = captureShards(this.holder.current);
    this.#chain = this.#chain
      .then(async () => this.kv.batch([await shardSnapshotOp(this.kv, captured, header.number)]))
      .then(
        () => {
          if (this.durableBlock === undefined || header.number > this.durableBlock)
            this.durableBlock = header.number;
        },
        // A failed snapshot only loses a shortcut: the previous one (or the replay) still holds.
        () => undefined,
      );
  }

  flush(): Promise<void> {
    return this.#chain;
  }
}
