// What one transaction read and wrote, per account field and per storage slot, and its compact
// binary form shipped from the workers to the coordinator.
//
// Wire layout of one transaction's result: flat bytes read front to back, no nesting (nested RLP
// cost the coordinator ~20 us per transaction to decode, and its copies fed the GC). `u8`/`u32`
// are fixed width (u32 big-endian); `int` is a u8 length then that many big-endian bytes without
// leading zeros; `bytes` is a u32 length then the bytes; addresses (20) and slots/hashes (32) are
// bare.
//   u8 ok, u8 receiptStatus, u8 txType, int totalGasSpent, int blockGasSpent, int gasLimit,
//   bytes error(utf8),
//   u32 n logs           [address(20), u32 n topics [topic(32)], bytes data]
//   u32 n accountReads   [address(20), u8 fieldMask]
//   u32 n slotReads      [address(20), slot(32)]
//   u32 n accountWrites  [address(20), u8 flags, int nonce, int balance, bytes code,
//                         storageRoot(32), codeHash(32)]
//   u32 n slotWrites     [address(20), slot(32), bytes value(unpadded)]
//   u32 n increments     [address(20), int delta]
// `fieldMask` and `flags` are bit sets of the FIELD_* and WRITE_* constants below.

import type { Log } from '@ethereumjs/evm';
import { ExecutionError } from './errors.js';

/** Account fields tracked separately. */
export const FIELD_NONCE = 1;
export const FIELD_BALANCE = 2;
export const FIELD_CODE = 4;
export const FIELD_ALL = FIELD_NONCE | FIELD_BALANCE | FIELD_CODE;

/** Account write flags: which fields carry a new value, and whole-account events. */
export const WRITE_NONCE = 1;
export const WRITE_BALANCE = 2;
export const WRITE_CODE = 4;
/** The account did not exist before the transaction. */
export const WRITE_CREATED = 8;
/** The account does not exist after the transaction. */
export const WRITE_DELETED = 16;
/** All storage of the account was cleared before the slot writes. */
export const WRITE_STORAGE_CLEARED = 32;

export interface AccountRead {
  address: Uint8Array;
  fields: number;
}
export interface SlotRead {
  address: Uint8Array;
  slot: Uint8Array;
}
export interface AccountWrite {
  address: Uint8Array;
  flags: number;
  nonce: bigint;
  balance: bigint;
  /** New code when WRITE_CODE is set. */
  code: Uint8Array;
  /** The account's storage root and code hash as the transaction left them (the storage root is
   *  the one the block started from: storage is flushed at the state root). Lets the coordinator
   *  put the account without reading it when no earlier transaction touched it. */
  storageRoot: Uint8Array;
  codeHash: Uint8Array;
}
export interface SlotWrite {
  address: Uint8Array;
  slot: Uint8Array;
  /** Unpadded value; empty means zero (deleted). */
  value: Uint8Array;
}
export interface BalanceIncrement {
  address: Uint8Array;
  delta: bigint;
}

/** Everything a transaction read and changed, relative to the state it started from. */
export interface TxAccess {
  accountReads: AccountRead[];
  slotReads: SlotRead[];
  accountWrites: AccountWrite[];
  slotWrites: SlotWrite[];
  /** Commutative balance increments (fees to the coinbase, payments into commutative accounts). */
  increments: BalanceIncrement[];
}

/** A transaction run: its outcome (or the reason it was refused) and its access. */
export interface TxOutcome {
  ok: boolean;
  error: string;
  totalGasSpent: bigint;
  blockGasSpent: bigint;
  receiptStatus: 0 | 1;
  logs: Log[];
  access: TxAccess;
  /** The transaction's gas limit and type, so the coordinator need not decode it to merge it. */
  gasLimit: bigint;
  txType: number;
}

const EMPTY = new Uint8Array(0);
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Integers are converted in 48-bit pieces (exact in a double), sparing BigInt steps. */
const PIECE_MASK = 0xffffffffffffn;

/** Appends to one growing buffer; outcomes are written in a single pass, several into one buffer
 *  when they travel together (see {@link OutcomeBatch}). */
class Writer {
  private buf: Uint8Array;
  private at = 0;

  constructor(size = 512) {
    this.buf = new Uint8Array(size);
  }

