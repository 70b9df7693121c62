// Installed filters (eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter), fed by
// the chain's block events and polled by eth_getFilterChanges. A filter not polled for
// `timeoutMs` expires (geth: 5 minutes); one whose buffer overflows is dropped, so that a client
// that stopped polling cannot grow the node's memory.

import { randomBytes } from 'node:crypto';
import type { ChainEvents, Hash, Hex, LogData, NewBlockEvent, TxSubmitter, Unsubscribe } from './backend.js';
import { RpcError, RpcErrorCode, serverError } from './errors.js';
import { type LogFilterCriteria, matchesLog } from './logs.js';

export interface FilterRegistryOptions {
  /** A filter not polled for this long is removed. */
  timeoutMs: number;
  /** Most filters installed at once. */
  maxFilters: number;
  /** Most undelivered changes a filter holds before it is dropped. */
  maxBufferedChanges: number;
}

type Filter =
  | { kind: 'logs'; criteria: LogFilterCriteria; buffer: LogData[]; lastPoll: number }
  | { kind: 'blocks'; buffer: Hash[]; lastPoll: number }
  | { kind: 'pendingTransactions'; buffer: Hash[]; lastPoll: number };

/** Subscription and filter ids as geth makes them: 16 random bytes, hex, leading zeros cut. */
export function newSubscriptionId(): Hex {
  const hex = randomBytes(16).toString('hex').replace(/^0+/, '');
  return `0x${hex === '' ? '0' : hex}`;
}

/** The numeric bounds of a filter's range, where given as numbers (tags are open-ended). */
function inRange(criteria: LogFilterCriteria, blockNumber: bigint): boolean {
  const from =
    criteria.fromBlock !== undefined && 'number' in criteria.fromBlock ? criteria.fromBlock.number : 0n;
  const to =
    criteria.toBlock !== undefined && 'number' in criteria.toBlock ? criteria.toBlock.number : undefined;
  return blockNumber >= from && (to === undefined || blockNumber <= to);
}

export class FilterRegistry {
  readonly #filters = new Map<Hex, Filter>();
  readonly #events: ChainEvents;
  readonly #txpool: TxSubmitter;
  readonly #options: FilterRegistryOptions;
  readonly #now: () => number;
  #blockListener: Unsubscribe | undefined;
  #pendingListener: Unsubscribe | undefined;

  constructor(
    events: ChainEvents,
    txpool: TxSubmitter,
    options: FilterRegistryOptions,
    now: () => number = Date.now,
  ) {
    this.#events = events;
    this.#txpool = txpool;
    this.#options = options;
    this.#now = now;
  }

  get size(): number {
    return this.#filters.size;
  }

  installLogs(criteria: LogFilterCriteria): Hex {
    return this.#install({ kind: 'logs', criteria, buffer: [], lastPoll: this.#now() });
  }

  installBlocks(): Hex {
    return this.#install({ kind: 'blocks', buffer: [], lastPoll: this.#now() });
  }

  /** Throws -32601 when the pool announces no pending transactions. */
  installPendingTransactions(): Hex {
    if (this.#txpool.subscribePending === undefined) {
      throw new RpcError(RpcErrorCode.methodNotFound, 'pending transaction filters are not supported');
    }
    return this.#install({ kind: 'pendingTransactions', buffer: [], lastPoll: this.#now() });
  }

  /** Changes since the last poll. Throws -32000 "filter not found" for an unknown or expired id. */
  takeChanges(id: Hex): { kind: Filter['kind']; changes: LogData[] | Hash[] } {
    const filter = this.#get(id);
    filter.lastPoll = this.#now();
    const changes = filter.buffer;
    filter.buffer = [];
    return { kind: filter.kind, changes };
  }

  /** The criteria of a log filter (eth_getFilterLogs). Throws -32000 "filter not found". */
  logCriteria(id: Hex): LogFilterCriteria {
    const filter = this.#get(id);
    if (filter.kind !== 'logs') throw serverError('filter not found');
    filter.lastPoll = this.#now();
    return filter.criteria;
  }

  uninstall(id: Hex): boolean {
    const removed = this.#filters.delete(id);
    if (removed) this.#listen();
    return removed;
  }

  /** Removes the filters not polled within the timeout; answers how many. */
  sweep(): number {
    const limit = this.#now() - this.#options.timeoutMs;
    let removed = 0;
    for (const [id, filter] of this.#filters) {
      if (filter.lastPoll < limit) {
        this.#filters.delete(id);
        removed++;
      }
    }
    if (removed > 0) this.#listen();
    return removed;
  }

  /** Removes every filter and stops listening. */
  close(): void {
    this.#filters.clear();
    this.#listen();
  }

  #get(id: Hex): Filter {
    const filter = this.#filters.get(id);
    if (filter === undefined) throw serverError('filter not found');
    return filter;
  }

  #install(filter: Filter): Hex {
    if (this.#filters.size >= this.#options.maxFilters) {
      throw new RpcError(
        RpcErrorCode.limitExceeded,
        `too many filters installed (limit ${this.#options.maxFilters})`,
      );
    }
    const id = newSubscriptionId();
    this.#filters.set(id, filter);
    this.#listen();
    return id;
  }

  /** Listens to the sources that installed filters need, and only to those. */
  #listen(): void {
    let wantBlocks = false;
    let wantPending = false;
    for (const filter of this.#filters.values()) {
      if (filter.kind === 'pendingTransactions') wantPending = true;
      else wantBlocks = true;
    }
    if (wantBlocks && this.#blockListener === undefined) {
      this.#blockListener = this.#events.subscribeNewBlocks((event) => this.#onBlock(event));
    } else if (!wantBlocks && this.#blockListener !== undefined) {
      this.#blockListener();
      this.#blockListener = undefined;
    }
    if (wantPending && this.#pendingListener === undefined) {
      this.#pendingListener = this.#txpool.subscribePending?.((hash) => this.#onPending(hash));
    } else if (!wantPending && this.#pendingListener !== undefined) {
      this.#pendingListener();
      this.#pendingListener = undefined;
    }
  }

  #push<T>(id: Hex, buffer: T[], items: T[]): void {
    if (buffer.length + items.length > this.#options.maxBufferedChanges) {
      this.#filters.delete(id);
      return;
    }
    buffer.push(...items);
  }

  #onBlock(event: NewBlockEvent): void {
    for (const [id, filter] of this.#filters) {
      if (filter.kind === 'blocks') this.#push(id, filter.buffer, [event.header.hash]);
      else if (filter.kind === 'logs') {
        const { criteria } = filter;
        if (criteria.blockHash !== undefined || !inRange(criteria, event.header.number)) continue;
        const logs = event.logs.filter((log) => matchesLog(log, criteria.addresses, criteria.topics));
        if (logs.length > 0) this.#push(id, filter.buffer, logs);
      }
    }
    this.#listen();
  }

  #onPending(hash: Hash): void {
    for (const [id, filter] of this.#filters) {
      if (filter.kind === 'pendingTransactions') this.#push(id, filter.buffer, [hash]);
    }
  }
}
