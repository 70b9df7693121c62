// Errors of @khipu/dietcoin: one base class with a code from a closed union, the cause and details.

/** Every reason dietcoin refuses an input or an operation. */
export type DietcoinErrorCode =
  // set-up
  | 'NOT_INITIALIZED'
  | 'CRYPTO_BACKEND_UNAVAILABLE'
  // decoding
  | 'MALFORMED'
  | 'TRUNCATED'
  | 'TRAILING_BYTES'
  | 'OVERSIZED'
  | 'UNKNOWN_VERSION'
  | 'NON_CANONICAL'
  // header
  | 'INVALID_HEADER'
  | 'WRONG_CHAIN'
  // seals and validator sets
  | 'MALFORMED_SIGNATURE'
  | 'HIGH_S_SIGNATURE'
  | 'DUPLICATE_SIGNER'
  | 'NON_MEMBER_SIGNER'
  | 'NO_QUORUM'
  | 'INVALID_VALIDATOR_SET'
  | 'WRONG_VALIDATOR_SET'
  // light client
  | 'WRONG_PARENT'
  | 'WRONG_HEIGHT'
  | 'NOT_MONOTONIC'
  | 'TRUST_EXPIRED'
  | 'FROM_THE_FUTURE'
  | 'CANNOT_SKIP'
  | 'UNKNOWN_HEADER'
  | 'CONFLICTING_HEADER'
  | 'FROZEN'
  | 'SOURCE_FAILED'
  // evidence
  | 'INVALID_EVIDENCE'
  // proofs
  | 'WRONG_ROOT'
  | 'INVALID_PROOF'
  | 'WRONG_SHARD'
  | 'INVALID_MESSAGE'
  | 'INVALID_ACCOUNT';

export interface DietcoinErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** Base error of the library. `code` says why; `message` names the thing refused. */
export class DietcoinError extends Error {
  override readonly name = 'DietcoinError';
  readonly code: DietcoinErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: DietcoinErrorCode, message: string, options: DietcoinErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Guard: is `e` a DietcoinError (optionally with the given code)? */
export function isDietcoinError(e: unknown, code?: DietcoinErrorCode): e is DietcoinError {
  return e instanceof DietcoinError && (code === undefined || e.code === code);
}

/** Short hex of bytes for messages: `0xabcd…ef01`. */
export function shortHex(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return hex.length <= 12 ? `0x${hex}` : `0x${hex.slice(0, 8)}…${hex.slice(-4)}`;
}
