// Deterministic records for the Kesque benchmark: every engine gets byte-identical keys and values.
//
// Record `i` of a data set with seed `s` is a pure function of `(s, i)`: its 32-byte key and its
// value (100 to 600 bytes) come from an sfc32 generator whose 128-bit state starts at
// `(i, domain, s, GOLDEN)`. Distinct `(i, domain)` pairs start from distinct states, and sfc32's
// step is a bijection with a counter, so keys of distinct records differ in practice (a repeat
// would need 8 equal outputs from distinct states). Missing keys use their own domain, so they are
// as unrelated to present keys as two present keys are to each other: same first bits or tag only
// by chance, never by construction.

export const KEY_BYTES = 32;
export const MIN_VALUE_BYTES = 100;
export const MAX_VALUE_BYTES = 600;

/** Key spaces derived from one seed; a retired id is never reused. */
const DOMAIN_KEY = 1;
const DOMAIN_VALUE = 2;
const DOMAIN_MISSING_KEY = 3;
const DOMAIN_READ_ORDER = 4;

const GOLDEN = 0x9e3779b9;
/** Rounds run before the first output so that neighbouring indexes share no visible structure. */
const WARM_UP_ROUNDS = 12;

/** sfc32 (Chris Doty-Humphrey's small fast chaotic generator), state kept in a typed array. */
export class Sfc32 {
  private readonly s = new Int32Array(4);

  constructor(a: number, b: number, c: number, d: number) {
    this.reseed(a, b, c, d);
  }

  reseed(a: number, b: number, c: number, d: number): void {
    const s = this.s;
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = d;
    for (let r = 0; r < WARM_UP_ROUNDS; r++) this.next();
  }

  /** Next unsigned 32-bit output. */
  next(): number {
    const s = this.s;
    let a = s[0]!;
    let b = s[1]!;
    let c = s[2]!;
    let d = s[3]!;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    s[0] = a;
    s[1] = b;
    s[2] = c;
    s[3] = d;
    return t >>> 0;
  }

  /** Uniform integer in `[0, bound)` for `bound <= 2^32` (multiply-shift, bias below 2^-32 · bound). */
  below(bound: number): number {
    return Math.floor((this.next() / 0x1_0000_0000) * bound);
  }
}

/** Describes one data set: the records `0 .. records-1` of `seed`. */
export interface DatasetParameters {
  seed: number;
  records: number;
}

const scratch = new Sfc32(0, 0, 0, 0);

function writeWords(rng: Sfc32, out: Uint8Array, offset: number, length: number): void {
  let o = offset;
  const end = offset + length;
  while (o + 4 <= end) {
    const w = rng.next();
    out[o] = w;
    out[o + 1] = w >>> 8;
    out[o + 2] = w >>> 16;
    out[o + 3] = w >>> 24;
    o += 4;
  }
  if (o < end) {
    let w = rng.next();
    while (o < end) {
      out[o++] = w;
      w >>>= 8;
    }
  }
}

/** Writes the key of record `index` into `out` at `offset` (32 bytes). */
export function writeKey(seed: number, index: number, out: Uint8Array, offset = 0): void {
  scratch.reseed(index, DOMAIN_KEY, seed, GOLDEN);
  writeWords(scratch, out, offset, KEY_BYTES);
}

/** Writes the `index`-th key that no record of `seed` has, into `out` at `offset` (32 bytes). */
export function writeMissingKey(seed: number, index: number, out: Uint8Array, offset = 0): void {
  scratch.reseed(index, DOMAIN_MISSING_KEY, seed, GOLDEN);
  writeWords(scratch, out, offset, KEY_BYTES);
}

/** Length of the value of record `index`, in `[MIN_VALUE_BYTES, MAX_VALUE_BYTES]`. */
export function valueLength(seed: number, index: number): number {
  scratch.reseed(index, DOMAIN_VALUE, seed, GOLDEN);
  return MIN_VALUE_BYTES + scratch.below(MAX_VALUE_BYTES - MIN_VALUE_BYTES + 1);
}

/** Writes the value of record `index` into `out` at `offset`; returns its length. */
export function writeValue(seed: number, index: number, out: Uint8Array, offset = 0): number {
  scratch.reseed(index, DOMAIN_VALUE, seed, GOLDEN);
  const length = MIN_VALUE_BYTES + scratch.below(MAX_VALUE_BYTES - MIN_VALUE_BYTES + 1);
  writeWords(scratch, out, offset, length);
  return length;
}

/** The key of record `index` as a fresh 32-byte array. */
export function recordKey(seed: number, index: number): Uint8Array {
  const key = new Uint8Array(KEY_BYTES);
  writeKey(seed, index, key);
  return key;
}

/** The value of record `index` as a fresh array. */
export function recordValue(seed: number, index: number): Uint8Array {
  const value = new Uint8Array(valueLength(seed, index));
  writeValue(seed, index, value);
  return value;
}

/** Records `first .. first+count-1`, keys and values as views into two shared buffers (Node
 *  Buffers, which every peer engine accepts without a copy). */
export interface RecordBatch {
  keys: Buffer[];
  values: Buffer[];
  bytes: number;
}

export function createRecordBatch(dataset: DatasetParameters, first: number, count: number): RecordBatch {
  const n = Math.max(0, Math.min(count, dataset.records - first));
  const keyBuffer = Buffer.allocUnsafe(n * KEY_BYTES);
  const lengths = new Uint16Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const length = valueLength(dataset.seed, first + i);
    lengths[i] = length;
    total += length;
  }
  const valueBuffer = Buffer.allocUnsafe(total);
  const keys: Buffer[] = new Array(n);
  const values: Buffer[] = new Array(n);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    writeKey(dataset.seed, first + i, keyBuffer, i * KEY_BYTES);
    const length = writeValue(dataset.seed, first + i, valueBuffer, offset);
    keys[i] = keyBuffer.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
    values[i] = valueBuffer.subarray(offset, offset + length);
    offset += length;
  }
  return { keys, values, bytes: keyBuffer.length + total };
}

/** Lookup keys prepared before a timed pass (so that timing covers the engine only), packed in one
 *  flat buffer: no object per key, so the harness adds 32 bytes per key to the RSS it measures. */
export interface LookupKeys {
  count: number;
  /** `count` keys of 32 bytes, back to back. */
  keys: Uint8Array;
  /** Record index of each key, or -1 for a key no record has. */
  indexes: Int32Array;
}

/** `count` keys of records drawn uniformly at random (with repeats) by the stream `stream`. */
export function createPresentLookups(dataset: DatasetParameters, stream: number, count: number): LookupKeys {
  const order = new Sfc32(stream, DOMAIN_READ_ORDER, dataset.seed, GOLDEN);
  const keys = new Uint8Array(count * KEY_BYTES);
  const indexes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const index = order.below(dataset.records);
    indexes[i] = index;
    writeKey(dataset.seed, index, keys, i * KEY_BYTES);
  }
  return { count, keys, indexes };
}

/** `count` keys that no record of the data set has, starting at missing-key number `first`. */
export function createMissingLookups(dataset: DatasetParameters, first: number, count: number): LookupKeys {
  const keys = new Uint8Array(count * KEY_BYTES);
  for (let i = 0; i < count; i++) writeMissingKey(dataset.seed, first + i, keys, i * KEY_BYTES);
  return { count, keys, indexes: new Int32Array(count).fill(-1) };
}