  get length(): number {
    return this.at;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.at++] = v;
  }
  u32(v: number): void {
    this.room(4);
    this.buf[this.at++] = v >>> 24;
    this.buf[this.at++] = (v >>> 16) & 255;
    this.buf[this.at++] = (v >>> 8) & 255;
    this.buf[this.at++] = v & 255;
  }
  /** A field of fixed width: an address, a slot, a hash. */
  fixed(b: Uint8Array, n: 20 | 32, what: string): void {
    if (b.length !== n)
      throw new ExecutionError('WORKER_FAILED', `outcome ${what} of ${b.length} bytes, not ${n}`);
    this.raw(b);
  }
  private raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.raw(b);
  }
  int(v: bigint): void {
    if (v < 0n) throw new ExecutionError('WORKER_FAILED', `negative integer ${v} in an outcome`);
    if (v < 9007199254740992n) {
      this.smallInt(Number(v));
      return;
    }
    // 48-bit pieces, least significant first.
    const pieces: number[] = [];
    for (let x = v; x > 0n; x >>= 48n) pieces.push(Number(x & PIECE_MASK));
    const top = pieces.length - 1;
    let topBytes = 0;
    for (let x = pieces[top] as number; x > 0; x = Math.floor(x / 256)) topBytes++;
    const n = topBytes + 6 * top;
    this.room(1 + n);
    this.buf[this.at++] = n;
    let end = this.at + n;
    for (let p = 0; p <= top; p++) {
      let x = pieces[p] as number;
      const bytes = p === top ? topBytes : 6;
      for (let i = 0; i < bytes; i++) {
        this.buf[--end] = x % 256;
        x = Math.floor(x / 256);
      }
    }
    this.at += n;
  }
  /** A non-negative safe integer in the `int` layout. */
  private smallInt(v: number): void {
    let n = 0;
    for (let x = v; x > 0; x = Math.floor(x / 256)) n++;
    this.room(1 + n);
    this.buf[this.at++] = n;
    for (let i = n - 1, x = v; i >= 0; i--, x = Math.floor(x / 256)) this.buf[this.at + i] = x % 256;
    this.at += n;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
  /** The bytes written (the buffer itself, no copy); the writer starts over on a new buffer. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.at);
    this.buf = new Uint8Array(Math.max(512, this.buf.length));
    this.at = 0;
    return out;
  }
}

/** Reads {@link Writer}'s output with bounds checks. What the merge only passes on to the state
 *  manager (addresses, slots, values, roots: it keys and encodes them anew) are views into the
 *  record; what it keeps as given (code, logs in the receipts) is copied, so as not to pin a
 *  worker's whole message buffer. */
class Reader {
  private at = 0;
  constructor(private readonly buf: Uint8Array) {}

  private need(n: number, what: string): void {
    if (this.at + n > this.buf.length)
      throw new ExecutionError('WORKER_FAILED', `malformed outcome: truncated at ${what}`);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.at++] as number;
  }
  u32(what: string): number {
    this.need(4, what);
    const b = this.buf;
    const v =
      (b[this.at] as number) * 2 ** 24 +
      (((b[this.at + 1] as number) << 16) | ((b[this.at + 2] as number) << 8) | (b[this.at + 3] as number));
    this.at += 4;
    return v;
  }
  view(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  copy(n: number, what: string): Uint8Array {
    return this.view(n, what).slice();
  }
  bytes(what: string): Uint8Array {
    return this.copy(this.u32(what), what);
  }
  count(what: string): number {
    const n = this.u32(what);
    // Every element takes at least one byte: a count past the end is malformed, not an allocation.
    if (n > this.buf.length - this.at)
      throw new ExecutionError('WORKER_FAILED', `malformed outcome: ${what} count ${n}`);
    return n;
  }
  int(what: string): bigint {
    const n = this.u8(what);
    this.need(n, what);
    const b = this.buf;
    // 48-bit pieces from the most significant end: a few BigInt steps instead of one per byte.
    let i = this.at;
    const end = i + n;
    let first = n % 6 === 0 ? 6 : n % 6;
    let v = 0n;
    while (i < end) {
      let x = 0;
      for (let k = 0; k < first; k++) x = x * 256 + (b[i++] as number);
      v = v === 0n ? BigInt(x) : (v << 48n) | BigInt(x);
      first = 6;
    }
    this.at = end;
    return v;
  }
  end(): void {
    if (this.at !== this.buf.length)
      throw new ExecutionError(
        'WORKER_FAILED',
        `malformed outcome: ${this.buf.length - this.at} trailing bytes`,
      );
  }
}

/** Encodes one outcome for the wire (see the layout at the top of the file). */
export function encodeTxOutcome(outcome: TxOutcome): Uint8Array {
  const w = new Writer();
  writeTxOutcome(w, outcome);
  return w.done();
}

/** Outcomes encoded back to back into one buffer, with the end offset of each: what a worker
 *  sends in one message, without a buffer per outcome and a copy into the message. */
export class OutcomeBatch {
  private readonly writer = new Writer(64 * 1024);
  private ends: number[] = [];

  get count(): number {
    return this.ends.length;
  }

  add(outcome: TxOutcome): void {
    writeTxOutcome(this.writer, outcome);
    this.ends.push(this.writer.length);
  }

  /** The outcomes so far, as one buffer and the end of each; the batch starts over. */
  take(): { bytes: Uint8Array; ends: Uint32Array } {
    const ends = Uint32Array.from(this.ends);
    this.ends = [];
    return { bytes: this.writer.take(), ends };
  }
}

function writeTxOutcome(w: Writer, outcome: TxOutcome): void {
  const a = outcome.access;
  w.u8(outcome.ok ? 1 : 0);
  w.u8(outcome.receiptStatus);
  w.u8(outcome.txType);
  w.int(outcome.totalGasSpent);
  w.int(outcome.blockGasSpent);
  w.int(outcome.gasLimit);
  w.bytes(outcome.error === '' ? EMPTY : textEncoder.encode(outcome.error));
  w.u32(outcome.logs.length);
  for (const [address, topics, data] of outcome.logs) {
    w.fixed(address, 20, 'log address');
    w.u32(topics.length);
    for (const topic of topics) w.fixed(topic, 32, 'topic');
    w.bytes(data);
  }
  w.u32(a.accountReads.length);
  for (const r of a.accountReads) {
    w.fixed(r.address, 20, 'address');
    w.u8(r.fields);
  }
  w.u32(a.slotReads.length);
  for (const r of a.slotReads) {
    w.fixed(r.address, 20, 'address');
    w.fixed(r.slot, 32, 'slot');
  }
  w.u32(a.accountWrites.length);
  for (const x of a.accountWrites) {
    w.fixed(x.address, 20, 'address');
    w.u8(x.flags);
    w.int(x.nonce);
    w.int(x.balance);
    w.bytes(x.code);
    w.fixed(x.storageRoot, 32, 'storage root');
    w.fixed(x.codeHash, 32, 'code hash');
  }
  w.u32(a.slotWrites.length);
  for (const x of a.slotWrites) {
    w.fixed(x.address, 20, 'address');
    w.fixed(x.slot, 32, 'slot');
    w.bytes(x.value);
  }
  w.u32(a.increments.length);
  for (const i of a.increments) {
    w.fixed(i.address, 20, 'address');
    w.int(i.delta);
  }
}

/**
 * Decodes {@link encodeTxOutcome}'s output.
 * @throws ExecutionError `WORKER_FAILED` on a malformed, truncated or overlong record.
 */
export function decodeTxOutcome(encoded: Uint8Array): TxOutcome {
  const r = new Reader(encoded);
  const ok = r.u8('ok') === 1;
  const receiptStatus = r.u8('status') === 1 ? 1 : 0;
  const txType = r.u8('type');
  const totalGasSpent = r.int('gas');
  const blockGasSpent = r.int('gas');
  const gasLimit = r.int('gas limit');
  const errorLength = r.u32('error');
  // TextDecoder costs a native call even for nothing, and almost every outcome has no error.
  const error = errorLength === 0 ? '' : textDecoder.decode(r.view(errorLength, 'error'));
  const logs: Log[] = new Array(r.count('logs'));
  for (let k = 0; k < logs.length; k++) {
    const address = r.copy(20, 'log address');
    const topics: Uint8Array[] = new Array(r.count('topics'));
    for (let t = 0; t < topics.length; t++) topics[t] = r.copy(32, 'topic');
    logs[k] = [address, topics, r.bytes('log data')];
  }
  const accountReads: AccountRead[] = new Array(r.count('reads'));
  for (let k = 0; k < accountReads.length; k++)
    accountReads[k] = { address: r.view(20, 'address'), fields: r.u8('fields') };
  const slotReads: SlotRead[] = new Array(r.count('slot reads'));
  for (let k = 0; k < slotReads.length; k++)
    slotReads[k] = { address: r.view(20, 'address'), slot: r.view(32, 'slot') };
  const accountWrites: AccountWrite[] = new Array(r.count('writes'));
  for (let k = 0; k < accountWrites.length; k++)
    accountWrites[k] = {
      address: r.view(20, 'address'),
      flags: r.u8('flags'),
      nonce: r.int('nonce'),
      balance: r.int('balance'),
      code: r.bytes('code'),
      storageRoot: r.view(32, 'storage root'),
      codeHash: r.view(32, 'code hash'),
    };
  const slotWrites: SlotWrite[] = new Array(r.count('slot writes'));
  for (let k = 0; k < slotWrites.length; k++)
    slotWrites[k] = {
      address: r.view(20, 'address'),
      slot: r.view(32, 'slot'),
      value: r.view(r.u32('value'), 'value'),
    };
  const increments: BalanceIncrement[] = new Array(r.count('increments'));
  for (let k = 0; k < increments.length; k++)
    increments[k] = { address: r.view(20, 'address'), delta: r.int('delta') };
  r.end();
  return {
    ok,
    error,
    totalGasSpent,
    blockGasSpent,
    receiptStatus,
    logs,
    access: { accountReads, slotReads, accountWrites, slotWrites, increments },
    gasLimit,
    txType,
  };
}
