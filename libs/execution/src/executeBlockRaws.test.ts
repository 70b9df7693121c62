import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Block } from '@ethereumjs/block';
import { bytesToHex } from '@ethereumjs/util';
import { buildBlock } from './buildBlock.js';
import { isExecutionError } from './errors.js';
import { executeBlock } from './executeBlock.js';
import { createExecutor, type Executor } from './executor.js';
import { COINBASE, createTestWorld, signNext, type TestWorld } from './testing/scenario.js';

describe('[execution] executeBlock takes the raw transactions of a Block from the caller', () => {
  let world: TestWorld;
  let executor: Executor;
  let block: Block;

  before(async () => {
    world = await createTestWorld({ accounts: 4 });
    executor = await createExecutor({ chainId: world.chainId, store: world.store });
    const txs = world.accounts.map((from, i) =>
      signNext(world, from, { to: world.accounts[(i + 1) % 4]?.address, value: 1n }),
    );
    const built = await buildBlock(executor, {
      parent: world.genesis,
      transactions: txs.map((tx) => ({ tx })),
      coinbase: COINBASE,
      timestamp: 2n,
      commit: false,
    });
    block = built.block;
  });
  after(async () => {
    await executor.close();
  });

  it('validates the transactions trie over the given bytes: the serializations pass', async () => {
    const out = await executeBlock(executor, {
      block,
      parentStateRoot: world.genesisRoot,
      raws: block.transactions.map((tx) => tx.serialize()),
      commit: false,
    });
    assert.equal(bytesToHex(out.stateRoot), bytesToHex(block.header.stateRoot));
  });

  it('validates the transactions trie over the given bytes: other bytes are refused', async () => {
    const raws = block.transactions.map((tx) => tx.serialize());
    [raws[0], raws[1]] = [raws[1] as Uint8Array, raws[0] as Uint8Array];
    await assert.rejects(
      executeBlock(executor, { block, parentStateRoot: world.genesisRoot, raws, commit: false }),
      (e: unknown) =>
        isExecutionError(e) && e.code === 'HEADER_MISMATCH' && /transactionsTrie/.test(e.message),
    );
  });

  it('refuses raws that do not match the transaction count', async () => {
    await assert.rejects(
      executeBlock(executor, {
        block,
        parentStateRoot: world.genesisRoot,
        raws: block.transactions.slice(1).map((tx) => tx.serialize()),
        commit: false,
      }),
      (e: unknown) =>
        isExecutionError(e) && e.code === 'INVALID_BLOCK' && /3 raw transactions given for 4/.test(e.message),
    );
  });
});
