// Minimal strict RLP: canonical encoding, and a decoder that returns views into the input and refuses
// non-canonical prefixes (single bytes below 0x80 wrapped, long forms for short payloads, leading zero
// lengths), truncation and trailing bytes. Used on the hot path of header verification, where
// @ethereumjs/rlp would copy every field.
import { DietcoinError } from '../errors.js';
import { plainBytes } from './reader.js';

export type RLPItem = Uint8Array | RLPItem[];

function fail(what: string, why: string, offset: number): never {
  throw new DietcoinError('MALFORMED', `${what}: invalid RLP at offset ${offset}: ${why}`);
}

function truncated(what: string, offset: number): never {
  throw new DietcoinError('TRUNCATED', `${what}: RLP item at offset ${offset} runs past the end`);
}

/** Header of one RLP item: whether it is a list, and where its payload lies. */
export interface RLPSpan {
  list: boolean;
  start: number;
  end: number;
}

function span(out: RLPSpan | undefined, list: boolean, start: number, end: number): RLPSpan {
  if (!out) return { list, start, end };
  out.list = list;
  out.start = start;
  out.end = end;
  return out;
}

/** Reads the item header at `offset` and checks it is canonical and within `limit`; fills `out`
 *  instead of allocating when given (hot loops reuse one span). */
export function rlpSpan(
  bytes: Uint8Array,
  offset: number,
  limit: number,
  what: string,
  out?: RLPSpan,
): RLPSpan {
  if (offset >= limit) truncated(what, offset);
  const b = bytes[offset]!;
  if (b < 0x80) return span(out, false, offset, offset + 1);
  if (b <= 0xb7) {
    const len = b - 0x80;
    const end = offset + 1 + len;
    if (end > limit) truncated(what, offset);
    if (len === 1 && bytes[offset + 1]! < 0x80)
      fail(what, 'single byte below 0x80 must not be prefixed', offset);
    return { list: false, start: offset + 1, end };
  }
  if (b <= 0xbf) {
    const ll = b - 0xb7;
    const len = readLength(bytes, offset + 1, ll, limit, what);
    if (len <= 55) fail(what, 'long string form for a short string', offset);
    const end = offset + 1 + ll + len;
    if (end > limit) truncated(what, offset);
    return { list: false, start: offset + 1 + ll, end };
  }
  if (b <= 0xf7) {
    const len = b - 0xc0;
    const end = offset + 1 + len;
    if (end > limit) truncated(what, offset);
    return { list: true, start: offset + 1, end };
  }
  const ll = b - 0xf7;
  const len = readLength(bytes, offset + 1, ll, limit, what);
  if (len <= 55) fail(what, 'long list form for a short list', offset);
  const end = offset + 1 + ll + len;
  if (end > limit) truncated(what, offset);
  return { list: true, start: offset + 1 + ll, end };
}

function readLength(bytes: Uint8Array, at: number, ll: number, limit: number, what: string): number {
  if (at + ll > limit) truncated(what, at);
  if (bytes[at] === 0) fail(what, 'length with a leading zero', at);
  if (ll > 6) fail(what, 'length above 2^48', at);
  let len = 0;
  for (let i = 0; i < ll; i++) len = len * 256 + bytes[at + i]!;
  return len;
}

/** Decodes exactly one item spanning all of `bytes` (views, not copies). */
export function decodeRLP(input: Uint8Array, what = 'RLP'): RLPItem {
  const bytes = plainBytes(input);
  const span = rlpSpan(bytes, 0, bytes.length, what);
  if (span.end !== bytes.length) {
    throw new DietcoinError('TRAILING_BYTES', `${what} has ${bytes.length - span.end} trailing bytes`);
  }
  return decodeSpan(bytes, span, what, 0);
}

function decodeSpan(bytes: Uint8Array, span: RLPSpan, what: string, depth: number): RLPItem {
  if (!span.list) return bytes.subarray(span.start, span.end);
  if (depth > 16) fail(what, 'lists nested too deeply', span.start);
  const out: RLPItem[] = [];
  let o = span.start;
  while (o < span.end) {
    const s = rlpSpan(bytes, o, span.end, what);
    out.push(decodeSpan(bytes, s, what, depth + 1));
    o = s.end;
  }
  return out;
}

function lengthOfLength(len: number): number {
  let n = 0;
  for (let x = len; x > 0; x = Math.floor(x / 256)) n++;
  return n;
}

/** Bytes the payload of `item` takes (without its own prefix). */
function payloadLength(item: RLPItem): number {
  if (item instanceof Uint8Array) return item.length;
  let n = 0;
  for (const x of item) n += encodedLength(x);
  return n;
}

function encodedLength(item: RLPItem): number {
  if (item instanceof Uint8Array && item.length === 1 && item[0]! < 0x80) return 1;
  const len = payloadLength(item);
  return len + (len <= 55 ? 1 : 1 + lengthOfLength(len));
}

function writePrefix(out: Uint8Array, o: number, len: number, short: number): number {
  if (len <= 55) {
    out[o] = short + len;
    return o + 1;
  }
  const ll = lengthOfLength(len);
  out[o] = short + 55 + ll;
  for (let i = ll, x = len; i >= 1; i--, x = Math.floor(x / 256)) out[o + i] = x % 256;
  return o + 1 + ll;
}

function writeItem(item: RLPItem, out: Uint8Array, o: number): number {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) {
      out[o] = item[0]!;
      return o + 1;
    }
    const p = writePrefix(out, o, item.length, 0x80);
    out.set(item, p);
    return p + item.length;
  }
  let p = writePrefix(out, o, payloadLength(item), 0xc0);
  for (const x of item) p = writeItem(x, out, p);
  return p;
}

/** Canonical RLP of an item, written in one pass into one buffer. */
export function encodeRLP(item: RLPItem): Uint8Array {
  const out = new Uint8Array(encodedLength(item));
  writeItem(item, out, 0);
  return out;
}

/** Reads a canonical RLP integer (no leading zero byte) of at most `maxBytes` bytes. */
export function rlpToBigint(item: RLPItem, what: string, maxBytes = 32): bigint {
  if (!(item instanceof Uint8Array))
    throw new DietcoinError('MALFORMED', `${what} must be a string, not a list`);
  if (item.length > maxBytes)
    throw new DietcoinError('OVERSIZED', `${what} is ${item.length} bytes, above ${maxBytes}`);
  if (item.length > 0 && item[0] === 0) {
    throw new DietcoinError('NON_CANONICAL', `${what} has a leading zero byte`);
  }
  let v = 0n;
  for (const b of item) v = (v << 8n) | BigInt(b);
  return v;
}

/** Reads a canonical RLP integer that fits in 2^53. */
export function rlpToNumber(item: RLPItem, what: string): number {
  const v = rlpToBigint(item, what, 7);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DietcoinError('OVERSIZED', `${what} is above 2^53`);
  return Number(v);
}

/** Reads a string item of exactly `len` bytes. */
export function rlpFixed(item: RLPItem | undefined, len: number, what: string): Uint8Array {
  if (!(item instanceof Uint8Array))
    throw new DietcoinError('MALFORMED', `${what} must be a ${len}-byte string`);
  if (item.length !== len) {
    throw new DietcoinError('MALFORMED', `${what} must be ${len} bytes, got ${item.length}`);
  }
  return item;
}

/** Minimal big-endian bytes of a safe integer (0 -> empty). */
export function numberToRLPBytes(v: number): Uint8Array {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not a non-negative safe integer: ${v}`);
  const out: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) out.unshift(x % 256);
  return new Uint8Array(out);
}
