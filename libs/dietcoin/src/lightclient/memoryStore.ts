import { bytesToHex } from '../encoding/bytes.js';
import type { ValidatorSet } from '../seal/validatorSet.js';
import {
  decodeHeaderRecord,
  encodeHeaderRecord,
  HEADER_RECORD_BYTES,
  type VerifiedHeaderRecord,
} from './record.js';
import type { HeaderStore, HeaderStoreBatch, LightClientState } from './store.js';

/** In-memory HeaderStore (test double): keeps the encoded records, as a real store would. */
export class MemoryHeaderStore implements HeaderStore {
  readonly recordBytes = HEADER_RECORD_BYTES;
  private readonly records = new Map<number, Uint8Array>();
  private readonly sets = new Map<string, ValidatorSet>();
  private state: LightClientState | undefined;

  getRecord(number: number): VerifiedHeaderRecord | undefined {
    const b = this.records.get(number);
    return b ? decodeHeaderRecord(b) : undefined;
  }

  getValidatorSet(hash: Uint8Array): ValidatorSet | undefined {
    return this.sets.get(bytesToHex(hash));
  }

  readState(): LightClientState | undefined {
    return this.state ? { ...this.state } : undefined;
  }

  async write(batch: HeaderStoreBatch): Promise<void> {
    const encoded = batch.records.map((r) => [r.number, encodeHeaderRecord(r)] as const);
    for (const [n, b] of encoded) this.records.set(n, b);
    for (const s of batch.validatorSets ?? []) this.sets.set(bytesToHex(s.hash), s);
    this.state = { ...batch.state };
  }

  /** Number of records held. */
  get size(): number {
    return this.records.size;
  }
}
