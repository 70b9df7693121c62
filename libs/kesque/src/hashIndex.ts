// The index of a hash table: 32-byte keys -> 40-bit positions, in flat typed arrays over growable
// SharedArrayBuffers, so worker threads read the same memory without copying it.
//
// A key's first 10 bits choose one of 1,024 partitions; its next 32 bits are the tag stored in the
// partition, so a key is told apart by 42 bits before any disk read (one wasted read per ~4.4e12/n
// gets for n keys). Each partition is an open-addressing table with linear probing; the home slot
// of a tag is `floor(tag[31:8] * capacity / 2^24)`, computed from the tag alone, so a partition can
// be rehashed and entries deleted (backward shift) without reading keys from disk.
//
// Partition memory (one growable SharedArrayBuffer of n buckets): slots are grouped by 7 into
// 64-byte buckets, one cache line each, so a lookup touches one line (two when its probe crosses
// into the next bucket) instead of one line per array:
//   bucket offset  size  field
//   0              28    tags u32 of slots 0..6; 0 marks an empty slot (a tag 0 is stored as 1)
//   28             28    low 32 bits of the positions of slots 0..6
//   56             7     high 8 bits of the positions of slots 0..6
//   63             1     unused
// Slot i lives in bucket floor(i / 7) at place i % 7; capacity c = 7n slots, 64/7 = 9.14 bytes per
// slot. Partitions grow by 15% past 87% load, so the index costs 10.5 to 12 bytes per key.
//
// Two keys of one partition with the same tag: the first stays in the partition, the others go to
// the side table (entries of 12 u32: partition, tag, position low, position high, key), and a get
// that finds the tag but reads another key from disk looks there. The side table stays tiny for
// random keys (about n^2 / 2^43 entries).
//
// Control words (Int32Array over a SharedArrayBuffer): a sequence lock that the writer makes odd
// while it changes the index, a layout generation bumped when a partition or the side table is
// reallocated, the side table's entry count, and each partition's capacity.

export const PARTITION_BITS = 10;
export const PARTITIONS = 1 << PARTITION_BITS;
const PER_BUCKET = 7;
const BUCKET_BYTES = 64;
const BUCKET_WORDS = 16;
const LOW_WORD = 7;
const HIGH_BYTE = 56;
const MIN_BUCKETS = 2;
/** Largest partition: 600,000 buckets, 4.2 million slots (3.6 billion keys per table). */
const MAX_BUCKETS = 600_000;
const MAX_LOAD = 0.87;
const GROWTH = 1.15;
const SIDE_WORDS = 12;
const MAX_SIDE_ENTRIES = 1 << 20;

export const CTL_SEQ = 0;
export const CTL_LAYOUT = 1;
export const CTL_SIDE_COUNT = 2;
export const CTL_COUNT = 3;
/** Buckets of each partition. */
export const CTL_CAPS = 16;
const CTL_WORDS = CTL_CAPS + PARTITIONS;

/** Shared memory of one hash index, posted to worker threads inside a reader handle. */
export interface HashIndexShared {
  control: SharedArrayBuffer;
  partitions: SharedArrayBuffer[];
  side: SharedArrayBuffer;
  tagMask: number;
}

/** Reads the 32-byte key stored at a position into `out` (used to tell colliding tags apart). */
export type ReadKeyAt = (position: number, out: Uint8Array) => void;

export class HashIndex {
  readonly control: Int32Array;
  readonly partitionBuffers: SharedArrayBuffer[];
  readonly sideBuffer: SharedArrayBuffer;
  /** Masks tags; tests narrow it to force collisions. Readers and writer must agree. */
  readonly tagMask: number;
  /** Per partition: its buckets as u32 words and as bytes (views of one buffer). */
  words: Uint32Array[] = [];
  bytesOf: Uint8Array[] = [];
  /** Per partition: its slot count (7 per bucket). */
  caps = new Int32Array(PARTITIONS);
  side: Uint32Array;
  private layoutSeen = -1;
  private readonly scratchKey = new Uint8Array(32);
  /** Set by `locate`: partition and tag of the last key looked up. */
  lastPartition = 0;
  lastTag = 0;

