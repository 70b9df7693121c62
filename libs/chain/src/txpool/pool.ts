// The transaction pool: per-sender nonce order (pending = executable from the account's nonce
// without a gap, queued = after a gap), replacement only with a fee bump, per-sender and global
// limits with eviction of the cheapest, and a journal so that admitted transactions survive a
// restart.

import type { Common } from '@ethereumjs/common';
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import type { Logger } from 'pino';
import type { NodeMetrics } from '../metrics/metrics.js';
import type {
  Address,
  Hash,
  MaybePromise,
  TransactionData,
  TxSubmitter,
  Unsubscribe,
} from '../rpc/backend.js';
import {
  createSharedTxCommon,
  createTxCommon,
  DEFAULT_MAX_TX_BYTES,
  decodeTransaction,
  type PooledTransaction,
  toTransactionData,
} from './decode.js';
import { isTxPoolError, TxPoolError } from './errors.js';
import { TransactionJournal } from './journal.js';
import { PendingTransactions } from './pending.js';
import type { SenderRecovery } from './senderRecovery.js';

/** The account state the pool checks against: the head's. */
export interface TxPoolStateReader {
  getNonce(address: Address): MaybePromise<bigint>;
  getBalance(address: Address): MaybePromise<bigint>;
  /** Both in one read (optional: every admission needs both). */
  getAccount?(address: Address): MaybePromise<{ nonce: bigint; balance: bigint }>;
}

export interface TxPoolLimits {
  /** Least tip (legacy: gas price) accepted, in wei (geth's --txpool.pricelimit, 1 wei). */
  minTip: bigint;
  /** Least fee cap (legacy: gas price) accepted, in wei. A chain whose base fee never falls below
   *  a floor sets the floor here: a transaction paying less could never be mined. Default 0. */
  minFeeCap: bigint;
  /** Replacement needs both fee cap and tip raised by at least this percent (geth: 10). */
  priceBumpPercent: bigint;
  /** Most executable transactions per sender. */
  accountSlots: number;
  /** Most future (gapped) transactions per sender. */
  accountQueue: number;
  /** Most transactions in the pool, pending and queued. */
  globalSlots: number;
  /** Largest serialized transaction, in bytes (geth: 128 KiB). */
  maxTxBytes: number;
  /** Accept legacy transactions without EIP-155 protection (geth refuses them over RPC). */
  allowUnprotected: boolean;
}

export const DEFAULT_TXPOOL_LIMITS: TxPoolLimits = {
  minTip: 1n,
  minFeeCap: 0n,
  priceBumpPercent: 10n,
  // Generous per-sender limits: load generators and bridges send thousands from one account.
  accountSlots: 32_768,
  accountQueue: 1_024,
  globalSlots: 65_536,
  maxTxBytes: DEFAULT_MAX_TX_BYTES,
  allowUnprotected: false,
};

export interface CreateTxPoolParameters {
  chainId: bigint;
  state: TxPoolStateReader;
  /** Gas limit of the next block: no transaction may ask for more. */
  blockGasLimit: bigint;
  /** Common for parsing; default: Mainnet's rules at `hardfork` with this chain id. */
  common?: Common;
  /** Default `prague`. */
  hardfork?: string;
  limits?: Partial<TxPoolLimits>;
  /** Journal file; none when absent (transactions then do not survive a restart). */
  journalPath?: string;
  /** fsync each journal append (default false: survives kill -9, not power loss). */
  journalFsync?: boolean;
  /** The journal is rewritten once it exceeds this size and four times its live records.
   *  Default 1 MiB. */
  journalCompactBytes?: number;
  metrics?: NodeMetrics['txpool'];
  logger?: Logger;
  now?: () => number;
  /** Where senders are recovered (default: on the calling thread). The pool does not close it. */
  recovery?: SenderRecovery;
}

interface SenderEntry {
  txs: Map<bigint, PooledTransaction>;
  /** The account's nonce as last read: every pooled nonce is ≥ it. */
  baseNonce: bigint;
  /** First nonce ≥ baseNonce missing from `txs`: [baseNonce, pendingEnd) is pending. */
  pendingEnd: bigint;
  /** pendingEnd − baseNonce, as counted in the pool's total. */
  pendingCount: number;
  /** Highest pooled nonce (the eviction candidate of this sender); meaningless when empty. */
  maxNonce: bigint;
  /** Sum of the pooled transactions' costs (gas × fee cap + value). */
  totalCost: bigint;
}

/** What the core reports of a mined transaction. */
export interface MinedTransaction {
  hash: Hash;
  from: Address;
  nonce: bigint;
}

