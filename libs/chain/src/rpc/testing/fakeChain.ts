// An in-memory chain implementing every backend interface of the RPC layer, for tests of the
// RPC (and of anything that talks to it) without the node core. It keeps a state per block,
// mines blocks from a transaction pool or from given transactions (plain value transfers; calls
// to accounts with code go through a scripted contract hook), builds receipts, logs and blooms,
// and announces blocks to subscribers as the core must.

import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import type { PooledTransaction } from '../../txpool/decode.js';
import { toTransactionData } from '../../txpool/decode.js';
import type { TxPool } from '../../txpool/pool.js';
import {
  type AccountProof,
  type Address,
  type BlockData,
  type BlockReader,
  type BlockStatsData,
  type CallExecutor,
  type CallRequest,
  type CallResult,
  type ChainEvents,
  type Hash,
  type HeaderData,
  type Hex,
  type IncludedTransaction,
  type KhipuReader,
  type LogData,
  type MessageShardData,
  type NewBlockEvent,
  type ReceiptData,
  type RpcBackend,
  type SealedHeaderData,
  type StateReader,
  StateUnavailableError,
  type SupplyData,
  type TransactionData,
  type TxSubmitter,
  type Unsubscribe,
  type ValidatorSetData,
} from '../backend.js';
import { effectiveGasPrice } from '../format.js';

export interface FakeAccount {
  balance: bigint;
  nonce: bigint;
  code: Hex;
  storage: Map<Hash, Hash>;
}

/** What a scripted contract does when called: its result and the logs it emits. */
export interface ContractOutcome {
  status: 'success' | 'revert' | 'halt';
  returnData?: Hex;
  gasUsed?: bigint;
  error?: string;
  logs?: { address: Address; topics: Hash[]; data: Hex }[];
}

/** Scripted behaviour of accounts with code, for eth_call, eth_estimateGas and mined calls.
 *  Gets the request and the gas it may use. */
export type ContractHook = (request: CallRequest & { gas: bigint }, blockNumber: bigint) => ContractOutcome;

export interface CreateFakeChainParameters {
  chainId?: bigint;
  gasLimit?: bigint;
  /** Base fee of the genesis (EIP-1559 applies from there). Default 1 gwei. */
  baseFeePerGas?: bigint;
  /** Genesis balances. */
  alloc?: Record<Address, bigint | Partial<FakeAccount>>;
  /** State older than this many blocks below the head is "pruned". Default: keep all. */
  stateRetention?: bigint;
  coinbase?: Address;
  /** Seconds of the genesis timestamp. */
  genesisTimestamp?: bigint;
  /** A floor under the EIP-1559 base fee (the core keeps the genesis base fee as one); with it,
   *  the chain answers `nextBaseFeePerGas`. */
  baseFeeFloor?: bigint;
}

const ZERO_HASH: Hash = `0x${'00'.repeat(32)}`;
const EMPTY_LIST_HASH: Hash = '0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347';
const EMPTY_CODE_HASH: Hash = '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';
const EMPTY_ROOT: Hash = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

function cloneAccount(account: FakeAccount): FakeAccount {
  return { ...account, storage: new Map(account.storage) };
}

