// The contract between the JSON-RPC layer and the node core.
//
// The RPC methods call these small interfaces; the node core implements them (over Kesque,
// libs/execution and libs/dietcoin) and the tests implement them with an in-memory double
// (`rpc/testing/`). Readers are apart from writers, each a few methods, in the manner of reth's
// provider traits. Only plain data crosses this boundary:
//
// - quantities (numbers, wei, gas, nonces, timestamps) are `bigint`; positions inside a block
//   (transaction index, log index) are `number`;
// - byte strings (addresses, hashes, call data, code, bloom, proofs) are `Hex`: `0x`-prefixed,
//   lower-case, an even number of digits; addresses are 20 bytes, hashes and slots 32 bytes.
//
// Every reader method may answer synchronously or with a promise (`MaybePromise`): the RPC layer
// always awaits. A method that is asked for something the node does not have answers `null`
// (unknown block, transaction, receipt), never throws, except where its doc says otherwise.
//
// STABILITY: this file is a contract. Changes are additive only (new optional members, new
// interfaces); nothing is renamed or removed, and no meaning changes.

/** `0x`-prefixed lower-case hex with an even number of digits. */
export type Hex = `0x${string}`;
/** 20-byte account address as lower-case `Hex`. */
export type Address = Hex;
/** 32-byte hash as lower-case `Hex`. */
export type Hash = Hex;

export type MaybePromise<T> = T | Promise<T>;

/** Removes a listener registered with a `subscribe*` method; calling it twice is harmless. */
export type Unsubscribe = () => void;

// ---------------------------------------------------------------------------------------------
// Chain data, as the core stores it
// ---------------------------------------------------------------------------------------------

/** A block header. Optional fields are present exactly when the chain's hardfork defines them
 *  (London: baseFeePerGas; Shanghai: withdrawalsRoot; Cancun: blob gas and beacon root;
 *  Prague: requestsHash). The RPC emits the present ones in geth's shape. */
export interface HeaderData {
  number: bigint;
  /** Keccak-256 of the header's RLP: the ordinary Ethereum block hash. */
  hash: Hash;
  parentHash: Hash;
  /** `sha3Uncles`: always the hash of the empty list on our chains. */
  ommersHash: Hash;
  /** `miner`: the block's beneficiary. */
  coinbase: Address;
  stateRoot: Hash;
  transactionsRoot: Hash;
  receiptsRoot: Hash;
  /** 256-byte bloom. */
  logsBloom: Hex;
  difficulty: bigint;
  gasLimit: bigint;
  gasUsed: bigint;
  /** Seconds since the Unix epoch. */
  timestamp: bigint;
  /** RLP of `[validatorsHash, nextValidatorsHash, messageRoot, shardRoot, parentSeals]`. */
  extraData: Hex;
  mixHash: Hash;
  /** 8 bytes. */
  nonce: Hex;
  baseFeePerGas?: bigint;
  withdrawalsRoot?: Hash;
  blobGasUsed?: bigint;
  excessBlobGas?: bigint;
  parentBeaconBlockRoot?: Hash;
  requestsHash?: Hash;
}

export interface AccessListEntry {
  address: Address;
  storageKeys: Hash[];
}

/** A signed transaction, decoded, with its recovered sender. Types: 0 legacy, 1 EIP-2930,
 *  2 EIP-1559 (our chains accept no other). */
export interface TransactionData {
  hash: Hash;
  type: 0 | 1 | 2;
  /** Absent only for a pre-EIP-155 legacy transaction. */
  chainId?: bigint;
  nonce: bigint;
  from: Address;
  /** `null` for a contract creation. */
  to: Address | null;
  value: bigint;
  input: Hex;
  /** The transaction's gas limit. */
  gas: bigint;
  /** Types 0 and 1. */
  gasPrice?: bigint;
  /** Type 2. */
  maxFeePerGas?: bigint;
  /** Type 2. */
  maxPriorityFeePerGas?: bigint;
  /** Types 1 and 2. */
  accessList?: AccessListEntry[];
  /** Legacy: 27/28 or `chainId * 2 + 35/36`; typed: the y-parity (0/1). */
  v: bigint;
  r: bigint;
  s: bigint;
}

/** A block with its transactions, in block order. */
export interface BlockData {
  header: HeaderData;
  transactions: TransactionData[];
  /** Length in bytes of the block's RLP encoding. */
  size: bigint;
}

/** A block with its transactions' hashes only: what eth_getBlockByNumber/ByHash answer without
 *  full transactions, served without decoding a transaction. */