function compareFees(a: PooledTransaction, b: PooledTransaction): number {
  if (a.feeCap !== b.feeCap) return a.feeCap < b.feeCap ? -1 : 1;
  if (a.tipCap !== b.tipCap) return a.tipCap < b.tipCap ? -1 : 1;
  return 0;
}

/** The pool. Create with `createTxPool` (loads the journal). */
export class TxPool implements TxSubmitter {
  readonly #chainId: bigint;
  readonly #state: TxPoolStateReader;
  readonly #common: Common;
  readonly #limits: TxPoolLimits;
  readonly #keccak: (data: Uint8Array) => Uint8Array;
  readonly #journal: TransactionJournal | undefined;
  readonly #metrics: NodeMetrics['txpool'] | undefined;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  readonly #journalCompactBytes: number;
  readonly #recovery: SenderRecovery | undefined;
  readonly #senders = new Map<Address, SenderEntry>();
  readonly #byHash = new Map<Hash, PooledTransaction>();
  readonly #listeners = new Set<(hash: Hash) => void>();
  #blockGasLimit: bigint;
  /** Admitted transactions waiting for this turn's journal write, and that write. */
  #journalQueue: Uint8Array[] = [];
  #journalWritten: Promise<void> | undefined;
  #pending = 0;
  #liveBytes = 0;