  private constructor(shared: HashIndexShared, fresh: boolean) {
    this.control = new Int32Array(shared.control);
    this.partitionBuffers = shared.partitions;
    this.sideBuffer = shared.side;
    this.tagMask = shared.tagMask;
    this.side = new Uint32Array(this.sideBuffer);
    if (fresh) {
      for (let p = 0; p < PARTITIONS; p++) this.control[CTL_CAPS + p] = MIN_BUCKETS;
    }
    this.refresh();
  }

  /** An empty index. */
  static create(tagMask = 0xffffffff): HashIndex {
    const partitions: SharedArrayBuffer[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      partitions.push(
        new SharedArrayBuffer(MIN_BUCKETS * BUCKET_BYTES, { maxByteLength: MAX_BUCKETS * BUCKET_BYTES }),
      );
    }
    const side = new SharedArrayBuffer(0, { maxByteLength: MAX_SIDE_ENTRIES * SIDE_WORDS * 4 });
    const control = new SharedArrayBuffer(CTL_WORDS * 4);
    return new HashIndex({ control, partitions, side, tagMask: tagMask >>> 0 }, true);
  }

  /** A view of an index another thread owns (read-only by convention). */
  static fromShared(shared: HashIndexShared): HashIndex {
    return new HashIndex(shared, false);
  }

  shared(): HashIndexShared {
    return {
      control: this.control.buffer as SharedArrayBuffer,
      partitions: this.partitionBuffers,
      side: this.sideBuffer,
      tagMask: this.tagMask,
    };
  }

  /** Rebuilds the typed-array views after the writer reallocated a partition. */
  refresh(): void {
    const layout = Atomics.load(this.control, CTL_LAYOUT);
    if (layout === this.layoutSeen) return;
    for (let p = 0; p < PARTITIONS; p++) {
      const buckets = this.control[CTL_CAPS + p]!;
      const current = this.words[p];
      if (current !== undefined && current.length === buckets * BUCKET_WORDS) continue;
      const buffer = this.partitionBuffers[p]!;
      this.words[p] = new Uint32Array(buffer, 0, buckets * BUCKET_WORDS);
      this.bytesOf[p] = new Uint8Array(buffer, 0, buckets * BUCKET_BYTES);
      this.caps[p] = buckets * PER_BUCKET;
    }
    this.side = new Uint32Array(this.sideBuffer, 0, this.sideBuffer.byteLength / 4);
    this.layoutSeen = layout;
  }

  /** Whether the views are older than the writer's layout (readers call `refresh` then). */
  stale(): boolean {
    return this.control[CTL_LAYOUT] !== this.layoutSeen;
  }

  get count(): number {
    return this.control[CTL_COUNT]!;
  }

  get sideCount(): number {
    return this.control[CTL_SIDE_COUNT]!;
  }

  /** Bytes of memory the index holds. */
  bytes(): number {
    let total = CTL_WORDS * 4 + this.sideBuffer.byteLength;
    for (let p = 0; p < PARTITIONS; p++) total += this.control[CTL_CAPS + p]! * BUCKET_BYTES;
    return total;
  }

  /** Main-table lookup. Sets lastPartition/lastTag; returns the position stored under the key's
   *  tag, or -1. The caller compares the full key read from disk and, on a mismatch, calls
   *  `findSide`. */
  locate(key: Uint8Array): number {
    const h = ((key[0]! << 24) | (key[1]! << 16) | (key[2]! << 8) | key[3]!) >>> 0;
    const l = ((key[4]! << 24) | (key[5]! << 16) | (key[6]! << 8) | key[7]!) >>> 0;
    const p = h >>> 22;
    let tag = (((h << 10) | (l >>> 22)) & this.tagMask) >>> 0;
    if (tag === 0) tag = 1;
    this.lastPartition = p;
    this.lastTag = tag;
    const words = this.words[p]!;
    const i = Math.floor(((tag >>> 8) * this.caps[p]!) / 16777216);
    const b = (i / PER_BUCKET) | 0;
    let j = i - b * PER_BUCKET;
    let w = b * BUCKET_WORDS;
    for (;;) {
      const t = words[w + j]!;
      if (t === tag) return this.bytesOf[p]![w * 4 + HIGH_BYTE + j]! * 4294967296 + words[w + LOW_WORD + j]!;
      if (t === 0) return -1;
      if (++j === PER_BUCKET) {
        j = 0;
        w += BUCKET_WORDS;
        if (w === words.length) w = 0;
      }
    }
  }

