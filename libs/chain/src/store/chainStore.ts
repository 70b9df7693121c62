// The chain store: every block's data in Kesque, committed in one atomic batch whose last op moves
// the head. A reader never sees half a block: everything below the head is complete, and the head
// moves only in the batch that wrote the block (and its state trie nodes).
import type { Common } from '@ethereumjs/common';
import { keccak256 } from '@khipu/dietcoin';
import { ChainError } from '../errors.js';
import type {
  Address,
  BlockData,
  BlockReader,
  BlockStatsData,
  BlockSummary,
  Hash,
  HeaderData,
  Hex,
  IncludedTransaction,
  LogData,
  LogIndex,
  LogQuery,
  NewBlockEvent,
  ReceiptData,
  SealData,
  SupplyData,
  TransactionData,
  Unsubscribe,
} from '../rpc/backend.js';
import {
  decodeBlockList,
  decodeBody,
  decodeHeader,
  decodeMessages,
  decodeNumber,
  decodeReceipts,
  decodeSeals,
  decodeStats,
  decodeSupply,
  decodeTxLocation,
  encodeBlockList,
  encodeBody,
  encodeMessages,
  encodeNumber,
  encodeReceipts,
  encodeSeals,
  encodeStats,
  encodeSupply,
  encodeTxLocation,
  type StoredMessage,
  type StoredReceipt,
  type StoredTransaction,
} from './codec.js';
import type { KVOp, KVStore } from './kv.js';
import { CHAIN_ID_KEY, HEAD_KEY, Tables } from './tables.js';
import { storedToTransactionData } from './transaction.js';

// Buffer's hex is one flat string; @ethereumjs's bytesToHex builds it by concatenation, a chain
// of ~1 KB of rope nodes per 32-byte value that the block cache kept alive (heap snapshot: 34 MB
// of rope nodes in a loaded node's 117 MB).
const hex = (b: Uint8Array) =>
  `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}` as Hex;
const fromHex = (h: string) => new Uint8Array(Buffer.from(h.slice(2), 'hex'));

/** Blocks per log-index bucket: a bucket lists the blocks (of its range) with a matching log. */
export const LOG_INDEX_BUCKET = 1024n;

/** Everything one block commits. */
export interface BlockCommit {
  /** Header RLP exactly as hashed. */
  headerRLP: Uint8Array;
  transactions: StoredTransaction[];
  receipts: StoredReceipt[];
  seals: SealData[];
  messages: StoredMessage[];
  stats: BlockStatsData;
  supply: SupplyData;
  /** The block's state trie and code writes (from the overlay state DB). */
  stateOps: KVOp[];
  /** Further writes of the same batch (genesis: the chain id). */
  extraOps?: KVOp[];
}

function logKey(kind: 'a' | 't', item: Uint8Array, blockNumber: bigint): Uint8Array {
  return keccak256(new TextEncoder().encode(kind), item, encodeNumber(blockNumber / LOG_INDEX_BUCKET));
}

export interface ChainStoreOptions {
  kv: KVStore;
  common: Common;
  /** Headers and blocks kept decoded in memory. */
  cacheBlocks?: number;
  /** The chain's base fee rule for the child of a header (the producer's, with its floor). */
  nextBaseFee?: (parent: HeaderData) => bigint;
}

/** Reads and commits chain data. See the file comment for the atomicity contract. */
export class ChainStore implements BlockReader, LogIndex {
  readonly kv: KVStore;
  readonly common: Common;
  #head: bigint;
  readonly #listeners = new Set<(e: NewBlockEvent) => void>();
  readonly #headers = new Map<bigint, HeaderData>();
  readonly #blocks = new Map<bigint, BlockData>();
  /** Recent blocks with transaction hashes only (block watchers poll them): filled at commit. */
  readonly #summaries = new Map<bigint, BlockSummary>();
  readonly #cacheBlocks: number;
  #commitChain: Promise<void> = Promise.resolve();

  readonly #nextBaseFee: ((parent: HeaderData) => bigint) | undefined;