  /** Use `createTxPool`. */
  constructor(
    parameters: CreateTxPoolParameters,
    keccak: (data: Uint8Array) => Uint8Array,
    journal: TransactionJournal | undefined,
  ) {
    this.#chainId = parameters.chainId;
    this.#state = parameters.state;
    this.#common = createSharedTxCommon(
      parameters.common ?? createTxCommon(parameters.chainId, parameters.hardfork),
    );
    this.#limits = { ...DEFAULT_TXPOOL_LIMITS, ...parameters.limits };
    this.#keccak = keccak;
    this.#journal = journal;
    this.#metrics = parameters.metrics;
    this.#logger = parameters.logger?.child({ component: 'txpool' });
    this.#now = parameters.now ?? Date.now;
    this.#journalCompactBytes = parameters.journalCompactBytes ?? 1024 * 1024;
    this.#blockGasLimit = parameters.blockGasLimit;
    this.#recovery = parameters.recovery;
  }

  /** Decodes, validates and admits a signed transaction; resolves its hash once the journal has
   *  it. Throws a `TxPoolError` with geth's wording for any refusal. */
  async submitRawTransaction(raw: Uint8Array): Promise<Hash> {
    let pooled: PooledTransaction;
    try {
      pooled = await this.#admit(raw);
    } catch (error) {
      if (isTxPoolError(error)) this.#metrics?.rejected.inc({ reason: error.code });
      throw error;
    }
    await this.#journalAppend(raw);
    return pooled.hash;
  }

  /** Queues `raw` for the journal write of this event-loop turn: the admissions that arrive
   *  together share one write (and one fsync with `journalFsync`), and each caller resumes once
   *  that write returned. */
  #journalAppend(raw: Uint8Array): Promise<void> {
    if (this.#journal === undefined) return Promise.resolve();
    this.#journalQueue.push(raw);
    this.#journalWritten ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        try {
          this.#flushJournal();
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    return this.#journalWritten;
  }

  /** Writes the queued records now. */
  #flushJournal(): void {
    const records = this.#journalQueue;
    this.#journalQueue = [];
    this.#journalWritten = undefined;
    this.#journal?.append(...records);
  }

  /** A pooled transaction with its decoded object (sender and hash cached). */
  get(hash: Hash): PooledTransaction | undefined {
    return this.#byHash.get(hash);
  }

  getTransaction(hash: Hash): TransactionData | null {
    const pooled = this.#byHash.get(hash);
    return pooled === undefined ? null : toTransactionData(pooled);
  }

  getPendingNonce(address: Address): bigint | null {
    const entry = this.#senders.get(address);
    return entry === undefined ? null : entry.pendingEnd;
  }

  counts(): { pending: number; queued: number } {
    return { pending: this.#pending, queued: this.#byHash.size - this.#pending };
  }

  subscribePending(listener: (hash: Hash) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sets the gas limit transactions are checked against (when the chain's changes). */
  setBlockGasLimit(gasLimit: bigint): void {
    this.#blockGasLimit = gasLimit;
  }

  /** Executable transactions for a block at `baseFee`, best tip first, each sender in nonce
   *  order; transactions asking more than `gasLimit` are left out. A snapshot. */
  pending(baseFee: bigint, gasLimit: bigint): PendingTransactions {
    const queues: PooledTransaction[][] = [];
    for (const entry of this.#senders.values()) {
      if (entry.pendingEnd === entry.baseNonce) continue;
      const queue: PooledTransaction[] = [];
      for (let n = entry.baseNonce; n < entry.pendingEnd; n++) queue.push(entry.txs.get(n)!);
      queues.push(queue);
    }
    return new PendingTransactions(queues, baseFee, gasLimit);
  }

  /** Removes mined transactions and everything they made stale (same sender, lower or equal
   *  nonce). Call once per committed block, in block order. */
  removeMined(mined: Iterable<MinedTransaction>): void {
    const touched = new Map<Address, bigint>();
    for (const { from, nonce } of mined) {
      const next = nonce + 1n;
      const known = touched.get(from);
      if (known === undefined || next > known) touched.set(from, next);
    }
    for (const [from, nonce] of touched) this.#advance(from, nonce);
    this.#updateGauges();
    this.#maybeCompactJournal();
  }

  /** Re-reads every sender's nonce and balance (after a restart, or when state changed other
   *  than through mined pooled transactions) and drops what is stale or unaffordable. */
  async revalidate(): Promise<void> {
    for (const from of [...this.#senders.keys()]) {
      const { nonce, balance } = await this.#readAccount(from);
      this.#advance(from, nonce);
      const entry = this.#senders.get(from);
      if (entry === undefined) continue;
      let spent = 0n;
      const nonces = [...entry.txs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let dropping = false;
      for (const n of nonces) {
        const tx = entry.txs.get(n)!;
        spent += tx.cost;
        if (dropping || spent > balance) {
          dropping = true;
          this.#remove(entry, tx);
        }
      }
      this.#recomputePending(from, entry);
    }
    this.#updateGauges();
  }

  /** Writes the journal anew with exactly the live transactions. */
  compactJournal(): void {
    if (this.#journal === undefined) return;
    this.#journal.rewrite(this.#liveRaw());
    this.#metrics?.journalBytes.set(this.#journal.bytes);
  }

  /** Compacts and closes the journal. */
  close(): void {
    if (this.#journal === undefined) return;
    this.#flushJournal();
    this.compactJournal();
    this.#journal.close();
  }

  /** Re-admits journaled transactions (at start), in journal order. Refusals (mined meanwhile,
   *  ...) are dropped. Senders are recovered all at once (batched), admitted one by one. */
  async replay(records: Uint8Array[]): Promise<{ restored: number; dropped: number }> {
    let restored = 0;
    let dropped = 0;
    const decoding = records.map((raw) =>
      this.#decode(raw).then(
        (pooled) => ({ pooled }),
        (error) => ({ error }),
      ),
    );
    for (const decoded of decoding) {
      try {
        const d = await decoded;
        if ('error' in d) throw d.error;
        await this.#admitDecoded(d.pooled);
        restored++;
      } catch (error) {
        if (!isTxPoolError(error)) throw error;
        dropped++;
      }
    }
    return { restored, dropped };
  }

  *#liveRaw(): Iterable<Uint8Array> {
    // Sender by sender in nonce order, so that a replay admits each pending run without gaps.
    for (const entry of this.#senders.values()) {
      const nonces = [...entry.txs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const n of nonces) yield entry.txs.get(n)!.raw;
    }
  }

  async #readAccount(from: Address): Promise<{ nonce: bigint; balance: bigint }> {
    const state = this.#state;
    if (state.getAccount) return state.getAccount(from);
    const [nonce, balance] = await Promise.all([state.getNonce(from), state.getBalance(from)]);
    return { nonce, balance };
  }

  async #admit(raw: Uint8Array): Promise<PooledTransaction> {
    return this.#admitDecoded(await this.#decode(raw));
  }

  #decode(raw: Uint8Array): Promise<PooledTransaction> {
    return decodeTransaction(raw, {
      chainId: this.#chainId,
      common: this.#common,
      keccak256: this.#keccak,
      allowUnprotected: this.#limits.allowUnprotected,
      maxTxBytes: this.#limits.maxTxBytes,
      blockGasLimit: this.#blockGasLimit,
      ...(this.#recovery ? { recovery: this.#recovery } : {}),
    });
  }

  async #admitDecoded(pooled: PooledTransaction): Promise<PooledTransaction> {
    pooled.addedAt = this.#now();
    const raw = pooled.raw;
    const { hash, from } = pooled;
    if (this.#byHash.has(hash)) throw new TxPoolError('ALREADY_KNOWN', 'already known', { hash });
    if (pooled.tipCap < this.#limits.minTip) {
      throw new TxPoolError(
        'UNDERPRICED',
        `transaction underpriced: gas tip cap ${pooled.tipCap}, minimum needed ${this.#limits.minTip}`,
        { hash },
      );
    }
    if (pooled.feeCap < this.#limits.minFeeCap) {
      throw new TxPoolError(
        'UNDERPRICED',
        `transaction underpriced: gas fee cap ${pooled.feeCap}, minimum needed ${this.#limits.minFeeCap}`,
        { hash },
      );
    }
    const { nonce: stateNonce, balance } = await this.#readAccount(from);

    // From here on, synchronous: no other admission interleaves.
    if (this.#byHash.has(hash)) throw new TxPoolError('ALREADY_KNOWN', 'already known', { hash });
    if (pooled.nonce < stateNonce) {
      throw new TxPoolError(
        'NONCE_TOO_LOW',
        `nonce too low: address ${from}, tx: ${pooled.nonce} state: ${stateNonce}`,
        {
          hash,
        },
      );
    }
    this.#advance(from, stateNonce);
    let entry = this.#senders.get(from);
    if (entry !== undefined && pooled.nonce < entry.baseNonce) {
      // The pool saw a later block than the state reader did.
      throw new TxPoolError(
        'NONCE_TOO_LOW',
        `nonce too low: address ${from}, tx: ${pooled.nonce} state: ${entry.baseNonce}`,
        { hash },
      );
    }
    const existing = entry?.txs.get(pooled.nonce);
    if (existing !== undefined) {
      const bump = 100n + this.#limits.priceBumpPercent;
      if (pooled.feeCap * 100n < existing.feeCap * bump || pooled.tipCap * 100n < existing.tipCap * bump) {
        throw new TxPoolError('REPLACEMENT_UNDERPRICED', 'replacement transaction underpriced', { hash });
      }
    }
    if (pooled.cost > balance) {
      throw new TxPoolError(
        'INSUFFICIENT_FUNDS',
        `insufficient funds for gas * price + value: balance ${balance}, tx cost ${pooled.cost}, overshot ${pooled.cost - balance}`,
        { hash },
      );
    }
    if (entry !== undefined) {
      // The sender's earlier transactions must stay affordable too (geth: overdraft).
      // Appending after the sender's last is the common case: the running total answers it;
      // filling a gap or replacing needs a scan.
      let spent = pooled.cost;
      if (pooled.nonce > entry.maxNonce) spent += entry.totalCost;
      else for (const [n, tx] of entry.txs) if (n < pooled.nonce) spent += tx.cost;
      if (spent > balance) {
        throw new TxPoolError(
          'INSUFFICIENT_FUNDS',
          `insufficient funds for gas * price + value: balance ${balance}, pooled and tx cost ${spent}, overshot ${spent - balance}`,
          { hash },
        );
      }
    }
    if (existing === undefined) {
      const pendingEnd = entry?.pendingEnd ?? stateNonce;
      const pendingCount = entry?.pendingCount ?? 0;
      const queuedCount = entry === undefined ? 0 : entry.txs.size - pendingCount;
      if (pooled.nonce === pendingEnd && pendingCount >= this.#limits.accountSlots) {
        throw new TxPoolError(
          'ACCOUNT_LIMIT_EXCEEDED',
          `account limit exceeded: ${pendingCount} pending transactions`,
          {
            hash,
          },
        );
      }
      if (pooled.nonce > pendingEnd && queuedCount >= this.#limits.accountQueue) {
        throw new TxPoolError(
          'ACCOUNT_LIMIT_EXCEEDED',
          `account limit exceeded: ${queuedCount} queued transactions`,
          {
            hash,
          },
        );
      }
      if (this.#byHash.size >= this.#limits.globalSlots) this.#evictFor(pooled);
    }

    if (entry === undefined) {
      entry = {
        txs: new Map(),
        baseNonce: stateNonce,
        pendingEnd: stateNonce,
        pendingCount: 0,
        maxNonce: 0n,
        totalCost: 0n,
      };
      this.#senders.set(from, entry);
    }
    if (existing !== undefined) this.#remove(entry, existing);
    if (entry.txs.size === 0 || pooled.nonce > entry.maxNonce) entry.maxNonce = pooled.nonce;
    entry.txs.set(pooled.nonce, pooled);
    entry.totalCost += pooled.cost;
    this.#byHash.set(hash, pooled);
    this.#liveBytes += raw.length;
    this.#recomputePending(from, entry);
    this.#metrics?.added.inc();
    this.#updateGauges();
    for (const listener of this.#listeners) {
      try {
        listener(hash);
      } catch (error) {
        this.#logger?.error({ err: error }, 'pending transaction listener failed');
      }
    }
    return pooled;
  }

  /** Makes room for `incoming` by evicting the cheapest transaction that is last of its sender
   *  (so that no sender is left with a gap), if `incoming` pays strictly more. */
  #evictFor(incoming: PooledTransaction): void {
    let victim: PooledTransaction | undefined;
    let victimEntry: SenderEntry | undefined;
    for (const [from, entry] of this.#senders) {
      if (from === incoming.from) continue;
      const last = entry.txs.get(entry.maxNonce);
      if (last !== undefined && (victim === undefined || compareFees(last, victim) < 0)) {
        victim = last;
        victimEntry = entry;
      }
    }
    if (victim === undefined || victimEntry === undefined || compareFees(incoming, victim) <= 0) {
      throw new TxPoolError('POOL_FULL', 'txpool is full', { hash: incoming.hash });
    }
    this.#remove(victimEntry, victim);
    this.#recomputePending(victim.from, victimEntry);
    this.#metrics?.evicted.inc();
    this.#logger?.debug({ hash: victim.hash, for: incoming.hash }, 'evicted the cheapest transaction');
  }

  /** Moves a sender's base nonce up to `nonce`, dropping what is below it. */
  #advance(from: Address, nonce: bigint): void {
    const entry = this.#senders.get(from);
    if (entry === undefined || nonce <= entry.baseNonce) return;
    for (const [n, tx] of entry.txs) if (n < nonce) this.#remove(entry, tx);
    entry.baseNonce = nonce;
    this.#recomputePending(from, entry);
  }

  #remove(entry: SenderEntry, tx: PooledTransaction): void {
    if (entry.txs.get(tx.nonce) === tx) {
      entry.txs.delete(tx.nonce);
      entry.totalCost -= tx.cost;
      // A hole inside the pending run ends it there.
      if (tx.nonce >= entry.baseNonce && tx.nonce < entry.pendingEnd) entry.pendingEnd = tx.nonce;
      if (tx.nonce === entry.maxNonce) {
        // Rare (eviction, a replaced last transaction): scan this sender only.
        let max = 0n;
        for (const n of entry.txs.keys()) if (n > max) max = n;
        entry.maxNonce = max;
      }
    }
    if (this.#byHash.delete(tx.hash)) this.#liveBytes -= tx.raw.length;
  }

  /** Extends the pending run from where it is known contiguous (removals cut `pendingEnd` back
   *  to the hole): amortised O(1) per admission, not a walk from the account nonce. */
  #recomputePending(from: Address, entry: SenderEntry): void {
    // bigint: Math.max does not apply.
    let end = entry.baseNonce;
    if (entry.pendingEnd > end) end = entry.pendingEnd;
    while (entry.txs.has(end)) end++;
    entry.pendingEnd = end;
    const count = Number(end - entry.baseNonce);
    this.#pending += count - entry.pendingCount;
    entry.pendingCount = count;
    if (entry.txs.size === 0) this.#senders.delete(from);
  }

  #updateGauges(): void {
    if (this.#metrics === undefined) return;
    this.#metrics.pending.set(this.#pending);
    this.#metrics.queued.set(this.#byHash.size - this.#pending);
    if (this.#journal !== undefined) this.#metrics.journalBytes.set(this.#journal.bytes);
  }

  /** Rewrites the journal once it is mostly dead records. */
  #maybeCompactJournal(): void {
    const journal = this.#journal;
    if (journal === undefined) return;
    const live = this.#liveBytes + this.#byHash.size * 8;
    if (journal.bytes > this.#journalCompactBytes && journal.bytes > 4 * live) {
      this.compactJournal();
    }
  }
}

/** Creates a pool; with `journalPath`, reloads (and compacts) the journal first, cutting a torn
 *  tail, and re-admits its transactions against the current state. */
export async function createTxPool(parameters: CreateTxPoolParameters): Promise<TxPool> {
  await initDietcoin();
  const journal =
    parameters.journalPath === undefined
      ? undefined
      : new TransactionJournal({
          path: parameters.journalPath,
          fsyncEachWrite: parameters.journalFsync ?? false,
        });
  const pool = new TxPool(parameters, keccak256, journal);
  if (journal !== undefined) {
    const { records, truncatedBytes } = journal.open();
    const { restored, dropped } = await pool.replay(records);
    pool.compactJournal();
    parameters.logger
      ?.child({ component: 'txpool' })
      .info({ restored, dropped, truncatedBytes, path: journal.path }, 'transaction journal loaded');
  }
  return pool;
}
