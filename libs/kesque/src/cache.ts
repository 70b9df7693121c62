// A bounded cache of hot values, keyed by a record's position (tableId * 2^40 + position). A
// position names one immutable record, so entries never need invalidating: an overwrite writes a
// new record at a new position, and the stale entry ages out.
//
// Bookkeeping lives in typed arrays (an open-addressing map from key to entry id, and per-entry
// words for the policy); only the values themselves are JS objects. Three policies, measured in
// cache.test.ts on a trie-like access pattern: FIFO, CLOCK (second chance) and LRU.

export type CachePolicy = 'fifo' | 'clock' | 'lru';

const EMPTY = -1;

export class ValueCache {
  readonly policy: CachePolicy;
  readonly maxBytes: number;
  readonly maxEntries: number;
  hits = 0;
  misses = 0;
  private bytesHeld = 0;
  private live = 0;
  private readonly keys: Float64Array;
  private readonly values: (Uint8Array | undefined)[];
  private readonly ref: Uint8Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private head = EMPTY;
  private tail = EMPTY;
  private readonly queue: Int32Array;
  private queueHead = 0;
  private queueLength = 0;
  private hand = 0;
  private readonly free: Int32Array;
  private freeTop = 0;
  private readonly table: Int32Array;
  private readonly mask: number;
  /** The 32-byte key of each entry of a hash table: a position found under a colliding tag holds
   *  another key, and the cache must not answer for it. */
  private readonly recordKeys: Uint8Array;

  constructor(maxBytes: number, policy: CachePolicy = 'clock', averageValueBytes = 256) {
    this.policy = policy;
    this.maxBytes = maxBytes;
    this.maxEntries = Math.max(16, Math.ceil(maxBytes / averageValueBytes));
    const n = this.maxEntries;
    this.keys = new Float64Array(n);
    this.values = new Array<Uint8Array | undefined>(n).fill(undefined);
    this.ref = new Uint8Array(n);
    this.prev = new Int32Array(policy === 'lru' ? n : 0);
    this.next = new Int32Array(policy === 'lru' ? n : 0);
    this.queue = new Int32Array(policy === 'fifo' ? n : 0);
    this.recordKeys = new Uint8Array(n * 32);
    this.free = new Int32Array(n);
    for (let i = 0; i < n; i++) this.free[i] = n - 1 - i;
    this.freeTop = n;
    let size = 16;
    while (size < n * 2) size *= 2;
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  get size(): number {
    return this.live;
  }

  private home(key: number): number {
    const low = key >>> 0;
    const high = (key / 4294967296) >>> 0;
    return (Math.imul(low ^ Math.imul(high, 0x27d4eb2d), 0x9e3779b1) >>> 0) & this.mask;
  }

  private find(key: number): number {
    const table = this.table;
    let i = this.home(key);
    for (;;) {
      const e = table[i]!;
      if (e === EMPTY) return EMPTY;
      if (this.keys[e] === key) return e;
      i = (i + 1) & this.mask;
    }
  }

  /** The cached value of `key`, or undefined. Counts a hit or a miss. */
  get(key: number, recordKey?: Uint8Array): Uint8Array | undefined {
    const e = this.find(key);
    if (e === EMPTY || (recordKey !== undefined && !this.sameKey(e, recordKey))) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (this.policy === 'clock') this.ref[e] = 1;
    else if (this.policy === 'lru' && this.head !== e) {
      this.unlink(e);
      this.pushFront(e);
    }
    return this.values[e];
  }

  /** Caches `value` under `key`, evicting by the policy to stay within the bounds. The cache keeps
   *  the array it is given: callers must not change it afterwards. */
  set(key: number, value: Uint8Array, recordKey?: Uint8Array): void {
    const size = value.length + 64;
    if (size > this.maxBytes / 8) return;
    if (this.find(key) !== EMPTY) return;
    while (this.freeTop === 0 || this.bytesHeld + size > this.maxBytes) this.evict();
    const e = this.free[--this.freeTop]!;
    this.keys[e] = key;
    this.values[e] = value;
    this.ref[e] = 0;
    if (recordKey !== undefined) this.recordKeys.set(recordKey, e * 32);
    this.bytesHeld += size;
    this.live++;
    let i = this.home(key);
    while (this.table[i] !== EMPTY) i = (i + 1) & this.mask;
    this.table[i] = e;
    if (this.policy === 'lru') this.pushFront(e);
    else if (this.policy === 'fifo') {
      this.queue[(this.queueHead + this.queueLength) % this.maxEntries] = e;
      this.queueLength++;
    }
  }

  clear(): void {
    for (let e = 0; e < this.maxEntries; e++) if (this.values[e] !== undefined) this.drop(e);
    this.queueHead = 0;
    this.queueLength = 0;
  }

  private sameKey(e: number, key: Uint8Array): boolean {
    const base = e * 32;
    const keys = this.recordKeys;
    for (let i = 0; i < 32; i++) if (keys[base + i] !== key[i]) return false;
    return true;
  }

  private evict(): void {
    let victim: number;
    if (this.policy === 'fifo') {
      victim = this.queue[this.queueHead]!;
      this.queueHead = (this.queueHead + 1) % this.maxEntries;
      this.queueLength--;
    } else if (this.policy === 'lru') {
      victim = this.tail;
    } else {
      for (;;) {
        const e = this.hand;
        this.hand = e + 1 === this.maxEntries ? 0 : e + 1;
        if (this.values[e] === undefined) continue;
        if (this.ref[e] === 1) {
          this.ref[e] = 0;
          continue;
        }
        victim = e;
        break;
      }
    }
    this.drop(victim);
  }

  private drop(e: number): void {
    const value = this.values[e]!;
    this.bytesHeld -= value.length + 64;
    this.live--;
    this.values[e] = undefined;
    if (this.policy === 'lru') this.unlink(e);
    // Backward-shift delete from the open-addressing table.
    const table = this.table;
    const mask = this.mask;
    let i = this.home(this.keys[e]!);
    while (table[i] !== e) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const f = table[j]!;
      if (f === EMPTY) break;
      const k = this.home(this.keys[f]!);
      if (i <= j ? i < k && k <= j : i < k || k <= j) continue;
      table[i] = f;
      i = j;
    }
    table[i] = EMPTY;
    this.free[this.freeTop++] = e;
    if (this.policy === 'fifo' && this.queueLength > 0 && this.queue[this.queueHead] === e) {
      this.queueHead = (this.queueHead + 1) % this.maxEntries;
      this.queueLength--;
    }
  }

  private unlink(e: number): void {
    const p = this.prev[e]!;
    const n = this.next[e]!;
    if (p !== EMPTY) this.next[p] = n;
    else this.head = n;
    if (n !== EMPTY) this.prev[n] = p;
    else this.tail = p;
  }

  private pushFront(e: number): void {
    this.prev[e] = EMPTY;
    this.next[e] = this.head;
    if (this.head !== EMPTY) this.prev[this.head] = e;
    this.head = e;
    if (this.tail === EMPTY) this.tail = e;
  }
}
