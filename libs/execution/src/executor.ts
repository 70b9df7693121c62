// The executor: holds the chain's Common, the crypto, the head state manager (cached, over the
// store) and the worker pool, and runs blocks serially or in parallel.
//
// Parallel scheme (Khipu's, per field and per slot):
//   1. senders are recovered in the workers (or given);
//   2. every lane runs in a worker from the parent state; a lane is one transaction when the
//      block comes without lanes, or the producer's group of dependent transactions;
//   3. outcomes are merged in block order: every item read carries the version the transaction
//      saw (the parent's, or the lane predecessor's write); if the merged state holds another
//      version the transaction runs again on the merged state (a re-run), else its writes apply;
//      commutative increments (coinbase, fee pool, declared accounts) apply without conflict;
//   4. the fee pool gets baseFee × gasUsed, the state root is computed, and gas, receipts root,
//      bloom and state root are compared with the header; on any mismatch the parallel result
//      is thrown away and the block runs serially (a fallback).
import {
  Block,
  type BlockHeader,
  createBlockFromBytesArray,
  createBlockHeaderFromBytesArray,
} from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import type { MerkleStateManager } from '@ethereumjs/statemanager';
import { createTxFromRLP, TransactionType, type TypedTransaction } from '@ethereumjs/tx';
import {
  Account,
  Address,
  bytesToHex,
  bytesToUnprefixedHex,
  equalsBytes,
  KECCAK256_RLP,
} from '@ethereumjs/util';
import {
  decodeTxOutcome,
  FIELD_BALANCE,
  FIELD_CODE,
  FIELD_NONCE,
  type TxAccess,
  type TxOutcome,
  WRITE_BALANCE,
  WRITE_CODE,
  WRITE_CREATED,
  WRITE_DELETED,
  WRITE_NONCE,
  WRITE_STORAGE_CLEARED,
} from './access.js';
import { EncodedAccount } from './accountRlp.js';
import { type AncestorHashes, readAncestorHashes } from './blockHashes.js';
import { createExecutionCommon, feePoolAddress } from './common.js';
import { CONTENTION_PROBE_MIN_TXS } from './contention.js';
import { type ExecutionCrypto, loadExecutionCrypto } from './crypto.js';
import {
  carrySender,
  createTxEngine,
  loadExtensions,
  runTracked,
  setBlockCoinbase,
  type TxEngine,
} from './engine.js';
import { describeBlock, describeTx, ExecutionError, type HeaderMismatch } from './errors.js';
import { ItemIds } from './items.js';
import { MergeVersions, NO_CONFLICT } from './mergeVersions.js';
import { OutcomeStream } from './outcomeStream.js';
import { parallelTrieHasher } from './parallelRoot.js';
import { createWorkerPool, type WorkerPool } from './pool.js';
import type { WorkerShare } from './protocol.js';
import { BlockReceipts } from './receipts.js';
import { recoverSenderKey } from './signing.js';
import { clearNodeCache, createCachedStateManager, StateDB } from './state.js';
import { computeStateRoot } from './stateRoot.js';
import { MissingTrieNodeError, orderedTrieRoot } from './trieBatch.js';
import type {
  AccountState,
  BlockHashSource,
  BlockStats,
  ExecuteBlockReturnType,
  ExecutionMode,
  ExtensionsSource,
  Lanes,
  PhaseTimes,
  StateChanges,
  StateStore,
} from './types.js';

export interface CreateExecutorParameters {
  chainId: number | bigint;
  store: StateStore;
  /** Module of the chain's precompiles and commutative accounts, loaded here and in every worker. */
  extensions?: ExtensionsSource;
  /** Worker threads for parallel mode (default 2; 0 runs serial only). */
  workers?: number;
  /** Hashes of past blocks for BLOCKHASH (asked for the 256 ancestors of every block run).
   *  Without it BLOCKHASH returns zero, as the EVM's mock chain does. */
  blockHashes?: BlockHashSource;
  /** Group the calls to contracts recent blocks showed to be contended when a block comes without
   *  lanes (default true). `false` keeps no history: every unordered block is judged afresh by
   *  the workers' contention probe (what a validator's first block sees; the bench measures it). */
  learnContention?: boolean;
}

/** Runs blocks against one state store. Create with {@link createExecutor}; `close()` stops the
 *  worker pool. One block at a time: calls are serialized internally. */
export interface Executor {
  readonly chainId: number;
  readonly common: Common;
  readonly crypto: ExecutionCrypto;
  readonly store: StateStore;
  readonly workers: number;
  close(): Promise<void>;
}

/** A block to run. The coordinator may start the workers before the block object exists: in
 *  parallel mode `materialize` (decoding every transaction, checking the transactions trie) runs
 *  while the workers execute, and the workers recover the senders that are not given. */
export interface BlockJob {
  /** Set by `materialize`. */
  block: Block | undefined;
  txs: readonly TypedTransaction[] | undefined;
  /** Known sender keys (64 bytes), one per transaction, or undefined to recover them. */
  senderKeys: readonly Uint8Array[] | undefined;
  raws: readonly Uint8Array[];
  headerRLP: Uint8Array;
  number: bigint;
  /** Decodes every transaction into `txs` (and the full block), checking the transactions trie. */
  materialize: () => Promise<void>;
  /** Sets `block` (at least its header), checking the transactions trie; the parallel merge needs
   *  no transaction objects, only what the workers report. */
  prepareHeader: () => Promise<void>;
  /** Transactions decoded one by one when needed (re-runs, errors) before `materialize`. */
  lazyTxs: Map<number, TypedTransaction>;
  parentStateRoot: Uint8Array;
  mode: ExecutionMode;
  lanes: Lanes | undefined;
  validate: boolean;
  commit: boolean;
  /** Producer: leave out refused transactions instead of refusing the block. */
  dropInvalid: boolean;
  phases: PhaseTimes;
  /** Set when the workers hashed part of the state root. */
  rootInWorkers: boolean;
  /** BLOCKHASH's answers for this block (set by runBlock from the executor's source). */
  ancestors: AncestorHashes | undefined;
}

/** The decoded parts of a job (after `materialize`). */
interface ReadyJob extends BlockJob {
  block: Block;
  txs: readonly TypedTransaction[];
}

function ready(job: BlockJob): ReadyJob {
  if (job.block === undefined || job.txs === undefined)
    throw new TypeError('block job used before materialize()');
  return job as ReadyJob;
}

