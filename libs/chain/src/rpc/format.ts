// Backend data to the JSON shapes geth answers (RPCMarshalHeader / RPCMarshalBlock /
// RPCTransaction / receipt fields). Quantities are hex without leading zeros (`0x0` for zero).

import type {
  AccessListEntry,
  BlockData,
  BlockSummary,
  Hash,
  HeaderData,
  Hex,
  LogData,
  ReceiptData,
  TransactionData,
  TransactionLocation,
} from './backend.js';
import { summaryOf } from './blocks.js';

/** `0x`-hex of a non-negative integer without leading zeros. */
export function toQuantity(value: bigint | number): Hex {
  return `0x${value.toString(16)}`;
}

export type RpcHeader = Record<string, Hex | null>;

/** A header as geth's `RPCMarshalHeader` shapes it (newHeads answers exactly this). */
export function formatHeader(header: HeaderData): RpcHeader {
  const out: RpcHeader = {
    hash: header.hash,
    parentHash: header.parentHash,
    sha3Uncles: header.ommersHash,
    miner: header.coinbase,
    stateRoot: header.stateRoot,
    transactionsRoot: header.transactionsRoot,
    receiptsRoot: header.receiptsRoot,
    logsBloom: header.logsBloom,
    difficulty: toQuantity(header.difficulty),
    number: toQuantity(header.number),
    gasLimit: toQuantity(header.gasLimit),
    gasUsed: toQuantity(header.gasUsed),
    timestamp: toQuantity(header.timestamp),
    extraData: header.extraData,
    mixHash: header.mixHash,
    nonce: header.nonce,
  };
  if (header.baseFeePerGas !== undefined) out.baseFeePerGas = toQuantity(header.baseFeePerGas);
  if (header.withdrawalsRoot !== undefined) out.withdrawalsRoot = header.withdrawalsRoot;
  if (header.blobGasUsed !== undefined) out.blobGasUsed = toQuantity(header.blobGasUsed);
  if (header.excessBlobGas !== undefined) out.excessBlobGas = toQuantity(header.excessBlobGas);
  if (header.parentBeaconBlockRoot !== undefined) out.parentBeaconBlockRoot = header.parentBeaconBlockRoot;
  if (header.requestsHash !== undefined) out.requestsHash = header.requestsHash;
  return out;
}

function formatAccessList(list: AccessListEntry[]): { address: Hex; storageKeys: Hash[] }[] {
  return list.map((entry) => ({ address: entry.address, storageKeys: [...entry.storageKeys] }));
}

/** The gas price a transaction pays in a block of this base fee (EIP-1559). */
export function effectiveGasPrice(tx: TransactionData, baseFeePerGas: bigint | undefined): bigint {
  if (tx.type !== 2) return tx.gasPrice ?? 0n;
  const cap = tx.maxFeePerGas ?? 0n;
  const tip = tx.maxPriorityFeePerGas ?? 0n;
  if (baseFeePerGas === undefined) return cap;
  const paid = baseFeePerGas + tip;
  return paid < cap ? paid : cap;
}

export type RpcTransaction = Record<string, unknown>;

/** A transaction as geth's `RPCTransaction`: mined (with its location and the block's base fee)
 *  or pending (location fields `null`, `gasPrice` = `maxFeePerGas` for type 2). */
export function formatTransaction(
  tx: TransactionData,
  location?: TransactionLocation,
  baseFeePerGas?: bigint,
): RpcTransaction {
  const out: RpcTransaction = {
    blockHash: location?.blockHash ?? null,
    blockNumber: location === undefined ? null : toQuantity(location.blockNumber),
    from: tx.from,
    gas: toQuantity(tx.gas),
    gasPrice: toQuantity(
      location === undefined && tx.type === 2
        ? (tx.maxFeePerGas ?? 0n)
        : effectiveGasPrice(tx, baseFeePerGas),
    ),
  };
  if (tx.type === 2) {
    out.maxFeePerGas = toQuantity(tx.maxFeePerGas ?? 0n);
    out.maxPriorityFeePerGas = toQuantity(tx.maxPriorityFeePerGas ?? 0n);
  }
  out.hash = tx.hash;
  out.input = tx.input;
  out.nonce = toQuantity(tx.nonce);
  out.to = tx.to;
  out.transactionIndex = location === undefined ? null : toQuantity(location.transactionIndex);
  out.value = toQuantity(tx.value);
  out.type = toQuantity(tx.type);
  if (tx.type !== 0) out.accessList = formatAccessList(tx.accessList ?? []);
  if (tx.chainId !== undefined) out.chainId = toQuantity(tx.chainId);
  out.v = toQuantity(tx.v);
  out.r = toQuantity(tx.r);
  out.s = toQuantity(tx.s);
  if (tx.type !== 0) out.yParity = toQuantity(tx.v);
  return out;
}

/** A block as geth's `RPCMarshalBlock`: transaction hashes, or full transaction objects. */
export function formatBlock(block: BlockData, fullTransactions: boolean): Record<string, unknown> {
  if (!fullTransactions) return formatBlockSummary(summaryOf(block));
  const { header } = block;
  const out: Record<string, unknown> = { ...formatHeader(header), size: toQuantity(block.size) };
  out.transactions = block.transactions.map((tx, transactionIndex) =>
    formatTransaction(
      tx,
      { blockHash: header.hash, blockNumber: header.number, transactionIndex },
      header.baseFeePerGas,
    ),
  );
  out.uncles = [];
  if (header.withdrawalsRoot !== undefined) out.withdrawals = [];
  return out;
}

/** A block with transaction hashes only, in geth's shape (`fullTransactions` false). */
export function formatBlockSummary(block: BlockSummary): Record<string, unknown> {
  const { header } = block;
  const out: Record<string, unknown> = { ...formatHeader(header), size: toQuantity(block.size) };
  out.transactions = [...block.transactionHashes];
  out.uncles = [];
  if (header.withdrawalsRoot !== undefined) out.withdrawals = [];
  return out;
}

export function formatLog(log: LogData): Record<string, unknown> {
  return {
    address: log.address,
    topics: [...log.topics],
    data: log.data,
    blockNumber: toQuantity(log.blockNumber),
    transactionHash: log.transactionHash,
    transactionIndex: toQuantity(log.transactionIndex),
    blockHash: log.blockHash,
    logIndex: toQuantity(log.logIndex),
    removed: log.removed,
  };
}

export function formatReceipt(receipt: ReceiptData): Record<string, unknown> {
  return {
    blockHash: receipt.blockHash,
    blockNumber: toQuantity(receipt.blockNumber),
    contractAddress: receipt.contractAddress,
    cumulativeGasUsed: toQuantity(receipt.cumulativeGasUsed),
    effectiveGasPrice: toQuantity(receipt.effectiveGasPrice),
    from: receipt.from,
    gasUsed: toQuantity(receipt.gasUsed),
    logs: receipt.logs.map(formatLog),
    logsBloom: receipt.logsBloom,
    status: toQuantity(receipt.status),
    to: receipt.to,
    transactionHash: receipt.transactionHash,
    transactionIndex: toQuantity(receipt.transactionIndex),
    type: toQuantity(receipt.type),
  };
}