  /** Side-table lookup for the key of the last `locate`; returns its position or -1. */
  findSide(key: Uint8Array): number {
    const e = this.sideIndexOf(this.lastPartition, this.lastTag, key);
    if (e < 0) return -1;
    const s = this.side;
    return s[e + 3]! * 4294967296 + s[e + 2]!;
  }

  private sideIndexOf(p: number, tag: number, key: Uint8Array): number {
    const s = this.side;
    const n = this.control[CTL_SIDE_COUNT]! * SIDE_WORDS;
    next: for (let e = 0; e < n; e += SIDE_WORDS) {
      if (s[e] !== p || s[e + 1] !== tag) continue;
      for (let w = 0; w < 8; w++) {
        const k = w * 4;
        const word = (key[k]! | (key[k + 1]! << 8) | (key[k + 2]! << 16) | (key[k + 3]! << 24)) >>> 0;
        if (s[e + 4 + w] !== word) continue next;
      }
      return e;
    }
    return -1;
  }

  private sideOfTag(p: number, tag: number): number {
    const s = this.side;
    const n = this.control[CTL_SIDE_COUNT]! * SIDE_WORDS;
    for (let e = 0; e < n; e += SIDE_WORDS) if (s[e] === p && s[e + 1] === tag) return e;
    return -1;
  }

  // ---- writer side: every change below runs inside beginWrite/endWrite ----

  /** Makes the sequence lock odd: readers retry until `endWrite`. */
  beginWrite(): void {
    Atomics.add(this.control, CTL_SEQ, 1);
  }

  endWrite(): void {
    Atomics.add(this.control, CTL_SEQ, 1);
  }

  /** Slot of the key's tag in its partition after `locate`, or -1. */
  private slotOf(p: number, tag: number): number {
    const cap = this.caps[p]!;
    let i = Math.floor(((tag >>> 8) * cap) / 16777216);
    for (;;) {
      const t = this.tagAt(p, i);
      if (t === tag) return i;
      if (t === 0) return -1;
      if (++i === cap) i = 0;
    }
  }

  private tagAt(p: number, i: number): number {
    const b = (i / PER_BUCKET) | 0;
    return this.words[p]![b * BUCKET_WORDS + (i - b * PER_BUCKET)]!;
  }

  private setTag(p: number, i: number, tag: number): void {
    const b = (i / PER_BUCKET) | 0;
    this.words[p]![b * BUCKET_WORDS + (i - b * PER_BUCKET)] = tag;
  }

  private positionAt(p: number, i: number): number {
    const b = (i / PER_BUCKET) | 0;
    const j = i - b * PER_BUCKET;
    return (
      this.bytesOf[p]![b * BUCKET_BYTES + HIGH_BYTE + j]! * 4294967296 +
      this.words[p]![b * BUCKET_WORDS + LOW_WORD + j]!
    );
  }

  /** Maps `key` to `position`. Returns 1 when the key is new, 0 when it replaced a position, and
   *  counts a tag collision in `collisions[0]` when the key had to go to the side table. */
  put(key: Uint8Array, position: number, readKey: ReadKeyAt, collisions: Float64Array): number {
    const existing = this.locate(key);
    const p = this.lastPartition;
    const tag = this.lastTag;
    if (existing >= 0) {
      const i = this.slotOf(p, tag);
      readKey(existing, this.scratchKey);
      if (equalKeys(this.scratchKey, key)) {
        this.setSlot(p, i, position);
        return 0;
      }
      collisions[0]! += 1;
      const e = this.sideIndexOf(p, tag, key);
      if (e >= 0) {
        this.side[e + 2] = position >>> 0;
        this.side[e + 3] = Math.floor(position / 4294967296);
        return 0;
      }
      this.sideAppend(p, tag, key, position);
      this.control[CTL_COUNT]! += 1;
      return 1;
    }
    this.insertNew(p, tag, position);
    this.control[CTL_COUNT]! += 1;
    return 1;
  }

