// The pool's journal: every admitted transaction is appended before the pool answers, so that
// a restart (kill -9 included) finds it again.
//
// File layout: a header, then records back to back.
//
//   header   offset  size  field
//            0       8     magic "KHIPUTXJ"
//            8       4     version, u32 big-endian (1)
//   record   0       4     payload length n, u32 big-endian (1 ≤ n ≤ MAX_RECORD_BYTES)
//            4       4     CRC-32 of the payload, u32 big-endian
//            8       n     payload: the raw signed transaction
//
// A crash can leave a torn last record (short, or failing its CRC): opening cuts the file back
// to the last whole record and keeps everything before it. The pool writes the records of one
// event-loop turn with one `writeSync` (group commit), and answers only after that write
// returned, so a killed process loses at most records it had not acknowledged. `rewrite` compacts the journal
// to the pool's live transactions through a temporary file renamed over the journal.

import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

const MAGIC = Buffer.from('KHIPUTXJ', 'latin1');
const VERSION = 1;
const MAGIC_OFFSET = 0;
const VERSION_OFFSET = 8;
export const JOURNAL_HEADER_BYTES = 12;
const LENGTH_OFFSET = 0;
const CRC_OFFSET = 4;
export const RECORD_HEADER_BYTES = 8;
/** Largest payload a record may hold; a length beyond it marks a torn or corrupt tail. */
export const MAX_RECORD_BYTES = 1 << 20;

export type JournalErrorCode = 'BAD_MAGIC' | 'UNKNOWN_VERSION' | 'NO_DIRECTORY' | 'ALREADY_OPEN' | 'NOT_OPEN';

/** Thrown when a journal file is not a journal (wrong magic or unknown version), its directory
 *  is missing, or the journal is used while closed (or opened twice). */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  readonly code: JournalErrorCode;
  constructor(code: JournalErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface JournalLoadResult {
  /** Payloads of the whole records, in file order. */
  records: Uint8Array[];
  /** Bytes cut from a torn or corrupt tail (0 when the file was whole). */
  truncatedBytes: number;
}

function header(): Buffer {
  const out = Buffer.alloc(JOURNAL_HEADER_BYTES);
  MAGIC.copy(out, MAGIC_OFFSET);
  out.writeUInt32BE(VERSION, VERSION_OFFSET);
  return out;
}

/** Encodes one record into a new buffer. */
export function encodeJournalRecord(payload: Uint8Array): Buffer {
  if (payload.length === 0 || payload.length > MAX_RECORD_BYTES) {
    throw new RangeError(`journal record of ${payload.length} bytes: must be 1..${MAX_RECORD_BYTES}`);
  }
  const out = Buffer.alloc(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, LENGTH_OFFSET);
  out.writeUInt32BE(crc32(payload), CRC_OFFSET);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

/** Parses a journal's bytes: the whole records and where the valid prefix ends. Throws
 *  `JournalError` for a file that is not a journal. */
export function decodeJournal(bytes: Uint8Array): { records: Uint8Array[]; validLength: number } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < JOURNAL_HEADER_BYTES) {
    // A crash while writing the header of a new journal: nothing was ever admitted after it.
    if (MAGIC.subarray(0, Math.min(buffer.length, MAGIC.length)).equals(buffer.subarray(0, MAGIC.length))) {
      return { records: [], validLength: 0 };
    }
    throw new JournalError('BAD_MAGIC', 'not a transaction journal (bad magic)');
  }
  if (!buffer.subarray(MAGIC_OFFSET, MAGIC_OFFSET + MAGIC.length).equals(MAGIC)) {
    throw new JournalError('BAD_MAGIC', 'not a transaction journal (bad magic)');
  }
  const version = buffer.readUInt32BE(VERSION_OFFSET);
  if (version !== VERSION)
    throw new JournalError('UNKNOWN_VERSION', `transaction journal version ${version} is unknown`);
  const records: Uint8Array[] = [];
  let offset = JOURNAL_HEADER_BYTES;
  while (offset + RECORD_HEADER_BYTES <= buffer.length) {
    const length = buffer.readUInt32BE(offset + LENGTH_OFFSET);
    const crc = buffer.readUInt32BE(offset + CRC_OFFSET);
    const start = offset + RECORD_HEADER_BYTES;
    if (length === 0 || length > MAX_RECORD_BYTES || start + length > buffer.length) break;
    const payload = buffer.subarray(start, start + length);
    if (crc32(payload) !== crc) break;
    records.push(Uint8Array.prototype.slice.call(payload));
    offset = start + length;
  }
  return { records, validLength: offset };
}

