// Block import: a block sealed by another validator is checked against the chain rules, its
// seals against the validator set, executed on the parent state through the same executor the
// producer uses, its roots (state, transactions, receipts, bloom, gas, messages, state shards)
// compared with the header, and committed exactly as a produced block is (head moved last).
import type { Common } from '@ethereumjs/common';
import { bytesToHex, hexToBytes } from '@ethereumjs/util';
import type { StateShards } from '@khipu/dietcoin';
import {
  buildMessageShards,
  decodeHeader as decodeKhipuHeader,
  isDietcoinError,
  keccak256,
  type ValidatorSet,
  verifySeals,
} from '@khipu/dietcoin';
import type { ValidatorSchedule } from '../consensus/validatorSchedule.js';
import { ChainError } from '../errors.js';
import { readAccountsAt } from '../exec/accountReader.js';
import { changesOp, preimageOps } from '../exec/stateShards.js';
import type { BlockExecutor, PendingTransaction } from '../exec/types.js';
import { FEE_POOL_ADDRESS, OUTBOX_ADDRESS } from '../genesis/config.js';
import { extractMessages } from '../outbox/messages.js';
import { nextBaseFee, type ShardsHolder } from '../producer/producer.js';
import type { HeaderData, SealData } from '../rpc/backend.js';
import type { BlockCommit, ChainStore } from '../store/chainStore.js';
import type { OverlayStateDB } from '../store/stateDB.js';
import { nextSupply } from '../supply/supply.js';
import {
  type BlockTransactionDecoder,
  createBlockTransactionDecoder,
  type KnownTransactions,
} from './blockTransactions.js';

/** A block as it travels between nodes: header RLP, serialized transactions, seals. */
export interface BlockEnvelope {
  headerRLP: Uint8Array;
  transactions: Uint8Array[];
  seals: SealData[];
}

export interface ImporterOptions {
  chainId: bigint;
  common: Common;
  store: ChainStore;
  db: OverlayStateDB;
  executor: BlockExecutor;
  validators: ValidatorSet;
  /** The set of every height (epochs); without it, `validators` for ever. */
  schedule?: Pick<ValidatorSchedule, 'hashesAt' | 'dietcoinSetAt'>;
  shards: ShardsHolder;
  rebuildShards: () => Promise<StateShards>;
  minBaseFee: bigint;
  /** Transactions already decoded (the pool): a block's are taken from here when found. */
  knownTransactions?: KnownTransactions;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * A block checked and executed on the head but not committed: its state writes sit in the overlay
 * and the state shards include it, so nothing else may execute until `commitPrepared` or `discard`.
 * Consensus validates a proposal this way before the block has its seals.
 */
export interface PreparedImport {
  number: bigint;
  hash: Uint8Array;
  commit: Omit<BlockCommit, 'seals'>;
  included: readonly PendingTransaction[];
  /** Where the preparation's wall time went, in milliseconds (logs and benchmarks). */
  phases: ImportPhases;
}

/** Wall milliseconds of each step of `Importer.prepare`. */
export interface ImportPhases {
  /** Header decode, chain rules, parent seals and (for a sealed block) the block's own seals. */
  header: number;
  /** Transactions decoded and senders recovered. */
  decode: number;
  /** The executor: state transition, state root, receipts root, transactions root. */
  execute: number;
  /** Outbox messages extracted and their shards' root. */
  messages: number;
  /** Touched accounts read and the state shards updated. */
  shards: number;
  /** Supply accounting and the state writes gathered for the commit. */
  commitOps: number;
}

/** Imports blocks, one at a time, in order. */
export class Importer {
  readonly #o: ImporterOptions;
  readonly #transactions: BlockTransactionDecoder;
  #known: KnownTransactions | undefined;

  constructor(options: ImporterOptions) {
    this.#o = options;
    this.#transactions = createBlockTransactionDecoder(options.chainId, options.common);
    this.#known = options.knownTransactions;
  }

  /** Transactions of the last prepared block found already decoded, and decoded here. */
  lastTransactionCounts(): { known: number; decoded: number } {
    return this.#transactions.lastCounts();
  }

  /** Takes a block's transactions from `known` when found there (the node's pool, which exists
   *  only after the chain is open). */
  useKnownTransactions(known: KnownTransactions): void {
    this.#known = known;
  }

