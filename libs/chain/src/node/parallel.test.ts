// Parallel execution through libs/execution on a real Kesque store, against its serial mode on an
// in-memory store: the same blocks, the same roots.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hexToBytes, privateToAddress } from '@ethereumjs/util';
import { initDietcoin } from '@khipu/dietcoin';
import { type Kesque, openKesque } from '@khipu/kesque';
import { CHAIN_TABLES } from '../store/tables.js';
import { signFeeMarketTx } from '../testing/pendingTransaction.js';
import { createQueueSource } from '../testing/queueSource.js';
import { fundedAlloc, openSoloChain, soloGenesis } from '../testing/soloChain.js';
import type { Chain } from './chain.js';

const keys = Array.from(
  { length: 8 },
  (_, i) => new Uint8Array(createHash('sha256').update(`sender ${i}`).digest()),
);

describe('[chain] parallel execution on Kesque', () => {
  const dir = mkdtempSync(join(tmpdir(), 'khipu-parallel-'));
  let kesque: Kesque;
  let parallel: Chain;
  let reference: Chain;
  const ps = createQueueSource();
  const rs = createQueueSource();
  before(async () => {
    await initDietcoin();
    const genesis = soloGenesis({ chainId: 7004, alloc: fundedAlloc(keys, 10n ** 21n), stateShardBits: 3 });
    kesque = await openKesque({ dir, tables: CHAIN_TABLES, durability: { mode: 'never' } });
    parallel = await openSoloChain(genesis, {
      kv: kesque,
      source: ps,
      execution: { mode: 'parallel', workers: 2 },
    });
    reference = await openSoloChain(genesis, { source: rs, execution: { mode: 'serial' } });
  });
  after(async () => {
    await parallel?.stop();
    await reference?.stop();
    await kesque?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('produces the same blocks as the serial reference, with independent and dependent transfers', async () => {
    for (let block = 0; block < 3; block++) {
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as Uint8Array;
        // Half the senders pay the next one (a read-after-write across transactions).
        const to =
          i % 2 === 0
            ? privateToAddress(keys[(i + 1) % keys.length] as Uint8Array)
            : hexToBytes(`0x${'5a'.repeat(19)}${i.toString(16).padStart(2, '0')}`);
        for (const chain of [parallel, reference]) {
          (chain === parallel ? ps : rs).push(
            signFeeMarketTx(chain.common, key, {
              nonce: BigInt(block),
              to,
              value: 10n ** 15n + BigInt(i),
              gasLimit: 21_000n,
              maxPriorityFeePerGas: 3n,
            }),
          );
        }
      }
      const a = await parallel.producer?.produceBlock();
      const b = await reference.producer?.produceBlock();
      assert.equal(a?.transactions, keys.length);
      assert.equal(a?.hash, b?.hash, `block ${block + 1}: parallel and reference agree`);
    }
    const stats = parallel.store.getStats(parallel.store.headNumber());
    assert.equal(stats?.transactions, keys.length);
    assert.equal(parallel.store.headHeader().stateRoot, reference.store.headHeader().stateRoot);
  });
});
