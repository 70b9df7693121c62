// The read path shared by the writer (`openKesque`) and by readers in other threads
// (`openKesqueReader`): index lookup, then the record read from a memory map of its segment (or
// with one pread where there is no map), its checks (type, key, CRC32C), and a copy of the value.

import fs from 'node:fs';
import path from 'node:path';
import type { ValueCache } from './cache.js';
import { crc32c } from './crc32c.js';
import { KesqueError } from './errors.js';
import {
  HASH_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  MAX_SLOTS,
  NUMBER_KEY_BYTES,
  REC_OFF_KEY_LENGTH,
  REC_OFF_TYPE,
  REC_OFF_VALUE_LENGTH,
  RECORD_HEADER_BYTES,
  readNumberKey,
  readU32,
  segmentFileNameOf,
  TYPE_PUT,
} from './format.js';
import { CTL_SEQ, HashIndex, type HashIndexShared } from './hashIndex.js';
import { NCTL_SEQ, NumberIndex, type NumberIndexShared } from './numberIndex.js';
import { MAX_MAP_BYTES, mapFile, readBackend } from './segmentMap.js';
import type { KesqueCounters, TableKey, TableKind } from './types.js';

/** Words of a table's shared metadata (Int32Array): slot -> file number (0: none), read window. */
export const META_READ_LENGTH = MAX_SLOTS;
const META_WORDS = MAX_SLOTS + 8;
const INITIAL_READ_LENGTH = 512;
/** A read slower than this went to the disk (a cached pread takes about 1 µs). */
export const COLD_READ_MS = 0.012;
const COLD_WATCH_READS = 4096;
export const READ_AROUND_BYTES = 256 * 1024;
const MAX_READ_AROUND_BYTES = 4 * 1024 * 1024;
/** Target of every background read-around: shared, never read (only the page cache matters). */
const prefetchScratch = new Uint8Array(MAX_READ_AROUND_BYTES);
const ignore = (): void => {};
/** Largest first read; longer records take a second read. */
export const MAX_READ_LENGTH = 4096;

export interface TableShared {
  name: string;
  id: number;
  kind: TableKind;
  dir: string;
  meta: SharedArrayBuffer;
  hash?: HashIndexShared;
  number?: NumberIndexShared;
}

export function createTableMeta(): SharedArrayBuffer {
  const meta = new SharedArrayBuffer(META_WORDS * 4);
  new Int32Array(meta)[META_READ_LENGTH] = INITIAL_READ_LENGTH;
  return meta;
}

/** Counters kept by one thread. */
export class Counters implements KesqueCounters {
  gets = 0;
  diskReads = 0;
  tagCollisions = 0;
  cacheHits = 0;
  cacheMisses = 0;
  bytesWritten = 0;
  batches = 0;
  compactions = 0;
  /** Background 128 KiB prefetches issued after a get went to the disk (not in diskReads). */
  readArounds = 0;
  /** Record reads (of diskReads) served from a memory map of the segment instead of a pread. */
  mappedReads = 0;
}

/** Stands for "no map" in a slot that was tried (backend off, or the map failed). */
const NO_MAP = new Uint8Array(0);
const MAPPING = readBackend.backend === 'mmap';
/** A map of a growing segment is made again once a record lies this far past its end (records
 *  in between are read with pread): one new map per 8 MiB, or per 1/16 of the map, written. */
const REMAP_MIN_BYTES = 8 * 1024 * 1024;

const SLAB_BYTES = 16 * 1024;

/** Buffers reused by every read of one thread. */
export class ReadBuffer {
  /** Scratch for records longer than the read window, and for transient reads. */
  bytes = new Uint8Array(64 * 1024);
  /** When set, values are views of `bytes`, valid until the next read (as lmdb's getBinaryFast). */
  transient = false;
  /** Records are read straight into a 16 KiB slab and their values handed out as views of it (as
   *  Node's Buffer pool does): no copy, and no ArrayBuffer per value, whose allocation cost about
   *  four times as much and dominated a get. */
  slab = new Uint8Array(SLAB_BYTES);
  slabUsed = 0;
  /** Reads of this thread, and how many more to time since the last one that went to the disk. */
  reads = 0;
  coldWatch = 0;

  ensure(n: number): Uint8Array {
    if (this.bytes.length < n) this.bytes = new Uint8Array(Math.max(n, this.bytes.length * 2));
    return this.bytes;
  }

  /** The slab, with room for `n` bytes at `slabUsed`. */
  slabFor(n: number): Uint8Array {
    if (this.slabUsed + n > SLAB_BYTES) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.slabUsed = 0;
    }
    return this.slab;
  }
}

