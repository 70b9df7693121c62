// Admitted transactions survive a restart, a kill -9 mid-admission included.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs, { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Common } from '@ethereumjs/common';
import { createNodeMetrics } from '../metrics/metrics.js';
import type { Address, Hash } from '../rpc/backend.js';
import { signTransaction, type TestAccount, testAccount } from '../rpc/testing/accounts.js';
import { createTxCommon } from './decode.js';
import { decodeJournal } from './journal.js';
import { type CreateTxPoolParameters, createTxPool, type TxPool } from './pool.js';

const CHAIN_ID = 99n;
const dir = mkdtempSync(join(tmpdir(), 'khipu-pool-restart-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const state = {
  nonces: new Map<Address, bigint>(),
  getNonce(address: Address) {
    return this.nonces.get(address) ?? 0n;
  },
  getBalance: () => 10n ** 24n,
};

/** A pool on the journal at `journalPath` over the test's state; `options` add to it. */
function openPool(journalPath: string, options: Partial<CreateTxPoolParameters> = {}): Promise<TxPool> {
  return createTxPool({ chainId: CHAIN_ID, state, blockGasLimit: 30_000_000n, journalPath, ...options });
}

/** A 21,000-gas transfer by `sender` to test account 9, signed for CHAIN_ID. */
function transfer(sender: TestAccount, nonce: bigint, common: Common): Uint8Array {
  return signTransaction(
    {
      type: 2,
      chainId: CHAIN_ID,
      nonce,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
      gasLimit: 21_000n,
      to: testAccount(9).address,
    },
    sender,
    common,
  );
}

describe('[txpool] restart', () => {
  it('restores pooled transactions from the journal and drops those mined meanwhile', async () => {
    const journalPath = join(dir, 'clean.journal');
    const common = createTxCommon(CHAIN_ID);
    const alice = testAccount(1);
    const pool = await openPool(journalPath);
    const hashes: Hash[] = [];
    for (let nonce = 0n; nonce < 5n; nonce++) {
      const raw = transfer(alice, nonce, common);
      hashes.push(await pool.submitRawTransaction(raw));
    }
    // A crash: no close, no compaction. Meanwhile the first two were mined.
    state.nonces.set(alice.address, 2n);
    const restarted = await openPool(journalPath);
    assert.deepEqual(
      hashes.map((h) => restarted.get(h) !== undefined),
      [false, false, true, true, true],
    );
    assert.deepEqual(restarted.counts(), { pending: 3, queued: 0 });
    restarted.close();
    state.nonces.clear();
  });

  it('compacts the journal once mostly mined, keeping the live transactions', async () => {
    const journalPath = join(dir, 'compact.journal');
    const common = createTxCommon(CHAIN_ID);
    const alice = testAccount(1);
    const metrics = createNodeMetrics({ processMetrics: false });
    const pool = await openPool(journalPath, { journalCompactBytes: 1000, metrics: metrics.txpool });
    const mined: { hash: Hash; from: Address; nonce: bigint }[] = [];
    for (let nonce = 0n; nonce < 30n; nonce++) {
      const raw = transfer(alice, nonce, common);
      mined.push({ hash: await pool.submitRawTransaction(raw), from: alice.address, nonce });
    }
    const full = statSync(journalPath).size;
    assert.ok(full > 3000);
    state.nonces.set(alice.address, 28n);
    pool.removeMined(mined.slice(0, 28));
    const compacted = statSync(journalPath).size;
    assert.ok(compacted < full / 4, `journal ${compacted} bytes after compaction, ${full} before`);
    assert.match(
      await metrics.registry.metrics(),
      new RegExp(`^khipu_chain_txpool_journal_bytes ${compacted}$`, 'm'),
    );
    assert.match(await metrics.registry.metrics(), /^khipu_chain_txpool_pending_transactions 2$/m);
    const restarted = await openPool(journalPath);
    assert.deepEqual(restarted.counts(), { pending: 2, queued: 0 });
    restarted.close();
    pool.close();
    state.nonces.clear();
  });

  it('writes the admissions of one event-loop turn with one journal write, each durable when acknowledged', async () => {
    const journalPath = join(dir, 'group.journal');
    const common = createTxCommon(CHAIN_ID);
    const pool = await openPool(journalPath);
    const senders = [1, 2, 3, 4].map(testAccount);
    const raws = Array.from({ length: 40 }, (_, i) =>
      transfer(senders[i % 4] as TestAccount, BigInt(Math.floor(i / 4)), common),
    );
    const writes = mock.method(fs, 'writeSync');
    syncBuiltinESMExports();
    try {
      await Promise.all(
        raws.map(async (raw) => {
          await pool.submitRawTransaction(raw);
          // Acknowledged: the record is in the file already.
          const { records } = decodeJournal(readFileSync(journalPath));
          assert.ok(records.some((r) => Buffer.from(r).equals(Buffer.from(raw))));
        }),
      );
    } finally {
      writes.mock.restore();
      syncBuiltinESMExports();
    }
    assert.ok(
      writes.mock.callCount() >= 1 && writes.mock.callCount() <= 2,
      `${writes.mock.callCount()} journal writes for 40 admissions`,
    );
    assert.equal(decodeJournal(readFileSync(journalPath)).records.length, 40);
    pool.close();
  });

  it('keeps every acknowledged transaction across 5 kill -9 of a process admitting them', async () => {
    const poolModule = fileURLToPath(new URL('./pool.js', import.meta.url));
    const decodeModule = fileURLToPath(new URL('./decode.js', import.meta.url));
    const accountsModule = fileURLToPath(new URL('../rpc/testing/accounts.js', import.meta.url));
    for (let round = 0; round < 5; round++) {
      const journalPath = join(dir, `killed-${round}.journal`);
      const child = spawn(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { createTxPool } from ${JSON.stringify(poolModule)};
           import { createTxCommon } from ${JSON.stringify(decodeModule)};
           import { signTransaction, testAccount } from ${JSON.stringify(accountsModule)};
           const common = createTxCommon(${CHAIN_ID}n);
           const state = { getNonce: () => 0n, getBalance: () => 10n ** 24n };
           const pool = await createTxPool({ chainId: ${CHAIN_ID}n, state, blockGasLimit: 30000000n, journalPath: ${JSON.stringify(journalPath)} });
           const senders = [1, 2, 3].map(testAccount);
           for (let i = 0; ; i++) {
             const raw = signTransaction({ type: 2, chainId: ${CHAIN_ID}n, nonce: BigInt(Math.floor(i / 3)), maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 1n, gasLimit: 21000n, to: testAccount(9).address }, senders[i % 3], common);
             process.stdout.write((await pool.submitRawTransaction(raw)) + '\\n');
           }`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const acked: Hash[] = [];
      let buffer = '';
      const target = 20 + ((round * 37) % 120);
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          acked.push(...(lines as Hash[]));
          if (acked.length >= target && !child.killed) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve());
      });
      const restarted = await openPool(journalPath);
      const missing = acked.filter((hash) => restarted.get(hash) === undefined);
      assert.deepEqual(
        missing,
        [],
        `round ${round}: ${missing.length} of ${acked.length} acknowledged transactions lost`,
      );
      assert.equal(restarted.counts().queued, 0, `round ${round}: a restored sender has a gap`);
      restarted.close();
    }
  });
});