  /** Removes `key`; returns whether it was present. */
  remove(key: Uint8Array, readKey: ReadKeyAt): boolean {
    const existing = this.locate(key);
    if (existing < 0) return false;
    const p = this.lastPartition;
    const tag = this.lastTag;
    readKey(existing, this.scratchKey);
    if (equalKeys(this.scratchKey, key)) {
      this.removeMain(p, tag);
      this.control[CTL_COUNT]! -= 1;
      return true;
    }
    const e = this.sideIndexOf(p, tag, key);
    if (e < 0) return false;
    this.sideRemove(e);
    this.control[CTL_COUNT]! -= 1;
    return true;
  }

  /** Whether the index maps `key` to exactly `position` (no disk read: positions are unique). */
  isCurrent(key: Uint8Array, position: number): boolean {
    const found = this.locate(key);
    if (found < 0) return false;
    if (found === position) return true;
    return this.findSide(key) === position;
  }

  /** Moves `key` from `from` to `to` if it is still at `from` (compaction). */
  replaceIfCurrent(key: Uint8Array, from: number, to: number): boolean {
    const found = this.locate(key);
    if (found < 0) return false;
    const p = this.lastPartition;
    const tag = this.lastTag;
    if (found === from) {
      this.setSlot(p, this.slotOf(p, tag), to);
      return true;
    }
    const e = this.sideIndexOf(p, tag, key);
    if (e < 0 || this.side[e + 3]! * 4294967296 + this.side[e + 2]! !== from) return false;
    this.side[e + 2] = to >>> 0;
    this.side[e + 3] = Math.floor(to / 4294967296);
    return true;
  }

  /** Removes `key` if it is still at `position` (compaction dropping a dead record). */
  removeIfCurrent(key: Uint8Array, position: number): boolean {
    const found = this.locate(key);
    if (found < 0) return false;
    const p = this.lastPartition;
    const tag = this.lastTag;
    if (found === position) {
      this.removeMain(p, tag);
      this.control[CTL_COUNT]! -= 1;
      return true;
    }
    const e = this.sideIndexOf(p, tag, key);
    if (e < 0 || this.side[e + 3]! * 4294967296 + this.side[e + 2]! !== position) return false;
    this.sideRemove(e);
    this.control[CTL_COUNT]! -= 1;
    return true;
  }

  private setSlot(p: number, i: number, position: number): void {
    const b = (i / PER_BUCKET) | 0;
    const j = i - b * PER_BUCKET;
    this.words[p]![b * BUCKET_WORDS + LOW_WORD + j] = position >>> 0;
    this.bytesOf[p]![b * BUCKET_BYTES + HIGH_BYTE + j] = Math.floor(position / 4294967296);
  }

  private insertNew(p: number, tag: number, position: number): void {
    if (this.partitionCount(p) + 1 > this.caps[p]! * MAX_LOAD) this.grow(p);
    const cap = this.caps[p]!;
    let i = Math.floor(((tag >>> 8) * cap) / 16777216);
    while (this.tagAt(p, i) !== 0) if (++i === cap) i = 0;
    this.setSlot(p, i, position);
    this.setTag(p, i, tag);
    this.counts[p]! += 1;
  }

  /** Entries per partition (writer-local). */
  private counts = new Int32Array(PARTITIONS);

  private partitionCount(p: number): number {
    return this.counts[p]!;
  }

  /** Removes the main entry of (p, tag): promotes a side entry of the same tag when there is one,
   *  else deletes by backward shift so that no probe run is broken. */
  private removeMain(p: number, tag: number): void {
    let i = this.slotOf(p, tag);
    const e = this.sideOfTag(p, tag);
    if (e >= 0) {
      this.setSlot(p, i, this.side[e + 3]! * 4294967296 + this.side[e + 2]!);
      this.sideRemove(e);
      return;
    }
    const cap = this.caps[p]!;
    let j = i;
    for (;;) {
      if (++j === cap) j = 0;
      const t = this.tagAt(p, j);
      if (t === 0) break;
      const k = Math.floor(((t >>> 8) * cap) / 16777216);
      // Leave j where it is when its home k lies cyclically in (i, j].
      if (i <= j ? i < k && k <= j : i < k || k <= j) continue;
      this.setTag(p, i, t);
      this.setSlot(p, i, this.positionAt(p, j));
      i = j;
    }
    this.setTag(p, i, 0);
    this.counts[p]! -= 1;
  }