export class TableReader {
  readonly name: string;
  readonly id: number;
  readonly kind: TableKind;
  readonly dir: string;
  readonly hash: HashIndex | undefined;
  readonly number: NumberIndex | undefined;
  readonly meta: Int32Array;
  /** Open descriptors by slot and the file number each was opened for. */
  readonly fds: number[] = new Array<number>(MAX_SLOTS).fill(-1);
  readonly fdFiles = new Int32Array(MAX_SLOTS);
  /** Memory maps by slot (NO_MAP: tried, none), the file number each maps, and the file size
   *  when each was made or tried. */
  readonly maps: Uint8Array[] = new Array<Uint8Array>(MAX_SLOTS).fill(NO_MAP);
  readonly mapFiles = new Int32Array(MAX_SLOTS);
  readonly mapTriedAt = new Float64Array(MAX_SLOTS);
  /** Whether this thread owns the files (the writer opens and closes them itself). */
  readonly owner: boolean;
  /** Reads slower than this (ms) prefetch their region; Infinity turns prefetching off. */
  coldReadMs = COLD_READ_MS;
  /** Size of the region prefetched around a read that went to the disk; 0 turns it off. */
  readAroundBytes = READ_AROUND_BYTES;
  /** Check each record's CRC32C on every get (scans always check). */
  verifyChecksums = false;
  /** Cache key base: id * 2^40. */
  readonly cacheBase: number;
  private readonly seqWord: Int32Array;
  /** Per segment file: a bit per 128 KiB region already read around. */
  private readonly readAroundDone = new Map<number, Uint8Array>();
  private readonly seqIndex: number;

  constructor(shared: TableShared, owner: boolean, hash?: HashIndex, number?: NumberIndex) {
    this.name = shared.name;
    this.id = shared.id;
    this.kind = shared.kind;
    this.dir = shared.dir;
    this.owner = owner;
    this.meta = new Int32Array(shared.meta);
    this.hash = hash ?? (shared.hash ? HashIndex.fromShared(shared.hash) : undefined);
    this.number = number ?? (shared.number ? NumberIndex.fromShared(shared.number) : undefined);
    this.cacheBase = shared.id * 2 ** 40;
    if (this.hash) {
      this.seqWord = this.hash.control;
      this.seqIndex = CTL_SEQ;
    } else {
      this.seqWord = this.number!.control;
      this.seqIndex = NCTL_SEQ;
    }
  }

  shared(): TableShared {
    const out: TableShared = {
      name: this.name,
      id: this.id,
      kind: this.kind,
      dir: this.dir,
      meta: this.meta.buffer as SharedArrayBuffer,
    };
    if (this.hash) out.hash = this.hash.shared();
    if (this.number) out.number = this.number.shared();
    return out;
  }

  get readLength(): number {
    return this.meta[META_READ_LENGTH]!;
  }

  /** Descriptor of the segment in `slot`, opening it when this thread has not yet. */
  fdOf(slot: number): number {
    const file = this.meta[slot]!;
    if (file !== 0 && this.fdFiles[slot] === file) return this.fds[slot]!;
    if (file === 0) {
      throw new KesqueError('SEGMENT_MISSING', `table ${this.name} has no segment in slot ${slot}`, {
        details: { table: this.name, slot },
      });
    }
    if (this.owner) {
      throw new KesqueError('SEGMENT_MISSING', `segment file ${file} of table ${this.name} is not open`, {
        details: { table: this.name, slot, file },
      });
    }
    const old = this.fds[slot]!;
    if (old >= 0) fs.closeSync(old);
    const filePath = path.join(this.dir, segmentFileNameOf(file));
    let fd: number;
    try {
      fd = fs.openSync(filePath, 'r');
    } catch (error) {
      this.fds[slot] = -1;
      this.fdFiles[slot] = 0;
      throw new KesqueError('SEGMENT_MISSING', `segment ${filePath} of table ${this.name} cannot be opened`, {
        cause: error,
        details: { table: this.name, file: filePath },
      });
    }
    this.fds[slot] = fd;
    this.fdFiles[slot] = file;
    return fd;
  }

  closeFiles(): void {
    for (let s = 0; s < MAX_SLOTS; s++) {
      const fd = this.fds[s]!;
      if (fd >= 0) {
        try {
          fs.closeSync(fd);
        } catch {
          // already closed
        }
      }
      this.fds[s] = -1;
      this.fdFiles[s] = 0;
      this.dropMap(s);
    }
  }

