// Prometheus metrics of a chain node, in one registry the RPC, the pool and the core add to.
// Names follow Prometheus conventions: `khipu_chain_<noun>_<unit>`, base units (seconds, wei,
// gas), counters end in `_total`, latencies are histograms, labels bounded.

import type { KesqueCounters } from '@khipu/kesque';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Kesque's monotonic counters, read from the store (`Kesque.counters()`). */
export type KesqueCountersSnapshot = KesqueCounters;

export interface CreateNodeMetricsParameters {
  /** Registry to add to; a new one when absent. */
  registry?: Registry;
  /** Also export Node's process metrics (CPU, RSS, heap, event loop lag) with the
   *  `khipu_chain_` prefix. Default true. */
  processMetrics?: boolean;
  /** Labels added to every series, e.g. `{ chain: 'acme', node: '0' }`. */
  defaultLabels?: Record<string, string>;
}

/** Block-interval buckets around the 1 s default block time. */
const INTERVAL_BUCKETS = [0.25, 0.5, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10, 30];
/** RPC latencies from 100 µs to 10 s. */
const RPC_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];
const EXECUTION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const RATIO_BUCKETS = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1];
/** A pruning cycle walks the live trie and rewrites the trie table: from tens of ms to minutes. */
const PRUNE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Every metric of a node. The RPC and the pool update theirs; the core updates `chain.*` and
 *  calls `registerKesque` once its store is open. */
export interface NodeMetrics {
  registry: Registry;
  rpc: {
    /** Labels: `method` (a known method name or `other`), `transport` (`http` | `ws`). */
    requestDuration: Histogram<'method' | 'transport'>;
    /** Labels: `method`, `code` (the JSON-RPC error code). */
    errors: Counter<'method' | 'code'>;
    /** Requests refused before dispatch (parse error, too large, batch too long). Label `reason`. */
    refused: Counter<'reason'>;
    wsConnections: Gauge;
    subscriptions: Gauge;
    filters: Gauge;
  };
  txpool: {
    pending: Gauge;
    queued: Gauge;
    /** Transactions admitted. */
    added: Counter;
    /** Refusals, label `reason` (a `TxPoolErrorCode`). */
    rejected: Counter<'reason'>;
    /** Transactions pushed out by cheaper-first eviction. */
    evicted: Counter;
    /** Journal size on disk. */
    journalBytes: Gauge;
  };
  chain: {
    headNumber: Gauge;
    headTimestamp: Gauge;
    blockInterval: Histogram;
    blocks: Counter;
    transactions: Counter;
    gasUsed: Counter;
    blockExecution: Histogram;
    /** Share of a block's transactions merged without re-run. */
    parallelism: Histogram;
    reRuns: Counter;
    serialFallbacks: Counter;
  };
  /** Pruning of past state (store/statePruner.ts). */
  state: {
    pruneCycles: Counter;
    pruneErrors: Counter;
    /** Trie records a cycle dropped from the store. */
    prunedRecords: Counter;
    pruneDuration: Histogram;
    /** The oldest block whose state the last cycle kept. */
    oldestBlock: Gauge;
  };
  /** Exports Kesque's counters, read at each scrape. Call once per store; `store` labels them. */
  registerKesque(store: string, read: () => KesqueCountersSnapshot): void;
}

/** Creates the node's metrics in `registry` (or a new one).
 *  Throws when the registry already holds metrics of the same names. */
