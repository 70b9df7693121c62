// The `DB` interface of @ethereumjs/util over a Kesque store, so that @ethereumjs/mpt and
// @ethereumjs/statemanager keep their trie nodes and code in Kesque.
//
// What ethereumjs hands over (v10): MerklePatriciaTrie wraps its db in a CheckpointDB that passes
// keys as unprefixed hex strings (`keyEncoding: 'string'`) and values as unprefixed hex strings
// (`valueEncoding: 'string'`, its default) or as bytes (`valueEncoding: 'view'`, when the trie is
// created with `valueEncoding: ValueEncoding.Bytes`). Keys may also arrive as bytes. The adapter
// accepts both forms for keys and values and answers `get` in the encoding asked for.
import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util';
import { KesqueError } from '../errors.js';
import type { BatchOp, Kesque } from '../types.js';
import {
  CODE_KEY_BYTES,
  CODE_KEY_PREFIX,
  DEFAULT_KESQUE_DB_TABLES,
  HASH_KEY_BYTES,
  type KesqueDBTables,
} from './keySpaces.js';

/** Keys the adapter accepts: bytes, or hex with or without `0x`. */
export type KesqueDBKey = string | Uint8Array;
/** Values the adapter accepts: bytes, or hex with or without `0x`. */
export type KesqueDBValue = string | Uint8Array;

/** The value encodings the adapter can answer in (ethereumjs's `ValueEncoding` minus JSON). */
export type KesqueDBValueEncoding = 'string' | 'view';

export interface CreateKesqueDBParameters {
  /** An open store that has the adapter's tables (see `kesqueDBTableOptions`). */
  store: Kesque;
  /** Table names; default `{ trie: 'trie', code: 'code' }`. */
  tables?: Partial<KesqueDBTables>;
  /** Encoding of `get` results when a call names none; default `'string'`, like MerklePatriciaTrie. */
  valueEncoding?: KesqueDBValueEncoding;
}

export type CreateKesqueDBReturnType = KesqueDB;
/** Errors the adapter throws (besides the store's own): KEY_SIZE, KEY_TYPE, BAD_OPTIONS. */
export type KesqueDBErrorType = KesqueError;

const HEX_VALUES = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    table[97 + i] = 10 + i;
    table[65 + i] = 10 + i;
  }
  return table;
})();

const HEX_DIGITS = '0123456789abcdef';
const BYTE_TO_HEX = Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!);

function describe(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Decodes hex (with or without `0x`); undefined when the text is not hex of whole bytes. */
function hexToBytes(text: string): Uint8Array | undefined {
  const start = text.startsWith('0x') || text.startsWith('0X') ? 2 : 0;
  const digits = text.length - start;
  if (digits % 2 !== 0) return undefined;
  const out = new Uint8Array(digits / 2);
  for (let i = 0; i < out.length; i++) {
    const c1 = text.charCodeAt(start + 2 * i);
    const c2 = text.charCodeAt(start + 2 * i + 1);
    const hi = c1 < 128 ? HEX_VALUES[c1]! : -1;
    const lo = c2 < 128 ? HEX_VALUES[c2]! : -1;
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]!]!;
  return out;
}

function keyText(key: unknown): string {
  if (key instanceof Uint8Array) return `0x${bytesToHex(key)}`;
  return typeof key === 'string' ? describe(key) : String(key);
}

/** An ethereumjs `DB` over Kesque. Every write is one atomic Kesque batch; reads go straight to
 *  the store's index. Instances made by `shallowCopy` share the store.
 *
 *  @example
 *  const store = await openKesque({ dir, tables: kesqueDBTableOptions() });
 *  const trie = await createMPT({ db: createKesqueDB({ store }), useKeyHashing: true });
 */
export class KesqueDB implements DB<KesqueDBKey, KesqueDBValue> {
  readonly store: Kesque;
  readonly tables: Readonly<KesqueDBTables>;
  readonly valueEncoding: KesqueDBValueEncoding;

  constructor(parameters: CreateKesqueDBParameters) {
    this.store = parameters.store;
    this.tables = { ...DEFAULT_KESQUE_DB_TABLES, ...parameters.tables };
    const encoding = parameters.valueEncoding ?? 'string';
    if (encoding !== 'string' && encoding !== 'view') {
      throw new KesqueError(
        'BAD_OPTIONS',
        `KesqueDB cannot store values in the '${String(encoding)}' encoding`,
        {
          details: { valueEncoding: encoding },
        },
      );
    }
    this.valueEncoding = encoding;
  }

