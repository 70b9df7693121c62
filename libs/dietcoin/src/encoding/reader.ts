// Strict cursor over a byte string: every read checks the bounds, `end()` refuses trailing bytes.
import { DietcoinError } from '../errors.js';
import { readU64 } from './bytes.js';

export class ByteReader {
  private readonly view: DataView;
  offset = 0;

  readonly bytes: Uint8Array;

  constructor(
    bytes: Uint8Array,
    private readonly what: string,
  ) {
    // A Buffer (as stores return) is seen as a plain Uint8Array, so that `take(n).slice()` copies
    // (Buffer#slice would alias) and decoded fields compare equal to ones built elsewhere.
    this.bytes = plainBytes(bytes);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) {
      throw new DietcoinError(
        'TRUNCATED',
        `${this.what} is truncated: needs ${n} more bytes at offset ${this.offset}, has ${this.bytes.length - this.offset}`,
      );
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset, false);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset, false);
    this.offset += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    let v: number;
    try {
      v = readU64(this.view, this.offset);
    } catch (cause) {
      throw new DietcoinError('MALFORMED', `${this.what}: integer at offset ${this.offset} above 2^53`, {
        cause,
      });
    }
    this.offset += 8;
    return v;
  }

  /** A full-range uint64 as a bigint. */
  u64n(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.offset, false);
    this.offset += 8;
    return v;
  }

  /** A view (not a copy) of the next `n` bytes. */
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Refuses trailing bytes. */
  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new DietcoinError(
        'TRAILING_BYTES',
        `${this.what} has ${this.bytes.length - this.offset} trailing bytes after offset ${this.offset}`,
      );
    }
  }
}

/** The same bytes as a plain Uint8Array view (never a Buffer). */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Refuses a count or size above `max` before anything is allocated for it. */
export function checkBound(what: string, value: number, max: number): void {
  if (value > max) throw new DietcoinError('OVERSIZED', `${what} is ${value}, above the limit of ${max}`);
}