export function createNodeMetrics(parameters: CreateNodeMetricsParameters = {}): NodeMetrics {
  const registry = parameters.registry ?? new Registry();
  if (parameters.defaultLabels) registry.setDefaultLabels(parameters.defaultLabels);
  if (parameters.processMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: 'khipu_chain_' });
  const registers = [registry];

  const rpc: NodeMetrics['rpc'] = {
    requestDuration: new Histogram({
      name: 'khipu_chain_rpc_request_duration_seconds',
      help: 'Time to answer one JSON-RPC call, by method and transport.',
      labelNames: ['method', 'transport'],
      buckets: RPC_BUCKETS,
      registers,
    }),
    errors: new Counter({
      name: 'khipu_chain_rpc_errors_total',
      help: 'JSON-RPC calls answered with an error, by method and error code.',
      labelNames: ['method', 'code'],
      registers,
    }),
    refused: new Counter({
      name: 'khipu_chain_rpc_refused_requests_total',
      help: 'Requests refused before dispatch (parse error, too large, batch too long).',
      labelNames: ['reason'],
      registers,
    }),
    wsConnections: new Gauge({
      name: 'khipu_chain_rpc_ws_connections',
      help: 'Open WebSocket connections.',
      registers,
    }),
    subscriptions: new Gauge({
      name: 'khipu_chain_rpc_subscriptions',
      help: 'Active eth_subscribe subscriptions.',
      registers,
    }),
    filters: new Gauge({ name: 'khipu_chain_rpc_filters', help: 'Installed filters.', registers }),
  };

  const txpool: NodeMetrics['txpool'] = {
    pending: new Gauge({
      name: 'khipu_chain_txpool_pending_transactions',
      help: 'Executable transactions in the pool.',
      registers,
    }),
    queued: new Gauge({
      name: 'khipu_chain_txpool_queued_transactions',
      help: 'Transactions in the pool waiting for a nonce gap to close.',
      registers,
    }),
    added: new Counter({
      name: 'khipu_chain_txpool_added_transactions_total',
      help: 'Transactions admitted to the pool.',
      registers,
    }),
    rejected: new Counter({
      name: 'khipu_chain_txpool_rejected_transactions_total',
      help: 'Transactions refused by the pool, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    evicted: new Counter({
      name: 'khipu_chain_txpool_evicted_transactions_total',
      help: 'Transactions evicted to make room for better-paying ones.',
      registers,
    }),
    journalBytes: new Gauge({
      name: 'khipu_chain_txpool_journal_bytes',
      help: 'Size of the transaction journal file.',
      registers,
    }),
  };

  const chain: NodeMetrics['chain'] = {
    headNumber: new Gauge({
      name: 'khipu_chain_head_block_number',
      help: 'Number of the head block.',
      registers,
    }),
    headTimestamp: new Gauge({
      name: 'khipu_chain_head_block_timestamp_seconds',
      help: 'Timestamp of the head block (Unix seconds).',
      registers,
    }),
    blockInterval: new Histogram({
      name: 'khipu_chain_block_interval_seconds',
      help: 'Time between consecutive block timestamps.',
      buckets: INTERVAL_BUCKETS,
      registers,
    }),
    blocks: new Counter({ name: 'khipu_chain_blocks_total', help: 'Blocks committed.', registers }),
    transactions: new Counter({
      name: 'khipu_chain_transactions_total',
      help: 'Transactions in committed blocks.',
      registers,
    }),
    gasUsed: new Counter({
      name: 'khipu_chain_gas_used_total',
      help: 'Gas used by committed blocks.',
      registers,
    }),
    blockExecution: new Histogram({
      name: 'khipu_chain_block_execution_seconds',
      help: 'Time to execute a block.',
      buckets: EXECUTION_BUCKETS,
      registers,
    }),
    parallelism: new Histogram({
      name: 'khipu_chain_block_parallelism_ratio',
      help: "Share of a block's transactions merged without re-run.",
      buckets: RATIO_BUCKETS,
      registers,
    }),
    reRuns: new Counter({
      name: 'khipu_chain_transaction_reruns_total',
      help: 'Transactions run again after a conflict during parallel execution.',
      registers,
    }),
    serialFallbacks: new Counter({
      name: 'khipu_chain_block_serial_fallbacks_total',
      help: 'Blocks whose parallel result was thrown away and run serially.',
      registers,
    }),
  };

  const state: NodeMetrics['state'] = {
    pruneCycles: new Counter({
      name: 'khipu_chain_state_prune_cycles_total',
      help: 'State pruning cycles completed.',
      registers,
    }),
    pruneErrors: new Counter({
      name: 'khipu_chain_state_prune_errors_total',
      help: 'State pruning cycles that failed.',
      registers,
    }),
    prunedRecords: new Counter({
      name: 'khipu_chain_state_pruned_records_total',
      help: 'State trie records dropped by pruning.',
      registers,
    }),
    pruneDuration: new Histogram({
      name: 'khipu_chain_state_prune_duration_seconds',
      help: 'Time a state pruning cycle took.',
      buckets: PRUNE_BUCKETS,
      registers,
    }),
    oldestBlock: new Gauge({
      name: 'khipu_chain_state_oldest_block_number',
      help: 'Oldest block whose state is kept (after the last pruning cycle).',
      registers,
    }),
  };

  const kesqueStores = new Map<string, () => KesqueCountersSnapshot>();
  const kesqueMetric = (field: keyof KesqueCountersSnapshot, name: string, help: string) =>
    new Counter({
      name,
      help,
      labelNames: ['store'],
      registers,
      collect() {
        // Counters only go up: export the store's own monotonic count.
        this.reset();
        for (const [store, read] of kesqueStores) this.inc({ store }, read()[field]);
      },
    });
  kesqueMetric('gets', 'khipu_chain_kesque_gets_total', 'Kesque reads.');
  kesqueMetric('diskReads', 'khipu_chain_kesque_disk_reads_total', 'Kesque reads that went to disk.');
  kesqueMetric('tagCollisions', 'khipu_chain_kesque_tag_collisions_total', 'Kesque index tag collisions.');
  kesqueMetric('cacheHits', 'khipu_chain_kesque_cache_hits_total', 'Kesque value-cache hits.');
  kesqueMetric('cacheMisses', 'khipu_chain_kesque_cache_misses_total', 'Kesque value-cache misses.');
  kesqueMetric(
    'bytesWritten',
    'khipu_chain_kesque_written_bytes_total',
    'Bytes Kesque appended to its logs.',
  );
  kesqueMetric('batches', 'khipu_chain_kesque_batches_total', 'Kesque write batches.');
  kesqueMetric('compactions', 'khipu_chain_kesque_compactions_total', 'Kesque compactions run.');

  return {
    registry,
    rpc,
    txpool,
    chain,
    state,
    registerKesque(store, read) {
      kesqueStores.set(store, read);
    },
  };
}
