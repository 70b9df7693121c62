// What the producer needs from the transaction pool. The node adapts txpool/ to it.
import type { PendingTransaction } from '../exec/types.js';

/** Executable transactions for the next block. Contract: per sender, nonces are consecutive and in
 *  order; across senders, the order is the pool's (best fee first). */
export interface TransactionSource {
  /** Up to `maxGas` of gas limits worth of transactions executable at `baseFee`, and at most
   *  `maxCount` of them when given (the producer's execution-time budget). */
  take(
    maxGas: bigint,
    baseFee: bigint,
    maxCount?: number,
  ): PendingTransaction[] | Promise<PendingTransaction[]>;
  /** Called once the block is committed (head moved): `included` left the pool into the block,
   *  `skipped` could not be included, with the reason. */
  onBlockCommitted(block: {
    number: bigint;
    included: readonly PendingTransaction[];
    skipped: readonly { transaction: PendingTransaction; reason: string }[];
  }): void | Promise<void>;
}

/** A source with nothing: empty blocks. */
export const EMPTY_TRANSACTION_SOURCE: TransactionSource = {
  take: () => [],
  onBlockCommitted: () => {},
};
