// Block production by the validator whose turn it is (one validator in this issue): every block
// interval, take transactions from the pool, execute them on the head state, compute the message
// shards (messageRoot) and state shards (shardRoot), build the header with the parent's seals in
// its extraData, seal it with the validator key and commit it in one atomic batch (head last).
import type { Common } from '@ethereumjs/common';
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util';
import {
  addressOfPrivateKey,
  buildMessageShards,
  encodeHeader,
  keccak256,
  type StateShards,
  signSeal,
  type ValidatorSet,
} from '@khipu/dietcoin';
import type { ValidatorSchedule } from '../consensus/validatorSchedule.js';
import { ChainError, isChainError } from '../errors.js';
import { readAccountsAt } from '../exec/accountReader.js';
import { createStateManagerAt } from '../exec/state.js';
import { changesOp, preimageOps } from '../exec/stateShards.js';
import type { BlockExecutor, PendingTransaction } from '../exec/types.js';
import { FEE_POOL_ADDRESS, OUTBOX_ADDRESS } from '../genesis/config.js';
import { extractMessages } from '../outbox/messages.js';
import type { Hex, SealData } from '../rpc/backend.js';
import type { BlockCommit, ChainStore } from '../store/chainStore.js';
import type { OverlayStateDB } from '../store/stateDB.js';
import { nextSupply } from '../supply/supply.js';
import { builtBlockHeader, childBlockContext } from './blockHeader.js';
import type { TransactionSource } from './types.js';

export interface ProducerOptions {
  chainId: bigint;
  common: Common;
  store: ChainStore;
  db: OverlayStateDB;
  executor: BlockExecutor;
  source: TransactionSource;
  /** The state shards at the head, shared with the importer and the readers. */
  shards: ShardsHolder;
  /** Rebuilds the state shards at the head (after a block failed half-way). */
  rebuildShards: () => Promise<StateShards>;
  validators: ValidatorSet;
  /** The set of every height (epochs): block h carries hashesAt(h) and is built only by a member of setAt(h); without it, `validators` for ever. */
  schedule?: Pick<ValidatorSchedule, 'hashesAt' | 'setAt'>;
  /** The validator's secp256k1 private key (32 bytes). */
  privateKey: Uint8Array;
  blockTimeMs: number;
  /** The base fee never falls below this (the genesis base fee, 1 gwei by default). */
  minBaseFee: bigint;
  /** Clock in milliseconds (tests pin it). */
  now?: () => number;
  /** Called after each block, with what it took; for metrics and logs. */
  onBlock?: (info: ProducedBlock) => void;
  /** Called when producing a block failed; production goes on at the next tick. */
  onError?: (error: unknown) => void;
}

/** Build options of one block. */
export interface BuildOptions {
  /** Milliseconds of execution the block may take: it takes at most as many transactions as the
   *  producer's recent time per transaction allows (`ExecutionBudget`). Consensus sets it, so that
   *  validators, who execute a proposal before they vote, can do so well within the round. */
  budgetMs?: number;
}

export interface ProducedBlock {
  number: bigint;
  hash: Hex;
  transactions: number;
  skipped: number;
  gasUsed: bigint;
  messages: number;
  seconds: number;
  /** Where the time went, in seconds: execution, shards and roots, commit. */
  phases: { execute: number; roots: number; commit: number };
  timestamp: bigint;
}

/**
 * A block built on the head and not yet committed: its state writes sit in the overlay and the
 * state shards already include it, so nothing else may execute until it is committed or dropped
 * (`Producer.discard`). Consensus seals it with a quorum before `commitBuilt`.
 */
export interface BuiltBlock {
  number: bigint;
  hash: Uint8Array;
  headerRLP: Uint8Array;
  /** Everything the store writes except the seals. */
  commit: Omit<BlockCommit, 'seals'>;
  included: readonly PendingTransaction[];
  skipped: readonly { transaction: PendingTransaction; reason: string }[];
  gasUsed: bigint;
  messages: number;
  timestamp: bigint;
  startedAt: number;
  /** Seconds: taking from the pool (with the parent and context), execution, shards and roots. */
  phases: { take: number; execute: number; roots: number };
}

