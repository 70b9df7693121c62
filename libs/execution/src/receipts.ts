// Receipts, their trie root and the logs bloom, computed exactly as @ethereumjs/vm's runBlock does.
import type { Common } from '@ethereumjs/common';
import type { Log } from '@ethereumjs/evm';
import type { TransactionType } from '@ethereumjs/tx';
import { KECCAK256_RLP } from '@ethereumjs/util';
import { Bloom, encodeReceipt, type PostByzantiumTxReceipt } from '@ethereumjs/vm';
import { orderedTrieRoot } from './trieBatch.js';

/** The bloom of one transaction's logs. */
export function logsBloom(logs: readonly Log[], common: Common): Bloom {
  const bloom = new Bloom(undefined, common);
  for (const log of logs) {
    bloom.add(log[0]);
    for (const topic of log[1]) bloom.add(topic);
  }
  return bloom;
}

/** A post-Byzantium receipt. `bitvector`: the bloom of `logs` when known already (runTx made it,
 *  `RunTxResult.bloom`), else made here. */
export function makeReceipt(
  status: 0 | 1,
  cumulativeBlockGasUsed: bigint,
  logs: Log[],
  common: Common,
  bitvector?: Uint8Array,
): PostByzantiumTxReceipt {
  return { status, cumulativeBlockGasUsed, bitvector: bitvector ?? logsBloom(logs, common).bitvector, logs };
}

/** A block's receipts as they are made: each is encoded for the receipt trie and folded into the
 *  block's bloom at once, so that in parallel mode this happens while the workers still run
 *  rather than after them, when the coordinator works alone. */
export class BlockReceipts {
  readonly receipts: PostByzantiumTxReceipt[] = [];
  private readonly encoded: Uint8Array[] = [];
  private readonly bloom: Bloom;

  constructor(private readonly common: Common) {
    this.bloom = new Bloom(undefined, common);
  }

  /** `bitvector`: the bloom of `logs`, when runTx made it already (a keccak per address and topic). */
  add(
    status: 0 | 1,
    cumulativeBlockGasUsed: bigint,
    logs: Log[],
    txType: number,
    bitvector?: Uint8Array,
  ): void {
    const receipt = makeReceipt(status, cumulativeBlockGasUsed, logs, this.common, bitvector);
    this.receipts.push(receipt);
    this.encoded.push(encodeReceipt(receipt, txType as TransactionType));
    // A receipt without logs has an empty bloom: nothing to fold in.
    if (logs.length > 0) this.bloom.or(new Bloom(receipt.bitvector, this.common));
  }

  get logsBloom(): Uint8Array {
    return this.bloom.bitvector;
  }

  /** Root of the receipt trie (index RLP → typed receipt), KECCAK256_RLP for an empty block. */
  root(keccak256: (data: Uint8Array) => Uint8Array): Uint8Array {
    return orderedTrieRoot(this.encoded, keccak256, KECCAK256_RLP);
  }
}

/** Root of the receipt trie (index RLP → typed receipt), KECCAK256_RLP for an empty block. */
export function receiptsRoot(
  receipts: readonly PostByzantiumTxReceipt[],
  txTypes: readonly number[],
  keccak256: (data: Uint8Array) => Uint8Array,
): Uint8Array {
  const encoded = receipts.map((receipt, i) => encodeReceipt(receipt, txTypes[i] as TransactionType));
  return orderedTrieRoot(encoded, keccak256, KECCAK256_RLP);
}
