// The writer: `openKesque` opens (or creates) a store in a directory, recovers it, and serves
// synchronous reads, atomic batches, iteration, compaction and snapshots.
//
// Directory layout:
//   LOCK                       pid of the process holding the store
//   MANIFEST                   tables, their segments in log order, the current snapshot
//   snapshot-<gen>.kqx         index snapshot matching the manifest (see snapshot.ts)
//   <table>/<file>.seg         segment files (see format.ts)

import fs from 'node:fs';
import path from 'node:path';
import { type CachePolicy, ValueCache } from './cache.js';
import { crc32c } from './crc32c.js';
import { isKesqueError, KesqueError } from './errors.js';
import {
  HASH_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  MAX_SLOTS,
  MAX_VALUE_BYTES,
  NUMBER_KEY_BYTES,
  REC_OFF_KEY,
  REC_OFF_SEQ,
  RECORD_HEADER_BYTES,
  readNumberKey,
  readSegmentHeader,
  readU32,
  recordBytes,
  SEGMENT_FLAG_COMPACTED,
  SEGMENT_HEADER_BYTES,
  segmentFileNameOf,
  TYPE_COMMIT,
  TYPE_DEL,
  TYPE_PAD,
  TYPE_PUT,
  writeNumberKey,
  writeSegmentHeader,
  writeU32,
} from './format.js';
import { HashIndex } from './hashIndex.js';
import {
  emptyManifest,
  fsyncDir,
  MANIFEST_NAME,
  type Manifest,
  type ManifestSegment,
  readManifest,
  writeManifest,
} from './manifest.js';
import { NumberIndex } from './numberIndex.js';
import { scanRecords, validRecordAfter } from './scan.js';
import { type LoadedSnapshot, readSnapshot, type SnapshotSource, writeSnapshot } from './snapshot.js';
import {
  COLD_READ_MS,
  Counters,
  createTableMeta,
  MAX_READ_LENGTH,
  META_READ_LENGTH,
  READ_AROUND_BYTES,
  ReadBuffer,
  TableReader,
  type TableShared,
} from './tableReader.js';
import type {
  BatchOp,
  CompactionReport,
  Durability,
  Kesque,
  KesqueCounters,
  KesqueReaderHandle,
  OpenKesqueParameters,
  TableKey,
} from './types.js';

/** The file operations of the write path, replaceable in tests (a full disk, a failing fsync). */
export interface KesqueFileIO {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fdatasync(fd: number): Promise<void>;
}

export const nodeFileIO: KesqueFileIO = {
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fdatasync: (fd) =>
    new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve()))),
};

/** Options of `openKesque` beyond the public contract: tuning and test hooks. */
export interface OpenKesqueOptions extends OpenKesqueParameters {
  /** Check each record's CRC32C on every get (default false, as LevelDB's reads; recovery,
   *  compaction and iteration always check, and so does a get that finds another key). */
  verifyChecksums?: boolean;
  /** Eviction policy of the value cache (default 'clock', see cache.test.ts). */
  cachePolicy?: CachePolicy;
  /** Replaces the file writes and fsyncs (tests). */
  fileIO?: KesqueFileIO;
  /** Masks the 32-bit index tags (tests force collisions with e.g. 0xf). Must be the same on every
   *  open of a store for its snapshot to be used. */
  tagMask?: number;
  /** Bytes of log compaction reads between two yields to the event loop (default 4 MiB). */
  compactionSliceBytes?: number;
  /** A get whose read takes longer than this (ms, default 0.012) went to the disk and prefetches
   *  its 128 KiB region in the background; Infinity turns prefetching off. */
  coldReadMs?: number;
  /** Bytes prefetched around a get that went to the disk (default 256 KiB, a power of two up to
   *  4 MiB; 0 turns prefetching off). */
  readAroundBytes?: number;
}

/** Shape of `KesqueReaderHandle.tables` entries. */
export interface ReaderHandleTables {
  [name: string]: TableShared;
}

const DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024;
const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
const DEFAULT_SNAPSHOT_MS = 5 * 60 * 1000;
const TABLE_NAME = /^[a-z0-9_-]{1,64}$/i;
const openDirs = new Set<string>();

interface Segment extends ManifestSegment {
  fd: number;
  /** Bytes in the file (the write offset for the active segment). */
  size: number;
}

/** A table as the writer holds it. */
class Table extends TableReader {
  segments: Segment[] = [];
  /** Encoding buffer of this table's part of a batch. */
  wbuf = new Uint8Array(1 << 16);
  wlen = 0;
  /** Sequence of the batch the table's buffer holds, and its record count. */
  batchSeq = -1;
  batchRecords = 0;
  cursor = 0;
  dirty = false;
  maxRecord = 0;
  readonly keyLength: number;
  readonly scratchKey = new Uint8Array(HASH_KEY_BYTES);
  readonly readKeyAt: (position: number, out: Uint8Array) => void;

  constructor(shared: TableShared, hash?: HashIndex, number?: NumberIndex) {
    super(shared, true, hash, number);
    this.keyLength = this.hash ? HASH_KEY_BYTES : NUMBER_KEY_BYTES;
    const head = new Uint8Array(RECORD_HEADER_BYTES + HASH_KEY_BYTES);
    this.readKeyAt = (position, out) => {
      const slot = Math.floor(position / 1073741824);
      const offset = (position % 1073741824) * 8;
      const n = fs.readSync(this.fdOf(slot), head, 0, head.length, offset);
      if (n < head.length) throw this.corrupt(position, 'record cut short');
      out.set(head.subarray(REC_OFF_KEY, REC_OFF_KEY + HASH_KEY_BYTES));
    };
  }

  get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  ensure(n: number): Uint8Array {
    if (this.wbuf.length < n) {
      const next = new Uint8Array(Math.max(n, this.wbuf.length * 2));
      next.set(this.wbuf.subarray(0, this.wlen));
      this.wbuf = next;
    }
    return this.wbuf;
  }

  noteRecord(size: number): void {
    if (size > this.maxRecord) {
      this.maxRecord = size;
      const window = Math.min(MAX_READ_LENGTH, (size + 63) & ~63);
      if (window > this.meta[META_READ_LENGTH]!) this.meta[META_READ_LENGTH] = window;
    }
  }

  freeSlot(): number {
    for (let s = 0; s < MAX_SLOTS; s++) if (this.meta[s] === 0) return s;
    throw new KesqueError('TOO_MANY_SEGMENTS', `table ${this.name} has no free segment slot`, {
      details: { table: this.name },
    });
  }

  segmentPath(file: number): string {
    return path.join(this.dir, segmentFileNameOf(file));
  }
}

/** Records of a batch read back during recovery, waiting for the batch's COMMIT. */
class PendingRecords {
  length = 0;
  types = new Uint8Array(1024);
  positions = new Float64Array(1024);
  numbers = new Float64Array(1024);
  keys = new Uint8Array(1024 * 32);

  push(type: number, position: number, bytes: Uint8Array, keyAt: number, hash: boolean): void {
    if (this.length === this.types.length) {
      const n = this.length * 2;
      const types = new Uint8Array(n);
      types.set(this.types);
      this.types = types;
      const positions = new Float64Array(n);
      positions.set(this.positions);
      this.positions = positions;
      const numbers = new Float64Array(n);
      numbers.set(this.numbers);
      this.numbers = numbers;
      const keys = new Uint8Array(n * 32);
      keys.set(this.keys);
      this.keys = keys;
    }
    const i = this.length++;
    this.types[i] = type;
    this.positions[i] = position;
    if (hash) this.keys.set(bytes.subarray(keyAt, keyAt + 32), i * 32);
    else this.numbers[i] = readNumberKey(bytes, keyAt);
  }
}