  /** Forgets the map of `slot` (its segment left the slot); the garbage collector unmaps it. */
  dropMap(slot: number): void {
    this.maps[slot] = NO_MAP;
    this.mapFiles[slot] = 0;
    this.mapTriedAt[slot] = 0;
  }

  /** The map of the segment in `slot` when it covers the record header at `offset`, else
   *  undefined (read it with pread). Maps the file on first use, and again once it has grown
   *  well past its map. */
  mapCovering(slot: number, offset: number): Uint8Array | undefined {
    const file = this.meta[slot]!;
    let map = this.maps[slot]!;
    if (this.mapFiles[slot] === file && file !== 0) {
      if (offset + RECORD_HEADER_BYTES <= map.length) return map;
      const tried = this.mapTriedAt[slot]!;
      if (offset < tried + Math.max(REMAP_MIN_BYTES, tried / 16) || tried >= MAX_MAP_BYTES) return undefined;
    }
    const fd = this.fdOf(slot);
    const size = fs.fstatSync(fd).size;
    map = mapFile(fd, size) ?? NO_MAP;
    this.maps[slot] = map;
    this.mapFiles[slot] = file;
    this.mapTriedAt[slot] = size;
    return offset + RECORD_HEADER_BYTES <= map.length ? map : undefined;
  }

  checkKey(key: TableKey): void {
    if (this.hash) {
      if (!(key instanceof Uint8Array)) {
        throw new KesqueError('KEY_TYPE', `table ${this.name} takes 32-byte keys, not ${typeof key}`, {
          details: { table: this.name },
        });
      }
      if (key.length !== HASH_KEY_BYTES) {
        throw new KesqueError('KEY_SIZE', `table ${this.name} takes 32-byte keys, got ${key.length} bytes`, {
          details: { table: this.name, length: key.length },
        });
      }
    } else {
      if (typeof key !== 'number') {
        throw new KesqueError('KEY_TYPE', `table ${this.name} is keyed by number, not by bytes`, {
          details: { table: this.name },
        });
      }
      if (!Number.isSafeInteger(key) || key < 0 || key >= 2 ** 29) {
        throw new KesqueError('KEY_SIZE', `table ${this.name} takes integer keys in [0, 2^29), got ${key}`, {
          details: { table: this.name, key },
        });
      }
    }
  }

  /** Looks `key` up and reads its value; `shared` is true in reader threads, which follow the
   *  writer's sequence lock. */
  get(
    key: TableKey,
    buffer: ReadBuffer,
    counters: Counters,
    cache: ValueCache | undefined,
    shared: boolean,
  ): Uint8Array | undefined {
    counters.gets++;
    if (!shared) return this.getOnce(key, buffer, counters, cache);
    for (;;) {
      const seq = Atomics.load(this.seqWord, this.seqIndex);
      if ((seq & 1) === 0) {
        if (this.hash ? this.hash.stale() : this.number!.stale()) {
          if (this.hash) this.hash.refresh();
          else this.number!.refresh();
        }
        try {
          const value = this.getOnce(key, buffer, counters, cache);
          if (Atomics.load(this.seqWord, this.seqIndex) === seq) return value;
        } catch (error) {
          // A record the writer moved or dropped meanwhile: retry once the index settled.
          if (Atomics.load(this.seqWord, this.seqIndex) === seq) throw error;
        }
      }
    }
  }

  private getOnce(
    key: TableKey,
    buffer: ReadBuffer,
    counters: Counters,
    cache: ValueCache | undefined,
  ): Uint8Array | undefined {
    if (this.hash) {
      const k = key as Uint8Array;
      const position = this.hash.locate(k);
      if (position < 0) return undefined;
      const value = this.readAt(position, k, buffer, counters, cache);
      if (value !== undefined) return value;
      // The tag matched another key: look in the side table.
      counters.tagCollisions++;
      const other = this.hash.findSide(k);
      if (other < 0) return undefined;
      return this.readAt(other, k, buffer, counters, cache);
    }
    const position = this.number!.locate(key as number);
    if (position < 0) return undefined;
    return this.readAt(position, undefined, buffer, counters, cache);
  }