  /** Maps an ethereumjs key onto its table and 32-byte Kesque key.
   *  @throws KesqueError KEY_TYPE (not bytes or hex), KEY_SIZE (not a 32-byte hash or a 33-byte code key) */
  locate(key: KesqueDBKey): { table: string; key: Uint8Array } {
    let bytes: Uint8Array | undefined;
    if (key instanceof Uint8Array) bytes = key;
    else if (typeof key === 'string') bytes = hexToBytes(key);
    if (bytes === undefined) {
      throw new KesqueError('KEY_TYPE', `KesqueDB key ${keyText(key)} is neither bytes nor hex`, {
        details: { key: keyText(key) },
      });
    }
    if (bytes.length === HASH_KEY_BYTES) return { table: this.tables.trie, key: bytes };
    if (bytes.length === CODE_KEY_BYTES && bytes[0] === CODE_KEY_PREFIX) {
      return { table: this.tables.code, key: bytes.subarray(1) };
    }
    throw new KesqueError(
      'KEY_SIZE',
      `KesqueDB key ${keyText(key)} is ${bytes.length} bytes: expected a 32-byte hash or 'c' + a 32-byte code hash`,
      { details: { key: keyText(key), bytes: bytes.length } },
    );
  }

  private encodingOf(opts: EncodingOpts | undefined): KesqueDBValueEncoding {
    const encoding = opts?.valueEncoding ?? this.valueEncoding;
    if (encoding !== 'string' && encoding !== 'view') {
      throw new KesqueError('BAD_OPTIONS', `KesqueDB cannot answer in the '${encoding}' value encoding`, {
        details: { valueEncoding: encoding },
      });
    }
    return encoding;
  }

  private toBytes(key: KesqueDBKey, value: unknown): Uint8Array {
    if (value instanceof Uint8Array) return value;
    if (typeof value === 'string') {
      const bytes = hexToBytes(value);
      if (bytes !== undefined) return bytes;
    }
    throw new KesqueError(
      'BAD_OPTIONS',
      `KesqueDB value for key ${keyText(key)} is neither bytes nor hex (${typeof value}); JSON values are not supported`,
      { details: { key: keyText(key), valueType: typeof value } },
    );
  }

  private toOp(op: BatchDBOp<KesqueDBKey, KesqueDBValue>): BatchOp {
    const { table, key } = this.locate(op.key);
    if (op.type === 'put') return { type: 'put', table, key, value: this.toBytes(op.key, op.value) };
    if (op.type === 'del') return { type: 'del', table, key };
    throw new KesqueError(
      'BAD_OPTIONS',
      `KesqueDB batch op of unknown type '${String((op as { type: unknown }).type)}'`,
    );
  }

  /** The stored value, in the encoding asked for (hex string by default), or undefined. */
  async get(key: KesqueDBKey, opts?: EncodingOpts): Promise<KesqueDBValue | undefined> {
    const encoding = this.encodingOf(opts);
    const at = this.locate(key);
    const value = this.store.get(at.table, at.key);
    if (value === undefined) return undefined;
    return encoding === 'string' ? bytesToHex(value) : value;
  }

  /** Stores one value durably (one Kesque batch). */
  async put(key: KesqueDBKey, value: KesqueDBValue, _opts?: EncodingOpts): Promise<void> {
    await this.store.batch([this.toOp({ type: 'put', key, value })]);
  }

  /** Deletes one key durably (one Kesque batch). */
  async del(key: KesqueDBKey, _opts?: EncodingOpts): Promise<void> {
    await this.store.batch([this.toOp({ type: 'del', key })]);
  }

  /** Applies every op in order as one atomic Kesque batch: all land or none. Every key and value
   *  is checked before anything is written, so a refused op leaves the store untouched. */
  async batch(opStack: BatchDBOp<KesqueDBKey, KesqueDBValue>[]): Promise<void> {
    if (opStack.length === 0) return;
    const ops = new Array<BatchOp>(opStack.length);
    for (let i = 0; i < opStack.length; i++) ops[i] = this.toOp(opStack[i]!);
    await this.store.batch(ops);
  }

  /** Another adapter over the same store (ethereumjs makes one per storage trie). */
  shallowCopy(): KesqueDB {
    return new KesqueDB({ store: this.store, tables: this.tables, valueEncoding: this.valueEncoding });
  }

  /** The store is opened by `openKesque`; nothing more to do. */
  async open(): Promise<void> {}
}

/** Creates an ethereumjs `DB` over an open Kesque store.
 *  @throws KesqueError BAD_OPTIONS for a value encoding other than 'string' or 'view' */
export function createKesqueDB(parameters: CreateKesqueDBParameters): CreateKesqueDBReturnType {
  return new KesqueDB(parameters);
}