  constructor({ kv, common, cacheBlocks = 32, nextBaseFee }: ChainStoreOptions) {
    this.#nextBaseFee = nextBaseFee;
    this.kv = kv;
    this.common = common;
    this.#cacheBlocks = cacheBlocks;
    const head = kv.get(Tables.meta, HEAD_KEY);
    this.#head = head === undefined ? -1n : decodeNumber(head);
  }

  /** The chain id written with genesis, `null` on an empty store. */
  storedChainId(): bigint | null {
    const v = this.kv.get(Tables.meta, CHAIN_ID_KEY);
    return v ? decodeNumber(v) : null;
  }

  /** True once a genesis block is committed. */
  isInitialized(): boolean {
    return this.#head >= 0n;
  }

  headNumber(): bigint {
    if (this.#head < 0n) throw new ChainError('UNKNOWN_BLOCK', 'the store holds no block yet (no genesis)');
    return this.#head;
  }

  finalizedNumber(): bigint {
    return this.headNumber();
  }

  /** The head header. @throws ChainError UNKNOWN_BLOCK before genesis. */
  headHeader(): HeaderData {
    const h = this.getHeaderByNumber(this.headNumber());
    if (!h) throw new ChainError('CORRUPT_STORE', `head block ${this.#head} has no header`);
    return h;
  }

  /** The header RLP of a block, exactly as hashed. */
  getHeaderRLP(number: bigint): Uint8Array | null {
    if (number < 0n || number > this.#head) return null;
    return this.kv.get(Tables.header, Number(number)) ?? null;
  }

  getHeaderByNumber(number: bigint): HeaderData | null {
    if (number < 0n || number > this.#head) return null;
    const cached = this.#headers.get(number);
    if (cached) return cached;
    const rlp = this.kv.get(Tables.header, Number(number));
    if (!rlp) throw new ChainError('CORRUPT_STORE', `block ${number} is below the head but has no header`);
    const header = decodeHeader(rlp);
    this.#remember(this.#headers, number, header);
    return header;
  }

  getBlockNumberByHash(hash: Hash): bigint | null {
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) return null;
    const n = this.kv.get(Tables.blockHash, fromHex(hash));
    if (!n) return null;
    const number = decodeNumber(n);
    return number <= this.#head ? number : null;
  }

  getBlockByNumber(number: bigint): BlockData | null {
    const header = this.getHeaderByNumber(number);
    if (!header) return null;
    const cached = this.#blocks.get(number);
    if (cached) return cached;
    const body = this.#body(number);
    const block: BlockData = {
      header,
      transactions: body.map((t) => storedToTransactionData(t, this.common)),
      size: blockSize(this.#headerSize(number), body),
    };
    this.#remember(this.#blocks, number, block);
    return block;
  }

  /** The block with its transactions' hashes only: no transaction is parsed. */
  getBlockSummaryByNumber(number: bigint): BlockSummary | null {
    const header = this.getHeaderByNumber(number);
    if (!header) return null;
    const cached = this.#summaries.get(number);
    if (cached) return cached;
    const block = this.#blocks.get(number);
    let summary: BlockSummary;
    if (block) {
      summary = { header, transactionHashes: block.transactions.map((t) => t.hash), size: block.size };
    } else {
      const body = this.#body(number);
      summary = {
        header,
        transactionHashes: body.map((t) => hex(keccak256(t.raw)) as Hash),
        size: blockSize(this.#headerSize(number), body),
      };
    }
    this.#remember(this.#summaries, number, summary);
    return summary;
  }

  getBlockSummaryByHash(hash: Hash): BlockSummary | null {
    const n = this.getBlockNumberByHash(hash);
    return n === null ? null : this.getBlockSummaryByNumber(n);
  }

  #headerSize(number: bigint): number {
    return this.kv.get(Tables.header, Number(number))?.length ?? 0;
  }

  getBlockByHash(hash: Hash): BlockData | null {
    const n = this.getBlockNumberByHash(hash);
    return n === null ? null : this.getBlockByNumber(n);
  }

  #body(number: bigint): StoredTransaction[] {
    const data = this.kv.get(Tables.body, Number(number));
    if (!data) throw new ChainError('CORRUPT_STORE', `block ${number} has no body`);
    return decodeBody(data);
  }

  #location(hash: Hash): { blockNumber: bigint; index: number } | null {
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) return null;
    const loc = this.kv.get(Tables.txIndex, fromHex(hash));
    if (!loc) return null;
    const l = decodeTxLocation(loc);
    return l.blockNumber <= this.#head ? l : null;
  }

