// Errors of the peer layer: one class, a code from a closed union, the cause and details.

/** Every reason the peer layer refuses a peer, a frame or a configuration. */
export type PeerErrorCode =
  // framing
  | 'OVERSIZED_FRAME'
  | 'MALFORMED_FRAME'
  // handshake
  | 'HANDSHAKE_TIMEOUT'
  | 'UNEXPECTED_FRAME'
  | 'WRONG_VERSION'
  | 'WRONG_CHAIN'
  | 'BAD_SIGNATURE'
  | 'UNKNOWN_PEER'
  | 'UNEXPECTED_PEER'
  | 'SELF_CONNECTION'
  | 'BANNED'
  | 'DUPLICATE_CONNECTION'
  // messages
  | 'MALFORMED_MESSAGE'
  | 'OVERSIZED_MESSAGE'
  // running
  | 'PENALIZED'
  | 'CLOSED'
  | 'INVALID_CONFIG';

export interface PeerErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** Base error of the peer layer. `code` says why; the message names the peer or the frame. */
export class PeerError extends Error {
  override readonly name = 'PeerError';
  readonly code: PeerErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: PeerErrorCode, message: string, options: PeerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Guard: is `e` a PeerError (optionally with the given code)? */
export function isPeerError(e: unknown, code?: PeerErrorCode): e is PeerError {
  return e instanceof PeerError && (code === undefined || e.code === code);
}