  /**
   * Validates, executes and commits `block` on top of the head.
   * @throws ChainError INVALID_BLOCK naming the block and the rule it breaks; the store is unchanged.
   */
  async importBlock(block: BlockEnvelope): Promise<HeaderData> {
    const prepared = await this.prepare(block, { seals: true });
    return this.commitPrepared(prepared, block.seals);
  }

  /**
   * Checks and executes `block` on the head (its own seals only when `seals`: a proposal has none
   * yet); commits nothing.
   * @throws ChainError INVALID_BLOCK naming the block and the rule it breaks; the overlay and the
   * shards are restored.
   */
  async prepare(block: BlockEnvelope, options: { seals: boolean }): Promise<PreparedImport> {
    try {
      return await this.#prepare(block, options.seals);
    } catch (error) {
      await this.discard();
      if (error instanceof ChainError) throw error;
      throw new ChainError(
        'INVALID_BLOCK',
        `block refused: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Commits a prepared block with its seals (head moved last). */
  async commitPrepared(prepared: PreparedImport, seals: SealData[]): Promise<HeaderData> {
    try {
      const header = await this.#o.store.commitBlock({ ...prepared.commit, seals });
      this.#o.db.markCommitted(prepared.commit.stateOps);
      return header;
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  /** Drops a prepared block: the overlay's writes and the shards' update. */
  async discard(): Promise<void> {
    this.#o.db.discard();
    this.#o.shards.current = await this.#o.rebuildShards();
  }

  async #prepare(block: BlockEnvelope, checkSeals: boolean): Promise<PreparedImport> {
    const o = this.#o;
    const phases: ImportPhases = { header: 0, decode: 0, execute: 0, messages: 0, shards: 0, commitOps: 0 };
    let mark = performance.now();
    const lap = (phase: keyof ImportPhases) => {
      const t = performance.now();
      phases[phase] = t - mark;
      mark = t;
    };
    let decoded: ReturnType<typeof decodeKhipuHeader>;
    try {
      decoded = decodeKhipuHeader(block.headerRLP);
    } catch (cause) {
      throw new ChainError(
        'INVALID_BLOCK',
        `header does not decode: ${isDietcoinError(cause) ? cause.message : String(cause)}`,
        { cause },
      );
    }
    const h = decoded.header;
    const hash = keccak256(block.headerRLP);
    const name = `block ${h.number} ${bytesToHex(hash)}`;
    const bad = (why: string): never => {
      throw new ChainError('INVALID_BLOCK', `${name} ${why}`, { details: { number: h.number } });
    };
    const parent = o.store.headHeader();
    if (BigInt(h.number) !== parent.number + 1n) bad(`does not follow the head ${parent.number}`);
    if (bytesToHex(h.parentHash) !== parent.hash)
      bad(`has parent ${bytesToHex(h.parentHash)}, the head is ${parent.hash}`);
    if (BigInt(h.timestamp) <= parent.timestamp)
      bad(`has timestamp ${h.timestamp}, not after its parent's ${parent.timestamp}`);
    if (h.gasLimit !== parent.gasLimit) bad(`changes the gas limit from ${parent.gasLimit} to ${h.gasLimit}`);
    const baseFee = nextBaseFee(
      parent.gasUsed,
      parent.gasLimit,
      parent.baseFeePerGas ?? o.minBaseFee,
      o.minBaseFee,
    );
    if (h.baseFeePerGas !== baseFee) bad(`has base fee ${h.baseFeePerGas}, expected ${baseFee}`);
    const setAt = (n: number) => o.schedule?.dietcoinSetAt(n) ?? o.validators;
    const validators = setAt(h.number);
    const hashes = o.schedule?.hashesAt(h.number) ?? {
      validatorsHash: o.validators.hash,
      nextValidatorsHash: o.validators.hash,
    };
    if (validators.indexOf(h.coinbase) === undefined)
      bad(`is proposed by ${bytesToHex(h.coinbase)}, not a validator`);
    if (
      !equal(h.extra.validatorsHash, hashes.validatorsHash) ||
      !equal(h.extra.nextValidatorsHash, hashes.nextValidatorsHash)
    ) {
      bad('names another validator set');
    }
    // The parent's seals, as this block records them, must finalize the parent.
    if (parent.number > 0n) {
      verifySeals({
        chainId: o.chainId,
        height: Number(parent.number),
        round: h.extra.parentSeals.round,
        blockHash: hexToBytes(parent.hash),
        validators: setAt(Number(parent.number)),
        quorum: 'count',
        seals: h.extra.parentSeals.seals,
      });
    }
    if (checkSeals) {
      const round = Number(block.seals[0]?.round ?? 0n);
      if (block.seals.some((s) => Number(s.round) !== round)) bad('carries seals of different rounds');
      verifySeals({
        chainId: o.chainId,
        height: h.number,
        round,
        blockHash: hash,
        validators,
        quorum: 'count',
        seals: block.seals.map((s) => hexToBytes(s.signature)),
      });
    }

    lap('header');
    let transactions: PendingTransaction[];
    try {
      transactions = await this.#transactions.decode(block.transactions, h.gasLimit, this.#known);
    } catch (cause) {
      return bad(cause instanceof Error ? cause.message : String(cause));
    }
    lap('decode');
    const out = await o.executor.execute({
      parentStateRoot: hexToBytes(parent.stateRoot),
      context: {
        number: BigInt(h.number),
        parentHash: h.parentHash,
        timestamp: BigInt(h.timestamp),
        coinbase: h.coinbase,
        gasLimit: h.gasLimit,
        baseFeePerGas: h.baseFeePerGas,
        mixHash: h.mixHash,
      },
      transactions,
      mode: 'import',
    });
    const checks: [string, Uint8Array, Uint8Array][] = [
      ['stateRoot', h.stateRoot, out.stateRoot],
      ['transactionsRoot', h.transactionsTrie, out.transactionsRoot],
      ['receiptsRoot', h.receiptTrie, out.receiptsRoot],
      ['logsBloom', h.logsBloom, out.logsBloom],
    ];
    for (const [field, header, computed] of checks) {
      if (!equal(header, computed))
        bad(`${field}: header ${bytesToHex(header)}, computed ${bytesToHex(computed)}`);
    }
    if (h.gasUsed !== out.gasUsed) bad(`gasUsed: header ${h.gasUsed}, computed ${out.gasUsed}`);
    lap('execute');
    const messages = extractMessages({
      outbox: hexToBytes(OUTBOX_ADDRESS),
      receipts: out.receipts,
      transactionHashes: out.included.map((t) => t.hash),
    });
    const messageRoot = buildMessageShards({
      messages: messages.map((m) => m.encoded),
      sourceChainId: o.chainId,
    }).root;
    if (!equal(messageRoot, h.extra.messageRoot)) {
      bad(`messageRoot: header ${bytesToHex(h.extra.messageRoot)}, computed ${bytesToHex(messageRoot)}`);
    }
    lap('messages');
    const shardRoot = o.shards.current.update(
      await readAccountsAt(o.db, out.stateRoot, out.touched, out.accountStates),
    );
    if (!equal(shardRoot, h.extra.shardRoot)) {
      bad(`shardRoot: header ${bytesToHex(h.extra.shardRoot)}, computed ${bytesToHex(shardRoot)}`);
    }
    lap('shards');
    const balances = (
      await readAccountsAt(
        o.db,
        out.stateRoot,
        [OUTBOX_ADDRESS, FEE_POOL_ADDRESS].map((a) => hexToBytes(a)),
        out.accountStates,
      )
    ).map((c) => c.account?.balance ?? 0n);
    const supply = nextSupply({
      parent: o.store.getSupply(parent.number),
      blockNumber: BigInt(h.number),
      outboxBalance: balances[0] ?? 0n,
      feePoolBalance: balances[1] ?? 0n,
      feesToPool: out.feesToPool,
    });
    const stateOps = [
      ...o.db.pendingOps(),
      ...preimageOps(o.store.kv, out.touched),
      ...changesOp(BigInt(h.number), out.touched),
    ];
    lap('commitOps');
    return {
      number: BigInt(h.number),
      hash,
      commit: {
        headerRLP: block.headerRLP,
        transactions: out.included.map((t) => ({ raw: t.raw, sender: t.sender })),
        receipts: out.receipts,
        messages,
        stats: out.stats,
        supply,
        stateOps,
      },
      included: out.included,
      phases,
    };
  }
}

/** The envelope of a committed block, as a peer would receive it. */
export function blockEnvelopeOf(store: ChainStore, number: bigint): BlockEnvelope | null {
  const headerRLP = store.getHeaderRLP(number);
  if (!headerRLP) return null;
  return {
    headerRLP,
    transactions: store.getRawTransactions(number) ?? [],
    seals: store.getSeals(number) ?? [],
  };
}