function hexOf(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

/** The in-memory chain. Create with `createFakeChain`. */
export class FakeChain implements BlockReader, StateReader, CallExecutor, ChainEvents, KhipuReader {
  readonly chainId: bigint;
  readonly coinbase: Address;
  readonly gasLimit: bigint;
  /** Scripted contracts; the default answers success with empty data. */
  contractHook: ContractHook = () => ({ status: 'success', returnData: '0x', gasUsed: 30_000n });
  stateRetention: bigint | undefined;
  readonly baseFeeFloor: bigint | undefined;
  readonly #keccak: (data: Uint8Array) => Uint8Array;
  readonly #blocks: BlockData[] = [];
  readonly #receipts: ReceiptData[][] = [];
  readonly #states: Map<Address, FakeAccount>[] = [];
  readonly #txIndex = new Map<Hash, { block: number; index: number }>();
  readonly #byHash = new Map<Hash, number>();
  readonly #listeners = new Set<(event: NewBlockEvent) => void>();
  readonly #stats = new Map<bigint, BlockStatsData>();
  /** Messages dispatched per block and destination (set by tests). */
  readonly messageShards = new Map<string, MessageShardData>();
  #next: Map<Address, FakeAccount>;

  constructor(parameters: CreateFakeChainParameters, keccak: (data: Uint8Array) => Uint8Array) {
    this.#keccak = keccak;
    this.chainId = parameters.chainId ?? 1337n;
    this.gasLimit = parameters.gasLimit ?? 30_000_000n;
    this.coinbase = parameters.coinbase ?? `0x${'c0'.repeat(20)}`;
    this.stateRetention = parameters.stateRetention;
    this.baseFeeFloor = parameters.baseFeeFloor;
    if (this.baseFeeFloor !== undefined) {
      // Only a chain with its own rule answers it: the RPC falls back to EIP-1559 otherwise.
      Object.defineProperty(this, 'nextBaseFeePerGas', { value: () => this.#nextBaseFee() });
    }
    this.#next = new Map();
    for (const [address, value] of Object.entries(parameters.alloc ?? {})) {
      const account = typeof value === 'bigint' ? { balance: value } : (value as Partial<FakeAccount>);
      this.#next.set(address.toLowerCase() as Address, {
        balance: account.balance ?? 0n,
        nonce: account.nonce ?? 0n,
        code: account.code ?? '0x',
        storage: new Map(account.storage ?? []),
      });
    }
    this.#seal(
      [],
      [],
      parameters.baseFeePerGas ?? 1_000_000_000n,
      parameters.genesisTimestamp ?? 1_700_000_000n,
    );
  }

  keccak(data: Uint8Array | Hex): Hash {
    const bytes = typeof data === 'string' ? Buffer.from(data.slice(2), 'hex') : data;
    return hexOf(this.#keccak(bytes));
  }

  // ---- writers (tests) ----

  /** Sets an account in the state the next block starts from. */
  setAccount(address: Address, account: Partial<FakeAccount>): void {
    const current = this.#account(this.#next, address);
    this.#next.set(address, { ...current, ...account, storage: new Map(account.storage ?? current.storage) });
  }

  /** Mines a block with the pool's executable transactions (all of them, in the pool's
   *  order), removes them from the pool, and announces the block. */
  mineFromPool(pool: TxPool): BlockData {
    const baseFee = this.#nextBaseFee();
    const picked: PooledTransaction[] = [];
    let gasLeft = this.gasLimit;
    const pending = pool.pending(baseFee, this.gasLimit);
    for (let tx = pending.peek(); tx !== undefined; tx = pending.peek()) {
      if (tx.gasLimit > gasLeft) {
        pending.pop();
        continue;
      }
      gasLeft -= tx.gasLimit;
      picked.push(tx);
      pending.shift();
    }
    const block = this.mine(picked.map(toTransactionData));
    pool.removeMined(picked.map((tx) => ({ hash: tx.hash, from: tx.from, nonce: tx.nonce })));
    return block;
  }

  /** Mines a block with these transactions: value transfers, contract calls through the hook,
   *  creations (the address is derived from sender and nonce as Ethereum does). */
  mine(transactions: TransactionData[], timestamp?: bigint): BlockData {
    const head = this.#blocks[this.#blocks.length - 1]!;
    const baseFee = this.#nextBaseFee();
    const number = head.header.number + 1n;
    const receipts: ReceiptData[] = [];
    let cumulative = 0n;
    let logIndex = 0;
    for (const [index, tx] of transactions.entries()) {
      const sender = this.#account(this.#next, tx.from);
      const price = effectiveGasPrice(tx, baseFee);
      let gasUsed = 21_000n;
      let status: 0 | 1 = 1;
      let contractAddress: Address | null = null;
      const logs: LogData[] = [];
      const target = tx.to === null ? undefined : this.#account(this.#next, tx.to);
      if (tx.to === null) {
        contractAddress = this.createAddress(tx.from, tx.nonce);
        this.#next.set(contractAddress, { balance: tx.value, nonce: 1n, code: tx.input, storage: new Map() });
        gasUsed = 53_000n + BigInt((tx.input.length - 2) / 2) * 16n;
      } else if (target !== undefined && target.code !== '0x') {
        const request: CallRequest & { gas: bigint } = {
          from: tx.from,
          to: tx.to,
          input: tx.input,
          value: tx.value,
          gas: tx.gas,
        };
        const outcome = this.contractHook(request, number);
        gasUsed = outcome.gasUsed ?? 21_000n;
        status = outcome.status === 'success' ? 1 : 0;
        if (status === 1) {
          for (const log of outcome.logs ?? []) {
            logs.push({
              ...log,
              blockNumber: number,
              blockHash: ZERO_HASH, // patched once the block hash is known
              transactionHash: tx.hash,
              transactionIndex: index,
              logIndex: logIndex++,
              removed: false,
            });
          }
        }
      }
      if (gasUsed > tx.gas) gasUsed = tx.gas;
      sender.balance -= gasUsed * price + (status === 1 ? tx.value : 0n);
      sender.nonce = tx.nonce + 1n;
      this.#next.set(tx.from, sender);
      if (status === 1 && tx.to !== null && tx.value > 0n) {
        const to = this.#account(this.#next, tx.to);
        to.balance += tx.value;
        this.#next.set(tx.to, to);
      }
      cumulative += gasUsed;
      receipts.push({
        blockHash: ZERO_HASH,
        blockNumber: number,
        transactionIndex: index,
        transactionHash: tx.hash,
        type: tx.type,
        from: tx.from,
        to: tx.to,
        status,
        cumulativeGasUsed: cumulative,
        gasUsed,
        effectiveGasPrice: price,
        contractAddress,
        logs,
        logsBloom: this.bloom(logs),
      });
    }
    const previous = head.header.timestamp;
    return this.#seal(transactions, receipts, baseFee, timestamp ?? previous + 1n);
  }

  /** CREATE's address: keccak(rlp([sender, nonce]))[12:]. */
  createAddress(from: Address, nonce: bigint): Address {
    const nonceBytes =
      nonce === 0n
        ? new Uint8Array(0)
        : Buffer.from(
            nonce
              .toString(16)
              .padStart(2, '0')
              .replace(/^(.(..)*)$/, '0$1'),
            'hex',
          );
    const nonceItem =
      nonceBytes.length === 1 && (nonceBytes[0] ?? 0) < 0x80
        ? Buffer.from(nonceBytes)
        : Buffer.concat([Buffer.from([0x80 + nonceBytes.length]), nonceBytes]);
    const payload = Buffer.concat([Buffer.from([0x94]), Buffer.from(from.slice(2), 'hex'), nonceItem]);
    const encoded = Buffer.concat([Buffer.from([0xc0 + payload.length]), payload]);
    return `0x${Buffer.from(this.#keccak(encoded)).toString('hex').slice(24)}`;
  }

  /** The 2048-bit bloom of logs. */
  bloom(logs: { address: Address; topics: Hash[] }[]): Hex {
    const bloom = new Uint8Array(256);
    for (const log of logs) {
      for (const value of [log.address, ...log.topics]) {
        const hash = this.#keccak(Buffer.from(value.slice(2), 'hex'));
        for (let i = 0; i < 6; i += 2) {
          const bit = ((hash[i]! << 8) | hash[i + 1]!) & 2047;
          bloom[255 - (bit >> 3)]! |= 1 << (bit & 7);
        }
      }
    }
    return hexOf(bloom);
  }

  #nextBaseFee(): bigint {
    const head = this.#blocks[this.#blocks.length - 1]!;
    const fee = nextBaseFeeOf(head.header);
    return this.baseFeeFloor !== undefined && fee < this.baseFeeFloor ? this.baseFeeFloor : fee;
  }

  /** Set (as an own property) only with `baseFeeFloor`. */
  nextBaseFeePerGas?(): bigint;

  #account(state: Map<Address, FakeAccount>, address: Address): FakeAccount {
    const found = state.get(address);
    return found === undefined
      ? { balance: 0n, nonce: 0n, code: '0x', storage: new Map() }
      : cloneAccount(found);
  }

  #seal(
    transactions: TransactionData[],
    receipts: ReceiptData[],
    baseFee: bigint,
    timestamp: bigint,
  ): BlockData {
    const parent = this.#blocks[this.#blocks.length - 1];
    const number = parent === undefined ? 0n : parent.header.number + 1n;
    const parentHash = parent?.header.hash ?? ZERO_HASH;
    const gasUsed = receipts.reduce((sum, r) => sum + r.gasUsed, 0n);
    const allLogs = receipts.flatMap((r) => r.logs);
    const txRoot =
      transactions.length === 0
        ? EMPTY_ROOT
        : this.keccak(Buffer.from(transactions.map((t) => t.hash.slice(2)).join(''), 'hex'));
    const stateRoot = this.keccak(Buffer.from(`state-${number}-${transactions.length}-${this.#next.size}`));
    const header: HeaderData = {
      number,
      hash: ZERO_HASH,
      parentHash,
      ommersHash: EMPTY_LIST_HASH,
      coinbase: this.coinbase,
      stateRoot,
      transactionsRoot: txRoot,
      receiptsRoot: receipts.length === 0 ? EMPTY_ROOT : this.keccak(Buffer.from(`receipts-${number}`)),
      logsBloom: this.bloom(allLogs),
      difficulty: 0n,
      gasLimit: this.gasLimit,
      gasUsed,
      timestamp,
      extraData: '0x',
      mixHash: ZERO_HASH,
      nonce: '0x0000000000000000',
      baseFeePerGas: baseFee,
      withdrawalsRoot: EMPTY_ROOT,
      blobGasUsed: 0n,
      excessBlobGas: 0n,
      parentBeaconBlockRoot: ZERO_HASH,
    };
    header.hash = this.keccak(Buffer.from(`${parentHash}:${number}:${txRoot}:${stateRoot}:${timestamp}`));
    for (const receipt of receipts) {
      receipt.blockHash = header.hash;
      for (const log of receipt.logs) log.blockHash = header.hash;
    }
    const block: BlockData = {
      header,
      transactions,
      size: 600n + BigInt(transactions.reduce((sum, t) => sum + 110 + (t.input.length - 2) / 2, 0)),
    };
    this.#blocks.push(block);
    this.#receipts.push(receipts);
    this.#states.push(new Map([...this.#next].map(([a, acc]) => [a, cloneAccount(acc)])));
    this.#byHash.set(header.hash, Number(number));
    for (const [index, tx] of transactions.entries())
      this.#txIndex.set(tx.hash, { block: Number(number), index });
    this.#stats.set(number, {
      blockNumber: number,
      transactions: transactions.length,
      gasUsed,
      executionSeconds: 0.001 * transactions.length,
      parallelism: 1,
      reRuns: 0,
      fallbacks: 0,
    });
    const event: NewBlockEvent = { header, logs: allLogs };
    for (const listener of [...this.#listeners]) listener(event);
    return block;
  }

  // ---- BlockReader ----

  headNumber(): bigint {
    return BigInt(this.#blocks.length - 1);
  }

  getHeaderByNumber(number: bigint): HeaderData | null {
    return this.#blocks[Number(number)]?.header ?? null;
  }

  getBlockByNumber(number: bigint): BlockData | null {
    return number < 0n ? null : (this.#blocks[Number(number)] ?? null);
  }

  getBlockByHash(hash: Hash): BlockData | null {
    const number = this.#byHash.get(hash);
    return number === undefined ? null : (this.#blocks[number] ?? null);
  }

  getTransaction(hash: Hash): IncludedTransaction | null {
    const at = this.#txIndex.get(hash);
    if (at === undefined) return null;
    const block = this.#blocks[at.block]!;
    const included: IncludedTransaction = {
      transaction: block.transactions[at.index]!,
      blockHash: block.header.hash,
      blockNumber: block.header.number,
      transactionIndex: at.index,
    };
    if (block.header.baseFeePerGas !== undefined) included.baseFeePerGas = block.header.baseFeePerGas;
    return included;
  }

  getReceipt(hash: Hash): ReceiptData | null {
    const at = this.#txIndex.get(hash);
    return at === undefined ? null : (this.#receipts[at.block]?.[at.index] ?? null);
  }

  getBlockReceipts(number: bigint): ReceiptData[] | null {
    return this.#receipts[Number(number)] ?? null;
  }

  // ---- StateReader ----

  #stateAt(blockNumber: bigint): Map<Address, FakeAccount> {
    const head = this.headNumber();
    if (this.stateRetention !== undefined && blockNumber < head - this.stateRetention) {
      throw new StateUnavailableError(blockNumber);
    }
    const state = this.#states[Number(blockNumber)];
    if (state === undefined) throw new StateUnavailableError(blockNumber);
    return state;
  }

  getBalance(address: Address, blockNumber: bigint): bigint {
    return this.#stateAt(blockNumber).get(address)?.balance ?? 0n;
  }

  getNonce(address: Address, blockNumber: bigint): bigint {
    return this.#stateAt(blockNumber).get(address)?.nonce ?? 0n;
  }

  getCode(address: Address, blockNumber: bigint): Hex {
    return this.#stateAt(blockNumber).get(address)?.code ?? '0x';
  }

  getStorageAt(address: Address, slot: Hash, blockNumber: bigint): Hash {
    return this.#stateAt(blockNumber).get(address)?.storage.get(slot) ?? ZERO_HASH;
  }

  getProof(address: Address, slots: Hash[], blockNumber: bigint): AccountProof {
    const account = this.#stateAt(blockNumber).get(address);
    // Not a real trie: one "node" per item, enough to check the RPC's shape and plumbing.
    const node = (key: string): Hex => this.keccak(Buffer.from(`${blockNumber}:${key}`));
    return {
      address,
      accountProof: [node('root'), node(address)],
      balance: account?.balance ?? 0n,
      codeHash: account === undefined || account.code === '0x' ? EMPTY_CODE_HASH : this.keccak(account.code),
      nonce: account?.nonce ?? 0n,
      storageHash:
        account === undefined || account.storage.size === 0 ? EMPTY_ROOT : node(`${address}:storage`),
      storageProof: slots.map((key) => ({
        key,
        value: BigInt(account?.storage.get(key) ?? 0n),
        proof: [node(`${address}:${key}`)],
      })),
    };
  }

  // ---- CallExecutor ----

  call(request: CallRequest & { gas: bigint }, blockNumber: bigint): CallResult {
    const state = this.#stateAt(blockNumber);
    const from = request.from ?? `0x${'00'.repeat(20)}`;
    const price = request.gasPrice ?? request.maxFeePerGas ?? 0n;
    const balance = state.get(from)?.balance ?? 0n;
    if (request.gas * price + (request.value ?? 0n) > balance && (price > 0n || (request.value ?? 0n) > 0n)) {
      return {
        status: 'halt',
        returnData: '0x',
        gasUsed: 0n,
        error: 'insufficient funds for gas * price + value',
      };
    }
    const target = request.to === undefined || request.to === null ? undefined : state.get(request.to);
    if (target === undefined || target.code === '0x') {
      const intrinsic = intrinsicGas(request);
      if (request.gas < intrinsic)
        return { status: 'halt', returnData: '0x', gasUsed: request.gas, error: 'out of gas' };
      return { status: 'success', returnData: '0x', gasUsed: intrinsic };
    }
    const outcome = this.contractHook(request, blockNumber);
    const gasUsed = outcome.gasUsed ?? 21_000n;
    if (gasUsed > request.gas)
      return { status: 'halt', returnData: '0x', gasUsed: request.gas, error: 'out of gas' };
    const result: CallResult = { status: outcome.status, returnData: outcome.returnData ?? '0x', gasUsed };
    if (outcome.error !== undefined) result.error = outcome.error;
    return result;
  }

  // ---- ChainEvents ----

  subscribeNewBlocks(listener: (event: NewBlockEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  // ---- KhipuReader ----

  getSealedHeader(number: bigint): SealedHeaderData | null {
    const block = this.getBlockByNumber(number);
    if (block === null) return null;
    const seal = { validator: this.coinbase, round: 0n, signature: `0x${'11'.repeat(64)}00` as Hex };
    return {
      header: block.header,
      rlp: this.keccak(block.header.hash),
      extra: {
        validatorsHash: this.keccak('0x01'),
        nextValidatorsHash: this.keccak('0x01'),
        messageRoot: ZERO_HASH,
        shardRoot: this.keccak(block.header.stateRoot),
        parentSeals: number === 0n ? [] : [seal],
      },
      seals: [seal],
      encoded: this.keccak(block.header.hash),
    };
  }

  getMessageShard(number: bigint, destinationChainId: bigint): MessageShardData | null {
    return this.messageShards.get(`${number}:${destinationChainId}`) ?? null;
  }

  getAccountShardProof(address: Address, number: bigint) {
    const state = this.#stateAt(number);
    const block = this.getBlockByNumber(number)!;
    const account = state.get(address);
    return {
      address,
      blockNumber: number,
      blockHash: block.header.hash,
      shardIndex: Number.parseInt(this.keccak(address).slice(2, 4), 16) >> 4,
      shardRoot: this.keccak(block.header.stateRoot),
      nonce: account?.nonce ?? 0n,
      balance: account?.balance ?? 0n,
      storageRoot: EMPTY_ROOT,
      codeHash: EMPTY_CODE_HASH,
      proof: this.keccak(`${address}`) as Hex,
    };
  }

  getBlockStats(number: bigint): BlockStatsData | null {
    return this.#stats.get(number) ?? null;
  }

  getValidators(number: bigint): ValidatorSetData | null {
    if (this.getBlockByNumber(number) === null) return null;
    const validators = [{ address: this.coinbase }];
    return {
      blockNumber: number,
      validators,
      validatorsHash: this.keccak('0x01'),
      nextValidators: validators,
      nextValidatorsHash: this.keccak('0x01'),
    };
  }

  getSupply(number: bigint): SupplyData | null {
    const state = this.#states[Number(number)];
    if (state === undefined) return null;
    let supply = 0n;
    for (const account of state.values()) supply += account.balance;
    const genesis = [...(this.#states[0]?.values() ?? [])].reduce((sum, a) => sum + a.balance, 0n);
    return {
      blockNumber: number,
      supply,
      genesisSupply: genesis,
      minted: 0n,
      burned: genesis - supply,
      feePool: 0n,
      block: { minted: 0n, burned: 0n, feesToPool: 0n },
    };
  }
}

/** Intrinsic gas of a call: base, calldata, access list, creation. */
function intrinsicGas(request: CallRequest): bigint {
  let gas = request.to === undefined || request.to === null ? 53_000n : 21_000n;
  const data = Buffer.from((request.input ?? '0x').slice(2), 'hex');
  for (const byte of data) gas += byte === 0 ? 4n : 16n;
  for (const entry of request.accessList ?? []) gas += 2400n + 1900n * BigInt(entry.storageKeys.length);
  return gas;
}

/** EIP-1559's next base fee (the fake chain follows it exactly). */
function nextBaseFeeOf(parent: HeaderData): bigint {
  const base = parent.baseFeePerGas ?? 0n;
  const target = parent.gasLimit / 2n;
  if (parent.gasUsed === target) return base;
  if (parent.gasUsed > target) {
    const delta = (base * (parent.gasUsed - target)) / target / 8n;
    return base + (delta > 1n ? delta : 1n);
  }
  return base - (base * (target - parent.gasUsed)) / target / 8n;
}

/** Creates the in-memory chain with its genesis block. */
export async function createFakeChain(parameters: CreateFakeChainParameters = {}): Promise<FakeChain> {
  await initDietcoin();
  return new FakeChain(parameters, keccak256);
}

/** A backend over a fake chain and a pool (`TxPool`, or any `TxSubmitter`). */
export function fakeBackend(chain: FakeChain, txpool: TxSubmitter): RpcBackend {
  return {
    chainId: chain.chainId,
    blocks: chain,
    state: chain,
    calls: chain,
    txpool,
    events: chain,
    khipu: chain,
  };
}
