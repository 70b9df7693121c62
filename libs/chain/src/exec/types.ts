// What the node core asks of block execution (implemented over libs/execution's executeBlock /
// buildBlock in exec/libExecutor.ts).
import type { TypedTransaction } from '@ethereumjs/tx';
import type { Account } from '@khipu/dietcoin';
import type { BlockStatsData } from '../rpc/backend.js';
import type { StoredReceipt } from '../store/codec.js';

/** A signed transaction with what is known of it. */
export interface PendingTransaction {
  tx: TypedTransaction;
  /** Serialization (typed envelope or legacy RLP). */
  raw: Uint8Array;
  /** Recovered sender (20 bytes). */
  sender: Uint8Array;
  /** The sender's public key (64 bytes) when the pool recovered it: execution trusts it. */
  senderPublicKey?: Uint8Array;
  /** keccak256(raw). */
  hash: Uint8Array;
}

/** The block a run executes in. */
export interface BlockContext {
  number: bigint;
  parentHash: Uint8Array;
  timestamp: bigint;
  coinbase: Uint8Array;
  gasLimit: bigint;
  baseFeePerGas: bigint;
  /** prevRandao (header mixHash). */
  mixHash: Uint8Array;
}

export interface ExecuteBlockInput {
  parentStateRoot: Uint8Array;
  context: BlockContext;
  transactions: readonly PendingTransaction[];
  /** `build`: a transaction that cannot be included (nonce, balance, gas) is left out and
   *  reported; `import`: any such transaction makes the block invalid. */
  mode: 'build' | 'import';
}

export interface ExecuteBlockOutput {
  /** Transactions included, in block order. */
  included: PendingTransaction[];
  receipts: StoredReceipt[];
  /** Transactions left out while building, with the reason. */
  skipped: { transaction: PendingTransaction; reason: string }[];
  stateRoot: Uint8Array;
  transactionsRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  gasUsed: bigint;
  /** Every address whose account the block may have changed (balance, nonce, code, storage). */
  touched: Uint8Array[];
  /** The final state of the accounts execution wrote (lowercase 0x hex; undefined: deleted). A
   *  touched address missing here is read from the new state (accountReader.ts). */
  accountStates: ReadonlyMap<string, Account | undefined>;
  /** Base fee × gas used, credited to the fee pool. */
  feesToPool: bigint;
  stats: BlockStatsData;
}

/** Runs a block's transactions on the parent state; the state writes wait in the overlay DB. */
export interface BlockExecutor {
  execute(input: ExecuteBlockInput): Promise<ExecuteBlockOutput>;
}
