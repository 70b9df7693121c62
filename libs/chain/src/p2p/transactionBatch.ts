// The transactions channel's one message: a batch of raw signed transactions a node's pool
// admitted (../txpool/gossip.ts). The peer layer checks only the framing here (sizes, counts,
// no truncation, no trailing bytes); the pool checks each transaction.
//
// Layout (byte order big-endian):
//   offset 0  version   u8   (1)
//   offset 1  hops      u8   0: admitted from the sender's own RPC; 1: forwarded once (not again)
//   offset 2  count     u16  transactions that follow, 1 … maxCount
//   offset 4  count × { length u32 (1 … maxTxBytes), length bytes: the serialized transaction }
import { PeerError } from './errors.js';
import type { MessageValidator } from './types.js';

export const TRANSACTION_BATCH_VERSION = 1;
const VERSION_OFFSET = 0;
const HOPS_OFFSET = 1;
const COUNT_OFFSET = 2;
const HEADER_BYTES = 4;
const LENGTH_BYTES = 4;
/** Most hops a batch may carry: a forwarded transaction is not forwarded again. */
export const MAX_TRANSACTION_HOPS = 1;

/** Bounds of a batch, on the sending and the receiving side. */
export interface TransactionBatchLimits {
  /** Most transactions in one batch. */
  maxCount: number;
  /** Largest encoded batch. */
  maxBytes: number;
  /** Largest transaction (the pool's default bound). */
  maxTxBytes: number;
}

export const DEFAULT_TRANSACTION_BATCH_LIMITS: TransactionBatchLimits = {
  maxCount: 256,
  maxBytes: 1024 * 1024,
  // The pool's default bound (txpool/decode.ts DEFAULT_MAX_TX_BYTES, geth's 128 KiB).
  maxTxBytes: 128 * 1024,
};

export interface TransactionBatch {
  hops: number;
  transactions: Uint8Array[];
}

/** The encoded size of a batch of `transactions`. */
export function transactionBatchBytes(transactions: readonly Uint8Array[]): number {
  let n = HEADER_BYTES;
  for (const t of transactions) n += LENGTH_BYTES + t.length;
  return n;
}

/**
 * Encodes a batch (the caller keeps it within its limits: `transactionBatchBytes`).
 * @throws PeerError OVERSIZED_MESSAGE for an empty batch or more than 65,535 transactions.
 */
export function encodeTransactionBatch(batch: TransactionBatch): Uint8Array {
  const { transactions } = batch;
  if (transactions.length === 0 || transactions.length > 0xffff) {
    throw new PeerError(
      'OVERSIZED_MESSAGE',
      `a transaction batch holds 1 to 65535, not ${transactions.length}`,
    );
  }
  const out = new Uint8Array(transactionBatchBytes(transactions));
  const view = new DataView(out.buffer);
  view.setUint8(VERSION_OFFSET, TRANSACTION_BATCH_VERSION);
  view.setUint8(HOPS_OFFSET, batch.hops);
  view.setUint16(COUNT_OFFSET, transactions.length);
  let at = HEADER_BYTES;
  for (const t of transactions) {
    view.setUint32(at, t.length);
    out.set(t, at + LENGTH_BYTES);
    at += LENGTH_BYTES + t.length;
  }
  return out;
}

/**
 * Decodes a batch; the transactions are views into `bytes` (copy what outlives it).
 * @throws PeerError OVERSIZED_MESSAGE (above a limit) or MALFORMED_MESSAGE (unknown version, too
 * many hops, an empty batch or transaction, truncation, trailing bytes).
 */
export function decodeTransactionBatch(
  bytes: Uint8Array,
  limits: TransactionBatchLimits = DEFAULT_TRANSACTION_BATCH_LIMITS,
): TransactionBatch {
  const bad = (why: string) => new PeerError('MALFORMED_MESSAGE', `transaction batch: ${why}`);
  if (bytes.length > limits.maxBytes) {
    throw new PeerError(
      'OVERSIZED_MESSAGE',
      `transaction batch of ${bytes.length} bytes, limit ${limits.maxBytes}`,
    );
  }
  if (bytes.length < HEADER_BYTES) throw bad(`${bytes.length} bytes, shorter than its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(VERSION_OFFSET);
  if (version !== TRANSACTION_BATCH_VERSION) throw bad(`unknown version ${version}`);
  const hops = view.getUint8(HOPS_OFFSET);
  if (hops > MAX_TRANSACTION_HOPS) throw bad(`${hops} hops, at most ${MAX_TRANSACTION_HOPS}`);
  const count = view.getUint16(COUNT_OFFSET);
  if (count === 0) throw bad('no transactions');
  if (count > limits.maxCount) {
    throw new PeerError(
      'OVERSIZED_MESSAGE',
      `transaction batch of ${count} transactions, limit ${limits.maxCount}`,
    );
  }
  const transactions: Uint8Array[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + LENGTH_BYTES > bytes.length) throw bad(`truncated before transaction ${i}`);
    const length = view.getUint32(at);
    at += LENGTH_BYTES;
    if (length === 0) throw bad(`transaction ${i} is empty`);
    if (length > limits.maxTxBytes) {
      throw new PeerError(
        'OVERSIZED_MESSAGE',
        `transaction ${i} of the batch has ${length} bytes, limit ${limits.maxTxBytes}`,
      );
    }
    if (at + length > bytes.length) throw bad(`transaction ${i} is truncated`);
    transactions.push(bytes.subarray(at, at + length));
    at += length;
  }
  if (at !== bytes.length) throw bad(`${bytes.length - at} trailing bytes`);
  return { hops, transactions };
}

/** The peer layer's check of the transactions channel: a batch that does not decode within
 *  `limits` is rejected (the peer penalized) with its PeerError code. */
export function createTransactionBatchValidator(
  limits: TransactionBatchLimits = DEFAULT_TRANSACTION_BATCH_LIMITS,
): MessageValidator {
  return (bytes) => {
    try {
      decodeTransactionBatch(bytes, limits);
      return { verdict: 'accept' };
    } catch (e) {
      if (e instanceof PeerError) return { verdict: 'reject', code: e.code };
      throw e;
    }
  };
}
