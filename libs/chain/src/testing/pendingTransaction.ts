// Signed transactions as the pool hands them to the producer, for tests that feed a chain directly.
import type { Common } from '@ethereumjs/common';
import { createFeeMarket1559Tx, type FeeMarketEIP1559TxData, type TypedTransaction } from '@ethereumjs/tx';
import { keccak256 } from '@khipu/dietcoin';
import type { PendingTransaction } from '../exec/types.js';

/** A signed transaction wrapped as the pool would: its bytes, recovered sender and hash. */
export function pendingOf(tx: TypedTransaction): PendingTransaction {
  const raw = tx.serialize();
  return { tx, raw, sender: tx.getSenderAddress().bytes, hash: keccak256(raw) };
}

/**
 * An EIP-1559 transaction signed by `key`, as the pool would hand it over. The fee cap defaults
 * to 10 gwei (ten times the genesis base fee) and the tip to 1 wei; `fields` override both.
 */
export function signFeeMarketTx(
  common: Common,
  key: Uint8Array,
  fields: FeeMarketEIP1559TxData,
): PendingTransaction {
  return pendingOf(
    createFeeMarket1559Tx({ maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, ...fields }, { common }).sign(
      key,
    ),
  );
}
