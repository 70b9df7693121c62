// Errors of @khipu/execution: one base class with a code from a closed union, the cause, and
// details that name the block and the transaction.

/** Every reason execution can refuse a block or fail. */
export type ExecutionErrorCode =
  | 'CRYPTO_UNAVAILABLE'
  | 'UNSUPPORTED_TX_TYPE'
  | 'INVALID_SIGNATURE'
  | 'INVALID_TX'
  | 'BLOCK_GAS_EXCEEDED'
  | 'HEADER_MISMATCH'
  | 'MISSING_STATE'
  | 'INVALID_BLOCK'
  | 'WORKER_FAILED'
  | 'POOL_CLOSED'
  | 'INVALID_LANES'
  | 'MISSING_BLOCK_HASH';

/** Where an error happened: block number and hash, transaction index and hash. */
export interface ExecutionErrorDetails {
  blockNumber?: bigint;
  blockHash?: string;
  txIndex?: number;
  txHash?: string;
  /** For HEADER_MISMATCH: every field that differs, with the header's value and ours. */
  mismatches?: readonly HeaderMismatch[];
}

/** One header field that disagrees with the execution result. */
export interface HeaderMismatch {
  field: 'stateRoot' | 'receiptTrie' | 'logsBloom' | 'gasUsed' | 'transactionsTrie';
  header: string;
  computed: string;
}

/** Base error of the package. `code` tells the reason; `details` name block and transaction. */
export class ExecutionError extends Error {
  override readonly name = 'ExecutionError';
  readonly code: ExecutionErrorCode;
  readonly details: ExecutionErrorDetails;

  constructor(
    code: ExecutionErrorCode,
    message: string,
    details: ExecutionErrorDetails = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }
}

/** True when `error` is an {@link ExecutionError}, optionally with the given code. */
export function isExecutionError(error: unknown, code?: ExecutionErrorCode): error is ExecutionError {
  return error instanceof ExecutionError && (code === undefined || error.code === code);
}

/** `block 12 (0xab…)`: the prefix every block-level message starts with. */
export function describeBlock(number: bigint, hash?: string): string {
  return hash === undefined ? `block ${number}` : `block ${number} (${hash})`;
}

/** `tx 3 (0xcd…)`: how messages name a transaction. */
export function describeTx(index: number, hash?: string): string {
  return hash === undefined ? `tx ${index}` : `tx ${index} (${hash})`;
}