export interface BlockRun extends ExecuteBlockReturnType {
  /** Indices (into the job's txs) of the transactions kept (all, unless dropInvalid). */
  included: number[];
  dropped: { index: number; reason: string }[];
  /** The access each included transaction had in the final result (for lanes). */
  accesses: TxAccess[];
}

const now = () => performance.now();
const EMPTY = new Uint8Array(0);
/** A logs bloom: 2048 bits. */
const BLOOM_BYTES = 256;

/** When one lane holds more than this share of the block, the block runs serially. */
const SERIAL_LANE_SHARE = 0.5;
/** A contract is contended when more than this share of its calls re-ran (and it had at least
 *  CONTENTION_MIN_CALLS calls in the block). */
const CONTENTION_SHARE = 0.5;
const CONTENTION_MIN_CALLS = 8;

function zeroPhases(): PhaseTimes {
  return { decode: 0, recovery: 0, parallel: 0, merge: 0, reruns: 0, stateRoot: 0, commit: 0, total: 0 };
}

/** Item keys of the conflict map: address hex + field letter, or address hex + slot hex. */
const FIELD_KEYS: readonly [number, string][] = [
  [FIELD_NONCE, 'n'],
  [FIELD_BALANCE, 'b'],
  [FIELD_CODE, 'c'],
];

/** Items a transaction wrote. Increments count as writes for the merged versions (a real read of
 *  that balance must see them all) but never for what lane-mates saw: a worker's lane holds only
 *  its own lane's increments, so a lane-local version can never stand for the merged balance. */
export function writtenKeys(access: TxAccess, withIncrements: boolean): string[] {
  const keys: string[] = [];
  for (const w of access.accountWrites) {
    const a = bytesToUnprefixedHex(w.address);
    if (w.flags & (WRITE_CREATED | WRITE_DELETED)) keys.push(`${a}n`, `${a}b`, `${a}c`, `${a}x`);
    else {
      if (w.flags & WRITE_NONCE) keys.push(`${a}n`);
      if (w.flags & WRITE_BALANCE) keys.push(`${a}b`);
      if (w.flags & WRITE_CODE) keys.push(`${a}c`);
      if (w.flags & WRITE_STORAGE_CLEARED) keys.push(`${a}x`);
    }
  }
  for (const w of access.slotWrites)
    keys.push(bytesToUnprefixedHex(w.address) + bytesToUnprefixedHex(w.slot));
  if (withIncrements) for (const i of access.increments) keys.push(`${bytesToUnprefixedHex(i.address)}b`);
  return keys;
}

/** Items a transaction read. */
export function readKeys(access: TxAccess): string[] {
  const keys: string[] = [];
  for (const r of access.accountReads) {
    const a = bytesToUnprefixedHex(r.address);
    for (const [bit, letter] of FIELD_KEYS) if (r.fields & bit) keys.push(a + letter);
  }
  for (const r of access.slotReads) {
    const a = bytesToUnprefixedHex(r.address);
    keys.push(a + bytesToUnprefixedHex(r.slot), `${a}x`);
  }
  return keys;
}

