// Why the pool refuses a transaction. Messages start with geth's wording (core/txpool/errors.go,
// core/errors.go) so that clients that match on it (viem, ethers, Foundry) recognise them; the
// details after the colon are geth's too where it gives any.

export type TxPoolErrorCode =
  /** Not a decodable signed transaction. */
  | 'MALFORMED'
  /** Blob (type 3), EIP-7702 (type 4) or an unknown type. */
  | 'TX_TYPE_NOT_SUPPORTED'
  /** A legacy transaction without EIP-155 replay protection. */
  | 'UNPROTECTED'
  /** Signed for another chain. */
  | 'INVALID_CHAIN_ID'
  /** The signature does not recover (or is malleable). */
  | 'INVALID_SENDER'
  | 'ALREADY_KNOWN'
  | 'NONCE_TOO_LOW'
  /** Further ahead of the account's nonce than the pool keeps. */
  | 'NONCE_TOO_HIGH'
  | 'REPLACEMENT_UNDERPRICED'
  /** Tip (or legacy gas price) below the pool's minimum. */
  | 'UNDERPRICED'
  | 'TIP_ABOVE_FEE_CAP'
  | 'INTRINSIC_GAS_TOO_LOW'
  | 'GAS_LIMIT_EXCEEDED'
  | 'OVERSIZED_DATA'
  | 'INIT_CODE_TOO_LARGE'
  | 'INSUFFICIENT_FUNDS'
  /** The sender already has as many transactions pooled as allowed. */
  | 'ACCOUNT_LIMIT_EXCEEDED'
  /** The pool is full and the transaction pays no more than the cheapest in it. */
  | 'POOL_FULL';

/** A refusal by the pool. `message` is what eth_sendRawTransaction answers (code -32000). */
export class TxPoolError extends Error {
  override readonly name = 'TxPoolError';
  readonly code: TxPoolErrorCode;
  /** Hash of the refused transaction, when it could be decoded. */
  readonly hash: string | undefined;

  constructor(code: TxPoolErrorCode, message: string, options?: { cause?: unknown; hash?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hash = options?.hash;
  }
}

/** Whether a value is a `TxPoolError` (also across module copies). */
export function isTxPoolError(value: unknown): value is TxPoolError {
  return value instanceof TxPoolError || (value instanceof Error && value.name === 'TxPoolError');
}