  getTransaction(hash: Hash): IncludedTransaction | null {
    const loc = this.#location(hash);
    if (!loc) return null;
    const block = this.getBlockByNumber(loc.blockNumber);
    const transaction = block?.transactions[loc.index];
    if (!block || !transaction) return null;
    const result: IncludedTransaction = {
      transaction,
      blockHash: block.header.hash,
      blockNumber: loc.blockNumber,
      transactionIndex: loc.index,
    };
    if (block.header.baseFeePerGas !== undefined) result.baseFeePerGas = block.header.baseFeePerGas;
    return result;
  }

  getReceipt(hash: Hash): ReceiptData | null {
    const loc = this.#location(hash);
    if (!loc) return null;
    return this.getBlockReceipts(loc.blockNumber)?.[loc.index] ?? null;
  }

  getBlockReceipts(number: bigint): ReceiptData[] | null {
    const block = this.getBlockByNumber(number);
    if (!block) return null;
    const data = this.kv.get(Tables.receipts, Number(number));
    if (!data) throw new ChainError('CORRUPT_STORE', `block ${number} has no receipts`);
    const stored = decodeReceipts(data);
    let logIndex = 0;
    return stored.map((r, i) => {
      const tx = block.transactions[i] as TransactionData;
      const logs: LogData[] = r.logs.map(([address, topics, d]) => ({
        address: hex(address),
        topics: topics.map((t) => hex(t)),
        data: hex(d),
        blockNumber: number,
        blockHash: block.header.hash,
        transactionHash: tx.hash,
        transactionIndex: i,
        logIndex: logIndex++,
        removed: false,
      }));
      return {
        blockHash: block.header.hash,
        blockNumber: number,
        transactionIndex: i,
        transactionHash: tx.hash,
        type: tx.type,
        from: tx.from,
        to: tx.to,
        status: r.status,
        cumulativeGasUsed: r.cumulativeGasUsed,
        gasUsed: r.gasUsed,
        effectiveGasPrice: r.effectiveGasPrice,
        contractAddress: r.contractAddress.length === 20 ? hex(r.contractAddress) : null,
        logs,
        logsBloom: hex(r.logsBloom),
      };
    });
  }

  /** Logs in chain order, found through the address/topic index. */
  getLogs(query: LogQuery): LogData[] {
    const from = query.fromBlock < 0n ? 0n : query.fromBlock;
    const to = query.toBlock > this.#head ? this.#head : query.toBlock;
    const out: LogData[] = [];
    if (from > to) return out;
    const addresses = (query.addresses ?? []).map((a) => a.toLowerCase());
    const topics = query.topics ?? [];
    const criteria: { kind: 'a' | 't'; items: Uint8Array[] }[] = [];
    if (addresses.length > 0) criteria.push({ kind: 'a', items: addresses.map(fromHex) });
    for (const t of topics) if (t && t.length > 0) criteria.push({ kind: 't', items: t.map(fromHex) });
    for (let bucket = from / LOG_INDEX_BUCKET; bucket <= to / LOG_INDEX_BUCKET; bucket++) {
      const start = bucket * LOG_INDEX_BUCKET;
      let candidates: bigint[] | undefined;
      if (criteria.length === 0) {
        candidates = [];
        const lo = start > from ? start : from;
        const hi = start + LOG_INDEX_BUCKET - 1n < to ? start + LOG_INDEX_BUCKET - 1n : to;
        for (let n = lo; n <= hi; n++) candidates.push(n);
      } else {
        for (const c of criteria) {
          const union = new Set<bigint>();
          for (const item of c.items) {
            const list = this.kv.get(Tables.logIndex, logKey(c.kind, item, start));
            if (list) for (const n of decodeBlockList(list)) union.add(n);
          }
          candidates = candidates === undefined ? [...union] : candidates.filter((n) => union.has(n));
        }
        candidates = (candidates ?? []).filter((n) => n >= from && n <= to).sort((a, b) => (a < b ? -1 : 1));
      }
      for (const n of candidates) {
        for (const r of this.getBlockReceipts(n) ?? []) {
          for (const log of r.logs) if (matches(log, addresses, topics)) out.push(log);
        }
      }
    }
    return out;
  }

