// Errors of block sync: one class, a code from a closed union.

export type SyncErrorCode =
  /** A sync message that does not decode. */
  | 'MALFORMED'
  /** A sync message above MAX_SYNC_MESSAGE_BYTES. */
  | 'OVERSIZED'
  /** No peer answered, or every peer that did served blocks that do not import. */
  | 'NO_PEER';

export class SyncError extends Error {
  override readonly name = 'SyncError';
  readonly code: SyncErrorCode;

  constructor(code: SyncErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