/** The live state shards: replaced whole when rebuilt, so holders share one reference. */
export interface ShardsHolder {
  current: StateShards;
}

/** Produces blocks on a timer (`start`) or one at a time (`produceBlock`). */
export class Producer {
  readonly #o: ProducerOptions;
  readonly #address: Uint8Array;
  #timer: NodeJS.Timeout | undefined;
  readonly #budget = new ExecutionBudget();
  #running: Promise<unknown> = Promise.resolve();
  #stopped = true;

  constructor(options: ProducerOptions) {
    this.#o = options;
    this.#address = addressOfPrivateKey(options.privateKey);
    // With a schedule, a validator joining at a later epoch is not in the genesis set yet.
    if (!options.schedule && options.validators.indexOf(this.#address) === undefined) {
      throw new ChainError(
        'NOT_A_VALIDATOR',
        `key of ${bytesToHex(this.#address)} is not in the validator set`,
      );
    }
  }

  /** The validator address blocks are sealed by (and paid to: it is the coinbase). */
  get address(): Hex {
    return bytesToHex(this.#address) as Hex;
  }

  /** Starts producing one block every `blockTimeMs`, aligned to the interval: a block starts at
   *  each interval boundary. A block that overran its interval is followed at once by the block
   *  of the interval under way (geth's clique likewise seals a late block without waiting), so a
   *  slow block costs that interval's time, not the whole next interval; an interval that went
   *  by entirely without a block is not made up. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const interval = this.#o.blockTimeMs;
    const now = () => (this.#o.now ?? Date.now)();
    // `slot`: the interval (number since the epoch) the block is for, fixed when it is scheduled,
    // so that a timer firing a little early does not make two blocks for one interval.
    const schedule = (slot: number) => {
      this.#timer = setTimeout(() => tick(slot), Math.max(0, slot * interval - now()));
    };
    const tick = (slot: number) => {
      if (this.#stopped) return;
      this.#running = this.produceBlock()
        .catch((e) => {
          this.#o.onError?.(e);
          // Out of the set, a lone validator has no one to make the blocks that would bring it back.
          if (isChainError(e, 'NOT_A_VALIDATOR')) this.#stopped = true;
        })
        .finally(() => {
          if (this.#stopped) return;
          const current = Math.floor(now() / interval);
          schedule(current > slot ? current : slot + 1);
        });
    };
    schedule(Math.floor(now() / interval) + 1);
  }

  /** Stops the timer and waits for a block in progress to commit. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  /** Builds, seals and commits the next block. On failure the uncommitted state writes are
   *  dropped and the state shards rebuilt at the head, so the next attempt starts clean. */
  async produceBlock(): Promise<ProducedBlock> {
    this.#checkMember();
    try {
      return await this.#produce();
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  /** Drops a built block that will not be committed: the overlay's writes and the shards' update. */
  async discard(): Promise<void> {
    this.#o.db.discard();
    this.#o.shards.current = await this.#o.rebuildShards();
  }

  /** Builds the next block on the head without sealing or committing it (see `BuiltBlock`).
   *  On failure the uncommitted state writes are dropped and the shards rebuilt. */
  async build(options: BuildOptions = {}): Promise<BuiltBlock> {
    this.#checkMember();
    try {
      return await this.#build(options);
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  /** Commits a built block with its seals (head moved), then tells the source and `onBlock`. */
  async commitBuilt(built: BuiltBlock, seals: SealData[]): Promise<ProducedBlock> {
    const o = this.#o;
    const t2 = performance.now();
    await o.store.commitBlock({ ...built.commit, seals });
    o.db.markCommitted(built.commit.stateOps);
    const t3 = performance.now();
    await o.source.onBlockCommitted({
      number: built.number,
      included: built.included,
      skipped: built.skipped,
    });
    const info: ProducedBlock = {
      number: built.number,
      hash: bytesToHex(built.hash) as Hex,
      transactions: built.included.length,
      skipped: built.skipped.length,
      gasUsed: built.gasUsed,
      messages: built.messages,
      seconds: (performance.now() - built.startedAt) / 1000,
      phases: { execute: built.phases.execute, roots: built.phases.roots, commit: (t3 - t2) / 1000 },
      timestamp: built.timestamp,
    };
    o.onBlock?.(info);
    return info;
  }

  /** The seal of this validator over a block in `round`. */
  seal(number: bigint, hash: Uint8Array, round: number): SealData {
    return {
      validator: this.address,
      round: BigInt(round),
      signature: bytesToHex(
        signSeal({
          privateKey: this.#o.privateKey,
          chainId: this.#o.chainId,
          height: Number(number),
          round,
          blockHash: hash,
        }),
      ) as Hex,
    };
  }

  /**
   * Refuses to build the next block when the schedule left this validator out of its height's set
   * (before anything is taken from the pool): such a block would carry a seal no node accepts.
   * @throws ChainError NOT_A_VALIDATOR.
   */
  #checkMember(): void {
    const number = Number(this.#o.store.headNumber()) + 1;
    const members = this.#o.schedule?.setAt(number).validators;
    if (members && !members.includes(this.address)) {
      throw new ChainError(
        'NOT_A_VALIDATOR',
        `${this.address} is not in the validator set of block ${number}: it builds no block there`,
        { details: { number } },
      );
    }
  }

  async #produce(): Promise<ProducedBlock> {
    const built = await this.#build();
    return this.commitBuilt(built, [this.seal(built.number, built.hash, 0)]);
  }

  async #build(options: BuildOptions = {}): Promise<BuiltBlock> {
    const started = performance.now();
    const o = this.#o;
    const parent = o.store.headHeader();
    const context = childBlockContext(parent, {
      nowMs: (o.now ?? Date.now)(),
      coinbase: this.#address,
      baseFeePerGas: nextBaseFee(
        parent.gasUsed,
        parent.gasLimit,
        parent.baseFeePerGas ?? o.minBaseFee,
        o.minBaseFee,
      ),
    });
    const { number, timestamp } = context;
    const maxCount = options.budgetMs === undefined ? undefined : this.#budget.maxCount(options.budgetMs);
    const candidates = await o.source.take(context.gasLimit, context.baseFeePerGas, maxCount);
    const t0 = performance.now();
    const out = await o.executor.execute({
      parentStateRoot: hexToBytes(parent.stateRoot),
      context,
      transactions: candidates,
      mode: 'build',
    });
    const t1 = performance.now();
    this.#budget.observe(t1 - t0, out.included.length);
    const messages = extractMessages({
      outbox: hexToBytes(OUTBOX_ADDRESS),
      receipts: out.receipts,
      transactionHashes: out.included.map((t) => t.hash),
    });
    const messageShards = buildMessageShards({
      messages: messages.map((m) => m.encoded),
      sourceChainId: o.chainId,
    });
    const after = createStateManagerAt(o.db, out.stateRoot, o.common);
    const shardRoot = this.#o.shards.current.update(
      await readAccountsAt(o.db, out.stateRoot, out.touched, out.accountStates),
    );
    const parentSeals = o.store.getSeals(parent.number) ?? [];
    const header = builtBlockHeader(context, out, {
      ...(o.schedule?.hashesAt(Number(number)) ?? {
        validatorsHash: o.validators.hash,
        nextValidatorsHash: o.validators.hash,
      }),
      messageRoot: messageShards.root,
      shardRoot,
      parentSeals: {
        round: Number(parentSeals[0]?.round ?? 0n),
        seals: parentSeals.map((s) => hexToBytes(s.signature)),
      },
    });
    const headerRLP = encodeHeader(header);
    const hash = keccak256(headerRLP);
    const balances = await Promise.all(
      [OUTBOX_ADDRESS, FEE_POOL_ADDRESS].map(
        async (a) => (await after.getAccount(new Address(hexToBytes(a))))?.balance ?? 0n,
      ),
    );
    const parentSupply = o.store.getSupply(parent.number);
    const supply = nextSupply({
      parent: parentSupply,
      blockNumber: number,
      outboxBalance: balances[0] ?? 0n,
      feePoolBalance: balances[1] ?? 0n,
      feesToPool: out.feesToPool,
    });
    const stateOps = [
      ...o.db.pendingOps(),
      ...preimageOps(o.store.kv, out.touched),
      ...changesOp(number, out.touched),
    ];
    return {
      number,
      hash,
      headerRLP,
      commit: {
        headerRLP,
        transactions: out.included.map((t) => ({ raw: t.raw, sender: t.sender })),
        receipts: out.receipts,
        messages,
        stats: out.stats,
        supply,
        stateOps,
      },
      included: out.included,
      skipped: out.skipped,
      gasUsed: out.gasUsed,
      messages: messages.length,
      timestamp,
      startedAt: started,
      phases: {
        take: (t0 - started) / 1000,
        execute: (t1 - t0) / 1000,
        roots: (performance.now() - t1) / 1000,
      },
    };
  }
}

/**
 * How many transactions fit an execution-time budget, from the time recent blocks took per
 * transaction (an exponential average over blocks of at least `MIN_SAMPLE` transactions). Before
 * any such block it assumes `PRIOR_MS_PER_TX`, what a cold process (code not yet optimized) takes
 * on a slow core: the first blocks after a start, or after a backlog built up, stay small instead of
 * taking seconds that every validator then spends again. Besu's PoA block building bounds
 * transaction selection by time in the same spirit.
 */
export class ExecutionBudget {
  static readonly PRIOR_MS_PER_TX = 4;
  static readonly MIN_SAMPLE = 16;
  /** Weight of the newest block in the average. */
  static readonly WEIGHT = 0.5;
  #msPerTx = ExecutionBudget.PRIOR_MS_PER_TX;

  /** The current estimate, in milliseconds per transaction. */
  get msPerTx(): number {
    return this.#msPerTx;
  }

  /** A block executed `transactions` transactions in `ms`. */
  observe(ms: number, transactions: number): void {
    if (transactions < ExecutionBudget.MIN_SAMPLE) return;
    const w = ExecutionBudget.WEIGHT;
    this.#msPerTx = (1 - w) * this.#msPerTx + (w * ms) / transactions;
  }

  /** Transactions that fit `budgetMs` (at least one, so that a block always makes progress). */
  maxCount(budgetMs: number): number {
    return Math.max(1, Math.floor(budgetMs / this.#msPerTx));
  }
}

/** EIP-1559's base fee of the next block (elasticity 2, change denominator 8), never below `floor`:
 *  a chain of mostly empty blocks would otherwise drive it to a few wei and the fee pool to nothing. */
export function nextBaseFee(
  parentGasUsed: bigint,
  parentGasLimit: bigint,
  parentBaseFee: bigint,
  floor = 0n,
): bigint {
  const fee = eip1559BaseFee(parentGasUsed, parentGasLimit, parentBaseFee);
  return fee < floor ? floor : fee;
}

function eip1559BaseFee(parentGasUsed: bigint, parentGasLimit: bigint, parentBaseFee: bigint): bigint {
  const target = parentGasLimit / 2n;
  if (parentGasUsed === target) return parentBaseFee;
  if (parentGasUsed > target) {
    const delta = (parentBaseFee * (parentGasUsed - target)) / target / 8n;
    return parentBaseFee + (delta > 1n ? delta : 1n);
  }
  const delta = (parentBaseFee * (target - parentGasUsed)) / target / 8n;
  return parentBaseFee - delta;
}
