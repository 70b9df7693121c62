// A chain node: Kesque store + node core (genesis, execution, producer) + transaction pool with its
// journal + JSON-RPC over HTTP and WebSocket + Prometheus metrics, in one process.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Address } from '@ethereumjs/util';
import type { Durability } from '@khipu/kesque';
import { openKesque } from '@khipu/kesque';
import type { Logger } from 'pino';
import type { CommittedBlock } from '../consensus/chainBlocks.js';
import { createEvidenceReader } from '../consensus/evidenceReader.js';
import { type ConsensusService, type P2PSettings, startConsensusService } from '../consensus/service.js';
import type { GenesisConfig } from '../genesis/config.js';
import { createConsensusMetrics } from '../metrics/consensusMetrics.js';
import { createNodeMetrics, type NodeMetrics } from '../metrics/metrics.js';
import type { RpcBackend } from '../rpc/backend.js';
import type { RpcMethodOptions } from '../rpc/context.js';
import { createRpcServer, type RpcServer, type RpcServerLimits } from '../rpc/server.js';
import { CHAIN_TABLES } from '../store/tables.js';
import { createTxPool, type TxPool, type TxPoolLimits } from '../txpool/pool.js';
import { createWorkerSenderRecovery, inlineSenderRecovery } from '../txpool/senderRecovery.js';
import { type Chain, type OpenChainParameters, openChain } from './chain.js';
import { createPoolSource } from './poolSource.js';

export interface StartNodeParameters {
  /** Data directory: `kesque/` (chain and state) and `txpool.journal`. */
  dataDir: string;
  genesis: GenesisConfig;
  /** This node's validator key; without it the node does not produce blocks. */
  validatorKey?: Uint8Array;
  logger: Logger;
  rpc: {
    host: string;
    port: number;
    limits?: Partial<RpcServerLimits>;
    methods?: Partial<RpcMethodOptions>;
    /** Access-Control-Allow-Origin; `undefined` sends none. */
    corsOrigin?: string | undefined;
  };
  txpool?: {
    limits?: Partial<TxPoolLimits>;
    journal?: boolean;
    journalFsync?: boolean;
    /** Threads recovering submitted transactions' senders (default 0: the main thread). */
    recoveryThreads?: number;
  };
  /** Serve Prometheus metrics at `/metrics` (default true). */
  metrics?: boolean;
  /** Kesque's durability (default: fsync every batch). */
  durability?: Durability;
  execution?: OpenChainParameters['execution'];
  /** Past state kept (default: the last 128 blocks; `archive` keeps all). */
  stateRetention?: { archive: boolean; blocks: number };
  /** Labels on every metric, e.g. `{ chain: 'acme', node: '0' }`. */
  metricsLabels?: Record<string, string>;
  /** Peers: with them the node runs consensus (validator) or follows by block sync; without,
   *  a lone validator produces on a timer. */
  p2p?: P2PSettings;
}

export interface ChainNode {
  chain: Chain;
  pool: TxPool;
  rpc: RpcServer;
  metrics: NodeMetrics;
  /** Consensus and sync, when the node has peers (`p2p`). */
  consensus: ConsensusService | undefined;
  /** Where the RPC listens (HTTP, WebSocket and `/metrics` share the port). */
  address: { host: string; port: number };
  /** Stops producing (after the block in progress commits), closes RPC, the pool's journal and
   *  the store. */
  close(): Promise<void>;
}

