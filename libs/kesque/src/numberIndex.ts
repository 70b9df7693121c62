// The index of a number table: key n -> position, as `positions[n] = position + 1` (0: absent) in
// a Float64Array over a growable SharedArrayBuffer. Block numbers are dense, so 8 bytes per key and
// no hashing; the array grows to the largest key written.

const MAX_KEYS = 2 ** 29;
export const NCTL_SEQ = 0;
export const NCTL_LAYOUT = 1;
export const NCTL_COUNT = 3;
export const NCTL_LENGTH = 4;
const NCTL_WORDS = 8;

export interface NumberIndexShared {
  control: SharedArrayBuffer;
  positions: SharedArrayBuffer;
}

export class NumberIndex {
  readonly control: Int32Array;
  readonly buffer: SharedArrayBuffer;
  positions: Float64Array;
  private layoutSeen = -1;

  private constructor(shared: NumberIndexShared) {
    this.control = new Int32Array(shared.control);
    this.buffer = shared.positions;
    this.positions = new Float64Array(0);
    this.refresh();
  }

  static create(): NumberIndex {
    return new NumberIndex({
      control: new SharedArrayBuffer(NCTL_WORDS * 4),
      positions: new SharedArrayBuffer(0, { maxByteLength: MAX_KEYS * 8 }),
    });
  }

  static fromShared(shared: NumberIndexShared): NumberIndex {
    return new NumberIndex(shared);
  }

  shared(): NumberIndexShared {
    return { control: this.control.buffer as SharedArrayBuffer, positions: this.buffer };
  }

  refresh(): void {
    const layout = Atomics.load(this.control, NCTL_LAYOUT);
    if (layout === this.layoutSeen) return;
    this.positions = new Float64Array(this.buffer, 0, this.control[NCTL_LENGTH]!);
    this.layoutSeen = layout;
  }

  stale(): boolean {
    return this.control[NCTL_LAYOUT] !== this.layoutSeen;
  }

  get count(): number {
    return this.control[NCTL_COUNT]!;
  }

  bytes(): number {
    return this.buffer.byteLength + NCTL_WORDS * 4;
  }

  /** Position of key n, or -1. */
  locate(n: number): number {
    const v = n < this.positions.length ? this.positions[n]! : 0;
    return v - 1;
  }

  beginWrite(): void {
    Atomics.add(this.control, NCTL_SEQ, 1);
  }

  endWrite(): void {
    Atomics.add(this.control, NCTL_SEQ, 1);
  }

  /** Returns 1 when the key is new. */
  put(n: number, position: number): number {
    if (n >= this.positions.length) this.grow(n + 1);
    const added = this.positions[n] === 0 ? 1 : 0;
    this.positions[n] = position + 1;
    this.control[NCTL_COUNT]! += added;
    return added;
  }

  remove(n: number): boolean {
    if (n >= this.positions.length || this.positions[n] === 0) return false;
    this.positions[n] = 0;
    this.control[NCTL_COUNT]! -= 1;
    return true;
  }

  isCurrent(n: number, position: number): boolean {
    return this.locate(n) === position;
  }

  replaceIfCurrent(n: number, from: number, to: number): boolean {
    if (this.locate(n) !== from) return false;
    this.positions[n] = to + 1;
    return true;
  }

  removeIfCurrent(n: number, position: number): boolean {
    if (this.locate(n) !== position) return false;
    return this.remove(n);
  }

  private grow(length: number): void {
    if (length > MAX_KEYS) throw new RangeError(`kesque number table key ${length - 1} is too large`);
    const next = Math.min(MAX_KEYS, Math.max(length, 1024, Math.ceil(this.positions.length * 1.5)));
    if (this.buffer.byteLength < next * 8) this.buffer.grow(next * 8);
    this.control[NCTL_LENGTH] = next;
    this.positions = new Float64Array(this.buffer, 0, next);
    this.layoutSeen = Atomics.add(this.control, NCTL_LAYOUT, 1) + 1;
  }

  exportBytes(): Uint8Array {
    return new Uint8Array(this.buffer, 0, this.positions.length * 8);
  }

  importFrom(length: number, count: number, bytes: Uint8Array): boolean {
    if (length < 0 || length > MAX_KEYS || bytes.length !== length * 8) return false;
    if (this.buffer.byteLength < length * 8) this.buffer.grow(length * 8);
    new Uint8Array(this.buffer, 0, length * 8).set(bytes);
    this.control[NCTL_LENGTH] = length;
    this.control[NCTL_COUNT] = count;
    this.positions = new Float64Array(this.buffer, 0, length);
    this.layoutSeen = Atomics.add(this.control, NCTL_LAYOUT, 1) + 1;
    return true;
  }

  clear(): void {
    new Uint8Array(this.buffer).fill(0);
    this.control[NCTL_COUNT] = 0;
    this.refresh();
  }
}