export interface TransactionJournalOptions {
  path: string;
  /** fsync after each append (survives power loss, slower). Default false: a kill -9 loses
   *  nothing written, since the OS keeps the page cache. */
  fsyncEachWrite?: boolean;
}

/** The append-only journal file of the pool. Not safe to share between processes. */
export class TransactionJournal {
  readonly path: string;
  readonly #fsync: boolean;
  #fd: number | undefined;
  #bytes = 0;

  constructor(options: TransactionJournalOptions) {
    this.path = options.path;
    this.#fsync = options.fsyncEachWrite ?? false;
  }

  /** Size of the journal file, in bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Reads the journal (creating it when missing), cuts a torn tail, and opens it for appends.
   *  Throws `JournalError` for a file that is not a journal. */
  open(): JournalLoadResult {
    if (this.#fd !== undefined)
      throw new JournalError('ALREADY_OPEN', `journal ${this.path} is already open`);
    if (!existsSync(dirname(this.path)))
      throw new JournalError('NO_DIRECTORY', `journal directory ${dirname(this.path)} does not exist`);
    let records: Uint8Array[] = [];
    let truncatedBytes = 0;
    if (existsSync(this.path)) {
      const bytes = readFileSync(this.path);
      const decoded = decodeJournal(bytes);
      records = decoded.records;
      truncatedBytes = bytes.length - decoded.validLength;
      if (decoded.validLength === 0) {
        this.#createFresh();
        return { records, truncatedBytes };
      }
      if (truncatedBytes > 0) truncateSync(this.path, decoded.validLength);
      this.#fd = openSync(this.path, 'a');
      this.#bytes = decoded.validLength;
    } else this.#createFresh();
    return { records, truncatedBytes };
  }

  /** Appends transactions in one write (and one fsync, when asked); returns once the OS has the
   *  bytes (and the disk, with fsync). */
  append(...raws: Uint8Array[]): void {
    if (this.#fd === undefined) throw new JournalError('NOT_OPEN', `journal ${this.path} is not open`);
    if (raws.length === 0) return;
    const records =
      raws.length === 1
        ? encodeJournalRecord(raws[0] as Uint8Array)
        : Buffer.concat(raws.map(encodeJournalRecord));
    writeSync(this.#fd, records);
    if (this.#fsync) fsyncSync(this.#fd);
    this.#bytes += records.length;
  }

  /** Replaces the journal with exactly `live` (compaction), atomically: a crash leaves either
   *  the old journal or the new one. */
  rewrite(live: Iterable<Uint8Array>): void {
    if (this.#fd === undefined) throw new JournalError('NOT_OPEN', `journal ${this.path} is not open`);
    const temporary = `${this.path}.new`;
    const fd = openSync(temporary, 'w');
    let bytes = 0;
    try {
      const chunks: Buffer[] = [header()];
      bytes += JOURNAL_HEADER_BYTES;
      for (const raw of live) {
        const record = encodeJournalRecord(raw);
        chunks.push(record);
        bytes += record.length;
      }
      writeSync(fd, Buffer.concat(chunks));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    this.#syncDirectory();
    closeSync(this.#fd);
    this.#fd = openSync(this.path, 'a');
    this.#bytes = bytes;
  }

  close(): void {
    if (this.#fd === undefined) return;
    fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #createFresh(): void {
    const fd = openSync(this.path, 'w');
    writeSync(fd, header());
    fsyncSync(fd);
    closeSync(fd);
    this.#syncDirectory();
    this.#fd = openSync(this.path, 'a');
    this.#bytes = statSync(this.path).size;
  }

  #syncDirectory(): void {
    try {
      const fd = openSync(dirname(this.path), 'r');
      fsyncSync(fd);
      closeSync(fd);
    } catch {
      // Not every platform can fsync a directory; the rename is still atomic.
    }
  }
}