export interface BlockSummary {
  header: HeaderData;
  transactionHashes: Hash[];
  /** Length in bytes of the block's RLP encoding. */
  size: bigint;
}

/** Where a mined transaction sits. */
export interface TransactionLocation {
  blockHash: Hash;
  blockNumber: bigint;
  transactionIndex: number;
}

/** A mined transaction with its place in the chain. */
export interface IncludedTransaction extends TransactionLocation {
  transaction: TransactionData;
  /** Base fee of the including block (absent before London): gives the effective gas price. */
  baseFeePerGas?: bigint;
}

export interface LogData {
  address: Address;
  topics: Hash[];
  data: Hex;
  blockNumber: bigint;
  blockHash: Hash;
  transactionHash: Hash;
  transactionIndex: number;
  /** Position of the log in the block (not in the transaction). */
  logIndex: number;
  /** Always false on our chains (no reorganisations): kept for geth's shape. */
  removed: boolean;
}

export interface ReceiptData extends TransactionLocation {
  transactionHash: Hash;
  type: 0 | 1 | 2;
  from: Address;
  to: Address | null;
  /** 1 success, 0 failure. */
  status: 0 | 1;
  cumulativeGasUsed: bigint;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  /** Address of the created contract, `null` unless the transaction created one. */
  contractAddress: Address | null;
  logs: LogData[];
  logsBloom: Hex;
}

// ---------------------------------------------------------------------------------------------
// Readers
// ---------------------------------------------------------------------------------------------

/** Reads committed blocks. Implementations must only ever show whole blocks: once
 *  `headNumber()` answers n, blocks 0..n, their transactions and receipts are all readable.
 *  Tags are resolved by the RPC layer from `headNumber()` and `finalizedNumber()`:
 *  `earliest` = 0, `latest` = `pending` = head, `safe` = `finalized` = finalizedNumber. */
export interface BlockReader {
  /** Number of the last committed block (the genesis is 0). Cheap, synchronous. */
  headNumber(): bigint;
  /** Number of the last final block. Our chains seal before they commit, so this is the head;
   *  optional so that a core may leave it out (the RPC then uses `headNumber()`). */
  finalizedNumber?(): bigint;
  /** Base fee of the block the producer will build on the head, by the chain's own rule (e.g. a
   *  floor under EIP-1559). Optional: absent, the RPC applies plain EIP-1559 to the head, which
   *  is wrong for a chain with a floor (eth_gasPrice would suggest a price below the next base
   *  fee). Added after the first version: additive. */
  nextBaseFeePerGas?(): bigint | undefined;
  /** Header only; `null` beyond the head. Called often (newHeads, feeHistory, tags): make it cheap. */
  getHeaderByNumber(number: bigint): MaybePromise<HeaderData | null>;
  getBlockByNumber(number: bigint): MaybePromise<BlockData | null>;
  getBlockByHash(hash: Hash): MaybePromise<BlockData | null>;
  /** The block with transaction hashes only, `null` beyond the head. Optional (added later,
   *  additive): without it the RPC takes the hashes from `getBlockByNumber`. */
  getBlockSummaryByNumber?(number: bigint): MaybePromise<BlockSummary | null>;
  /** As `getBlockSummaryByNumber`, by block hash; `null` when unknown. */
  getBlockSummaryByHash?(hash: Hash): MaybePromise<BlockSummary | null>;
  /** A mined transaction by hash; `null` when it is not in a committed block. */
  getTransaction(hash: Hash): MaybePromise<IncludedTransaction | null>;
  /** The receipt of a mined transaction; `null` when it is not in a committed block. */
  getReceipt(hash: Hash): MaybePromise<ReceiptData | null>;
  /** All receipts of a block in block order; `null` for an unknown block. */
  getBlockReceipts(number: bigint): MaybePromise<ReceiptData[] | null>;
}

/** An account's Merkle proof (EIP-1186), from the state trie at a block's state root. */
export interface AccountProof {
  address: Address;
  /** RLP-encoded trie nodes from the root to the account leaf (or its absence). */
  accountProof: Hex[];
  balance: bigint;
  codeHash: Hash;
  nonce: bigint;
  storageHash: Hash;
  storageProof: StorageProof[];
}

export interface StorageProof {
  /** The slot as asked (32 bytes, left-padded). */
  key: Hash;
  value: bigint;
  proof: Hex[];
}