/** Starts a node; resolves once it answers RPC. */
export async function startNode(p: StartNodeParameters): Promise<ChainNode> {
  const log = p.logger.child({ component: 'node' });
  mkdirSync(p.dataDir, { recursive: true });
  const metrics = createNodeMetrics(p.metricsLabels ? { defaultLabels: p.metricsLabels } : {});
  const kesque = await openKesque({
    dir: join(p.dataDir, 'kesque'),
    tables: CHAIN_TABLES,
    durability: p.durability ?? { mode: 'always' },
  });
  metrics.registerKesque('chain', () => kesque.counters());
  let pool: TxPool | undefined;
  // Counts the pool's admissions: the pending block is rebuilt when it (or the head) changes.
  let poolVersion = 0;
  let lastBlockAt: number | undefined;
  const chain = await openChain({
    kv: kesque,
    genesis: p.genesis,
    ...(p.validatorKey ? { validatorKey: p.validatorKey } : {}),
    // A lone producer's blocks run on a thread of their own unless told otherwise
    // (node/buildThread.ts), so that RPC admission does not wait behind them. Under consensus the
    // main thread imports the other validators' blocks anyway: a thread that builds only this
    // validator's turn (one block in N) stays cold (its own JIT; 6.6 ms per transfer measured on
    // its first loaded block against ~1 ms imported) and its proposals miss the round.
    execution: { buildThread: !p.p2p, ...(p.execution ?? { mode: 'serial' }) },
    onBuildThreadError: (error) =>
      log.warn({ err: error }, 'the build thread failed a block: built on the main thread'),
    pendingPool: { version: () => poolVersion },
    state: {
      ...(p.stateRetention ? { retention: p.stateRetention } : {}),
      onPruned: (r) => {
        metrics.state.pruneCycles.inc();
        metrics.state.prunedRecords.inc(r.trie.recordsDropped);
        metrics.state.pruneDuration.observe(r.trie.seconds);
        metrics.state.oldestBlock.set(Number(r.keptFrom));
        log.info(
          {
            head: Number(r.head),
            keptFrom: Number(r.keptFrom),
            liveNodes: r.liveKeys,
            dropped: r.trie.recordsDropped,
            bytesBefore: r.trie.bytesBefore,
            bytesAfter: r.trie.bytesAfter,
            seconds: r.trie.seconds,
          },
          'state pruned',
        );
      },
      onPruneError: (error) => {
        metrics.state.pruneErrors.inc();
        log.error({ err: error }, 'state pruning failed');
      },
    },
    source: {
      // Every argument forwarded (the producer's count cap among them).
      take: (...args) => (pool ? createPoolSource(pool).take(...args) : []),
      onBlockCommitted: async (b) => {
        if (pool) await createPoolSource(pool).onBlockCommitted(b);
      },
    },
    onBlock: (b) => {
      const m = metrics.chain;
      m.headNumber.set(Number(b.number));
      m.headTimestamp.set(Number(b.timestamp));
      m.blocks.inc();
      m.transactions.inc(b.transactions);
      m.gasUsed.inc(Number(b.gasUsed));
      const now = Date.now();
      if (lastBlockAt !== undefined) m.blockInterval.observe((now - lastBlockAt) / 1000);
      lastBlockAt = now;
      const stats = chain.store.getStats(b.number);
      if (stats) {
        m.blockExecution.observe(stats.executionSeconds);
        m.parallelism.observe(stats.parallelism);
        m.reRuns.inc(stats.reRuns);
        m.serialFallbacks.inc(stats.fallbacks);
      }
      if (b.transactions > 0 || b.number % 60n === 0n) {
        log.info(
          {
            number: Number(b.number),
            hash: b.hash,
            txs: b.transactions,
            skipped: b.skipped,
            gasUsed: Number(b.gasUsed),
            messages: b.messages,
            ms: Math.round(b.seconds * 1000),
            executeMs: Math.round(b.phases.execute * 1000),
            rootsMs: Math.round(b.phases.roots * 1000),
            commitMs: Math.round(b.phases.commit * 1000),
          },
          'block',
        );
      }
    },
    onError: (error) => log.error({ err: error }, 'block production failed'),
    onSetChangeRefused: (height, error) =>
      log.warn({ height, code: error.code, err: error }, 'validator-set change refused'),
  });
  const head = () => chain.store.headNumber();
  // Senders of submitted transactions are recovered on the main thread by default: native
  // recovery costs ~45 us, while handing batches to a thread (3 ms gathering) cost the main thread
  // more than that in postMessage and wake-ups on 2 vCPUs, and the thread's own CPU besides
  // (chain bench, transfers: node CPU per transaction 840 us inline against 1,058 with a thread).
  // More cores may want threads: KHIPU_TXPOOL_RECOVERY_THREADS.
  const recoveryThreads = p.txpool?.recoveryThreads ?? 0;
  const recovery =
    recoveryThreads > 0
      ? createWorkerSenderRecovery({ threads: recoveryThreads, gatherMs: 3 })
      : inlineSenderRecovery;
  pool = await createTxPool({
    recovery,
    chainId: chain.chainId,
    common: chain.common,
    state: {
      getNonce: (a) => chain.state.getNonce(a, head()),
      getBalance: (a) => chain.state.getBalance(a, head()),
      getAccount: async (a) => {
        const account = await (await chain.state.stateAt(head())).getAccount(
          new Address(Buffer.from(a.slice(2), 'hex')),
        );
        return { nonce: account?.nonce ?? 0n, balance: account?.balance ?? 0n };
      },
    },
    blockGasLimit: chain.store.headHeader().gasLimit,
    ...(p.txpool?.journal === false ? {} : { journalPath: join(p.dataDir, 'txpool.journal') }),
    journalFsync: p.txpool?.journalFsync ?? false,
    metrics: metrics.txpool,
    logger: p.logger,
    ...(p.txpool?.limits ? { limits: p.txpool.limits } : {}),
  });
  pool.subscribePending(() => {
    poolVersion++;
  });
  const headHeader = chain.store.headHeader();
  metrics.chain.headNumber.set(Number(headHeader.number));
  metrics.chain.headTimestamp.set(Number(headHeader.timestamp));
  let consensus: ConsensusService | undefined;
  const backend: RpcBackend = {
    chainId: chain.chainId,
    evidence: createEvidenceReader(() => consensus?.evidence ?? null),
    blocks: chain.rpcBlocks,
    state: chain.state,
    calls: chain.calls,
    logs: chain.store,
    txpool: pool,
    events: chain.store,
    khipu: chain.khipu,
    ...(chain.pending
      ? {
          pending: {
            block: async () => (await (chain.pending as NonNullable<Chain['pending']>).get()).block,
          },
        }
      : {}),
  };
  const rpc = createRpcServer({
    backend,
    logger: p.logger,
    ...(p.metrics === false ? {} : { metrics }),
    ...(p.rpc.limits ? { limits: p.rpc.limits } : {}),
    ...(p.rpc.methods ? { methodOptions: p.rpc.methods } : {}),
    ...('corsOrigin' in p.rpc ? { corsOrigin: p.rpc.corsOrigin } : {}),
  });
  const address = await rpc.listen(p.rpc.port, p.rpc.host);
  // Blocks this node did not build: they leave the pool here (the producer tells it of its own).
  const onCommitted = async (b: CommittedBlock) => {
    if (b.ownBlock) return;
    metrics.chain.headNumber.set(Number(b.number));
    metrics.chain.blocks.inc();
    metrics.chain.transactions.inc(b.included.length);
    if (pool)
      await createPoolSource(pool).onBlockCommitted({ number: b.number, included: b.included, skipped: [] });
  };
  // khipu_chain_consensus_* and khipu_chain_p2p_* on /metrics (finality, rounds, peers).
  const consensusMetrics = createConsensusMetrics({ registry: metrics.registry });
  consensus = p.p2p
    ? await startConsensusService({
        chain,
        kv: kesque,
        ...(p.validatorKey ? { validatorKey: p.validatorKey } : {}),
        p2p: p.p2p,
        logger: p.logger,
        txpool: pool,
        onCommitted,
        onConsensusEvent: consensusMetrics.onConsensusEvent,
        onPeerEvent: consensusMetrics.onPeerEvent,
      })
    : undefined;
  if (!consensus) chain.producer?.start();
  log.info(
    {
      chainId: Number(chain.chainId),
      head: Number(headHeader.number),
      rpc: `${address.host}:${address.port}`,
      validator: chain.producer?.address ?? null,
      p2pPort: consensus?.port ?? null,
    },
    'node started',
  );
  let closed: Promise<void> | undefined;
  return {
    chain,
    pool,
    rpc,
    metrics,
    consensus,
    address,
    close() {
      closed ??= (async () => {
        await consensus?.close();
        await chain.stop();
        await rpc.close();
        pool?.close();
        await recovery.close();
        await kesque.close();
        log.info({ head: Number(chain.store.headNumber()) }, 'node stopped');
      })();
      return closed;
    },
  };
}