  private grow(p: number): void {
    const buckets = this.control[CTL_CAPS + p]!;
    const next = Math.min(MAX_BUCKETS, Math.max(buckets + 1, Math.ceil(buckets * GROWTH)));
    if (next === buckets) throw new RangeError(`kesque index partition ${p} is full (${buckets} buckets)`);
    this.resize(p, next);
  }

  /** Grows every partition ahead of `keys` insertions (a rebuild), so they are not rehashed
   *  over and over on the way. */
  reserve(keys: number): void {
    const buckets = Math.min(MAX_BUCKETS, Math.ceil(keys / PARTITIONS / (MAX_LOAD * 0.95) / PER_BUCKET));
    for (let p = 0; p < PARTITIONS; p++) if (this.control[CTL_CAPS + p]! < buckets) this.resize(p, buckets);
  }

  /** Reallocates partition p in place with `buckets` buckets and reinserts its entries. */
  private resize(p: number, buckets: number): void {
    const oldCap = this.caps[p]!;
    const oldTags = new Uint32Array(oldCap);
    const oldPositions = new Float64Array(oldCap);
    for (let i = 0; i < oldCap; i++) {
      const t = this.tagAt(p, i);
      oldTags[i] = t;
      if (t !== 0) oldPositions[i] = this.positionAt(p, i);
    }
    const buffer = this.partitionBuffers[p]!;
    if (buffer.byteLength < buckets * BUCKET_BYTES) buffer.grow(buckets * BUCKET_BYTES);
    this.words[p] = new Uint32Array(buffer, 0, buckets * BUCKET_WORDS);
    this.bytesOf[p] = new Uint8Array(buffer, 0, buckets * BUCKET_BYTES);
    this.bytesOf[p]!.fill(0);
    const cap = buckets * PER_BUCKET;
    this.caps[p] = cap;
    for (let j = 0; j < oldCap; j++) {
      const t = oldTags[j]!;
      if (t === 0) continue;
      let i = Math.floor(((t >>> 8) * cap) / 16777216);
      while (this.tagAt(p, i) !== 0) if (++i === cap) i = 0;
      this.setTag(p, i, t);
      this.setSlot(p, i, oldPositions[j]!);
    }
    this.control[CTL_CAPS + p] = buckets;
    this.layoutSeen = Atomics.add(this.control, CTL_LAYOUT, 1) + 1;
  }

  private sideAppend(p: number, tag: number, key: Uint8Array, position: number): void {
    const n = this.control[CTL_SIDE_COUNT]!;
    const need = (n + 1) * SIDE_WORDS * 4;
    if (this.sideBuffer.byteLength < need) {
      if (n + 1 > MAX_SIDE_ENTRIES) throw new RangeError('kesque side table is full');
      this.sideBuffer.grow(
        Math.min(MAX_SIDE_ENTRIES * SIDE_WORDS * 4, Math.max(need, this.sideBuffer.byteLength * 2, 4096)),
      );
      this.side = new Uint32Array(this.sideBuffer, 0, this.sideBuffer.byteLength / 4);
      this.layoutSeen = Atomics.add(this.control, CTL_LAYOUT, 1) + 1;
    }
    const s = this.side;
    const e = n * SIDE_WORDS;
    s[e] = p;
    s[e + 1] = tag;
    s[e + 2] = position >>> 0;
    s[e + 3] = Math.floor(position / 4294967296);
    for (let w = 0; w < 8; w++) {
      const k = w * 4;
      s[e + 4 + w] = (key[k]! | (key[k + 1]! << 8) | (key[k + 2]! << 16) | (key[k + 3]! << 24)) >>> 0;
    }
    this.control[CTL_SIDE_COUNT] = n + 1;
  }