class ExecutorImpl implements Executor {
  readonly chainId: number;
  readonly common: Common;
  readonly crypto: ExecutionCrypto;
  readonly store: StateStore;
  readonly workers: number;
  readonly db: StateDB;
  readonly sm: MerkleStateManager;
  readonly engine: TxEngine;
  readonly baseCommutative: ReadonlySet<string>;
  readonly pool: WorkerPool | undefined;
  readonly blockHashes: BlockHashSource | undefined;
  readonly learnsContention: boolean;
  private headRoot: Uint8Array | undefined;
  /** Contracts (unprefixed hex) most of whose calls re-ran in the last unordered block that called
   *  them at least CONTENTION_MIN_CALLS times. */
  private contended = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(p: {
    chainId: number;
    common: Common;
    crypto: ExecutionCrypto;
    store: StateStore;
    db: StateDB;
    sm: MerkleStateManager;
    engine: TxEngine;
    pool: WorkerPool | undefined;
    blockHashes: BlockHashSource | undefined;
    learnContention: boolean;
  }) {
    this.chainId = p.chainId;
    this.common = p.common;
    this.crypto = p.crypto;
    this.store = p.store;
    this.db = p.db;
    this.sm = p.sm;
    this.engine = p.engine;
    this.baseCommutative = p.engine.tracker.commutative;
    this.pool = p.pool;
    this.workers = p.pool?.size ?? 0;
    this.blockHashes = p.blockHashes;
    this.learnsContention = p.learnContention;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  /** Serializes block runs: the head state manager is shared. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Splits a block's RLP once, refusing blob and set-code transactions by index: the decoded
   *  list, the transactions' bytes as they are in the block, the header bytes and number. */
  splitBlock(rlp: Uint8Array): {
    decoded: unknown[];
    raws: Uint8Array[];
    headerRLP: Uint8Array;
    number: bigint;
  } {
    let decoded: unknown;
    try {
      decoded = RLP.decode(rlp);
    } catch (cause) {
      throw new ExecutionError('INVALID_BLOCK', `block RLP does not decode: ${String(cause)}`, {}, cause);
    }
    if (!Array.isArray(decoded) || !Array.isArray(decoded[0]) || !Array.isArray(decoded[1])) {
      throw new ExecutionError('INVALID_BLOCK', 'block RLP is not [header, transactions, …]');
    }
    const header = decoded[0] as Uint8Array[];
    const numberBytes = header[8];
    let number = 0n;
    if (numberBytes instanceof Uint8Array) for (const b of numberBytes) number = (number << 8n) | BigInt(b);
    const raws: Uint8Array[] = [];
    (decoded[1] as unknown[]).forEach((raw: unknown, index) => {
      if (raw instanceof Uint8Array) {
        if (raw[0] === TransactionType.BlobEIP4844 || raw[0] === TransactionType.EOACodeEIP7702) {
          throw this.unsupported(raw[0], index, bytesToHex(this.crypto.keccak256(raw)), number);
        }
        raws.push(raw);
      } else raws.push(RLP.encode(raw as Uint8Array[]));
    });
    return { decoded, raws, headerRLP: RLP.encode(header), number };
  }

  /** Sets the job's header-only block from a split block, checking the transactions trie. */
  async prepareSplitHeader(job: BlockJob, decoded: unknown[], validate: boolean): Promise<void> {
    if (job.block !== undefined) return;
    let header: BlockHeader;
    try {
      header = createBlockHeaderFromBytesArray(decoded[0] as Uint8Array[], { common: this.common });
    } catch (cause) {
      throw new ExecutionError(
        'INVALID_BLOCK',
        `${describeBlock(job.number)}: header does not decode: ${String(cause)}`,
        { blockNumber: job.number },
        cause,
      );
    }
    const block = new Block(header, [], [], [], { common: this.common });
    if (validate) await this.checkTransactionsTrie(block, job.raws);
    job.block = block;
  }

  /** Builds the block object of a split block (once) and checks its transactions trie. */
  async materializeBlock(job: BlockJob, decoded: unknown[], validate: boolean): Promise<void> {
    if (job.txs !== undefined) return;
    const trieChecked = job.block !== undefined;
    let block: Block;
    try {
      // Unfrozen, so that carrySender can pin each sender's address.
      block = createBlockFromBytesArray(decoded as Parameters<typeof createBlockFromBytesArray>[0], {
        common: this.common,
        freeze: false,
      });
    } catch (cause) {
      throw new ExecutionError(
        'INVALID_BLOCK',
        `${describeBlock(job.number)} does not decode: ${String(cause)}`,
        {
          blockNumber: job.number,
        },
        cause,
      );
    }
    if (validate && !trieChecked) await this.checkTransactionsTrie(block, job.raws);
    job.block = block;
    job.txs = block.transactions;
  }

  /** @throws ExecutionError `HEADER_MISMATCH` (transactionsTrie) when the trie of `raws` differs. */
  async checkTransactionsTrie(block: Block, raws: readonly Uint8Array[]): Promise<void> {
    const root = await this.transactionsRoot(raws);
    if (equalsBytes(root, block.header.transactionsTrie)) return;
    const computed = bytesToHex(root);
    const header = bytesToHex(block.header.transactionsTrie);
    throw new ExecutionError(
      'HEADER_MISMATCH',
      `${describeBlock(block.header.number)} does not match its header: transactionsTrie: header ${header}, computed ${computed}`,
      { blockNumber: block.header.number, mismatches: [{ field: 'transactionsTrie', header, computed }] },
    );
  }

  /** A job with defaults (serial, validate, commit, unordered), to be completed by the caller. */
  newJob(p: {
    raws: Uint8Array[];
    headerRLP: Uint8Array;
    number: bigint;
    materialize: () => Promise<void>;
    prepareHeader?: () => Promise<void>;
  }): BlockJob {
    return {
      block: undefined,
      txs: undefined,
      senderKeys: undefined,
      raws: p.raws,
      headerRLP: p.headerRLP,
      number: p.number,
      materialize: p.materialize,
      prepareHeader: p.prepareHeader ?? p.materialize,
      lazyTxs: new Map(),
      parentStateRoot: new Uint8Array(32),
      mode: 'serial',
      lanes: undefined,
      validate: true,
      commit: true,
      dropInvalid: false,
      phases: zeroPhases(),
      rootInWorkers: false,
      ancestors: undefined,
    };
  }

  /** Root of the transactions trie from the transactions' bytes. */
  async transactionsRoot(raws: readonly Uint8Array[]): Promise<Uint8Array> {
    return orderedTrieRoot(raws, this.crypto.keccak256, KECCAK256_RLP);
  }

  unsupported(type: number, index: number, hash: string, blockNumber?: bigint): ExecutionError {
    const what =
      type === TransactionType.BlobEIP4844
        ? 'blob transactions (type 3)'
        : 'EIP-7702 set-code transactions (type 4)';
    const where = blockNumber === undefined ? '' : `${describeBlock(blockNumber)}: `;
    return new ExecutionError(
      'UNSUPPORTED_TX_TYPE',
      `${where}${describeTx(index, hash)}: ${what} are not accepted on this chain`,
      {
        blockNumber,
        txIndex: index,
        txHash: hash,
      },
    );
  }

  /** An INVALID_SIGNATURE error naming the transaction. */
  signatureError(
    number: bigint,
    index: number,
    hash: string | undefined,
    reason: string,
    cause?: unknown,
  ): ExecutionError {
    return new ExecutionError(
      'INVALID_SIGNATURE',
      `${describeBlock(number)}: ${describeTx(index, hash)}: invalid signature (${reason})`,
      { blockNumber: number, txIndex: index, txHash: hash },
      cause,
    );
  }

  /** Decodes the job and recovers its senders (in the pool when parallel), refusing bad
   *  signatures by index; carries the keys on the transactions. */
  async ensureSenders(job: BlockJob): Promise<ReadyJob> {
    const d = now();
    await job.materialize();
    job.phases.decode += now() - d;
    const r = ready(job);
    const t = now();
    const { txs } = r;
    let keys: readonly Uint8Array[];
    if (job.senderKeys !== undefined && job.senderKeys.length === txs.length) keys = job.senderKeys;
    else if (job.mode === 'parallel' && this.pool !== undefined && txs.length >= 2 * this.pool.size) {
      const recovered = await this.pool.recover([...job.raws]);
      const first = recovered.invalid[0];
      if (first !== undefined) {
        const tx = txs[first.index];
        throw this.signatureError(job.number, first.index, tx && bytesToHex(tx.hash()), first.reason);
      }
      keys = recovered.keys;
    } else {
      keys = txs.map((tx, i) => {
        try {
          return recoverSenderKey(tx, job.raws[i] as Uint8Array, this.crypto.keccak256);
        } catch (cause) {
          const reason = cause instanceof Error ? cause.message : String(cause);
          throw this.signatureError(job.number, i, bytesToHex(tx.hash()), reason, cause);
        }
      });
    }
    txs.forEach((tx, i) => {
      carrySender(tx, keys[i] as Uint8Array, this.crypto.keccak256);
    });
    job.senderKeys = keys;
    job.phases.recovery += now() - t;
    return r;
  }

  async prepareHead(parentStateRoot: Uint8Array, blockNumber: bigint): Promise<void> {
    if (this.headRoot !== undefined && equalsBytes(this.headRoot, parentStateRoot)) return;
    this.db.discardPending();
    try {
      await this.sm.setStateRoot(parentStateRoot, true);
    } catch (cause) {
      this.headRoot = undefined;
      throw new ExecutionError(
        'MISSING_STATE',
        `${describeBlock(blockNumber)}: parent state root ${bytesToHex(parentStateRoot)} is not in the store`,
        { blockNumber },
        cause,
      );
    }
    this.headRoot = parentStateRoot;
  }

  private async resetHead(): Promise<void> {
    this.db.discardPending();
    clearNodeCache(this.sm);
    this.headRoot = undefined;
  }

  private txError(
    code: 'INVALID_TX' | 'BLOCK_GAS_EXCEEDED',
    block: Block,
    tx: TypedTransaction,
    index: number,
    reason: string,
  ): ExecutionError {
    const hash = bytesToHex(tx.hash());
    return new ExecutionError(
      code,
      `${describeBlock(block.header.number)}: ${describeTx(index, hash)}: ${reason}`,
      {
        blockNumber: block.header.number,
        txIndex: index,
        txHash: hash,
      },
    );
  }

  /** Applies one transaction's changes to the merged state. `untouched` tells whether the
   *  worker's account is the merged one (every field at the same version in both): then it is put
   *  without reading it. Increments join `credits`; an account written here gets its
   *  pending credit first, so the order of changes to it is kept. */
  private async applyAccess(
    access: TxAccess,
    untouched: (address: Uint8Array) => boolean,
    credits: PendingCredits,
  ): Promise<void> {
    const sm = this.sm;
    let deleted: Set<string> | undefined;
    for (const w of access.accountWrites) {
      const address = new Address(w.address);
      if (credits.size > 0) await this.applyCredit(credits.take(w.address));
      if (
        (w.flags & (WRITE_CREATED | WRITE_DELETED | WRITE_STORAGE_CLEARED | WRITE_CODE)) === 0 &&
        untouched(w.address)
      ) {
        await sm.putAccount(address, new EncodedAccount(w.nonce, w.balance, w.storageRoot, w.codeHash));
        continue;
      }
      if (w.flags & WRITE_DELETED) {
        await sm.deleteAccount(address);
        deleted ??= new Set();
        deleted.add(bytesToUnprefixedHex(w.address));
        continue;
      }
      const account =
        w.flags & WRITE_CREATED ? new Account() : ((await sm.getAccount(address)) ?? new Account());
      const nonce = w.flags & WRITE_NONCE ? w.nonce : account.nonce;
      const balance = w.flags & WRITE_BALANCE ? w.balance : account.balance;
      await sm.putAccount(address, new EncodedAccount(nonce, balance, account.storageRoot, account.codeHash));
      if (w.flags & WRITE_STORAGE_CLEARED) await sm.clearStorage(address);
      if (w.flags & WRITE_CODE && w.code.length > 0) await sm.putCode(address, w.code);
    }
    for (const w of access.slotWrites) {
      if (deleted?.has(bytesToUnprefixedHex(w.address))) continue;
      await sm.putStorage(new Address(w.address), w.slot, w.value);
    }
    for (const inc of access.increments) credits.add(inc.address, inc.delta);
  }

  private async applyCredit(credit: { address: Uint8Array; delta: bigint } | undefined): Promise<void> {
    if (credit !== undefined) await this.credit(new Address(credit.address), credit.delta);
  }

  /** Applies every pending credit (before a re-run reads the merged state, and at the end). */
  private async applyCredits(credits: PendingCredits): Promise<void> {
    for (const credit of credits.takeAll()) await this.applyCredit(credit);
  }

  private async credit(address: Address, delta: bigint): Promise<void> {
    const account = (await this.sm.getAccount(address)) ?? new Account();
    account.balance += delta;
    await this.sm.putAccount(address, account);
  }

  /** Runs a block; see the scheme at the top of the file. */
  async runBlock(job: BlockJob): Promise<BlockRun> {
    if (this.blockHashes !== undefined) job.ancestors = readAncestorHashes(this.blockHashes, job.number);
    this.engine.blockHashes.set(job.ancestors);
    await this.prepareHead(job.parentStateRoot, job.number);
    const count = job.raws.length;
    if (job.mode === 'parallel' && this.pool !== undefined && count > 1) {
      // A block without lanes: group the calls to contracts that recent blocks showed to be
      // contended (most of their calls re-ran), so that they run in order in one lane.
      let targets: (string | undefined)[] | undefined;
      let learned = false;
      if (job.lanes === undefined || !validLanes(job.lanes, count)) {
        targets = txTargets(job.raws);
        const grouped = learnedLanes(targets, this.contended);
        if (grouped !== undefined) {
          job.lanes = grouped;
          learned = true;
        }
      }
      // Lanes that leave no parallelism (one lane holds most of the block, e.g. every transaction
      // swaps on one pool): the coordinator runs the block itself, as a worker would, minus the
      // shipping and merging.
      const lanes = job.lanes !== undefined && validLanes(job.lanes, count) ? job.lanes : undefined;
      const largest = lanes === undefined ? 0 : Math.max(...lanes.map((l) => l.length));
      if (lanes !== undefined && largest > count * SERIAL_LANE_SHARE) {
        const serial = await this.runSerial(await this.ensureSenders(job));
        serial.stats.mode = 'parallel';
        serial.stats.workers = this.workers;
        serial.stats.lanes = lanes.length;
        serial.stats.scheduled = 'serial';
        serial.stats.lanesLearned = learned;
        return serial;
      }
      // An unordered block nothing is known about: the workers look at their first transactions
      // and stop early when most conflict (contention.ts).
      const probe = lanes === undefined && count >= CONTENTION_PROBE_MIN_TXS;
      const parallel = await this.runParallel(job, probe);
      if (parallel === undefined) {
        if (targets !== undefined && this.learnsContention) this.learnMostCalled(targets);
        const serial = await this.runSerial(await this.ensureSenders(job));
        serial.stats.mode = 'parallel';
        serial.stats.workers = this.workers;
        serial.stats.lanes = count;
        serial.stats.scheduled = 'serial';
        serial.stats.contentionDetected = true;
        return serial;
      }
      parallel.run.stats.lanesLearned = learned;
      if (targets !== undefined && !learned && this.learnsContention)
        this.learnContention(targets, parallel.slotConflict);
      if (parallel.mismatches.length === 0 || !job.validate) return parallel.run;
      // Fallback: discard the parallel result and run the block serially.
      await this.prepareHead(job.parentStateRoot, job.number);
      const serial = await this.runSerial(await this.ensureSenders(job));
      serial.stats.fallback = true;
      serial.stats.mode = 'parallel';
      serial.stats.workers = this.workers;
      return serial;
    }
    return this.runSerial(await this.ensureSenders(job));
  }

  private compare(
    block: Block,
    r: { stateRoot: Uint8Array; receiptsRoot: Uint8Array; logsBloom: Uint8Array; gasUsed: bigint },
  ) {
    const h = block.header;
    const mismatches: HeaderMismatch[] = [];
    if (r.gasUsed !== h.gasUsed)
      mismatches.push({ field: 'gasUsed', header: h.gasUsed.toString(), computed: r.gasUsed.toString() });
    if (!equalsBytes(r.receiptsRoot, h.receiptTrie))
      mismatches.push({
        field: 'receiptTrie',
        header: bytesToHex(h.receiptTrie),
        computed: bytesToHex(r.receiptsRoot),
      });
    if (!equalsBytes(r.logsBloom, h.logsBloom))
      mismatches.push({
        field: 'logsBloom',
        header: bytesToHex(h.logsBloom),
        computed: bytesToHex(r.logsBloom),
      });
    if (!equalsBytes(r.stateRoot, h.stateRoot))
      mismatches.push({
        field: 'stateRoot',
        header: bytesToHex(h.stateRoot),
        computed: bytesToHex(r.stateRoot),
      });
    return mismatches;
  }

  private mismatchError(block: Block, mismatches: HeaderMismatch[]): ExecutionError {
    const hash = bytesToHex(block.hash());
    const list = mismatches.map((m) => `${m.field}: header ${m.header}, computed ${m.computed}`).join('; ');
    return new ExecutionError(
      'HEADER_MISMATCH',
      `${describeBlock(block.header.number, hash)} does not match its header: ${list}`,
      {
        blockNumber: block.header.number,
        blockHash: hash,
        mismatches,
      },
    );
  }

  /** Fee pool credit, state root, receipts root, bloom; then compare and commit or revert. A
   *  `parallel` run (workers synced with the store) hashes large tries in the pool and may fall
   *  back; a serial one throws on a mismatch. */
  private async finish(
    job: BlockJob & { block: Block },
    gasUsed: bigint,
    receipts: BlockReceipts,
    changes: ChangeSet,
    parallel: boolean,
  ): Promise<{ result: Omit<ExecuteBlockReturnType, 'stats' | 'senders'>; mismatches: HeaderMismatch[] }> {
    const { block, phases } = job;
    const baseFee = block.header.baseFeePerGas ?? 0n;
    const fee = baseFee * gasUsed;
    if (fee > 0n) {
      await this.credit(feePoolAddress(), fee);
      changes.addAccount(feePoolAddress().bytes);
    }
    let t = now();
    let stateRoot: Uint8Array;
    let root: Uint8Array | undefined;
    // The receipts root: computed while the workers hash, or after the state root.
    const receiptsWork = () => {
      if (root !== undefined) return;
      root = receipts.root(this.crypto.keccak256);
    };
    const keccak256 = this.crypto.keccak256;
    const hasher =
      parallel && this.pool !== undefined
        ? parallelTrieHasher({
            pool: this.pool,
            read: (h) => this.db.node(h),
            keccak256,
            emptyRoot: KECCAK256_RLP,
            whileWaiting: receiptsWork,
            onShared: () => {
              job.rootInWorkers = true;
            },
          })
        : undefined;
    const accountStates = new Map<string, AccountState | undefined>();
    try {
      stateRoot = await computeStateRoot(this.sm, this.db, keccak256, hasher, accountStates);
    } catch (cause) {
      await this.engine.vm.evm.journal.revert();
      await this.resetHead();
      if (!(cause instanceof MissingTrieNodeError)) throw cause;
      throw new ExecutionError(
        'MISSING_STATE',
        `${describeBlock(block.header.number)}: trie node ${bytesToHex(cause.hash)} of the parent state is not in the store`,
        { blockNumber: block.header.number },
        cause,
      );
    }
    receiptsWork();
    phases.stateRoot += now() - t;
    const result = {
      stateRoot,
      receiptsRoot: root as unknown as Uint8Array,
      logsBloom: receipts.logsBloom,
      gasUsed,
      receipts: receipts.receipts,
      changes: { ...changes.toChanges(), accountStates },
    };
    const mismatches = job.validate ? this.compare(block, result) : [];
    const journal = this.engine.vm.evm.journal;
    if (mismatches.length > 0) {
      await journal.revert();
      await this.resetHead();
      if (!parallel) throw this.mismatchError(block, mismatches);
      return { result, mismatches };
    }
    t = now();
    await journal.commit();
    const entries = this.db.takePending();
    if (job.commit) {
      await this.store.write(entries);
      this.headRoot = stateRoot;
    } else {
      clearNodeCache(this.sm);
      this.headRoot = undefined;
    }
    phases.commit += now() - t;
    return { result, mismatches };
  }

  private stats(
    job: BlockJob,
    gasUsed: bigint,
    reruns: number,
    lanes: number,
    transactions: number,
  ): BlockStats {
    return {
      mode: job.mode,
      workers: job.mode === 'parallel' ? this.workers : 0,
      transactions,
      gasUsed,
      phases: job.phases,
      parallelism: transactions === 0 ? 1 : (transactions - reruns) / transactions,
      reruns,
      fallback: false,
      lanes,
      scheduled: job.mode,
      lanesLearned: false,
      rootInWorkers: job.rootInWorkers,
      contentionDetected: false,
      crypto: { ...this.crypto.backend },
    };
  }

  /** Sender addresses (0x-hex) of the included transactions: as the workers reported them
   *  (`known`), or from their public keys. */
  private senders(job: BlockJob, included: number[], known?: ReadonlyMap<number, Uint8Array>): string[] {
    return included.map((i) => {
      const address = known?.get(i);
      if (address !== undefined) return bytesToHex(address);
      const key = job.senderKeys?.[i];
      return key === undefined ? '' : bytesToHex(this.crypto.keccak256(key).subarray(12));
    });
  }

  /** Transaction `i` of the job, decoded on demand, carrying its sender key. */
  txAt(job: BlockJob, i: number): TypedTransaction {
    let tx = job.txs?.[i] ?? job.lazyTxs.get(i);
    if (tx === undefined) {
      tx = createTxFromRLP(job.raws[i] as Uint8Array, { common: this.common, freeze: false });
      job.lazyTxs.set(i, tx);
    }
    const key = job.senderKeys?.[i];
    if (key !== undefined) carrySender(tx, key, this.crypto.keccak256);
    return tx;
  }

  private async runSerial(job: ReadyJob): Promise<BlockRun> {
    const { block, txs } = job;
    const engine = this.engine;
    engine.tracker.trackReads = job.dropInvalid;
    setBlockCoinbase(engine, this.baseCommutative, block.header.coinbase.bytes);
    const journal = engine.vm.evm.journal;
    const t = now();
    await journal.checkpoint();
    const receipts = new BlockReceipts(this.common);
    const changes = new ChangeSet();
    const included: number[] = [];
    const dropped: { index: number; reason: string }[] = [];
    const accesses: TxAccess[] = [];
    let gasUsed = 0n;
    let receiptGas = 0n;
    try {
      for (let i = 0; i < txs.length; i++) {
        const tx = txs[i] as TypedTransaction;
        if (gasUsed + tx.gasLimit > block.header.gasLimit) {
          const reason = `gas limit ${tx.gasLimit} exceeds the block's remaining gas ${block.header.gasLimit - gasUsed}`;
          if (job.dropInvalid) {
            dropped.push({ index: i, reason });
            continue;
          }
          throw this.txError('BLOCK_GAS_EXCEEDED', block, tx, i, reason);
        }
        const { outcome, result } = await runTracked(engine, tx, block, receiptGas);
        if (!outcome.ok) {
          if (job.dropInvalid) {
            dropped.push({ index: i, reason: outcome.error });
            continue;
          }
          throw this.txError('INVALID_TX', block, tx, i, outcome.error);
        }
        gasUsed += outcome.blockGasSpent;
        receiptGas += outcome.totalGasSpent;
        receipts.add(outcome.receiptStatus, receiptGas, outcome.logs, tx.type, result?.bloom.bitvector);
        changes.add(outcome.access);
        included.push(i);
        accesses.push(outcome.access);
      }
    } catch (error) {
      await journal.revert();
      await this.resetHead();
      throw error;
    }
    job.phases.merge += now() - t;
    const { result } = await this.finish(job, gasUsed, receipts, changes, false);
    const stats = this.stats(job, gasUsed, 0, 0, included.length);
    stats.mode = 'serial';
    return { ...result, senders: this.senders(job, included), stats, included, dropped, accesses };
  }

  /** Updates the contended contracts from an unordered parallel block: a call re-ran because of
   *  the called contract's own storage (not its sender's nonce, say). */
  private learnContention(targets: readonly (string | undefined)[], slotConflict: readonly string[]): void {
    const calls = new Map<string, [number, number]>();
    targets.forEach((to, i) => {
      if (to === undefined) return;
      const c = calls.get(to) ?? [0, 0];
      c[0]++;
      if (slotConflict[i] === to) c[1]++;
      calls.set(to, c);
    });
    for (const [to, [n, r]] of calls) {
      if (n < CONTENTION_MIN_CALLS) continue;
      if (r > n * CONTENTION_SHARE) this.contended.add(to);
      else this.contended.delete(to);
    }
  }

  /** Splits the block into one share per worker: lanes go whole, largest first, to the least
   *  loaded worker (singletons thus alternate in block order); each share is in block order. */
  private assign(job: BlockJob, lanes: Lanes): WorkerShare[] {
    const size = this.pool?.size ?? 1;
    const members: number[][] = Array.from({ length: size }, () => []);
    const load = new Array<number>(size).fill(0);
    const order = [...lanes.keys()].sort((a, b) => (lanes[b]?.length ?? 0) - (lanes[a]?.length ?? 0));
    for (const l of order) {
      const lane = lanes[l] ?? [];
      let w = 0;
      for (let k = 1; k < size; k++) if ((load[k] ?? 0) < (load[w] ?? 0)) w = k;
      load[w] = (load[w] ?? 0) + lane.length;
      for (const i of lane) members[w]?.push(i);
    }
    return members.map((share) => {
      const indices = Array.from(Int32Array.from(share).sort());
      return {
        indices,
        txs: indices.map((i) => job.raws[i] as Uint8Array),
        senderKeys: indices.map((i) => job.senderKeys?.[i] ?? EMPTY),
      };
    });
  }

  /** After the workers found a block contended: its most called contract is contended. */
  private learnMostCalled(targets: readonly (string | undefined)[]): void {
    const calls = new Map<string, number>();
    for (const to of targets) if (to !== undefined) calls.set(to, (calls.get(to) ?? 0) + 1);
    let best: string | undefined;
    let most = CONTENTION_MIN_CALLS - 1;
    for (const [to, n] of calls) {
      if (n > most) {
        best = to;
        most = n;
      }
    }
    if (best !== undefined) this.contended.add(best);
  }

  /** The parallel run, or undefined when `probe` is set and the workers found the block contended
   *  (nothing merged yet). */
  private async runParallel(
    job: BlockJob,
    probe = false,
  ): Promise<{ run: BlockRun; mismatches: HeaderMismatch[]; slotConflict: string[] } | undefined> {
    const pool = this.pool as WorkerPool;
    const { phases } = job;
    const count = job.raws.length;
    const lanes =
      job.lanes !== undefined && validLanes(job.lanes, count) ? job.lanes : job.raws.map((_, i) => [i]);
    const t = now();
    pool.sync();
    // The workers start at once (recovering the senders they are not given) and send outcomes as
    // they go; the coordinator decodes the header meanwhile, then merges what has arrived.
    const stream = new OutcomeStream();
    let parallelEnd = 0;
    const shares = this.assign(job, lanes);
    const running = pool.run(
      job.headerRLP,
      job.parentStateRoot,
      shares,
      job.ancestors,
      probe,
      (indices, encoded) => stream.add(indices, encoded),
    );
    const settled = () => {
      parallelEnd = now();
      stream.end();
    };
    running.then(settled, settled);
    const d = now();
    try {
      await job.prepareHeader();
    } catch (error) {
      await running.catch(() => undefined);
      throw error;
    }
    phases.decode += now() - d;
    const block = job.block as Block;
    const r = job as BlockJob & { block: Block };
    const mergeStart = now();
    let waited = 0;
    let contended = false;
    // What each transaction saw in its worker: the writes of the earlier transactions of its share.
    const shareOf = new Int32Array(count);
    shares.forEach((share, w) => {
      for (const i of share.indices) shareOf[i] = w;
    });
    const versions = new MergeVersions(shares.length, count);
    const engine = this.engine;
    engine.tracker.trackReads = true;
    setBlockCoinbase(engine, this.baseCommutative, block.header.coinbase.bytes);
    const journal = engine.vm.evm.journal;
    await journal.checkpoint();
    const receipts = new BlockReceipts(this.common);
    const changes = new ChangeSet(versions.ids);
    const included: number[] = [];
    const dropped: { index: number; reason: string }[] = [];
    const accesses: TxAccess[] = [];
    let gasUsed = 0n;
    let receiptGas = 0n;
    let reruns = 0;
    let rerunMs = 0;
    let senderAddresses: ReadonlyMap<number, Uint8Array> | undefined;
    // Fee payments to the coinbase (one per transaction) are summed, not applied one by one.
    const credits = new PendingCredits(versions.ids);
    const slotConflict: string[] = new Array<string>(count).fill('');
    try {
      for (let i = 0; i < count; i++) {
        let encoded = stream.take(i);
        if (encoded === undefined) {
          const w0 = now();
          encoded = await stream.get(i);
          waited += now() - w0;
        }
        if (encoded === undefined) {
          // The workers finished without it: a bad signature, an early stop on a contended block,
          // or a failure (which `running` throws).
          const ran = await running;
          const bad = ran.invalid[0];
          if (bad !== undefined) {
            const hash = bytesToHex(this.txAt(job, bad.index).hash());
            throw this.signatureError(job.number, bad.index, hash, bad.reason);
          }
          if (ran.contended) {
            contended = true;
            break;
          }
          throw new ExecutionError('WORKER_FAILED', `${describeBlock(job.number)}: no outcome for tx ${i}`);
        }
        const first = decodeTxOutcome(encoded);
        if (gasUsed + first.gasLimit > block.header.gasLimit) {
          const reason = `gas limit ${first.gasLimit} exceeds the block's remaining gas ${block.header.gasLimit - gasUsed}`;
          if (job.dropInvalid) {
            // Later transactions of its share ran on its writes in the worker: they must re-run.
            versions.markSeen(shareOf[i] ?? 0, versions.written(first.access, false), 2 * i);
            dropped.push({ index: i, reason });
            continue;
          }
          throw this.txError('BLOCK_GAS_EXCEEDED', block, this.txAt(job, i), i, reason);
        }
        const share = shareOf[i] ?? 0;
        const conflictItem = versions.conflict(first.access, share);
        const conflict = conflictItem !== NO_CONFLICT;
        if (conflict) {
          // A storage slot: remember whose, to learn contended contracts.
          const contract = versions.slotAddress(conflictItem);
          if (contract !== undefined) slotConflict[i] = bytesToUnprefixedHex(contract);
        }
        // What later transactions of this share saw: this transaction's writes in the worker
        // (marked once its own merge no longer compares against the share's earlier writes).
        const workerWrites = versions.written(first.access, false);
        let outcome: TxOutcome;
        if (!conflict) {
          if (!first.ok) {
            if (job.dropInvalid) {
              versions.markSeen(share, workerWrites, 2 * i);
              dropped.push({ index: i, reason: first.error });
              continue;
            }
            throw this.txError('INVALID_TX', block, this.txAt(job, i), i, first.error);
          }
          await this.applyAccess(first.access, (address) => versions.untouched(address, share), credits);
          versions.markSeen(share, workerWrites, 2 * i);
          versions.setMerged(workerWrites, 2 * i);
          versions.setMerged(versions.increments(first.access), 2 * i);
          outcome = first;
        } else {
          versions.markSeen(share, workerWrites, 2 * i);
          const r0 = now();
          await this.applyCredits(credits);
          const rerun = await runTracked(engine, this.txAt(job, i), block, receiptGas);
          rerunMs += now() - r0;
          reruns++;
          if (!rerun.outcome.ok) {
            if (job.dropInvalid) {
              dropped.push({ index: i, reason: rerun.outcome.error });
              continue;
            }
            throw this.txError('INVALID_TX', block, this.txAt(job, i), i, rerun.outcome.error);
          }
          outcome = rerun.outcome;
          versions.setMerged(versions.written(outcome.access, true), 2 * i + 1);
        }
        gasUsed += outcome.blockGasSpent;
        receiptGas += outcome.totalGasSpent;
        // Without logs the bloom is all zeros: no Bloom to build per transaction (a worker's
        // outcome carries no bloom; serial mode passes runTx's).
        const bloom = outcome.logs.length === 0 ? new Uint8Array(BLOOM_BYTES) : undefined;
        receipts.add(outcome.receiptStatus, receiptGas, outcome.logs, first.txType, bloom);
        changes.add(outcome.access);
        included.push(i);
        accesses.push(outcome.access);
      }
      await this.applyCredits(credits);
      if (!contended) {
        const ran = await running;
        senderAddresses = ran.senders;
        phases.recovery += Math.max(0, ...ran.recoveryMs);
        const keys: Uint8Array[] = [];
        for (let i = 0; i < count; i++) {
          const key = job.senderKeys?.[i] ?? ran.keys.get(i);
          if (key === undefined) {
            throw new ExecutionError('WORKER_FAILED', `${describeBlock(job.number)}: no sender for tx ${i}`);
          }
          keys.push(key);
        }
        job.senderKeys = keys;
      }
    } catch (error) {
      await journal.revert();
      await this.resetHead();
      throw error;
    }
    phases.parallel += parallelEnd - t;
    phases.reruns += rerunMs;
    phases.merge += now() - mergeStart - rerunMs - waited;
    if (contended) {
      // Nothing of the partial merge is kept: the caller runs the block serially.
      await journal.revert();
      return undefined;
    }
    const { result, mismatches } = await this.finish(r, gasUsed, receipts, changes, true);
    const stats = this.stats(r, gasUsed, reruns, lanes.length, included.length);
    return {
      run: {
        ...result,
        senders: this.senders(r, included, senderAddresses),
        stats,
        included,
        dropped,
        accesses,
      },
      mismatches,
      slotConflict,
    };
  }
}

/** The `to` address (unprefixed hex) of each raw transaction; undefined for creations. */
export function txTargets(raws: readonly Uint8Array[]): (string | undefined)[] {
  return raws.map((raw) => {
    try {
      // Legacy: [nonce, gasPrice, gasLimit, to, …]; 2930: [chainId, nonce, gasPrice, gasLimit, to,
      // …]; 1559: [chainId, nonce, maxPriorityFee, maxFee, gasLimit, to, …].
      const typed = raw[0] !== undefined && raw[0] < 0x7f;
      const fields = RLP.decode(typed ? raw.subarray(1) : raw) as unknown[];
      const index = !typed ? 3 : raw[0] === 1 ? 4 : 5;
      const to = fields[index];
      return to instanceof Uint8Array && to.length === 20 ? bytesToUnprefixedHex(to) : undefined;
    } catch {
      return undefined;
    }
  });
}

/** Lanes grouping the calls to each contended contract (block order kept), everything else
 *  alone; undefined when no transaction calls a contended contract. */
export function learnedLanes(
  targets: readonly (string | undefined)[],
  contended: ReadonlySet<string>,
): number[][] | undefined {
  if (contended.size === 0) return undefined;
  const groups = new Map<string, number[]>();
  const lanes: number[][] = [];
  targets.forEach((to, i) => {
    if (to !== undefined && contended.has(to)) {
      let lane = groups.get(to);
      if (lane === undefined) {
        lane = [];
        groups.set(to, lane);
        lanes.push(lane);
      }
      lane.push(i);
    } else lanes.push([i]);
  });
  return groups.size === 0 ? undefined : lanes;
}

/** Balance increments merged but not yet applied, summed per account. */
class PendingCredits {
  /** `ids`: the block's item ids, when the merge has them already. */
  constructor(private readonly ids = new ItemIds()) {}

