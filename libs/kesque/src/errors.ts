// Errors of Kesque: one base class with a closed set of codes, so that callers branch on `code`
// and never on message text.

/** Every reason Kesque refuses or fails an operation. */
export type KesqueErrorCode =
  /** A hash-table key is not 32 bytes, or a number-table key is not a safe non-negative integer. */
  | 'KEY_SIZE'
  /** The key is of the wrong type for the table (bytes for a number table, or the reverse). */
  | 'KEY_TYPE'
  /** No table of that name was opened. */
  | 'UNKNOWN_TABLE'
  /** The store (or reader) is closed. */
  | 'CLOSED'
  /** A record failed its CRC32C or its framing in the middle of a segment. */
  | 'CORRUPT_RECORD'
  /** The manifest cannot be read. */
  | 'CORRUPT_MANIFEST'
  /** A write failed with ENOSPC; the batch was not applied. */
  | 'DISK_FULL'
  /** A write or an fsync failed for another reason; the batch was not applied. */
  | 'WRITE_FAILED'
  /** A segment the manifest lists is not on disk. */
  | 'SEGMENT_MISSING'
  /** A segment file was deleted while the store had it open (its contents were restored). */
  | 'SEGMENT_DELETED'
  /** A batch does not fit in one segment (8 GiB). */
  | 'BATCH_TOO_LARGE'
  /** A value is larger than the maximum record size. */
  | 'VALUE_TOO_LARGE'
  /** An option is out of range, or a table was reopened with another kind. */
  | 'BAD_OPTIONS'
  /** Another process (or another open store in this one) holds the directory. */
  | 'LOCKED'
  /** An earlier I/O failure left the store unable to accept writes; reopen it. */
  | 'FAILED'
  /** A compaction of this store is already running. */
  | 'COMPACTION_RUNNING'
  /** A table has no free segment slot (1,024 live segments per table). */
  | 'TOO_MANY_SEGMENTS';

export interface KesqueErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** The one error type Kesque throws across its public boundary. */
export class KesqueError extends Error {
  override readonly name = 'KesqueError';
  readonly code: KesqueErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: KesqueErrorCode, message: string, options: KesqueErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True for a KesqueError, optionally of one code. */
export function isKesqueError(error: unknown, code?: KesqueErrorCode): error is KesqueError {
  return error instanceof KesqueError && (code === undefined || error.code === code);
}
