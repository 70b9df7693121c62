// Test (a) of issue 3: a child process writes batches with fsync-always and acknowledges each on a
// pipe; it is killed with SIGKILL at a random moment, many times over. After every kill the store
// is reopened and checked: every acknowledged batch is there whole, the one batch that may have been
// in flight is there whole or not at all, nothing after it exists, and the tables hold nothing else.
// KHIPU_TEST_ITERATIONS sets the number of kills (30 by default).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openKesque } from '../index.js';
import {
  CRASH_TABLE,
  crashStoreOptions,
  expectedRecords,
  MARKS_TABLE,
  markValue,
  recordCount,
  recordKey,
  recordLength,
  recordValue,
} from './crashBatches.js';

const WRITER = fileURLToPath(new URL('./crashWriter.js', import.meta.url));
const CYCLES = Number(process.env.KHIPU_TEST_ITERATIONS ?? 30);

/** Seeded so that a failing schedule can be replayed (KHIPU_TEST_SEED). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

interface CycleOutcome {
  /** Highest batch number the writer acknowledged in this cycle (0 when none). */
  acked: number;
  opened: boolean;
  exit: string;
  stderr: string;
}

/** Starts a writer at `first`, kills it with SIGKILL at a random moment, and collects its acks. */
function runWriterCycle(dir: string, first: number, next: () => number): Promise<CycleOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, String(first)], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let text = '';
    let stderr = '';
    let opened = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = () => child.kill('SIGKILL');
    // One kill in ten lands while the writer starts and recovers the store; the rest while it writes.
    const early = next() < 0.1;
    const delay = early ? next() * 150 : next() * 300;
    if (early) timer = setTimeout(kill, delay);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const acks = child.stdio[3] as NodeJS.ReadableStream;
    acks.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (!opened && text.startsWith('open\n')) {
        opened = true;
        if (!early) timer = setTimeout(kill, delay);
      }
    });
    child.on('error', reject);
    // 'close' fires once the process has exited and its pipes are drained: every ack it wrote is in.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const numbers = text
        .split('\n')
        .filter((line) => /^\d+$/.test(line))
        .map(Number);
      for (let i = 1; i < numbers.length; i++) {
        if (numbers[i] !== numbers[i - 1]! + 1)
          reject(new Error(`writer acked out of order: ${numbers.join(',')}`));
      }
      resolve({ acked: numbers.at(-1) ?? 0, opened, exit: signal ?? `code ${code}`, stderr });
    });
  });
}

function equalBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Reopens the store and checks it against batches 1 .. acked (+ maybe acked+1). Returns the
 *  number of the last batch present. Values of batches after `checkedUpTo` (new since the last
 *  check) are compared byte for byte; older ones by length, and one in 16 byte for byte (another
 *  sixteenth each cycle), which keeps the check linear as the store grows. */
async function checkStore(dir: string, acked: number, cycle: number, checkedUpTo: number): Promise<number> {
  const store = await openKesque(crashStoreOptions(dir));
  try {
    for (let n = 1; n <= acked; n++) {
      assert.ok(
        equalBytes(store.get(MARKS_TABLE, n), markValue(n)),
        `cycle ${cycle}: acknowledged batch ${n} lost`,
      );
    }
    const inFlight = acked + 1;
    const last = store.has(MARKS_TABLE, inFlight) ? inFlight : acked;
    assert.equal(
      store.has(MARKS_TABLE, last + 1),
      false,
      `cycle ${cycle}: batch ${last + 1} present after ${last}`,
    );
    if (last === acked) {
      // The batch in flight left nothing behind: none of its records, and its delete not applied.
      for (let j = 0; j < recordCount(inFlight); j++) {
        assert.equal(
          store.has(CRASH_TABLE, recordKey(inFlight, j)),
          false,
          `cycle ${cycle}: half of unacknowledged batch ${inFlight} present (record ${j})`,
        );
      }
    }
    const model = expectedRecords(last);
    let live = 0;
    for (const [hex, source] of model) {
      const value = store.get(CRASH_TABLE, Buffer.from(hex, 'hex'));
      if (source === 'deleted') {
        assert.equal(value, undefined, `cycle ${cycle}: key ${hex} deleted by a batch <= ${last} is back`);
      } else {
        live++;
        const what = `cycle ${cycle}: record ${source.j} of batch ${source.n} (of ${last})`;
        assert.ok(value !== undefined, `${what} is missing`);
        const full = source.n > checkedUpTo || (source.n * 64 + source.j) % 16 === cycle % 16;
        if (full) assert.ok(equalBytes(value, recordValue(source.n, source.j)), `${what} is wrong`);
        else assert.equal(value.length, recordLength(source.n, source.j), `${what} has the wrong length`);
      }
    }
    let entries = 0;
    for (const _ of store.entries(CRASH_TABLE)) entries++;
    assert.equal(entries, live, `cycle ${cycle}: the crash table holds ${entries} records, expected ${live}`);
    let marks = 0;
    for (const _ of store.entries(MARKS_TABLE)) marks++;
    assert.equal(marks, last, `cycle ${cycle}: the marks table holds ${marks} batches, expected ${last}`);
    return last;
  } finally {
    await store.close();
  }
}

describe('[Kesque] crash safety', () => {
  it(`keeps every acknowledged batch whole, and never half a batch, across ${CYCLES} kill -9 of a writer`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'kesque-kill9-'));
    const seed = Number(process.env.KHIPU_TEST_SEED ?? Date.now() % 1_000_000);
    const next = random(seed);
    let last = 0;
    let totalAcked = 0;
    let killedWhileWriting = 0;
    let inFlightFound = 0;
    try {
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const outcome = await runWriterCycle(dir, last + 1, next);
        assert.equal(
          outcome.exit,
          'SIGKILL',
          `cycle ${cycle} (seed ${seed}): writer died on its own:\n${outcome.stderr}`,
        );
        const acked = Math.max(outcome.acked, last);
        if (outcome.acked > 0) {
          totalAcked += outcome.acked - last;
          killedWhileWriting++;
        }
        last = await checkStore(dir, acked, cycle, last);
        if (last > acked) inFlightFound++;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    t.diagnostic(
      `seed ${seed}: ${totalAcked} batches acknowledged, ${killedWhileWriting} kills after a write, ` +
        `${inFlightFound} unacknowledged batches found whole after the kill`,
    );
    // The test only means something if the kills landed among acknowledged writes.
    assert.ok(
      killedWhileWriting >= CYCLES / 4,
      `only ${killedWhileWriting} of ${CYCLES} kills came after a write`,
    );
    assert.ok(
      totalAcked >= CYCLES,
      `only ${totalAcked} batches acknowledged in ${CYCLES} cycles (seed ${seed})`,
    );
  });
});