  /** Reads the record at `position`; returns its value, or undefined when it holds another key. */
  readAt(
    position: number,
    key: Uint8Array | undefined,
    buffer: ReadBuffer,
    counters: Counters,
    cache: ValueCache | undefined,
  ): Uint8Array | undefined {
    if (cache !== undefined) {
      const hit = cache.get(this.cacheBase + position, key);
      if (hit !== undefined) {
        counters.cacheHits++;
        return hit;
      }
      counters.cacheMisses++;
    }
    const slot = Math.floor(position / 1073741824);
    const offset = (position % 1073741824) * 8;
    if (MAPPING) {
      const map = this.mapCovering(slot, offset);
      if (map !== undefined)
        return this.readMapped(map, slot, offset, position, key, buffer, counters, cache);
    }
    return this.readWithPread(slot, offset, position, key, buffer, counters, cache);
  }

  /** `readAt` through the map of the record's segment: no system call when its page is cached. */
  private readMapped(
    map: Uint8Array,
    slot: number,
    offset: number,
    position: number,
    key: Uint8Array | undefined,
    buffer: ReadBuffer,
    counters: Counters,
    cache: ValueCache | undefined,
  ): Uint8Array | undefined {
    // The first touch of the record faults its page in when it is not cached: time it, as the
    // pread path does, to start the read-around of a cold store.
    const timed = buffer.coldWatch > 0 || (++buffer.reads & 15) === 0;
    const started = timed ? performance.now() : 0;
    const type = map[offset + REC_OFF_TYPE];
    counters.diskReads++;
    counters.mappedReads++;
    if (timed) {
      if (performance.now() - started > this.coldReadMs) {
        buffer.coldWatch = COLD_WATCH_READS;
        this.readAround(slot, this.fdOf(slot), offset, counters);
      } else if (buffer.coldWatch > 0) buffer.coldWatch--;
    }
    const keyLength = this.hash ? HASH_KEY_BYTES : NUMBER_KEY_BYTES;
    if (type !== TYPE_PUT || map[offset + REC_OFF_KEY_LENGTH] !== keyLength) {
      throw this.corrupt(position, `record type ${type} key length ${map[offset + REC_OFF_KEY_LENGTH]}`);
    }
    const end = offset + RECORD_HEADER_BYTES + keyLength + readU32(map, offset + REC_OFF_VALUE_LENGTH);
    if (end > map.length) {
      // Past the map (a record longer than what was written when it was made, or a damaged
      // length): pread reads it, or reports it cut short.
      counters.diskReads--;
      counters.mappedReads--;
      return this.readWithPread(slot, offset, position, key, buffer, counters, cache);
    }
    if (key !== undefined) {
      const at = offset + RECORD_HEADER_BYTES;
      for (let i = 0; i < 32; i++) {
        if (map[at + i] !== key[i]) {
          if (crc32c(map, offset + 4, end) !== readU32(map, offset))
            throw this.corrupt(position, 'CRC32C mismatch');
          return undefined;
        }
      }
    }
    if (this.verifyChecksums && crc32c(map, offset + 4, end) !== readU32(map, offset)) {
      throw this.corrupt(position, 'CRC32C mismatch');
    }
    // Copy out: the map is read-only memory (a write into it would crash the process) and may
    // outlive its segment only as long as something refers to it.
    const start = offset + RECORD_HEADER_BYTES + keyLength;
    const length = end - start;
    const source = map.subarray(start, end);
    let value: Uint8Array;
    if (buffer.transient) {
      const bytes = buffer.ensure(length);
      bytes.set(source, 0);
      value = bytes.subarray(0, length);
    } else if (length > SLAB_BYTES) value = source.slice();
    else {
      const slab = buffer.slabFor(length);
      const at = buffer.slabUsed;
      slab.set(source, at);
      value = new Uint8Array(slab.buffer, at, length);
      buffer.slabUsed = (at + length + 7) & ~7;
    }
    if (cache !== undefined) cache.set(this.cacheBase + position, value.slice(), key);
    return value;
  }