/** Thrown by a `StateReader` or `CallExecutor` asked for a block whose state is not kept
 *  (pruned: older than the retention window, e.g. 128 blocks, unless the node is an archive).
 *  The RPC answers -32000 "historical state not available for block N". */
export class StateUnavailableError extends Error {
  override readonly name = 'StateUnavailableError';
  readonly code = 'STATE_UNAVAILABLE' as const;
  constructor(
    readonly blockNumber: bigint,
    options?: { cause?: unknown },
  ) {
    super(`state of block ${blockNumber} is not available (pruned)`, options);
  }
}

/** Reads account state at the end of a committed block. The RPC passes a block number it has
 *  checked against `headNumber()`; for a block whose state is gone the methods throw
 *  `StateUnavailableError`. Absent accounts read as zero / empty. */
export interface StateReader {
  getBalance(address: Address, blockNumber: bigint): MaybePromise<bigint>;
  getNonce(address: Address, blockNumber: bigint): MaybePromise<bigint>;
  /** `0x` for an account without code. */
  getCode(address: Address, blockNumber: bigint): MaybePromise<Hex>;
  /** The 32-byte word at `slot` (a 32-byte hash), `0x00…00` when unset. */
  getStorageAt(address: Address, slot: Hash, blockNumber: bigint): MaybePromise<Hash>;
  /** EIP-1186 proof at the block's state root. Must not disturb the live state: @ethereumjs's
   *  proof call flushes its state manager, so serve it from a copy at the block's root. */
  getProof(address: Address, slots: Hash[], blockNumber: bigint): MaybePromise<AccountProof>;
}

/** A message call as eth_call / eth_estimateGas take it, already validated. Absent fields take
 *  the defaults geth uses: `from` zero address, fees zero (no balance needed), `value` 0,
 *  `input` empty. `gas` reaches the executor always set: the request's, capped at the RPC gas
 *  cap (default 50,000,000), or the cap itself. */
export interface CallRequest {
  from?: Address;
  /** `null` or absent: a contract creation with `input` as init code. */
  to?: Address | null;
  gas?: bigint;
  gasPrice?: bigint;
  maxFeePerGas?: bigint;
  maxPriorityFeePerGas?: bigint;
  value?: bigint;
  input?: Hex;
  nonce?: bigint;
  accessList?: AccessListEntry[];
}

/** What a call did. `success`: ran to the end; `revert`: the REVERT opcode ran, `returnData`
 *  is its data; `halt`: an exceptional halt, `error` says which, in geth's words ("out of gas",
 *  "invalid opcode: INVALID", "stack underflow", "insufficient funds for gas * price + value",
 *  "nonce too high", ...). */
export interface CallResult {
  status: 'success' | 'revert' | 'halt';
  returnData: Hex;
  gasUsed: bigint;
  error?: string;
}

/** Runs calls against the state at the end of a block, without changing it. */
export interface CallExecutor {
  /** Runs `request` as a transaction on top of the state at the end of `blockNumber`, in that
   *  block's own context (number, timestamp, coinbase, base fee, gas limit), as geth does. Fees
   *  are charged only when the request sets a fee (then the balance must cover them, else
   *  `halt` with "insufficient funds for gas * price + value"); the nonce is not checked unless
   *  given. `gas` is always set by the RPC (capped). Throws `StateUnavailableError` for pruned
   *  state. eth_estimateGas is a binary search over this method in the RPC layer. */
  call(request: CallRequest & { gas: bigint }, blockNumber: bigint): MaybePromise<CallResult>;
}

/** A log query with blocks already resolved to numbers (fromBlock ≤ toBlock ≤ head). */
export interface LogQuery {
  fromBlock: bigint;
  toBlock: bigint;
  /** Any of these addresses; absent or empty: any address. */
  addresses?: Address[];
  /** Per position: `null` (or an empty list) any topic, otherwise any of the listed topics
   *  (geth's semantics). The RPC passes `null` for an empty list. */
  topics?: (Hash[] | null)[];
}

/** Finds logs. The RPC bounds the block range (config) before calling. The RPC layer ships
 *  `createLogIndexFromBlocks` (bloom scan over headers and receipts) for a core that has no
 *  index of its own. */
export interface LogIndex {
  /** Matching logs in chain order (block, then log index). */
  getLogs(query: LogQuery): MaybePromise<LogData[]>;
}

// ---------------------------------------------------------------------------------------------
// Writers and events
// ---------------------------------------------------------------------------------------------

