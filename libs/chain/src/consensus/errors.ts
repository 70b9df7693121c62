// Errors of the consensus core: one class, a code from a closed union, the cause and details.

/** Every reason the consensus core refuses a message, an input or a configuration. */
export type ConsensusErrorCode =
  // codec
  | 'UNKNOWN_VERSION'
  | 'UNKNOWN_MESSAGE_TYPE'
  | 'TRUNCATED'
  | 'TRAILING_BYTES'
  | 'OVERSIZED'
  | 'MALFORMED'
  // authentication and membership
  | 'BAD_SIGNATURE'
  | 'NOT_A_VALIDATOR'
  | 'WRONG_CHAIN'
  // protocol
  | 'WRONG_PROPOSER'
  | 'INVALID_JUSTIFICATION'
  | 'INVALID_CERTIFICATE'
  | 'INVALID_SEAL'
  | 'BLOCK_HASH_MISMATCH'
  // validator-set changes (validatorSetChange.ts, validatorSchedule.ts)
  | 'INVALID_SET_CHANGE'
  | 'NO_QUORUM'
  // driving the state machine
  | 'INVALID_CONFIG'
  /** A decision for a stored height names another block: safety is broken, the node must stop. */
  | 'CONFLICTING_DECISION'
  /** The chain is not at the height an input is for (it moved on, e.g. by block sync). */
  | 'WRONG_HEIGHT'
  | 'INVALID_INPUT';

export interface ConsensusErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/** Base error of the consensus core. `code` says why; the message names the thing refused. */
export class ConsensusError extends Error {
  override readonly name = 'ConsensusError';
  readonly code: ConsensusErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ConsensusErrorCode, message: string, options: ConsensusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Guard: is `e` a ConsensusError (optionally with the given code)? */
export function isConsensusError(e: unknown, code?: ConsensusErrorCode): e is ConsensusError {
  return e instanceof ConsensusError && (code === undefined || e.code === code);
}
