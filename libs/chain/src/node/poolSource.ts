// The transaction pool (txpool/) as the producer's transaction source: executable transactions in
// tip order, each sender in nonce order, as many as could fit the block; mined ones leave the
// pool once their block committed.

import type { PendingTransaction } from '../exec/types.js';
import type { TransactionSource } from '../producer/types.js';
import type { Address, Hash } from '../rpc/backend.js';
import type { TxPool } from '../txpool/pool.js';

/** Most transactions offered for one block. */
export const MAX_TRANSACTIONS_PER_BLOCK = 10_000;
/** Intrinsic gas of the cheapest transaction: no block holds more than maxGas / this many. */
const MIN_TX_GAS = 21_000n;
/** libs/execution's buildBlock reason for a transaction left out of a full block: it has no
 *  typed code for its skips, only this text. */
const BLOCK_FULL_REASON = 'block gas limit reached';

/** Adapts `pool` to the producer. */
export function createPoolSource(pool: TxPool): TransactionSource {
  return {
    take(maxGas, baseFee, maxCount) {
      // Not capped by declared gas: buildBlock packs by gas used (an ERC-20 transfer declaring
      // 60,000 uses ~34,000) and leaves what does not fit in the pool. A sender whose next
      // transaction asks more than the block's gas stops there (`pending` leaves it out).
      const pending = pool.pending(baseFee, maxGas);
      const most = Math.min(
        MAX_TRANSACTIONS_PER_BLOCK,
        Number(maxGas / MIN_TX_GAS),
        maxCount ?? Number.POSITIVE_INFINITY,
      );
      const out: PendingTransaction[] = [];
      for (let tx = pending.peek(); tx !== undefined && out.length < most; tx = pending.peek()) {
        out.push({
          tx: tx.tx,
          raw: tx.raw,
          sender: Buffer.from(tx.from.slice(2), 'hex'),
          senderPublicKey: tx.senderPublicKey,
          hash: Buffer.from(tx.hash.slice(2), 'hex'),
        });
        pending.shift();
      }
      return out;
    },
    async onBlockCommitted({ included, skipped }) {
      pool.removeMined(
        included.map((t) => ({
          hash: `0x${Buffer.from(t.hash).toString('hex')}` as Hash,
          from: `0x${Buffer.from(t.sender).toString('hex')}` as Address,
          nonce: t.tx.nonce,
        })),
      );
      // A transaction left out for another reason than a full block may have gone stale (its
      // nonce used by another path) or unaffordable: re-read the senders and drop what can never
      // be mined. A full block leaves the rest for the next one.
      if (skipped.some((s) => s.reason !== BLOCK_FULL_REASON)) await pool.revalidate();
    },
  };
}