  /** The block's transactions as serialized, in block order. */
  getRawTransactions(number: bigint): Uint8Array[] | null {
    if (number < 0n || number > this.#head) return null;
    return this.#body(number).map((t) => t.raw);
  }

  getSeals(number: bigint): SealData[] | null {
    if (number < 0n || number > this.#head) return null;
    const data = this.kv.get(Tables.seals, Number(number));
    return data ? decodeSeals(data) : [];
  }

  getMessages(number: bigint): StoredMessage[] | null {
    if (number < 0n || number > this.#head) return null;
    const data = this.kv.get(Tables.messages, Number(number));
    return data ? decodeMessages(data) : [];
  }

  getStats(number: bigint): BlockStatsData | null {
    if (number < 0n || number > this.#head) return null;
    const data = this.kv.get(Tables.stats, Number(number));
    return data ? decodeStats(data) : null;
  }

  getSupply(number: bigint): SupplyData | null {
    if (number < 0n || number > this.#head) return null;
    const data = this.kv.get(Tables.supply, Number(number));
    return data ? decodeSupply(data) : null;
  }

  /** The base fee of the block after the head, by the chain's own rule (floored at genesis's). */
  nextBaseFeePerGas(): bigint | undefined {
    return this.#head < 0n ? undefined : this.#nextBaseFee?.(this.headHeader());
  }

  subscribeNewBlocks(listener: (event: NewBlockEvent) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Commits one block: state writes, header, body, receipts, seals, messages, stats, supply, the
   * hash and transaction indexes, the log index, and last the head, in one atomic batch. Commits
   * are serialized; the block must be the head's child (or genesis on an empty store).
   * @throws ChainError INVALID_BLOCK when the number does not follow the head.
   */
  commitBlock(commit: BlockCommit): Promise<HeaderData> {
    const run = this.#commitChain.then(() => this.#commit(commit));
    this.#commitChain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #commit(c: BlockCommit): Promise<HeaderData> {
    const header = decodeHeader(c.headerRLP);
    const n = header.number;
    if (n !== this.#head + 1n) {
      throw new ChainError('INVALID_BLOCK', `block ${n} does not follow the head ${this.#head}`, {
        details: { number: n, head: this.#head },
      });
    }
    if (c.receipts.length !== c.transactions.length) {
      throw new ChainError(
        'INVALID_BLOCK',
        `block ${n} has ${c.transactions.length} transactions and ${c.receipts.length} receipts`,
      );
    }
    const key = Number(n);
    const ops: KVOp[] = [...c.stateOps, ...(c.extraOps ?? [])];
    ops.push({ type: 'put', table: Tables.header, key, value: c.headerRLP });
    ops.push({ type: 'put', table: Tables.body, key, value: encodeBody(c.transactions) });
    ops.push({ type: 'put', table: Tables.receipts, key, value: encodeReceipts(c.receipts) });
    ops.push({ type: 'put', table: Tables.seals, key, value: encodeSeals(c.seals) });
    if (c.messages.length > 0) {
      ops.push({ type: 'put', table: Tables.messages, key, value: encodeMessages(c.messages) });
    }
    ops.push({ type: 'put', table: Tables.stats, key, value: encodeStats(c.stats) });
    ops.push({ type: 'put', table: Tables.supply, key, value: encodeSupply(c.supply) });
    ops.push({ type: 'put', table: Tables.blockHash, key: fromHex(header.hash), value: encodeNumber(n) });
    const hashes = c.transactions.map((t) => keccak256(t.raw));
    hashes.forEach((h, i) => {
      ops.push({ type: 'put', table: Tables.txIndex, key: h, value: encodeTxLocation(n, i) });
    });
    ops.push(...this.#logIndexOps(n, c.receipts));
    // Last: the head. Kesque applies the batch atomically; the order also keeps a store that
    // replays a torn batch from never pointing past what it holds.
    ops.push({ type: 'put', table: Tables.meta, key: HEAD_KEY, value: encodeNumber(n) });
    await this.kv.batch(ops);
    this.#head = n;
    this.#remember(this.#headers, n, header);
    const transactionHashes = hashes.map((h) => hex(h) as Hash);
    this.#remember(this.#summaries, n, {
      header,
      transactionHashes,
      size: blockSize(c.headerRLP.length, c.transactions),
    });
    // The event's logs straight from what was committed: no transaction is parsed again.
    const logs: LogData[] = [];
    c.receipts.forEach((r, i) => {
      const transactionHash = transactionHashes[i] as Hash;
      for (const [address, topics, data] of r.logs) {
        logs.push({
          address: hex(address),
          topics: topics.map((t) => hex(t)),
          data: hex(data),
          blockNumber: n,
          blockHash: header.hash,
          transactionHash,
          transactionIndex: i,
          logIndex: logs.length,
          removed: false,
        });
      }
    });
    const event: NewBlockEvent = { header, logs };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // Listeners must not throw (ChainEvents contract); one that does cannot stop the chain.
      }
    }
    return header;
  }

  #logIndexOps(n: bigint, receipts: readonly StoredReceipt[]): KVOp[] {
    const items = new Map<string, { kind: 'a' | 't'; item: Uint8Array }>();
    for (const r of receipts) {
      for (const [address, topics] of r.logs) {
        items.set(`a${hex(address)}`, { kind: 'a', item: address });
        for (const t of topics) items.set(`t${hex(t)}`, { kind: 't', item: t });
      }
    }
    const ops: KVOp[] = [];
    for (const { kind, item } of items.values()) {
      const key = logKey(kind, item, n);
      const prev = this.kv.get(Tables.logIndex, key);
      const list = prev ? decodeBlockList(prev) : [];
      if (list[list.length - 1] !== n) list.push(n);
      ops.push({ type: 'put', table: Tables.logIndex, key, value: encodeBlockList(list) });
    }
    return ops;
  }

  #remember<T>(map: Map<bigint, T>, n: bigint, value: T): void {
    map.set(n, value);
    if (map.size > this.#cacheBlocks) {
      const first = map.keys().next();
      if (!first.done) map.delete(first.value);
    }
  }
}

/** Length in bytes of a block's RLP, [header, transactions, uncles = [], withdrawals = []]: a
 *  typed transaction is an RLP string around its envelope, a legacy one is its own RLP list. */
export function blockSize(headerSize: number, body: readonly Pick<StoredTransaction, 'raw'>[]): bigint {
  const txsPayload = body.reduce(
    (n, t) => n + ((t.raw[0] ?? 0) >= 0xc0 ? t.raw.length : rlpLength(t.raw.length)),
    0,
  );
  return BigInt(rlpLength(headerSize + rlpLength(txsPayload) + 1 + 1));
}

/** Length of an RLP item (string or list) whose payload is `payload` bytes long. */
function rlpLength(payload: number): number {
  if (payload < 56) return payload + 1;
  let lengthBytes = 0;
  for (let n = payload; n > 0; n = Math.floor(n / 256)) lengthBytes++;
  return payload + 1 + lengthBytes;
}

function matches(log: LogData, addresses: string[], topics: (Hash[] | null)[]): boolean {
  if (addresses.length > 0 && !addresses.includes(log.address.toLowerCase())) return false;
  for (let i = 0; i < topics.length; i++) {
    const want = topics[i];
    if (!want || want.length === 0) continue;
    const have = log.topics[i];
    if (!have || !want.some((t) => t.toLowerCase() === have.toLowerCase())) return false;
  }
  return true;
}

export type { Address };