  private sideRemove(e: number): void {
    const n = this.control[CTL_SIDE_COUNT]! - 1;
    const last = n * SIDE_WORDS;
    const s = this.side;
    if (e !== last) s.copyWithin(e, last, last + SIDE_WORDS);
    s.fill(0, last, last + SIDE_WORDS);
    this.control[CTL_SIDE_COUNT] = n;
  }

  // ---- snapshot support ----

  /** Plain copies of every partition and the side table, for writing a snapshot. */
  *exportChunks(): Generator<Uint8Array> {
    for (let p = 0; p < PARTITIONS; p++) {
      const buckets = this.control[CTL_CAPS + p]!;
      yield new Uint8Array(this.partitionBuffers[p]!, 0, buckets * BUCKET_BYTES);
    }
    yield new Uint8Array(this.sideBuffer, 0, this.control[CTL_SIDE_COUNT]! * SIDE_WORDS * 4);
  }

  /** Header for a snapshot: buckets[P], counts[P], side count, total count. */
  exportHeader(): Int32Array {
    const out = new Int32Array(PARTITIONS * 2 + 2);
    for (let p = 0; p < PARTITIONS; p++) {
      out[p] = this.control[CTL_CAPS + p]!;
      out[PARTITIONS + p] = this.counts[p]!;
    }
    out[PARTITIONS * 2] = this.control[CTL_SIDE_COUNT]!;
    out[PARTITIONS * 2 + 1] = this.control[CTL_COUNT]!;
    return out;
  }

  /** Loads partitions from a snapshot. `read(n)` returns the next n bytes. Returns false when the
   *  snapshot's shapes are impossible. */
  importFrom(header: Int32Array, read: (n: number) => Uint8Array): boolean {
    for (let p = 0; p < PARTITIONS; p++) {
      const buckets = header[p]!;
      const count = header[PARTITIONS + p]!;
      if (buckets < MIN_BUCKETS || buckets > MAX_BUCKETS || count < 0 || count > buckets * PER_BUCKET)
        return false;
    }
    const sideCount = header[PARTITIONS * 2]!;
    if (sideCount < 0 || sideCount > MAX_SIDE_ENTRIES) return false;
    for (let p = 0; p < PARTITIONS; p++) {
      const buckets = header[p]!;
      const buffer = this.partitionBuffers[p]!;
      if (buffer.byteLength < buckets * BUCKET_BYTES) buffer.grow(buckets * BUCKET_BYTES);
      new Uint8Array(buffer, 0, buckets * BUCKET_BYTES).set(read(buckets * BUCKET_BYTES));
      this.control[CTL_CAPS + p] = buckets;
      this.counts[p] = header[PARTITIONS + p]!;
    }
    const sideBytes = sideCount * SIDE_WORDS * 4;
    if (this.sideBuffer.byteLength < sideBytes) this.sideBuffer.grow(sideBytes);
    new Uint8Array(this.sideBuffer, 0, sideBytes).set(read(sideBytes));
    this.control[CTL_SIDE_COUNT] = sideCount;
    this.control[CTL_COUNT] = header[PARTITIONS * 2 + 1]!;
    Atomics.add(this.control, CTL_LAYOUT, 1);
    this.layoutSeen = -1;
    this.refresh();
    return true;
  }

  /** Empties the index (before a rebuild from the log). */
  clear(): void {
    for (let p = 0; p < PARTITIONS; p++) {
      this.counts[p] = 0;
      this.control[CTL_CAPS + p] = MIN_BUCKETS;
      new Uint8Array(this.partitionBuffers[p]!).fill(0);
    }
    new Uint8Array(this.sideBuffer).fill(0);
    this.control[CTL_SIDE_COUNT] = 0;
    this.control[CTL_COUNT] = 0;
    Atomics.add(this.control, CTL_LAYOUT, 1);
    this.layoutSeen = -1;
    this.refresh();
  }
}

export function equalKeys(a: Uint8Array, b: Uint8Array, bOffset = 0): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[bOffset + i]) return false;
  return true;
}