  /** `readAt` with a positioned read into the read buffers. */
  private readWithPread(
    slot: number,
    offset: number,
    position: number,
    key: Uint8Array | undefined,
    buffer: ReadBuffer,
    counters: Counters,
    cache: ValueCache | undefined,
  ): Uint8Array | undefined {
    const fd = this.fdOf(slot);
    const window = this.meta[META_READ_LENGTH]!;
    const transient = buffer.transient;
    let bytes = transient ? buffer.bytes : buffer.slabFor(window);
    let base = transient ? 0 : buffer.slabUsed;
    // Time the read to tell a disk read from a cached one: every read while reads are going to
    // the disk, one in 16 while they are all cached (a clock read is ~3% of a warm get).
    const timed = buffer.coldWatch > 0 || (++buffer.reads & 15) === 0;
    const started = timed ? performance.now() : 0;
    let n = fs.readSync(fd, bytes, base, window, offset);
    counters.diskReads++;
    if (timed) {
      if (performance.now() - started > this.coldReadMs) {
        buffer.coldWatch = COLD_WATCH_READS;
        this.readAround(slot, fd, offset, counters);
      } else if (buffer.coldWatch > 0) buffer.coldWatch--;
    }
    const keyLength = this.hash ? HASH_KEY_BYTES : NUMBER_KEY_BYTES;
    if (n < RECORD_HEADER_BYTES) throw this.corrupt(position, 'record header is cut short');
    const valueLength = readU32(bytes, base + REC_OFF_VALUE_LENGTH);
    const end = RECORD_HEADER_BYTES + keyLength + valueLength;
    if (bytes[base + REC_OFF_TYPE] !== TYPE_PUT || bytes[base + REC_OFF_KEY_LENGTH] !== keyLength) {
      throw this.corrupt(
        position,
        `record type ${bytes[base + REC_OFF_TYPE]} key length ${bytes[base + REC_OFF_KEY_LENGTH]}`,
      );
    }
    let long = false;
    if (end > n) {
      // Longer than the read window: read it whole into the scratch buffer.
      if (end > 300 * 1024 * 1024) throw this.corrupt(position, `value length ${valueLength}`);
      bytes = buffer.ensure(end);
      base = 0;
      long = true;
      n = fs.readSync(fd, bytes, 0, end, offset);
      counters.diskReads++;
      if (n < end) throw this.corrupt(position, 'record is cut short');
    }
    if (key !== undefined) {
      for (let i = 0; i < 32; i++) {
        if (bytes[base + RECORD_HEADER_BYTES + i] !== key[i]) {
          // Another key under the same tag, or a damaged key: tell them apart by the checksum.
          if (crc32c(bytes, base + 4, base + end) !== readU32(bytes, base)) {
            throw this.corrupt(position, 'CRC32C mismatch');
          }
          return undefined;
        }
      }
    }
    if (this.verifyChecksums && crc32c(bytes, base + 4, base + end) !== readU32(bytes, base)) {
      throw this.corrupt(position, 'CRC32C mismatch');
    }
    const start = base + RECORD_HEADER_BYTES + keyLength;
    const stop = base + end;
    let value: Uint8Array;
    if (transient) value = bytes.subarray(start, stop);
    else if (long) value = bytes.slice(start, stop);
    else {
      value = new Uint8Array(bytes.buffer, start, stop - start);
      buffer.slabUsed = (stop + 7) & ~7;
    }
    if (cache !== undefined) {
      // The cache keeps its own copy: a slab view would pin its whole 16 KiB slab.
      cache.set(this.cacheBase + position, bytes.slice(start, stop), key);
    }
    return value;
  }

  /** After a read that went to the disk, prefetches the 256 KiB around it once, in the
   *  background, as the kernel does around a fault of a mapped file (what lmdb gets for free):
   *  records written together (one block's trie nodes) are often read together, and a cold store
   *  warms up in large parallel reads on libuv's thread pool instead of 4 KiB ones in turn. The
   *  data lands in the page cache; the scratch buffer it is read into is never looked at. */
  private readAround(slot: number, fd: number, offset: number, counters: Counters): void {
    const size = this.readAroundBytes;
    if (size <= 0) return;
    const file = this.meta[slot]!;
    let done = this.readAroundDone.get(file);
    if (done === undefined) {
      done = new Uint8Array(Math.ceil(MAX_SEGMENT_BYTES / size / 8));
      this.readAroundDone.set(file, done);
    }
    const region = Math.floor(offset / size);
    const bit = 1 << (region & 7);
    if ((done[region >>> 3]! & bit) !== 0) return;
    done[region >>> 3]! |= bit;
    fs.read(fd, prefetchScratch, 0, size, region * size, ignore);
    counters.readArounds++;
  }

  /** Number key stored in the record at `position` (used by the writer's compaction checks). */
  numberKeyAt(bytes: Uint8Array): number {
    return readNumberKey(bytes, RECORD_HEADER_BYTES);
  }

  corrupt(position: number, why: string): KesqueError {
    const slot = Math.floor(position / 1073741824);
    const offset = (position % 1073741824) * 8;
    const file = this.meta[slot]!;
    return new KesqueError(
      'CORRUPT_RECORD',
      `corrupt record in table ${this.name}, segment ${segmentFileNameOf(file)} at offset ${offset}: ${why}`,
      { details: { table: this.name, file: path.join(this.dir, segmentFileNameOf(file)), offset } },
    );
  }
}
