// Where the light client keeps what it verified. Readers apart from writers: the relayer and the
// precompiles read records, only the HeaderChain writes.
import type { ValidatorSet } from '../seal/validatorSet.js';
import type { VerifiedHeaderRecord } from './record.js';

/** Light-client state that survives restarts. */
export interface LightClientState {
  /** Number of the newest verified header. */
  head: number;
  /** Number of the checkpoint it started from. */
  checkpoint: number;
  /** Set once two quorum-sealed headers were seen at one height; a frozen client accepts nothing. */
  frozen: boolean;
}

/**
 * Reads verified headers.
 * Contract: every record returned was verified by a HeaderChain (seals, or a hash link to a
 * sealed header); a number never maps to two different records.
 */
export interface HeaderRecordReader {
  getRecord(number: number): VerifiedHeaderRecord | undefined;
  /** A validator set the client followed, by its hash. */
  getValidatorSet(hash: Uint8Array): ValidatorSet | undefined;
  readState(): LightClientState | undefined;
}

/**
 * Writes verified headers.
 * Contract: `write` is atomic (all or nothing) and durable once it resolves; records, sets and the
 * state it carries become visible to readers together.
 */
export interface HeaderRecordWriter {
  write(batch: HeaderStoreBatch): Promise<void>;
}

export interface HeaderStoreBatch {
  records: readonly VerifiedHeaderRecord[];
  validatorSets?: readonly ValidatorSet[];
  state: LightClientState;
}

export interface HeaderStore extends HeaderRecordReader, HeaderRecordWriter {
  /** Bytes one stored record takes (its encoding), for the bytes-per-header report. */
  readonly recordBytes: number;
}
