// HeaderStore over Kesque: records by number in `dietcoinHeader`, validator sets by hash, and the
// light-client state in `dietcoinMeta`, all written in one atomic batch.
import { ByteReader } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError } from '../errors.js';
import { decodeValidatorSet, encodeValidatorSet, type ValidatorSet } from '../seal/validatorSet.js';
import {
  decodeHeaderRecord,
  encodeHeaderRecord,
  HEADER_RECORD_BYTES,
  type VerifiedHeaderRecord,
} from './record.js';
import type { HeaderStore, HeaderStoreBatch, LightClientState } from './store.js';
import { DIETCOIN_TABLES, META_STATE_KEY } from './tables.js';

/** The part of a Kesque store this adapter uses (`@khipu/kesque`'s `Kesque` satisfies it). */
export interface KesqueTables {
  get(table: string, key: Uint8Array | number): Uint8Array | undefined;
  batch(
    ops: readonly (
      | { type: 'put'; table: string; key: Uint8Array | number; value: Uint8Array }
      | { type: 'del'; table: string; key: Uint8Array | number }
    )[],
  ): Promise<void>;
}

export interface CreateKesqueHeaderStoreParameters {
  /** A store opened with (at least) the tables of `DIETCOIN_TABLES`. */
  kesque: KesqueTables;
}

const STATE_VERSION = 1;

function encodeState(s: LightClientState): Uint8Array {
  return new ByteWriter(18)
    .u8(STATE_VERSION)
    .u64(s.head)
    .u64(s.checkpoint)
    .u8(s.frozen ? 1 : 0)
    .finish();
}

function decodeState(bytes: Uint8Array): LightClientState {
  const r = new ByteReader(bytes, 'light-client state');
  const version = r.u8();
  if (version !== STATE_VERSION)
    throw new DietcoinError('UNKNOWN_VERSION', `light-client state version ${version}`);
  const head = r.u64();
  const checkpoint = r.u64();
  const frozen = r.u8();
  if (frozen > 1) throw new DietcoinError('MALFORMED', 'light-client state frozen flag');
  r.end();
  return { head, checkpoint, frozen: frozen === 1 };
}

/** A HeaderStore kept in Kesque. */
export function createKesqueHeaderStore({ kesque }: CreateKesqueHeaderStoreParameters): HeaderStore {
  const T = Object.keys(DIETCOIN_TABLES) as (keyof typeof DIETCOIN_TABLES)[];
  const [HEADER, SETS, META] = T as [string, string, string];
  return {
    recordBytes: HEADER_RECORD_BYTES,
    getRecord(number: number): VerifiedHeaderRecord | undefined {
      const b = kesque.get(HEADER, number);
      return b ? decodeHeaderRecord(b) : undefined;
    },
    getValidatorSet(hash: Uint8Array): ValidatorSet | undefined {
      const b = kesque.get(SETS, hash);
      return b ? decodeValidatorSet(b) : undefined;
    },
    readState(): LightClientState | undefined {
      const b = kesque.get(META, META_STATE_KEY);
      return b ? decodeState(b) : undefined;
    },
    async write(batch: HeaderStoreBatch): Promise<void> {
      const ops: { type: 'put'; table: string; key: Uint8Array | number; value: Uint8Array }[] = [];
      for (const r of batch.records)
        ops.push({ type: 'put', table: HEADER, key: r.number, value: encodeHeaderRecord(r) });
      for (const s of batch.validatorSets ?? []) {
        ops.push({ type: 'put', table: SETS, key: s.hash, value: encodeValidatorSet(s) });
      }
      ops.push({ type: 'put', table: META, key: META_STATE_KEY, value: encodeState(batch.state) });
      await kesque.batch(ops);
    },
  };
}
