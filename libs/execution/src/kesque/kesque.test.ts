import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BlockHeader } from '@ethereumjs/block';
import { bytesToHex } from '@ethereumjs/util';
import { type Kesque, openKesque } from '@khipu/kesque';
import { buildBlock } from '../buildBlock.js';
import { executeBlock } from '../executeBlock.js';
import { createExecutor, type Executor } from '../executor.js';
import {
  ALL_KINDS,
  COINBASE,
  createTestWorld,
  Rng,
  randomTransactions,
  type TestWorld,
} from '../testing/scenario.js';
import { runStockBlock } from '../testing/stock.js';
import { createKesqueStateStore } from './index.js';

describe('[execution] state in Kesque, read by the workers through its shared reader', () => {
  let dir: string;
  let kesque: Kesque;
  let world: TestWorld;
  let executor: Executor;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'khipu-exec-kesque-'));
    kesque = await openKesque({ dir, tables: { trie: { kind: 'hash' } }, durability: { mode: 'never' } });
    world = await createTestWorld({ accounts: 32, store: createKesqueStateStore({ kesque }) });
    executor = await createExecutor({ chainId: world.chainId, store: world.store, workers: 2 });
  });

  after(async () => {
    await executor.close();
    await kesque.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs consecutive blocks in parallel from Kesque and agrees with stock runBlock', async () => {
    let head: BlockHeader = world.genesis;
    for (const seed of [31, 32]) {
      const built = await buildBlock(executor, {
        parent: head,
        transactions: randomTransactions(world, new Rng(seed), {
          count: 40,
          kinds: ALL_KINDS,
          senders: 16,
          recipients: 6,
        }),
        coinbase: COINBASE,
        timestamp: head.timestamp + 1n,
        commit: false,
      });
      const rlp = built.block.serialize();
      const stock = await runStockBlock({
        store: world.store,
        chainId: world.chainId,
        rlp,
        parentStateRoot: head.stateRoot,
      });
      // Committed: the next block's workers read these trie nodes from Kesque.
      const parallel = await executeBlock(executor, {
        block: rlp,
        parentStateRoot: head.stateRoot,
        mode: 'parallel',
      });
      assert.equal(parallel.stats.fallback, false);
      assert.equal(bytesToHex(parallel.stateRoot), bytesToHex(stock.stateRoot));
      assert.equal(bytesToHex(parallel.receiptsRoot), bytesToHex(stock.receiptsRoot));
      assert.ok(kesque.has('trie', parallel.stateRoot), 'the new state root is in Kesque');
      head = built.block.header;
    }
  });
});
