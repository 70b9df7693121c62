import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  decodeJournal,
  encodeJournalRecord,
  JOURNAL_HEADER_BYTES,
  JournalError,
  RECORD_HEADER_BYTES,
  TransactionJournal,
} from './journal.js';

const dir = mkdtempSync(join(tmpdir(), 'khipu-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fresh = () => join(dir, `journal-${files++}.bin`);

/** Payload i: i's decimal digits repeated to a length that varies with i. */
const payload = (i: number) => Buffer.from(`${i}:`.repeat(1 + (i % 13)));

describe('[txpool] journal format', () => {
  it('round-trips records through a file', () => {
    const path = fresh();
    const journal = new TransactionJournal({ path });
    assert.deepEqual(journal.open(), { records: [], truncatedBytes: 0 });
    for (let i = 0; i < 50; i++) journal.append(payload(i));
    journal.close();
    const again = new TransactionJournal({ path });
    const { records, truncatedBytes } = again.open();
    again.close();
    assert.equal(truncatedBytes, 0);
    assert.deepEqual(
      records.map((r) => Buffer.from(r).toString()),
      Array.from({ length: 50 }, (_, i) => payload(i).toString()),
    );
  });

  it('cuts a torn last record at every possible length and keeps all before it', () => {
    const path = fresh();
    const journal = new TransactionJournal({ path });
    journal.open();
    for (let i = 0; i < 3; i++) journal.append(payload(i));
    journal.close();
    const whole = readFileSync(path);
    const lastLength = RECORD_HEADER_BYTES + payload(2).length;
    for (let cut = 1; cut < lastLength; cut++) {
      writeFileSync(path, whole.subarray(0, whole.length - cut));
      const reopened = new TransactionJournal({ path });
      const { records, truncatedBytes } = reopened.open();
      assert.equal(records.length, 2, `cut ${cut}`);
      assert.equal(truncatedBytes, lastLength - cut);
      reopened.append(payload(9)); // appends after the cut, not after the garbage
      reopened.close();
      assert.deepEqual(
        decodeJournal(readFileSync(path)).records.map((r) => Buffer.from(r).toString()),
        [payload(0), payload(1), payload(9)].map(String),
      );
    }
  });

  it('stops at the first record whose any byte was flipped', () => {
    const bytes = Buffer.concat([
      Buffer.from('KHIPUTXJ'),
      Buffer.from([0, 0, 0, 1]),
      encodeJournalRecord(payload(1)),
      encodeJournalRecord(payload(2)),
    ]);
    const firstEnd = JOURNAL_HEADER_BYTES + RECORD_HEADER_BYTES + payload(1).length;
    for (let i = JOURNAL_HEADER_BYTES; i < bytes.length; i++) {
      const flipped = Buffer.from(bytes);
      flipped[i] = (flipped[i] ?? 0) ^ 0x01;
      const { records } = decodeJournal(flipped);
      const expected = i < firstEnd ? 0 : 1;
      assert.ok(records.length <= expected, `flip at ${i} kept ${records.length} records`);
      for (const r of records) assert.deepEqual(Buffer.from(r), payload(1));
    }
  });

  it('refuses a file that is not a journal, and an unknown version', () => {
    assert.throws(
      () => decodeJournal(Buffer.from('NOTAJOURNALATALL')),
      (e: unknown) => e instanceof JournalError && e.code === 'BAD_MAGIC',
    );
    assert.throws(
      () => decodeJournal(Buffer.from([...Buffer.from('KHIPUTXJ'), 0, 0, 0, 2])),
      (e: unknown) => e instanceof JournalError && e.code === 'UNKNOWN_VERSION',
    );
    assert.throws(() => encodeJournalRecord(new Uint8Array(0)), RangeError);
  });

  it('refuses a missing directory, a second open and use while closed', () => {
    const code = (fn: () => unknown, expected: string) =>
      assert.throws(fn, (e: unknown) => e instanceof JournalError && e.code === expected);
    code(() => new TransactionJournal({ path: join(dir, 'missing', 'j.bin') }).open(), 'NO_DIRECTORY');
    const journal = new TransactionJournal({ path: fresh() });
    code(() => journal.append(payload(1)), 'NOT_OPEN');
    journal.open();
    code(() => journal.open(), 'ALREADY_OPEN');
    journal.close();
    code(() => journal.rewrite([]), 'NOT_OPEN');
  });

  it('treats a journal torn inside its header as empty', () => {
    const path = fresh();
    writeFileSync(path, Buffer.from('KHIP'));
    const journal = new TransactionJournal({ path });
    assert.deepEqual(journal.open(), { records: [], truncatedBytes: 4 });
    journal.append(payload(3));
    journal.close();
    assert.equal(decodeJournal(readFileSync(path)).records.length, 1);
  });

  it('rewrites to exactly the live records', () => {
    const path = fresh();
    const journal = new TransactionJournal({ path });
    journal.open();
    for (let i = 0; i < 20; i++) journal.append(payload(i));
    journal.rewrite([payload(5), payload(6)]);
    journal.append(payload(7));
    assert.equal(journal.bytes, statSync(path).size);
    journal.close();
    assert.deepEqual(
      decodeJournal(readFileSync(path)).records.map(String),
      [payload(5), payload(6), payload(7)].map(String),
    );
  });

  it('keeps every acknowledged record when the writer is killed mid-write (12 kills)', async () => {
    const journalModule = fileURLToPath(new URL('./journal.js', import.meta.url));
    for (let round = 0; round < 12; round++) {
      const path = fresh();
      // The child appends records, rewriting now and then, and acknowledges each on stdout
      // only after append/rewrite returned. It runs until killed.
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { TransactionJournal } from ${JSON.stringify(journalModule)};
           const payload = (i) => Buffer.from(i + ':'.repeat(1) + (i + ':').repeat(i % 13));
           const j = new TransactionJournal({ path: ${JSON.stringify(path)} });
           j.open();
           const live = [];
           for (let i = 0; ; i++) {
             j.append(payload(i)); live.push(payload(i));
             if (i % 97 === 96) j.rewrite(live);
             // Wait for each acknowledgement to leave: a loop that never yields would queue them
             // in memory once the pipe is full (a slow parent), and the parent would never see one.
             await new Promise((resolve) => process.stdout.write(i + '\\n', resolve));
           }`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let acked = -1;
      let buffer = '';
      const target = 50 + ((round * 7919) % 400);
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          for (const line of lines) acked = Number(line);
          if (acked >= target && child.exitCode === null && !child.killed) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve());
      });
      const journal = new TransactionJournal({ path });
      const { records } = journal.open();
      journal.close();
      const expected = (i: number) => `${i}:${`${i}:`.repeat(i % 13)}`;
      assert.ok(
        records.length >= acked + 1,
        `round ${round}: ${records.length} records, ${acked + 1} acknowledged`,
      );
      for (const [i, r] of records.entries()) {
        assert.equal(Buffer.from(r).toString(), expected(i), `round ${round} record ${i}`);
      }
    }
  });
});

describe('[txpool] journal torn by hand', () => {
  it('survives garbage appended after the last record', () => {
    const path = fresh();
    const journal = new TransactionJournal({ path });
    journal.open();
    journal.append(payload(1));
    journal.close();
    appendFileSync(path, Buffer.from([0, 0, 0, 9, 1, 2]));
    const again = new TransactionJournal({ path });
    assert.equal(again.open().records.length, 1);
    again.close();
    truncateSync(path, JOURNAL_HEADER_BYTES);
    const empty = new TransactionJournal({ path });
    assert.equal(empty.open().records.length, 0);
    empty.close();
  });
});