  private readonly pending = new Map<number, { address: Uint8Array; delta: bigint }>();

  get size(): number {
    return this.pending.size;
  }

  add(address: Uint8Array, delta: bigint): void {
    const id = this.ids.account(address);
    const credit = this.pending.get(id);
    if (credit === undefined) this.pending.set(id, { address, delta });
    else credit.delta += delta;
  }

  /** The pending credit of one account, now no longer pending. */
  take(address: Uint8Array): { address: Uint8Array; delta: bigint } | undefined {
    const id = this.ids.account(address);
    const credit = this.pending.get(id);
    if (credit !== undefined) this.pending.delete(id);
    return credit;
  }

  takeAll(): { address: Uint8Array; delta: bigint }[] {
    const all = [...this.pending.values()];
    this.pending.clear();
    return all;
  }
}

/** True when every index appears once, lanes are in block order and within range. */
function validLanes(lanes: Lanes, count: number): boolean {
  const seen = new Uint8Array(count);
  let total = 0;
  for (const lane of lanes) {
    let previous = -1;
    for (const i of lane) {
      if (!Number.isInteger(i) || i <= previous || i >= count || seen[i] === 1) return false;
      seen[i] = 1;
      previous = i;
      total++;
    }
  }
  return total === count;
}

/** Accounts and slots changed by a block, accumulated per transaction (as item ids: hex strings
 *  are made once per account and slot, at the end). */
class ChangeSet {
  /** `ids`: the block's item ids, when the merge has them already. */
  constructor(private readonly ids = new ItemIds()) {}

