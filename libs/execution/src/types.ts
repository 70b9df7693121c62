// Public contracts of @khipu/execution: the state it reads and writes, the chain's extensions,
// and the shapes of executeBlock / buildBlock. Execution takes a state reader and writer, never a
// Kesque instance: Kesque, an in-memory store or anything else can stand behind them.
import type { Block } from '@ethereumjs/block';
import type { CustomPrecompile } from '@ethereumjs/evm';
import type { TypedTransaction } from '@ethereumjs/tx';
import type { TxReceipt } from '@ethereumjs/vm';

/** A (key, value) pair of the state database: trie nodes and contract code, keyed by their 32-byte
 *  keccak hash. */
export type StateEntry = readonly [key: Uint8Array, value: Uint8Array];

/** Read side of the state database. Contract: `get` is synchronous and returns exactly the bytes
 *  written under `key`, or undefined; keys are 32 bytes. */
export interface StateReader {
  get(key: Uint8Array): Uint8Array | undefined;
}

/** Write side. Contract: `write` applies all entries or none and resolves once they are durable
 *  under the store's policy; entries are content-addressed, so rewriting one is harmless. */
export interface StateWriter {
  write(entries: readonly StateEntry[]): Promise<void>;
}

/** How a worker thread opens its own reader of the same store: it imports `module` and calls its
 *  exported `openStateReader(handle)`. `handle` must be structured-clonable. */
export interface WorkerStateSource {
  module: string;
  handle: unknown;
}

/** A store execution can read and commit to. Worker threads see it either through `workerSource`
 *  (a shared reader, e.g. Kesque's reader handle) or, when absent, by mirroring `changesSince`. */
export interface StateStore extends StateReader, StateWriter {
  workerSource?(): WorkerStateSource;
  /** Entries written after `cursor` (0 = from the start) and the cursor to ask from next time. */
  changesSince?(cursor: number): { entries: StateEntry[]; cursor: number };
}

/** The chain's execution extensions: TypeScript precompiles and commutative accounts. */
export interface ExecutionExtensions {
  precompiles: readonly CustomPrecompile[];
  /** Accounts whose balance is only added to within a block (the Outbox burn account, …): such
   *  additions never conflict. The coinbase and the fee pool are always commutative. */
  commutativeAccounts: readonly string[];
}

/** Where workers (and the coordinator) load the extensions from: `module` exports
 *  `createExecutionExtensions(): ExecutionExtensions | Promise<ExecutionExtensions>`. */
export interface ExtensionsSource {
  module: string;
}

/** Hashes of past blocks, for BLOCKHASH. Contract: `blockHash(n)` returns the 32-byte hash of
 *  block `n` of the chain the executed block extends (its ancestor), or undefined when unknown.
 *  Execution asks, once per block, for the 256 blocks before it (all of them from block 0 when
 *  the chain is younger), so the source must answer for those. */
export interface BlockHashSource {
  blockHash(number: bigint): Uint8Array | undefined;
}

export type ExecutionMode = 'serial' | 'parallel';

/** Wall time of each phase of one block, in milliseconds. */
export interface PhaseTimes {
  decode: number;
  recovery: number;
  parallel: number;
  merge: number;
  reruns: number;
  stateRoot: number;
  commit: number;
  total: number;
}

/** What every block reports (feeds the node's metrics). */
export interface BlockStats {
  mode: ExecutionMode;
  workers: number;
  transactions: number;
  gasUsed: bigint;
  phases: PhaseTimes;
  /** Share of transactions merged without a re-run (Khipu's measure); 1 for serial runs. */
  parallelism: number;
  reruns: number;
  /** True when the parallel result disagreed with the header and the block was run serially. */
  fallback: boolean;
  /** Number of lanes the block was run in (transactions when run unordered). */
  lanes: number;
  /** How the block actually ran: `serial` in parallel mode when one lane held most of it. */
  scheduled: ExecutionMode;
  /** The block came without lanes and the executor grouped the calls to contracts that recent
   *  blocks showed to be contended. */
  lanesLearned: boolean;
  /** The workers updated and hashed the subtries of at least one large trie (accounts, or a
   *  contract's storage) for the state root. */
  rootInWorkers: boolean;
  /** Parallel mode, unordered block: the workers' first transactions mostly conflicted, so the
   *  block ran serially at once (`scheduled: 'serial'`) and its most called contract is now
   *  treated as contended. */
  contentionDetected: boolean;
  crypto: { secp256k1: string; keccak256: string };
}

/** An account's fields (its code and storage by their roots). */
export interface AccountState {
  nonce: bigint;
  balance: bigint;
  storageRoot: Uint8Array;
  codeHash: Uint8Array;
}

/** Accounts and slots a block changed (hex, 0x-prefixed), for state shards and indexes. */
export interface StateChanges {
  accounts: string[];
  /** The final state of each account the block wrote (lowercase 0x hex; undefined: deleted),
   *  so that readers need not walk the new trie for it. An account in `accounts` may be absent
   *  here (touched, not written): its state is the parent's. */
  accountStates: ReadonlyMap<string, AccountState | undefined>;
  /** address → changed slots. */
  storage: Map<string, string[]>;
}

/** Lanes: groups of transaction indices (each in block order) that one worker runs in order. */
export type Lanes = readonly (readonly number[])[];

export interface ExecuteBlockParameters {
  /** The block, as RLP or as an object. */
  block: Uint8Array | Block;
  /** State root of the parent block (the state the block starts from). */
  parentStateRoot: Uint8Array;
  mode?: ExecutionMode;
  /** Producer's lanes (from buildBlock, carried beside the block); unordered when absent. */
  lanes?: Lanes;
  /** Sender public keys (64 bytes each) already recovered, e.g. by the tx pool. */
  senderPublicKeys?: readonly Uint8Array[];
  /** With a `Block`: its transactions' serializations, when the caller has them (the bytes it
   *  received); serialized again when absent. One per transaction, in block order. */
  raws?: readonly Uint8Array[];
  /** Compare with the header (default true). */
  validate?: boolean;
  /** Write the new state to the store (default true). */
  commit?: boolean;
}

export interface ExecuteBlockReturnType {
  stateRoot: Uint8Array;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  gasUsed: bigint;
  receipts: TxReceipt[];
  /** Sender address of each transaction, 0x-hex. */
  senders: string[];
  changes: StateChanges;
  stats: BlockStats;
}

/** A transaction waiting in the pool, with its sender already recovered. */
export interface PoolTransaction {
  tx: TypedTransaction;
  /** 64-byte uncompressed public key without prefix (recovered when absent). */
  senderPublicKey?: Uint8Array;
  /** The transaction's serialization, when the caller has it (serialized again when absent). */
  raw?: Uint8Array;
}

export interface BuildBlockParameters {
  /** Header of the parent block (state root, number, hash, gas limit, base fee). */
  parent: Block['header'];
  transactions: readonly PoolTransaction[];
  coinbase: Uint8Array | string;
  timestamp: bigint;
  /** Default: the parent's gas limit. */
  gasLimit?: bigint;
  /** Default: the EIP-1559 base fee computed from the parent. */
  baseFeePerGas?: bigint;
  extraData?: Uint8Array;
  mixHash?: Uint8Array;
  mode?: ExecutionMode;
  commit?: boolean;
}

export interface BuildBlockReturnType extends ExecuteBlockReturnType {
  /** The block with every execution field filled, ready to seal. */
  block: Block;
  /** Lanes of dependent transactions, for validators to follow. */
  lanes: number[][];
  /** Pool transactions left out, with the reason. */
  skipped: { tx: TypedTransaction; reason: string }[];
}
