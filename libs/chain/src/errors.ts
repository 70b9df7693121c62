// Errors of the node core (genesis, store, producer, importer, node). The RPC layer has its own in
// rpc/errors.ts. One base class, a code from a closed union, the cause and details.

/** Every reason the node core refuses an input or stops. */
export type ChainErrorCode =
  | 'INVALID_GENESIS'
  | 'GENESIS_MISMATCH'
  | 'CORRUPT_STORE'
  | 'UNKNOWN_BLOCK'
  | 'INVALID_BLOCK'
  | 'NOT_A_VALIDATOR'
  | 'INVALID_CONFIG'
  | 'CRYPTO_BACKEND_UNAVAILABLE'
  | 'CLOSED';

/** Base error of the node core. `code` says why; `details` carries the values that matter. */
export class ChainError extends Error {
  override readonly name = 'ChainError';
  readonly code: ChainErrorCode;
  readonly details: Record<string, unknown>;
  constructor(
    code: ChainErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `e` is a `ChainError`, optionally with the given code. */
export function isChainError(e: unknown, code?: ChainErrorCode): e is ChainError {
  return e instanceof ChainError && (code === undefined || e.code === code);
}
