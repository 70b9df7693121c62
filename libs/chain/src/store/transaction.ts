// Decoding stored transactions into the RPC's `TransactionData` without recovering senders: the
// sender is stored beside each transaction (store/codec.ts), so no signature is checked twice.
import type { Common } from '@ethereumjs/common';
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx';
import { keccak256 } from '@khipu/dietcoin';
import { ChainError } from '../errors.js';
import type { AccessListEntry, Address, Hash, Hex, TransactionData } from '../rpc/backend.js';
import type { StoredTransaction } from './codec.js';

// Buffer's hex is one flat string; @ethereumjs's bytesToHex builds it by concatenation, a chain
// of ~1 KB of rope nodes per 32-byte value that the block cache kept alive (heap snapshot: 34 MB
// of rope nodes in a loaded node's 117 MB).
const hex = (b: Uint8Array) =>
  `0x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}` as Hex;

/** Parses a serialized transaction (typed envelope or legacy RLP) under `common`.
 *  @throws ChainError CORRUPT_STORE when it does not parse. */
export function parseTransaction(raw: Uint8Array, common: Common): TypedTransaction {
  try {
    return createTxFromRLP(raw, { common });
  } catch (cause) {
    throw new ChainError('CORRUPT_STORE', 'stored transaction does not parse', { cause });
  }
}

/** The transaction's hash: keccak of its serialization (envelope for typed transactions). */
export function transactionHash(raw: Uint8Array): Uint8Array {
  return keccak256(raw);
}

/** The RPC's view of a transaction whose hash and sender are known (stored beside it, or
 *  recovered by the pool): the one mapping the pool and the store share.
 *  @throws ChainError CORRUPT_STORE for a type our chains refuse (blob, set-code). */
export function toTransactionData(tx: TypedTransaction, hash: Hash, from: Address): TransactionData {
  const type = tx.type;
  if (type !== 0 && type !== 1 && type !== 2) {
    throw new ChainError('CORRUPT_STORE', `transaction has type ${type}, which our chains refuse`);
  }
  const data: TransactionData = {
    hash,
    type,
    nonce: tx.nonce,
    from,
    to: tx.to ? (tx.to.toString() as Address) : null,
    value: tx.value,
    input: hex(tx.data),
    gas: tx.gasLimit,
    v: tx.v ?? 0n,
    r: tx.r ?? 0n,
    s: tx.s ?? 0n,
  };
  if (type === 0) {
    const v = data.v;
    if (v >= 35n) data.chainId = (v - 35n) / 2n;
  } else {
    data.chainId = tx.common.chainId();
  }
  if ('gasPrice' in tx && (type === 0 || type === 1)) data.gasPrice = tx.gasPrice as bigint;
  if (type === 2 && 'maxFeePerGas' in tx) {
    data.maxFeePerGas = tx.maxFeePerGas as bigint;
    data.maxPriorityFeePerGas = tx.maxPriorityFeePerGas as bigint;
  }
  if (type === 1 || type === 2) {
    const list = (tx as unknown as { accessList: [Uint8Array, Uint8Array[]][] }).accessList;
    data.accessList = list.map(
      ([address, keys]): AccessListEntry => ({ address: hex(address), storageKeys: keys.map((k) => hex(k)) }),
    );
  }
  return data;
}

/** Decodes a stored transaction. */
export function storedToTransactionData(stored: StoredTransaction, common: Common): TransactionData {
  return toTransactionData(
    parseTransaction(stored.raw, common),
    hex(transactionHash(stored.raw)) as Hash,
    hex(stored.sender) as Address,
  );
}