  private readonly accounts = new Set<number>();
  private readonly slots = new Set<number>();

  addAccount(address: Uint8Array): void {
    this.accounts.add(this.ids.account(address));
  }

  add(access: TxAccess): void {
    const ids = this.ids;
    for (const w of access.accountWrites) this.accounts.add(ids.account(w.address));
    for (const i of access.increments) this.accounts.add(ids.account(i.address));
    for (const w of access.slotWrites) {
      const a = ids.account(w.address);
      this.accounts.add(a);
      this.slots.add(ids.slot(a, w.slot));
    }
  }

  toChanges(): Omit<StateChanges, 'accountStates'> {
    const ids = this.ids;
    const hex = (id: number) => bytesToUnprefixedHex(ids.address(id));
    const bySlotAccount = new Map<number, string[]>();
    for (const s of this.slots) {
      const { account, slot } = ids.slotOf(s);
      let list = bySlotAccount.get(account);
      if (list === undefined) {
        list = [];
        bySlotAccount.set(account, list);
      }
      list.push(`0x${bytesToUnprefixedHex(slot)}`);
    }
    const storage = new Map<string, string[]>();
    const withSlots = [...bySlotAccount].map(([a, slots]) => [hex(a), slots] as const);
    for (const [a, slots] of withSlots.sort(([x], [y]) => (x < y ? -1 : 1)))
      storage.set(`0x${a}`, slots.sort());
    return {
      accounts: [...this.accounts]
        .map(hex)
        .sort()
        .map((a) => `0x${a}`),
      storage,
    };
  }
}

/**
 * Creates an executor over `store`: loads the crypto (native libsecp256k1, hash-wasm keccak), the
 * chain's Common and extensions, and starts the worker pool.
 * @throws ExecutionError `CRYPTO_UNAVAILABLE` or `WORKER_FAILED`.
 * @example const executor = await createExecutor({ chainId: 7001, store: createMemoryStateStore(), workers: 2 })
 */
export async function createExecutor(p: CreateExecutorParameters): Promise<Executor> {
  const crypto = await loadExecutionCrypto();
  const chainId = Number(p.chainId);
  const common = createExecutionCommon({ chainId, crypto });
  const db = new StateDB(p.store);
  const sm = await createCachedStateManager({ db, common, keccak256: crypto.keccak256 });
  const extensions = await loadExtensions(p.extensions);
  const engine = await createTxEngine({ common, sm, extensions, trackReads: false });
  const workers = p.workers ?? 2;
  const pool =
    workers > 0
      ? await createWorkerPool({ size: workers, chainId, store: p.store, extensions: p.extensions })
      : undefined;
  return new ExecutorImpl({
    chainId,
    common,
    crypto,
    store: p.store,
    db,
    sm,
    engine,
    pool,
    blockHashes: p.blockHashes,
    learnContention: p.learnContention ?? true,
  });
}

/** The implementation behind an {@link Executor} (internal to the package). */
export function executorImpl(executor: Executor): ExecutorImpl {
  if (!(executor instanceof ExecutorImpl)) throw new TypeError('not an executor created by createExecutor()');
  return executor;
}

export type { ExecutorImpl };
export { zeroPhases };