/** The transaction pool as the RPC sees it (implemented by `txpool/`). */
export interface TxSubmitter {
  /** Validates and admits a signed, serialized transaction; resolves its hash. Throws a
   *  `TxPoolError` (from `txpool/errors.ts`) whose message is geth's wording for the refusal. */
  submitRawTransaction(raw: Uint8Array): Promise<Hash>;
  /** A pooled (pending or queued) transaction by hash. */
  getTransaction(hash: Hash): TransactionData | null;
  /** The nonce the sender's next transaction should carry, counting the sender's executable
   *  pooled transactions; `null` when the pool holds none from `address` (the RPC then answers
   *  the state nonce). */
  getPendingNonce(address: Address): MaybePromise<bigint | null>;
  /** Numbers of executable (pending) and future (queued) transactions. */
  counts(): { pending: number; queued: number };
  /** Called with each newly admitted transaction's hash (eth_subscribe newPendingTransactions,
   *  pending-transaction filters). Optional. */
  subscribePending?(listener: (hash: Hash) => void): Unsubscribe;
}

/** A committed block, announced once it is readable through `BlockReader`. */
export interface NewBlockEvent {
  header: HeaderData;
  /** The block's logs in order. */
  logs: LogData[];
}

/** Announces committed blocks. Contract: each block is announced exactly once, in increasing
 *  number order, after the head pointer has moved to it; listeners are called synchronously
 *  and must not throw (the core should catch and log if one does). A listener may unsubscribe
 *  itself or others while being called: iterate over a copy of the listeners. */
export interface ChainEvents {
  subscribeNewBlocks(listener: (event: NewBlockEvent) => void): Unsubscribe;
}

// ---------------------------------------------------------------------------------------------
// khipu_* sources
// ---------------------------------------------------------------------------------------------

/** A validator's signature over `(chainId, height, round, blockHash)`. */
export interface SealData {
  validator: Address;
  round: bigint;
  /** 65 bytes `r ‖ s ‖ v` (v = recovery id 0/1). */
  signature: Hex;
}

/** The fields of a header's extraData, decoded. */
export interface KhipuExtraData {
  validatorsHash: Hash;
  nextValidatorsHash: Hash;
  messageRoot: Hash;
  shardRoot: Hash;
  parentSeals: SealData[];
}

/** A header with the seals that finalized it (served until the next block carries them). */
export interface SealedHeaderData {
  header: HeaderData;
  /** RLP of the header exactly as hashed (so a light client checks `keccak(rlp) = hash`). */
  rlp: Hex;
  extra: KhipuExtraData;
  seals: SealData[];
  /** The sealed header in libs/dietcoin's binary encoding, ready for its verifier and the
   *  0x…0f01 precompile. */
  encoded: Hex;
}

/** A message as DESIGN.md encodes it, with its fields decoded. */
export interface MessageData {
  /** keccak256(encoded). */
  id: Hash;
  /** abi.encode(version, nonce, sourceChainId, sender, destinationChainId, recipient, kind, amount, body). */
  encoded: Hex;
  version: number;
  nonce: bigint;
  sourceChainId: bigint;
  sender: Address;
  destinationChainId: bigint;
  recipient: Address;
  /** 0 DATA, 1 KIP_TRANSFER. */
  kind: number;
  amount: bigint;
  body: Hex;
  /** The Outbox transaction that dispatched it. */
  transactionHash: Hash;
  logIndex: number;
}

/** One destination's shard of a block's messages, with the proof of its digest to the header's
 *  messageRoot. */
export interface MessageShardData {
  blockNumber: bigint;
  blockHash: Hash;
  destinationChainId: bigint;
  /** In shard order (the order of their ids in the shard tree). */
  messages: MessageData[];
  shardDigest: Hash;
  messageRoot: Hash;
  /** The ShardProof in libs/dietcoin's binary encoding (for its verifier and 0x…0f02). */
  proof: Hex;
}

/** One account's leaf in the state shards with its path to the header's shardRoot. */
export interface AccountShardProofData {
  address: Address;
  blockNumber: bigint;
  blockHash: Hash;
  shardIndex: number;
  shardRoot: Hash;
  nonce: bigint;
  balance: bigint;
  storageRoot: Hash;
  codeHash: Hash;
  /** The proof in libs/dietcoin's binary encoding. */
  proof: Hex;
}