interface Tail {
  table: Table;
  /** Where the scan of the last segment started and the seq durable before it. */
  from: number;
  durableSeq: number;
  /** Sequence numbers of the COMMITs found (ascending) and where each batch's part starts. */
  seqs: number[];
  starts: number[];
  /** COMMITs of batches that wrote other tables too: the ids of all of them. */
  shared: { seq: number; participants: number[] }[];
  cut: number;
}

/** Whether ascending `seqs` holds `seq`. */
function hasSeq(seqs: number[], seq: number): boolean {
  return seqs[lowerBound(seqs, seq)] === seq;
}

/** First index of ascending `seqs` whose value is >= `seq`. */
function lowerBound(seqs: number[], seq: number): number {
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seqs[mid]! < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Opens the store in `options.dir`, creating it when missing, and recovers it: loads the index
 *  snapshot (or rebuilds the index from the log, reporting progress), replays the log after it,
 *  and cuts a torn tail. Throws KesqueError: BAD_OPTIONS, LOCKED, CORRUPT_MANIFEST,
 *  SEGMENT_MISSING, CORRUPT_RECORD.
 *
 *  @example
 *  const store = await openKesque({ dir, tables: { trie: { kind: 'hash' }, header: { kind: 'number' } } });
 *  await store.batch([{ type: 'put', table: 'trie', key, value }]);
 *  store.get('trie', key);
 */
export async function openKesque(options: OpenKesqueOptions): Promise<KesqueStore> {
  const store = new KesqueStore(options);
  try {
    store.open();
  } catch (error) {
    store.abandon();
    throw error;
  }
  return store;
}

export class KesqueStore implements Kesque {
  readonly dir: string;
  private readonly durability: Durability;
  private readonly segmentBytes: number;
  private readonly snapshotMs: number;
  private readonly readAroundBytes: number;
  private readonly io: KesqueFileIO;
  private readonly options: OpenKesqueOptions;
  private readonly tables = new Map<string, Table>();
  private readonly tableList: Table[] = [];
  private manifest: Manifest = emptyManifest();
  private seq = 0;
  private readonly counter = new Counters();
  private readonly collisions = new Float64Array(1);
  private readonly buffer = new ReadBuffer();
  private readonly cache: ValueCache | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private failure: KesqueError | undefined;
  private locked = false;
  private syncRunning = false;
  private syncWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private syncTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private compacting: { table: Table; stop: boolean; done: Promise<unknown> } | undefined;
  private touched: Table[] = [];
  private lastTableName: string | undefined;
  private lastTable: Table | undefined;
  private opPositions = new Float64Array(1024);
  private iterations = 0;
  private changedSinceSnapshot = true;
  private replayedRecords = 0;
  private deferredClose: number[] = [];
  private writeCalls = 0;

  constructor(options: OpenKesqueOptions) {
    this.options = options;
    if (!options || typeof options.dir !== 'string' || options.dir === '') {
      throw new KesqueError('BAD_OPTIONS', 'openKesque needs a directory (options.dir)');
    }
    this.dir = path.resolve(options.dir);
    this.durability = options.durability ?? { mode: 'always' };
    const mode = this.durability.mode;
    if (mode !== 'always' && mode !== 'interval' && mode !== 'never') {
      throw new KesqueError('BAD_OPTIONS', `unknown durability mode ${String(mode)}`);
    }
    if (mode === 'interval' && !(this.durability.intervalMs > 0)) {
      throw new KesqueError('BAD_OPTIONS', 'durability interval needs intervalMs > 0');
    }
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!(this.segmentBytes >= 4096 && this.segmentBytes <= MAX_SEGMENT_BYTES / 2)) {
      throw new KesqueError(
        'BAD_OPTIONS',
        `segmentBytes must lie in [4096, 4 GiB], got ${this.segmentBytes}`,
      );
    }
    this.snapshotMs = options.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_MS;
    this.readAroundBytes = options.readAroundBytes ?? READ_AROUND_BYTES;
    const ra = this.readAroundBytes;
    if (!(ra === 0 || (ra >= 4096 && ra <= 4 * 1024 * 1024 && (ra & (ra - 1)) === 0))) {
      throw new KesqueError(
        'BAD_OPTIONS',
        `readAroundBytes must be 0 or a power of two in [4 KiB, 4 MiB], got ${ra}`,
      );
    }
    this.io = options.fileIO ?? nodeFileIO;
    const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
    if (!(cacheBytes >= 0))
      throw new KesqueError('BAD_OPTIONS', `cacheBytes must be >= 0, got ${cacheBytes}`);
    this.cache = cacheBytes > 0 ? new ValueCache(cacheBytes, options.cachePolicy ?? 'clock') : undefined;
    if (!options.tables || typeof options.tables !== 'object' || Object.keys(options.tables).length === 0) {
      throw new KesqueError('BAD_OPTIONS', 'openKesque needs at least one table');
    }
    for (const [name, t] of Object.entries(options.tables)) {
      if (!TABLE_NAME.test(name))
        throw new KesqueError('BAD_OPTIONS', `bad table name ${JSON.stringify(name)}`);
      if (t?.kind !== 'hash' && t?.kind !== 'number') {
        throw new KesqueError('BAD_OPTIONS', `table ${name} needs kind 'hash' or 'number'`);
      }
    }
  }

  // ------------------------------------------------------------------ open and recovery

  open(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    this.lock();
    const found = readManifest(this.dir);
    this.manifest = found ?? emptyManifest();
    let manifestChanged = found === undefined;
    for (const [name, spec] of Object.entries(this.options.tables)) {
      let entry = this.manifest.tables[name];
      if (entry && entry.kind !== spec.kind) {
        throw new KesqueError('BAD_OPTIONS', `table ${name} is a ${entry.kind} table, not ${spec.kind}`, {
          details: { table: name },
        });
      }
      if (!entry) {
        entry = { id: this.manifest.nextTableId++, kind: spec.kind, segments: [] };
        this.manifest.tables[name] = entry;
        manifestChanged = true;
      }
      const dir = path.join(this.dir, name);
      fs.mkdirSync(dir, { recursive: true });
      const shared: TableShared = { name, id: entry.id, kind: spec.kind, dir, meta: createTableMeta() };
      const table =
        spec.kind === 'hash'
          ? new Table(shared, HashIndex.create(this.options.tagMask ?? 0xffffffff))
          : new Table(shared, undefined, NumberIndex.create());
      table.verifyChecksums = this.options.verifyChecksums ?? false;
      table.coldReadMs = this.options.coldReadMs ?? COLD_READ_MS;
      table.readAroundBytes = this.readAroundBytes;
      this.tables.set(name, table);
      this.tableList.push(table);
      this.openSegments(table, entry.segments);
    }
    this.removeOrphans();
    // Every table needs an active segment to append to.
    for (const table of this.tableList) {
      if (table.segments.length === 0) {
        this.createSegment(table, 0, 0);
        manifestChanged = true;
      }
    }
    if (manifestChanged) this.saveManifest();
    const rebuilt = this.recover();
    if (rebuilt) this.snapshot();
    else this.changedSinceSnapshot = this.replayedRecords > 0 || manifestChanged;
    this.startTimers();
  }

  private lock(): void {
    if (openDirs.has(this.dir)) {
      throw new KesqueError('LOCKED', `store ${this.dir} is already open in this process`, {
        details: { dir: this.dir },
      });
    }
    const file = path.join(this.dir, 'LOCK');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        openDirs.add(this.dir);
        this.locked = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
        if (pid > 0 && pid !== process.pid && isAlive(pid)) {
          throw new KesqueError('LOCKED', `store ${this.dir} is held by process ${pid}`, {
            details: { dir: this.dir, pid },
          });
        }
        fs.rmSync(file, { force: true });
      }
    }
    throw new KesqueError('LOCKED', `cannot lock store ${this.dir}`, { details: { dir: this.dir } });
  }

  private openSegments(table: Table, list: ManifestSegment[]): void {
    for (const s of list) {
      const file = table.segmentPath(s.file);
      let fd: number;
      try {
        fd = fs.openSync(file, 'r+');
      } catch (error) {
        throw new KesqueError(
          'SEGMENT_MISSING',
          `segment ${file} of table ${table.name} is listed in the manifest but cannot be opened`,
          { cause: error, details: { table: table.name, file } },
        );
      }
      const size = fs.fstatSync(fd).size;
      const head = new Uint8Array(SEGMENT_HEADER_BYTES);
      fs.readSync(fd, head, 0, head.length, 0);
      const header = readSegmentHeader(head);
      if (!header || header.fileNumber !== s.file) {
        fs.closeSync(fd);
        throw new KesqueError('CORRUPT_RECORD', `segment ${file} of table ${table.name} has a bad header`, {
          details: { table: table.name, file, offset: 0 },
        });
      }
      table.segments.push({ ...s, fd, size });
      table.meta[s.slot] = s.file;
      table.fds[s.slot] = fd;
      table.fdFiles[s.slot] = s.file;
    }
  }

  /** Deletes files no manifest entry names: outputs of a compaction that did not switch, segments
   *  it replaced, old snapshots and temporaries. */
  private removeOrphans(): void {
    for (const name of fs.readdirSync(this.dir)) {
      if (name.startsWith('snapshot-') && name !== this.manifest.snapshot)
        fs.rmSync(path.join(this.dir, name), { force: true });
      if (name.endsWith('.tmp')) fs.rmSync(path.join(this.dir, name), { force: true });
    }
    for (const table of this.tableList) {
      const known = new Set(table.segments.map((s) => segmentFileNameOf(s.file)));
      for (const name of fs.readdirSync(table.dir)) {
        if (name.endsWith('.seg') && !known.has(name)) fs.rmSync(path.join(table.dir, name), { force: true });
      }
    }
  }

  /** Creates a new segment file for `table` in a free slot (not yet in the manifest). */
  private createSegment(table: Table, flags: number, baseSeq: number, listed = true): Segment {
    const slot = table.freeSlot();
    const file = this.manifest.nextFile++;
    const filePath = table.segmentPath(file);
    const fd = fs.openSync(filePath, 'wx+');
    const head = new Uint8Array(SEGMENT_HEADER_BYTES);
    writeSegmentHeader(head, file, flags, baseSeq);
    fs.writeSync(fd, head, 0, head.length, 0);
    fs.fdatasyncSync(fd);
    fsyncDir(table.dir);
    const segment: Segment = { slot, file, flags, fd, size: SEGMENT_HEADER_BYTES };
    table.fds[slot] = fd;
    table.fdFiles[slot] = file;
    table.meta[slot] = file;
    if (listed) table.segments.push(segment);
    return segment;
  }

  private saveManifest(): void {
    for (const table of this.tableList) {
      const entry = this.manifest.tables[table.name]!;
      entry.segments = table.segments.map((s) => ({ slot: s.slot, file: s.file, flags: s.flags }));
    }
    this.manifest.generation++;
    writeManifest(this.dir, this.manifest);
  }

  /** Loads the snapshot and replays the log after it, or rebuilds every index from the log.
   *  Returns true when it rebuilt. */
  private recover(): boolean {
    let snap: LoadedSnapshot | undefined;
    if (this.manifest.snapshot) snap = readSnapshot(path.join(this.dir, this.manifest.snapshot));
    const starts = new Map<Table, { segment: number; offset: number }>();
    let snapSeq = 0;
    let usable = snap !== undefined;
    if (snap) {
      for (const table of this.tableList) {
        const i = snap.tables.findIndex((t) => t.name === table.name);
        if (i < 0) {
          starts.set(table, { segment: 0, offset: SEGMENT_HEADER_BYTES });
          continue;
        }
        const header = snap.tables[i]!;
        const files = table.segments.map((s) => s.file);
        const prefixOk =
          header.kind === table.kind &&
          (table.hash === undefined || header.tagMask === table.hash.tagMask) &&
          header.id === table.id &&
          header.segmentFiles.length > 0 &&
          header.segmentFiles.length <= files.length &&
          header.segmentFiles.every((f, k) => files[k] === f);
        const last = header.segmentFiles.length - 1;
        if (!prefixOk || header.endOffset > table.segments[last]!.size || !snap.load(i, table)) {
          usable = false;
          break;
        }
        table.meta[META_READ_LENGTH] = Math.max(table.meta[META_READ_LENGTH]!, header.readLength);
        table.maxRecord = header.readLength;
        starts.set(table, { segment: last, offset: header.endOffset });
      }
      snapSeq = snap.seq;
    }
    if (!usable) {
      starts.clear();
      for (const table of this.tableList) {
        table.hash?.clear();
        table.number?.clear();
        starts.set(table, { segment: 0, offset: SEGMENT_HEADER_BYTES });
        if (table.hash) table.hash.reserve(estimateRecords(table));
      }
      snapSeq = 0;
    }
    // Phase 1: scan each table's last segment from where its durable part ends, find torn tails
    // and batches missing from some table they wrote.
    const tails: Tail[] = [];
    for (const table of this.tableList) {
      const start = starts.get(table)!;
      const lastIndex = table.segments.length - 1;
      const last = table.active;
      const from = start.segment === lastIndex ? start.offset : SEGMENT_HEADER_BYTES;
      let durableSeq = snapSeq;
      if (start.segment !== lastIndex) {
        const head = new Uint8Array(SEGMENT_HEADER_BYTES);
        fs.readSync(last.fd, head, 0, head.length, 0);
        durableSeq = readSegmentHeader(head)?.baseSeq ?? 0;
      }
      tails.push(this.scanTail(table, from, durableSeq));
    }
    const byTable = new Map<number, Tail>(tails.map((t) => [t.table.id, t]));
    let firstIncomplete = Number.POSITIVE_INFINITY;
    for (const tail of tails) {
      for (const m of tail.shared) {
        for (const id of m.participants) {
          const other = byTable.get(id);
          if (!other || m.seq <= other.durableSeq) continue;
          if (!hasSeq(other.seqs, m.seq)) firstIncomplete = Math.min(firstIncomplete, m.seq);
        }
      }
    }
    for (const tail of tails) {
      const drop = lowerBound(tail.seqs, firstIncomplete);
      if (drop < tail.seqs.length) tail.cut = Math.min(tail.cut, tail.starts[drop]!);
      const last = tail.table.active;
      if (tail.cut < last.size) {
        fs.ftruncateSync(last.fd, tail.cut);
        fs.fdatasyncSync(last.fd);
        last.size = tail.cut;
      }
    }
    // Phase 2: replay.
    let maxSeq = snapSeq;
    for (const tail of tails) {
      const start = starts.get(tail.table)!;
      maxSeq = Math.max(maxSeq, this.replay(tail.table, start.segment, start.offset, !usable));
      const kept = lowerBound(tail.seqs, firstIncomplete);
      if (kept > 0) maxSeq = Math.max(maxSeq, tail.seqs[kept - 1]!);
      maxSeq = Math.max(maxSeq, tail.durableSeq);
    }
    this.seq = maxSeq;
    return !usable;
  }

  /** Scans the last segment of `table` from `from`; finds its commit markers and the cut point. */
  private scanTail(table: Table, from: number, durableSeq: number): Tail {
    const last = table.active;
    const seqs: number[] = [];
    const starts: number[] = [];
    const shared: { seq: number; participants: number[] }[] = [];
    let portionStart = from;
    let pending = 0;
    let cut = from;
    const result = scanRecords(
      last.fd,
      from,
      last.size,
      table.keyLength,
      true,
      (bytes, at, offset, type, _kl, vl) => {
        const end = offset + ((RECORD_HEADER_BYTES + _kl + vl + 7) & ~7);
        if (type === TYPE_COMMIT) {
          const seq = readF64(bytes, at + RECORD_HEADER_BYTES);
          const n = readU32(bytes, at + RECORD_HEADER_BYTES + 12);
          seqs.push(seq);
          starts.push(portionStart);
          if (n > 1) {
            const participants: number[] = [];
            for (let k = 0; k < n; k++)
              participants.push(readU32(bytes, at + RECORD_HEADER_BYTES + 16 + 4 * k));
            shared.push({ seq, participants });
          }
          portionStart = end;
          pending = 0;
          cut = end;
        } else if (type === TYPE_PAD) {
          if (pending === 0) {
            cut = offset + RECORD_HEADER_BYTES + vl;
            portionStart = cut;
          }
        } else {
          pending++;
        }
      },
    );
    if (result.bad) {
      const later = validRecordAfter(last.fd, result.bad.offset, last.size, table.keyLength);
      if (later >= 0) {
        throw new KesqueError(
          'CORRUPT_RECORD',
          `corrupt record in table ${table.name}, segment ${segmentFileNameOf(last.file)} at offset ${result.bad.offset} (${result.bad.reason}), followed by valid records at ${later}: not a torn tail`,
          { details: { table: table.name, file: table.segmentPath(last.file), offset: result.bad.offset } },
        );
      }
    }
    return { table, from, durableSeq, seqs, starts, shared, cut };
  }

  /** Replays `table`'s log from (segment, offset) into its index; returns the largest seq seen. */
  private replay(table: Table, segmentIndex: number, offset: number, report: boolean): number {
    const onProgress = this.options.onProgress;
    let totalBytes = 0;
    for (let i = segmentIndex; i < table.segments.length; i++) totalBytes += table.segments[i]!.size;
    let done = 0;
    let records = 0;
    let lastReport = 0;
    let maxSeq = 0;
    // A batch's records wait for its COMMIT in flat arrays (no object per record).
    const pending = new PendingRecords();
    const key = new Uint8Array(HASH_KEY_BYTES);
    const apply = (i: number): void => {
      if (table.hash) {
        key.set(pending.keys.subarray(i * 32, i * 32 + 32));
        this.applyRecord(table, pending.types[i]!, pending.positions[i]!, key);
      } else this.applyRecord(table, pending.types[i]!, pending.positions[i]!, pending.numbers[i]!);
    };
    table.hash?.beginWrite();
    table.number?.beginWrite();
    try {
      for (let i = segmentIndex; i < table.segments.length; i++) {
        const segment = table.segments[i]!;
        const compacted = (segment.flags & SEGMENT_FLAG_COMPACTED) !== 0;
        const from = i === segmentIndex ? offset : SEGMENT_HEADER_BYTES;
        pending.length = 0;
        const result = scanRecords(
          segment.fd,
          from,
          segment.size,
          table.keyLength,
          true,
          (bytes, at, off, type, kl, vl) => {
            if (type === TYPE_PUT || type === TYPE_DEL) {
              table.noteRecord(RECORD_HEADER_BYTES + kl + vl);
              pending.push(
                type,
                segment.slot * 1073741824 + off / 8,
                bytes,
                at + REC_OFF_KEY,
                table.hash !== undefined,
              );
              if (compacted) {
                apply(0);
                pending.length = 0;
                records++;
              }
            } else if (type === TYPE_COMMIT) {
              maxSeq = Math.max(maxSeq, readF64(bytes, at + RECORD_HEADER_BYTES));
              this.replayedRecords += pending.length;
              for (let p = 0; p < pending.length; p++) apply(p);
              records += pending.length;
              pending.length = 0;
            }
            if (report && onProgress && off - lastReport > 64 * 1024 * 1024) {
              lastReport = off;
              onProgress({ table: table.name, bytes: done + off, totalBytes, records });
            }
          },
        );
        if (result.bad) {
          throw new KesqueError(
            'CORRUPT_RECORD',
            `corrupt record in table ${table.name}, segment ${segmentFileNameOf(segment.file)} at offset ${result.bad.offset}: ${result.bad.reason}`,
            {
              details: {
                table: table.name,
                file: table.segmentPath(segment.file),
                offset: result.bad.offset,
              },
            },
          );
        }
        // Records after the last marker of the active segment were cut in phase 1; elsewhere a
        // segment ends on a marker.
        done += segment.size;
        lastReport = 0;
      }
    } finally {
      table.hash?.endWrite();
      table.number?.endWrite();
    }
    if (report && onProgress) onProgress({ table: table.name, bytes: totalBytes, totalBytes, records });
    return maxSeq;
  }

  private applyRecord(table: Table, type: number, position: number, key: Uint8Array | number): void {
    if (table.hash) {
      if (type === TYPE_PUT) table.hash.put(key as Uint8Array, position, table.readKeyAt, this.collisions);
      else table.hash.remove(key as Uint8Array, table.readKeyAt);
    } else if (type === TYPE_PUT) table.number!.put(key as number, position);
    else table.number!.remove(key as number);
  }

  private startTimers(): void {
    if (this.durability.mode === 'interval') {
      this.syncTimer = setInterval(() => {
        if (this.tableList.some((t) => t.dirty)) this.requestSync().catch(() => {});
      }, this.durability.intervalMs);
      this.syncTimer.unref();
    }
    if (this.snapshotMs > 0) {
      this.snapshotTimer = setInterval(() => {
        if (!this.closed && !this.compacting && !this.failure) {
          this.flushAndSnapshot().catch(() => {});
        }
      }, this.snapshotMs);
      this.snapshotTimer.unref();
    }
  }

  /** Releases what a failed open took. */
  abandon(): void {
    for (const table of this.tableList) for (const s of table.segments) closeQuietly(s.fd);
    this.unlock();
    this.closed = true;
  }

  private unlock(): void {
    if (!this.locked) return;
    fs.rmSync(path.join(this.dir, 'LOCK'), { force: true });
    openDirs.delete(this.dir);
    this.locked = false;
  }

  // ------------------------------------------------------------------ reads

  private table(name: string): Table {
    // Callers read one table many times in a row: skip the Map for a repeated name.
    if (name === this.lastTableName) return this.lastTable!;
    const table = this.tables.get(name);
    if (table !== undefined) {
      this.lastTableName = name;
      this.lastTable = table;
    }
    if (table === undefined) {
      if (this.closed) throw this.closedError();
      throw new KesqueError('UNKNOWN_TABLE', `no table ${JSON.stringify(name)} in store ${this.dir}`, {
        details: { table: name },
      });
    }
    return table;
  }

  private closedError(): KesqueError {
    return new KesqueError('CLOSED', `store ${this.dir} is closed`, { details: { dir: this.dir } });
  }

  /** The value of `key` in `table`, or undefined. Synchronous: at most one disk read for almost
   *  every key. The value may share its ArrayBuffer with other values (a 16 KiB slab, as
   *  `Buffer.allocUnsafe` shares Node's pool): copy it (`slice()`) before keeping it for long. Throws KesqueError: CLOSED, UNKNOWN_TABLE, KEY_SIZE, KEY_TYPE, CORRUPT_RECORD. */
  get(table: string, key: TableKey): Uint8Array | undefined {
    if (this.closed) throw this.closedError();
    const t = this.table(table);
    t.checkKey(key);
    return t.get(key, this.buffer, this.counter, this.cache, false);
  }

  /** As `get`, but the value is a view of the store's read buffer, valid only until the next read
   *  of this store (lmdb's getBinaryFast does the same): no copy, no allocation of value memory.
   *  For callers that consume the value at once. */
  getTransient(table: string, key: TableKey): Uint8Array | undefined {
    if (this.closed) throw this.closedError();
    const t = this.table(table);
    t.checkKey(key);
    const buffer = this.buffer;
    buffer.transient = true;
    try {
      return t.get(key, buffer, this.counter, this.cache, false);
    } finally {
      buffer.transient = false;
    }
  }

  /** Whether `table` holds `key`. Same errors as `get`. */
  has(table: string, key: TableKey): boolean {
    return this.get(table, key) !== undefined;
  }

  /** Number of keys in `table`. */
  count(table: string): number {
    if (this.closed) throw this.closedError();
    const t = this.table(table);
    return t.hash ? t.hash.count : t.number!.count;
  }

  /** Every live record of `table`, in log order; values are fresh copies. Records written after
   *  the iteration started may or may not be seen. Number tables yield number keys. */
  *entries(table: string): IterableIterator<[TableKey, Uint8Array]> {
    if (this.closed) throw this.closedError();
    const t = this.table(table);
    this.iterations++;
    try {
      yield* this.iterate(t);
    } finally {
      if (--this.iterations === 0) {
        for (const fd of this.deferredClose) closeQuietly(fd);
        this.deferredClose = [];
      }
    }
  }

  private *iterate(t: Table): Generator<[TableKey, Uint8Array]> {
    const segments = t.segments.map((s) => ({ slot: s.slot, fd: s.fd, size: s.size, file: s.file }));
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      let base = SEGMENT_HEADER_BYTES;
      while (base < segment.size) {
        const batch: [TableKey, Uint8Array][] = [];
        const limit = base + 4 * 1024 * 1024;
        // Scan a slice and collect its live records, then yield them outside the scanner.
        const result = scanRecords(
          segment.fd,
          base,
          segment.size,
          t.keyLength,
          true,
          (bytes, at, off, type, kl, vl) => {
            if (off >= limit) return true;
            if (type !== TYPE_PUT) return false;
            const position = segment.slot * 1073741824 + off / 8;
            const valueStart = at + RECORD_HEADER_BYTES + kl;
            if (t.hash) {
              const key = bytes.slice(at + REC_OFF_KEY, at + REC_OFF_KEY + HASH_KEY_BYTES);
              if (t.hash.isCurrent(key, position))
                batch.push([key, bytes.slice(valueStart, valueStart + vl)]);
            } else {
              const key = readNumberKey(bytes, at + REC_OFF_KEY);
              if (t.number!.isCurrent(key, position))
                batch.push([key, bytes.slice(valueStart, valueStart + vl)]);
            }
            return false;
          },
        );
        if (result.bad && i < segments.length - 1) {
          throw t.corrupt(segment.slot * 1073741824 + result.bad.offset / 8, result.bad.reason);
        }
        if (this.closed) throw this.closedError();
        yield* batch;
        if (!result.stopped) break;
        base = result.end;
      }
    }
  }

  // ------------------------------------------------------------------ writes

  /** Applies every op or none, then resolves once durable under the store's policy: `always`
   *  after an fsync (batches arriving meanwhile share the next one), `interval` and `never` once
   *  the data is written to the OS. Throws KesqueError: CLOSED, FAILED, UNKNOWN_TABLE, KEY_SIZE,
   *  KEY_TYPE, VALUE_TOO_LARGE, BATCH_TOO_LARGE, DISK_FULL, WRITE_FAILED, SEGMENT_DELETED. */
  async batch(ops: readonly BatchOp[]): Promise<void> {
    this.write(ops);
    if (this.durability.mode === 'always') await this.requestSync();
  }

  /** The synchronous part of `batch`: validate, encode, append, index. */
  private write(ops: readonly BatchOp[]): void {
    if (this.closed || this.closing) throw this.closedError();
    if (this.failure) throw this.failedError();
    if (!Array.isArray(ops)) throw new KesqueError('BAD_OPTIONS', 'batch takes an array of ops');
    if (ops.length === 0) return;
    const seq = this.seq + 1;
    // Marks which tables this call touched; unique per call, even for a call refused midway.
    const mark = ++this.writeCalls;
    const touched = this.touched;
    touched.length = 0;
    // Validate and size first, so a bad op leaves nothing behind.
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const t = this.table(op.table);
      t.checkKey(op.key);
      if (op.type === 'put') {
        const v = op.value;
        if (!(v instanceof Uint8Array)) {
          throw new KesqueError('BAD_OPTIONS', `put into ${t.name} needs a Uint8Array value`, {
            details: { table: t.name },
          });
        }
        if (v.length > MAX_VALUE_BYTES) {
          throw new KesqueError(
            'VALUE_TOO_LARGE',
            `value of ${v.length} bytes for ${t.name} exceeds 256 MiB`,
            {
              details: { table: t.name, length: v.length },
            },
          );
        }
      } else if (op.type !== 'del') {
        throw new KesqueError('BAD_OPTIONS', `unknown op type ${String((op as { type: unknown }).type)}`);
      }
      if (t.batchSeq !== mark) {
        t.batchSeq = mark;
        t.wlen = 0;
        t.batchRecords = 0;
        touched.push(t);
      }
      t.wlen += recordBytes(t.keyLength, op.type === 'put' ? op.value.length : 0);
    }
    const markerBytes = recordBytes(0, 16 + 4 * touched.length);
    for (const t of touched) {
      // Page padding at most doubles a part (a record is padded by less than its size, or by one
      // page and 8 bytes), plus a page.
      const bound = 2 * t.wlen + (t.wlen >>> 2) + markerBytes + 2 * PAGE_BYTES;
      if (SEGMENT_HEADER_BYTES + bound > MAX_SEGMENT_BYTES) {
        for (const u of touched) u.batchSeq = -1;
        throw new KesqueError('BATCH_TOO_LARGE', `batch writes ${t.wlen} bytes to ${t.name}, over 4 GiB`, {
          details: { table: t.name, bytes: t.wlen },
        });
      }
      t.ensure(bound);
      t.wlen = bound;
    }
    if (this.opPositions.length < ops.length) this.opPositions = new Float64Array(ops.length * 2);
    const opPositions = this.opPositions;
    // Roll first where the part may not fit, so that every record's file offset is known while it
    // is encoded (page alignment depends on it).
    try {
      for (const t of touched) {
        if (t.active.size + t.wlen > this.segmentBytes && t.active.size > SEGMENT_HEADER_BYTES)
          this.roll(t, seq - 1);
        t.wlen = 0;
      }
    } catch (error) {
      for (const t of touched) t.batchSeq = -1;
      throw this.writeError(error);
    }
    // Encode.
    const seqLow = seq >>> 0;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const t = this.tables.get(op.table)!;
      const buf = t.wbuf;
      let at = t.wlen;
      const isPut = op.type === 'put';
      const value = isPut ? op.value : undefined;
      const vl = value === undefined ? 0 : value.length;
      const kl = t.keyLength;
      const size = (RECORD_HEADER_BYTES + kl + vl + 7) & ~7;
      at = padToPage(buf, at, t.active.size, size, seqLow);
      const dataEnd = at + RECORD_HEADER_BYTES + kl + vl;
      opPositions[i] = at;
      writeU32(buf, at + 4, vl);
      buf[at + 8] = isPut ? TYPE_PUT : TYPE_DEL;
      buf[at + 9] = kl;
      buf[at + 10] = 0;
      buf[at + 11] = 0;
      writeU32(buf, at + REC_OFF_SEQ, seqLow);
      if (kl === HASH_KEY_BYTES) buf.set(op.key as Uint8Array, at + REC_OFF_KEY);
      else writeNumberKey(buf, at + REC_OFF_KEY, op.key as number);
      if (value !== undefined) buf.set(value, at + RECORD_HEADER_BYTES + kl);
      for (let z = dataEnd; z < at + size; z++) buf[z] = 0;
      writeU32(buf, at, crc32c(buf, at + 4, dataEnd));
      t.wlen = at + size;
      t.batchRecords++;
      if (isPut) t.noteRecord(RECORD_HEADER_BYTES + kl + vl);
    }
    for (const t of touched) {
      const buf = t.wbuf;
      const at = t.wlen;
      const vl = 16 + 4 * touched.length;
      const dataEnd = at + RECORD_HEADER_BYTES + vl;
      writeU32(buf, at + 4, vl);
      buf[at + 8] = TYPE_COMMIT;
      buf[at + 9] = 0;
      buf[at + 10] = 0;
      buf[at + 11] = 0;
      writeU32(buf, at + REC_OFF_SEQ, seqLow);
      writeF64(buf, at + RECORD_HEADER_BYTES, seq);
      writeU32(buf, at + RECORD_HEADER_BYTES + 8, t.batchRecords);
      writeU32(buf, at + RECORD_HEADER_BYTES + 12, touched.length);
      for (let k = 0; k < touched.length; k++)
        writeU32(buf, at + RECORD_HEADER_BYTES + 16 + 4 * k, touched[k]!.id);
      for (let z = dataEnd; z < at + markerBytes; z++) buf[z] = 0;
      writeU32(buf, at, crc32c(buf, at + 4, dataEnd));
      t.wlen = at + markerBytes;
    }
    // Append each table's part; on a failure cut back what was written and refuse the batch.
    const starts: number[] = [];
    let k = 0;
    try {
      for (; k < touched.length; k++) {
        const t = touched[k]!;
        if (t.active.size + t.wlen > this.segmentBytes && t.active.size > SEGMENT_HEADER_BYTES)
          this.roll(t, seq - 1);
        const segment = t.active;
        starts.push(segment.size);
        let done = 0;
        while (done < t.wlen) {
          const n = this.io.writeSync(segment.fd, t.wbuf, done, t.wlen - done, segment.size + done);
          if (!(n > 0)) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
          done += n;
        }
      }
    } catch (error) {
      for (let j = 0; j <= k && j < touched.length; j++) {
        const t = touched[j]!;
        t.batchSeq = -1;
        if (j >= starts.length) continue;
        try {
          fs.ftruncateSync(t.active.fd, starts[j]!);
        } catch (truncateError) {
          this.failure = new KesqueError(
            'FAILED',
            `store ${this.dir} could not undo a failed write to ${t.name}; reopen it to recover`,
            { cause: truncateError },
          );
        }
      }
      for (const t of touched) t.batchSeq = -1;
      throw this.writeError(error);
    }
    // Index: every op in order, positions from each table's cursor.
    for (let j = 0; j < touched.length; j++) {
      const t = touched[j]!;
      t.cursor = starts[j]!;
      t.hash?.beginWrite();
      t.number?.beginWrite();
    }
    try {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        const t = this.tables.get(op.table)!;
        const position = t.active.slot * 1073741824 + (t.cursor + opPositions[i]!) / 8;
        this.applyRecord(t, op.type === 'put' ? TYPE_PUT : TYPE_DEL, position, op.key);
      }
    } finally {
      for (const t of touched) {
        t.hash?.endWrite();
        t.number?.endWrite();
        t.active.size += t.wlen;
        t.dirty = true;
        t.batchSeq = -1;
        this.counter.bytesWritten += t.wlen;
      }
    }
    this.counter.tagCollisions += this.collisions[0]!;
    this.collisions[0] = 0;
    this.seq = seq;
    this.counter.batches++;
    this.changedSinceSnapshot = true;
  }

  private writeError(error: unknown): KesqueError {
    if (isKesqueError(error)) return error;
    const code = (error as NodeJS.ErrnoException).code;
    return new KesqueError(
      code === 'ENOSPC' ? 'DISK_FULL' : 'WRITE_FAILED',
      code === 'ENOSPC'
        ? `disk full while writing a batch to ${this.dir}: the batch was not applied`
        : `write failed (${code ?? (error as Error).message}) in ${this.dir}: the batch was not applied`,
      { cause: error, details: { dir: this.dir } },
    );
  }

  private failedError(): KesqueError {
    const f = this.failure!;
    return new KesqueError(f.code === 'SEGMENT_DELETED' ? 'SEGMENT_DELETED' : 'FAILED', f.message, {
      cause: f,
    });
  }

  /** Seals the active segment of `table` (fsynced, so it can never end torn) and starts a new one. */
  private roll(table: Table, baseSeq: number): void {
    // Everything written so far, in every table, becomes durable before the new segment exists:
    // a sealed segment never ends torn, and no batch older than the roll can be half on disk.
    this.syncAllNow();
    this.createSegment(table, 0, baseSeq);
    this.saveManifest();
  }

  /** fdatasync of every table's active segment, now (rolls, snapshots). */
  private syncAllNow(): void {
    for (const t of this.tableList) {
      fs.fdatasyncSync(t.active.fd);
      t.dirty = false;
    }
  }

  /** Waits for an fsync of every table written so far (group commit: one fsync round serves every
   *  batch written before it started). */
  private requestSync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.syncWaiters.push({ resolve, reject });
      if (!this.syncRunning) void this.runSync();
    });
  }

  private async runSync(): Promise<void> {
    this.syncRunning = true;
    try {
      while (this.syncWaiters.length > 0) {
        const waiters = this.syncWaiters;
        this.syncWaiters = [];
        const fds: number[] = [];
        for (const t of this.tableList) {
          if (!t.dirty) continue;
          t.dirty = false;
          fds.push(t.active.fd);
        }
        try {
          this.checkSegmentsPresent();
          await Promise.all(fds.map((fd) => this.io.fdatasync(fd)));
          for (const w of waiters) w.resolve();
        } catch (error) {
          const typed = isKesqueError(error)
            ? error
            : new KesqueError('WRITE_FAILED', `fsync failed in ${this.dir}: ${(error as Error).message}`, {
                cause: error,
              });
          if (!this.failure) this.failure = typed;
          for (const w of waiters) w.reject(typed);
        }
      }
    } finally {
      this.syncRunning = false;
    }
  }

  /** Detects segment files deleted under the store; restores them from the open descriptor so no
   *  acknowledged data is lost, and fails the store with SEGMENT_DELETED. */
  private checkSegmentsPresent(): void {
    for (const t of this.tableList) {
      for (const s of t.segments) {
        if (fs.fstatSync(s.fd).nlink > 0) continue;
        const file = t.segmentPath(s.file);
        restoreFromDescriptor(s.fd, file, s.size);
        const error = new KesqueError(
          'SEGMENT_DELETED',
          `segment ${file} of table ${t.name} was deleted while the store was open; its contents were restored from the open file, reopen the store`,
          { details: { table: t.name, file } },
        );
        this.failure = error;
        throw error;
      }
    }
  }

  /** Fsyncs everything written so far. */
  async sync(): Promise<void> {
    if (this.closed) throw this.closedError();
    await this.requestSync();
  }

  // ------------------------------------------------------------------ snapshots

  /** Writes an index snapshot now (after an fsync of the data it covers). */
  async flushAndSnapshot(): Promise<void> {
    if (this.closed) throw this.closedError();
    await this.requestSync();
    if (this.compacting) return;
    this.snapshot();
  }

  private snapshot(): void {
    // The snapshot must never cover data that is not durable (an fsync may be in flight).
    this.syncAllNow();
    const name = `snapshot-${this.manifest.generation + 1}.kqx`;
    this.changedSinceSnapshot = false;
    writeSnapshot(path.join(this.dir, name), this.seq, this.snapshotSources());
    const old = this.manifest.snapshot;
    this.manifest.snapshot = name;
    this.saveManifest();
    if (old && old !== name) fs.rmSync(path.join(this.dir, old), { force: true });
  }

  private snapshotSources(): SnapshotSource[] {
    return this.tableList.map((t) => {
      const source: SnapshotSource = {
        header: {
          name: t.name,
          id: t.id,
          kind: t.kind,
          readLength: t.meta[META_READ_LENGTH]!,
          segmentFiles: t.segments.map((s) => s.file),
          endOffset: t.active.size,
        },
      };
      if (t.hash) source.hash = t.hash;
      if (t.number) source.number = t.number;
      return source;
    });
  }

  // ------------------------------------------------------------------ compaction

  /** Rewrites `table` keeping only the records for which `isLive(key, value)` holds (number-table
   *  keys come as 8 big-endian bytes), while reads and writes go on. The new segments replace the
   *  old ones in one manifest rename; the old files are deleted after it. A crash before the
   *  rename leaves the old state; after it, the new one. Throws KesqueError: CLOSED,
   *  COMPACTION_RUNNING, CORRUPT_RECORD, WRITE_FAILED. */
  async compact(
    table: string,
    isLive: (key: Uint8Array, value: Uint8Array) => boolean,
  ): Promise<CompactionReport> {
    if (this.closed || this.closing) throw this.closedError();
    if (this.failure) throw this.failedError();
    const t = this.table(table);
    if (this.compacting) {
      throw new KesqueError(
        'COMPACTION_RUNNING',
        `a compaction of ${this.compacting.table.name} is running`,
        {
          details: { table: this.compacting.table.name },
        },
      );
    }
    const state = { table: t, stop: false, done: Promise.resolve() as Promise<unknown> };
    this.compacting = state;
    const run = this.runCompaction(t, isLive, state);
    state.done = run.catch(() => {});
    try {
      return await run;
    } finally {
      this.compacting = undefined;
    }
  }

  private async runCompaction(
    t: Table,
    isLive: (key: Uint8Array, value: Uint8Array) => boolean,
    state: { stop: boolean },
  ): Promise<CompactionReport> {
    const started = performance.now();
    await this.requestSync();
    // Everything written so far goes into sealed segments; new writes go to a fresh one.
    if (t.active.size > SEGMENT_HEADER_BYTES) this.roll(t, this.seq);
    const inputs = t.segments.slice(0, -1);
    const bytesBefore = inputs.reduce((n, s) => n + s.size, 0);
    const outputs: Segment[] = [];
    let out: Segment | undefined;
    let outBuf = new Uint8Array(4 * 1024 * 1024);
    let outLen = 0;
    const moves: { key: Uint8Array | number; from: number; at: number }[] = [];
    let kept = 0;
    let dropped = 0;
    const processed: Segment[] = [];
    let switched = false;
    const sliceBytes = this.options.compactionSliceBytes ?? 4 * 1024 * 1024;
    const flush = (): void => {
      if (outLen === 0) return;
      const segment = out!;
      let done = 0;
      while (done < outLen)
        done += this.io.writeSync(segment.fd, outBuf, done, outLen - done, segment.size + done);
      this.counter.bytesWritten += outLen;
      // Point the index at the copies (only keys still at the old position: a batch may have
      // replaced or deleted them since).
      t.hash?.beginWrite();
      t.number?.beginWrite();
      for (const m of moves) {
        const to = segment.slot * 1073741824 + (segment.size + m.at) / 8;
        if (t.hash) t.hash.replaceIfCurrent(m.key as Uint8Array, m.from, to);
        else t.number!.replaceIfCurrent(m.key as number, m.from, to);
      }
      t.hash?.endWrite();
      t.number?.endWrite();
      segment.size += outLen;
      outLen = 0;
      moves.length = 0;
    };
    try {
      for (const input of inputs) {
        if (state.stop) break;
        let base = SEGMENT_HEADER_BYTES;
        while (base < input.size) {
          const limit = base + sliceBytes;
          const result = scanRecords(
            input.fd,
            base,
            input.size,
            t.keyLength,
            true,
            (bytes, at, off, type, kl, vl) => {
              if (off >= limit) return true;
              if (type !== TYPE_PUT) return false;
              const size = (RECORD_HEADER_BYTES + kl + vl + 7) & ~7;
              const position = input.slot * 1073741824 + off / 8;
              const key: Uint8Array | number = t.hash
                ? bytes.subarray(at + REC_OFF_KEY, at + REC_OFF_KEY + HASH_KEY_BYTES)
                : readNumberKey(bytes, at + REC_OFF_KEY);
              const current = t.hash
                ? t.hash.isCurrent(key as Uint8Array, position)
                : t.number!.isCurrent(key as number, position);
              if (!current) return false;
              const keyBytes = bytes.subarray(at + REC_OFF_KEY, at + REC_OFF_KEY + kl);
              const valueStart = at + RECORD_HEADER_BYTES + kl;
              if (!isLive(keyBytes, bytes.subarray(valueStart, valueStart + vl))) {
                t.hash?.beginWrite();
                t.number?.beginWrite();
                if (t.hash) t.hash.removeIfCurrent(key as Uint8Array, position);
                else t.number!.removeIfCurrent(key as number, position);
                t.hash?.endWrite();
                t.number?.endWrite();
                dropped++;
                return false;
              }
              if (out === undefined || out.size + outLen + size > this.segmentBytes) {
                flush();
                out = this.createSegment(t, SEGMENT_FLAG_COMPACTED, 0, false);
                outputs.push(out);
              }
              if (outLen + size + 2 * PAGE_BYTES > outBuf.length) {
                flush();
                if (size + 2 * PAGE_BYTES > outBuf.length) outBuf = new Uint8Array(size + 2 * PAGE_BYTES);
              }
              outLen = padToPage(outBuf, outLen, out.size, size, 0);
              outBuf.set(bytes.subarray(at, at + size), outLen);
              moves.push({ key: t.hash ? (key as Uint8Array).slice() : key, from: position, at: outLen });
              outLen += size;
              kept++;
              return false;
            },
          );
          if (result.bad) throw t.corrupt(input.slot * 1073741824 + result.bad.offset / 8, result.bad.reason);
          flush();
          if (!result.stopped) break;
          base = result.end;
          // Let reads and batches run between slices.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        processed.push(input);
      }
      flush();
      for (const o of outputs) fs.fdatasyncSync(o.fd);
      fsyncDir(t.dir);
      // Switch: the new list keeps segments not processed (a stop at close) and the active ones.
      await this.requestSync();
      const rest = t.segments.filter((s) => !processed.includes(s));
      const old = t.segments;
      t.segments = [...outputs, ...rest];
      try {
        this.snapshot();
      } catch (error) {
        if (this.manifest.tables[t.name]!.segments.length !== t.segments.length) t.segments = old;
        else switched = true;
        throw error;
      }
      switched = true;
    } catch (error) {
      if (switched) throw error;
      // Abandon the outputs. The index may point into them and has lost the records judged dead:
      // rebuild this table's index from its log, which the manifest still names whole.
      for (const o of outputs) {
        closeQuietly(o.fd);
        fs.rmSync(t.segmentPath(o.file), { force: true });
        t.meta[o.slot] = 0;
        t.fdFiles[o.slot] = 0;
        t.fds[o.slot] = -1;
        t.dropMap(o.slot);
      }
      if (outputs.length > 0 || dropped > 0) {
        t.hash?.beginWrite();
        t.number?.beginWrite();
        t.hash?.clear();
        t.number?.clear();
        t.hash?.endWrite();
        t.number?.endWrite();
        this.replay(t, 0, SEGMENT_HEADER_BYTES, false);
      }
      throw error;
    }
    // The old files go only after the manifest no longer names them. An iteration may still be
    // reading them: their descriptors close when the last iteration ends.
    for (const s of processed) {
      if (this.iterations > 0) this.deferredClose.push(s.fd);
      else closeQuietly(s.fd);
      fs.rmSync(t.segmentPath(s.file), { force: true });
      t.meta[s.slot] = 0;
      t.fdFiles[s.slot] = 0;
      t.fds[s.slot] = -1;
      t.dropMap(s.slot);
    }
    this.counter.compactions++;
    return {
      table: t.name,
      recordsKept: kept,
      recordsDropped: dropped,
      bytesBefore,
      bytesAfter: outputs.reduce((n, s) => n + s.size, 0),
      seconds: (performance.now() - started) / 1000,
    };
  }

  // ------------------------------------------------------------------ monitor, readers, close

  /** Counters since open; besides the contract's fields, `readArounds`: background
   *  prefetches issued after a get went to the disk (not counted in diskReads). */
  /** Kesque's counters, with `readArounds` (background prefetches) and `mappedReads` (the
   *  `diskReads` served from a memory map rather than a pread: see `readBackend`). */
  counters(): KesqueCounters & { readArounds: number; mappedReads: number } {
    const c = this.counter;
    return {
      readArounds: c.readArounds,
      mappedReads: c.mappedReads,
      gets: c.gets,
      diskReads: c.diskReads,
      tagCollisions: c.tagCollisions,
      cacheHits: c.cacheHits,
      cacheMisses: c.cacheMisses,
      bytesWritten: c.bytesWritten,
      batches: c.batches,
      compactions: c.compactions,
    };
  }

  indexBytes(): number {
    let total = 0;
    for (const t of this.tableList) total += t.hash ? t.hash.bytes() : t.number!.bytes();
    return total;
  }

  /** Bytes of segment files on disk. */
  diskBytes(): number {
    let total = 0;
    for (const t of this.tableList) for (const s of t.segments) total += s.size;
    return total;
  }

  readerHandle(): KesqueReaderHandle {
    if (this.closed) throw this.closedError();
    const tables: ReaderHandleTables = {};
    for (const t of this.tableList) tables[t.name] = t.shared();
    return {
      dir: this.dir,
      tables,
      verifyChecksums: this.options.verifyChecksums ?? false,
      coldReadMs: this.options.coldReadMs ?? COLD_READ_MS,
      readAroundBytes: this.readAroundBytes,
    } as KesqueReaderHandle;
  }

  /** Test hook: appends a PAD record of `bytes` to `table`'s active segment (a sparse hole), so
   *  that later records sit past that offset (positions past 4 GiB without writing 4 GiB). */
  padForTests(table: string, bytes: number): void {
    const t = this.table(table);
    const segment = t.active;
    this.changedSinceSnapshot = true;
    let left = Math.ceil(bytes / 8) * 8;
    while (left > 0) {
      const skip = Math.min(left, 2 ** 31);
      const head = new Uint8Array(RECORD_HEADER_BYTES);
      writeU32(head, 4, skip);
      head[8] = TYPE_PAD;
      writeU32(head, 0, crc32c(head, 4, RECORD_HEADER_BYTES));
      fs.writeSync(segment.fd, head, 0, head.length, segment.size);
      segment.size += RECORD_HEADER_BYTES + skip;
      left -= skip;
    }
    fs.ftruncateSync(segment.fd, segment.size);
    t.dirty = true;
  }

  /** Fsyncs, writes the index snapshot and releases the directory. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.closed) return;
    if (this.compacting) {
      this.compacting.stop = true;
      await this.compacting.done;
    }
    clearInterval(this.syncTimer);
    clearInterval(this.snapshotTimer);
    let error: unknown;
    try {
      if (!this.failure) {
        await this.requestSync();
        // A store opened from its snapshot and never written keeps that snapshot.
        if (this.changedSinceSnapshot) this.snapshot();
      }
    } catch (e) {
      error = e;
    }
    this.closed = true;
    for (const t of this.tableList) {
      for (const s of t.segments) {
        closeQuietly(s.fd);
        t.dropMap(s.slot);
      }
    }
    this.cache?.clear();
    this.unlock();
    if (error) throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

function restoreFromDescriptor(fd: number, file: string, size: number): void {
  const tmp = `${file}.restore`;
  const out = fs.openSync(tmp, 'w');
  try {
    const chunk = new Uint8Array(8 * 1024 * 1024);
    for (let at = 0; at < size; ) {
      const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
      if (n === 0) break;
      fs.writeSync(out, chunk, 0, n, at);
      at += n;
    }
    fs.fsyncSync(out);
  } finally {
    fs.closeSync(out);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}

/** Records in a table's log, estimated from its size and the records of its first megabyte. */
function estimateRecords(table: Table): number {
  const first = table.segments[0];
  if (first === undefined) return 0;
  let records = 0;
  const sample = scanRecords(
    first.fd,
    SEGMENT_HEADER_BYTES,
    Math.min(first.size, 1 << 20),
    table.keyLength,
    false,
    (_b, _a, _o, type) => {
      if (type === TYPE_PUT) records++;
      return false;
    },
  );
  const sampled = sample.end - SEGMENT_HEADER_BYTES;
  if (records === 0 || sampled <= 0) return 0;
  let total = 0;
  for (const s of table.segments) total += s.size;
  return Math.floor((records * total) / sampled);
}

/** Records up to a page long never straddle a page boundary: a cold get then reads one page. */
const PAGE_BYTES = 4096;

/** If a record of `size` bytes at buffer offset `at` (file offset `base + at`) would straddle a
 *  page boundary, writes a PAD record up to the boundary and returns the record's new offset. */
function padToPage(buf: Uint8Array, at: number, base: number, size: number, seqLow: number): number {
  if (size > PAGE_BYTES) return at;
  const inPage = (base + at) % PAGE_BYTES;
  if (inPage + size <= PAGE_BYTES) return at;
  // A PAD needs 16 bytes: an 8-byte gap pads to the page after (1 record in ~500 that straddle).
  const gap = PAGE_BYTES - inPage < RECORD_HEADER_BYTES ? 2 * PAGE_BYTES - inPage : PAGE_BYTES - inPage;
  buf.fill(0, at, at + gap);
  writeU32(buf, at + 4, gap - RECORD_HEADER_BYTES);
  buf[at + 8] = TYPE_PAD;
  writeU32(buf, at + REC_OFF_SEQ, seqLow);
  writeU32(buf, at, crc32c(buf, at + 4, at + RECORD_HEADER_BYTES));
  return at + gap;
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

function writeF64(out: Uint8Array, at: number, value: number): void {
  f64[0] = value;
  out.set(f64Bytes, at);
}

function readF64(bytes: Uint8Array, at: number): number {
  f64Bytes.set(bytes.subarray(at, at + 8));
  return f64[0]!;
}

export { MANIFEST_NAME };