/** libs/execution's per-block report. */
export interface BlockStatsData {
  blockNumber: bigint;
  transactions: number;
  gasUsed: bigint;
  /** Wall time to execute the block, in seconds. */
  executionSeconds: number;
  /** Share of transactions merged without re-run, 0..1 (1 for an empty block). */
  parallelism: number;
  reRuns: number;
  /** 1 when the parallel result was thrown away and the block run serially, else 0. */
  fallbacks: number;
  /** Lanes the producer wrote into the block, when known. */
  lanes?: number;
}

export interface ValidatorData {
  address: Address;
  /** Stake in wei on the hub; absent on enterprise chains (count-based). */
  stake?: bigint;
}

export interface ValidatorSetData {
  blockNumber: bigint;
  /** The set that seals this block, sorted as hashed. */
  validators: ValidatorData[];
  validatorsHash: Hash;
  /** The set of the next block (differs one block before an epoch boundary). */
  nextValidators: ValidatorData[];
  nextValidatorsHash: Hash;
}

/** Native KIP supply at the end of a block and its movements. Invariant, checked by tests:
 *  `supply = genesisSupply + minted - burned` (cumulative), and the fee pool is part of supply. */
export interface SupplyData {
  blockNumber: bigint;
  /** Sum of all account balances. */
  supply: bigint;
  genesisSupply: bigint;
  /** Cumulative since genesis: KIP minted by the Inbox. */
  minted: bigint;
  /** Cumulative since genesis: KIP burned by the Outbox. */
  burned: bigint;
  /** Balance of the fee pool system account. */
  feePool: bigint;
  /** Movements of this block alone. */
  block: { minted: bigint; burned: bigint; feesToPool: bigint };
}

/** Sources of the khipu_* methods. Each answers `null` for an unknown block. */
export interface KhipuReader {
  getSealedHeader(number: bigint): MaybePromise<SealedHeaderData | null>;
  /** `null` also when the block has no message to `destinationChainId` (no such shard). */
  getMessageShard(number: bigint, destinationChainId: bigint): MaybePromise<MessageShardData | null>;
  getAccountShardProof(address: Address, number: bigint): MaybePromise<AccountShardProofData | null>;
  getBlockStats(number: bigint): MaybePromise<BlockStatsData | null>;
  getValidators(number: bigint): MaybePromise<ValidatorSetData | null>;
  getSupply(number: bigint): MaybePromise<SupplyData | null>;
}

// ---------------------------------------------------------------------------------------------
// Everything the RPC server needs
// ---------------------------------------------------------------------------------------------

/** What `createRpcServer` takes. */
export interface RpcBackend {
  /** EIP-155 chain id (eth_chainId; net_version is its decimal string). */
  chainId: bigint;
  blocks: BlockReader;
  state: StateReader;
  calls: CallExecutor;
  /** Optional: the RPC builds one from `blocks` when absent. */
  logs?: LogIndex;
  txpool: TxSubmitter;
  events: ChainEvents;
  khipu: KhipuReader;
  /** Optional: equivocations seen by consensus (khipu_getEvidence answers [] without it). */
  evidence?: EvidenceReader;
  /** Optional: a pending block built from the pool on top of the head. When present, the RPC
   *  resolves the `pending` tag of state methods, eth_call and eth_estimateGas to block
   *  `headNumber() + 1`, which `state`, `calls` and `blocks.getHeaderByNumber` then answer from
   *  the pending block; without it, `pending` is the head. */
  pending?: PendingBlockSource;
}

/** One signed vote of an equivocation. */
export interface EquivocationVoteData {
  blockHash: Hash;
  /** The signed part of the consensus message (its layout: consensus/codec.ts). */
  signedPart: Hex;
  signature: Hex;
  /** The commit seal, for commits; null otherwise. */
  seal: Hex | null;
}

/** Two conflicting signed votes by one validator at one height, round and step. */
export interface EvidenceData {
  chainId: bigint;
  height: bigint;
  round: bigint;
  validator: Address;
  step: 'proposal' | 'prepare' | 'commit';
  votes: [EquivocationVoteData, EquivocationVoteData];
  /** libs/dietcoin's encoded `Evidence` (two seals over different hashes), for commits; else null. */
  encoded: Hex | null;
}

/** Source of khipu_getEvidence. */
export interface EvidenceReader {
  /** Evidence of `validator` (or all) with `fromHeight <= height <= toHeight`, ascending by height. */
  list(query: { validator?: Address; fromHeight?: bigint; toHeight?: bigint }): MaybePromise<EvidenceData[]>;
}

/** The pending block (not sealed, never committed): eth_getBlockByNumber('pending'). */
export interface PendingBlockSource {
  block(): Promise<BlockData>;
}
