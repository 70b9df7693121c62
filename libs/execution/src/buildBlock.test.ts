import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bytesToHex } from '@ethereumjs/util';
import { buildBlock } from './buildBlock.js';
import { executeBlock } from './executeBlock.js';
import { createExecutor, type Executor } from './executor.js';
import { encodeCall } from './testing/abi.js';
import { COINBASE, CONTRACTS, createTestWorld, signNext, type TestWorld } from './testing/scenario.js';
import { runStockBlock } from './testing/stock.js';

// Blocks are packed by gas used (geth's rule: the next transaction goes in while the gas used plus
// its gas limit fits the block), not by the sum of declared gas limits.
const GAS_LIMIT = 200_000n;

describe('[execution] buildBlock packs by gas used', () => {
  let world: TestWorld;
  let executor: Executor;

  before(async () => {
    world = await createTestWorld({ accounts: 12, gasLimit: GAS_LIMIT });
    executor = await createExecutor({ chainId: world.chainId, store: world.store, workers: 2 });
  });
  after(async () => {
    await executor.close();
  });

  it('a transaction refused for block gas does not leak its worker writes into its share-mates', async () => {
    // 2 workers take alternate transactions: `big` (index 1, refused for block gas after `first`)
    // and `spend` (index 3, whose sender `big` paid in the worker) run in one share.
    world.nonces.clear();
    const [a, b, c, d, e, sink] = world.accounts as [
      (typeof world.accounts)[number],
      (typeof world.accounts)[number],
      (typeof world.accounts)[number],
      (typeof world.accounts)[number],
      (typeof world.accounts)[number],
      (typeof world.accounts)[number],
    ];
    const first = signNext(world, a, { to: sink.address, value: 1n, tip: 50n });
    const big = signNext(world, b, { to: c.address, value: 10n ** 15n, gasLimit: 190_000n, tip: 40n });
    const mid = signNext(world, d, { to: e.address, value: 3n, tip: 30n });
    const spend = signNext(world, c, { to: b.address, value: 7n, tip: 20n });
    const last = signNext(world, e, { to: c.address, value: 9n, tip: 10n });
    const transactions = [first, big, mid, spend, last].map((tx) => ({ tx }));
    const roots: string[] = [];
    for (const mode of ['serial', 'parallel'] as const) {
      const built = await buildBlock(executor, {
        parent: world.genesis,
        transactions,
        coinbase: COINBASE,
        timestamp: 2n,
        mode,
        commit: false,
      });
      assert.deepEqual(
        built.block.transactions.map((tx) => bytesToHex(tx.hash())),
        [first, mid, spend, last].map((tx) => bytesToHex(tx.hash())),
        mode,
      );
      assert.deepEqual(
        built.skipped.map((s) => s.reason),
        ['block gas limit reached'],
      );
      roots.push(bytesToHex(built.stateRoot));
      const stock = await runStockBlock({
        store: world.store,
        chainId: world.chainId,
        rlp: built.block.serialize(),
        parentStateRoot: world.genesis.stateRoot,
      });
      assert.equal(bytesToHex(built.stateRoot), bytesToHex(stock.stateRoot), `${mode} equals stock`);
    }
    assert.equal(roots[0], roots[1]);
  });

  for (const mode of ['serial', 'parallel'] as const) {
    it(`fills a block with transfers declaring 60,000 gas and using 21,000 (${mode})`, async () => {
      world.nonces.clear();
      const txs = world.accounts.slice(0, 10).map((from, i) =>
        signNext(world, from, {
          to: (world.accounts[11] as (typeof world.accounts)[number]).address,
          value: 1n,
          gasLimit: 60_000n,
          tip: BigInt(100 - i),
        }),
      );
      const built = await buildBlock(executor, {
        parent: world.genesis,
        transactions: txs.map((tx) => ({ tx })),
        coinbase: COINBASE,
        timestamp: 2n,
        mode,
        commit: false,
      });
      // 7 × 21,000 = 147,000 used; the 8th would need 147,000 + 60,000 > 200,000. By declared
      // gas only 3 would fit.
      assert.equal(built.block.transactions.length, 7);
      assert.equal(built.gasUsed, 147_000n);
      assert.equal(built.skipped.length, 3);
      for (const s of built.skipped) assert.equal(s.reason, 'block gas limit reached');
      // Validators re-execute it to the same state root.
      const again = await executeBlock(executor, {
        block: built.block.serialize(),
        parentStateRoot: world.genesisRoot,
        mode,
        commit: false,
      });
      assert.equal(bytesToHex(again.stateRoot), bytesToHex(built.stateRoot));
    });

    it(`fills a block with ERC-20 transfers past their declared gas (${mode})`, async () => {
      world.nonces.clear();
      const to = (world.accounts[11] as (typeof world.accounts)[number]).address;
      const txs = world.accounts.slice(0, 10).map((from) =>
        signNext(world, from, {
          to: CONTRACTS.token,
          data: encodeCall('transfer(address,uint256)', [to, 5n]),
          gasLimit: 80_000n,
        }),
      );
      const built = await buildBlock(executor, {
        parent: world.genesis,
        transactions: txs.map((tx) => ({ tx })),
        coinbase: COINBASE,
        timestamp: 2n,
        mode,
        commit: false,
      });
      const count = built.block.transactions.length;
      assert.ok(count > Number(GAS_LIMIT / 80_000n), `${count} transfers in the block`);
      assert.ok(built.gasUsed + 80_000n > GAS_LIMIT, `room left for another: ${built.gasUsed}`);
      const again = await executeBlock(executor, {
        block: built.block.serialize(),
        parentStateRoot: world.genesisRoot,
        mode,
        commit: false,
      });
      assert.equal(bytesToHex(again.stateRoot), bytesToHex(built.stateRoot));
    });

    it(`leaves a sender's transactions after one that does not fit for the next block, and fits others (${mode})`, async () => {
      world.nonces.clear();
      const [a, b, sink] = world.accounts as [
        (typeof world.accounts)[number],
        (typeof world.accounts)[number],
        (typeof world.accounts)[number],
      ];
      const first = signNext(world, a, { to: sink.address, value: 1n, tip: 50n });
      const big = signNext(world, a, { to: sink.address, value: 1n, gasLimit: 190_000n, tip: 50n });
      const after = signNext(world, a, { to: sink.address, value: 1n, tip: 50n });
      const other = signNext(world, b, { to: sink.address, value: 1n, tip: 1n });
      const built = await buildBlock(executor, {
        parent: world.genesis,
        transactions: [first, big, after, other].map((tx) => ({ tx })),
        coinbase: COINBASE,
        timestamp: 2n,
        mode,
        commit: false,
      });
      assert.deepEqual(
        built.block.transactions.map((tx) => bytesToHex(tx.hash())),
        [first, other].map((tx) => bytesToHex(tx.hash())),
      );
      assert.deepEqual(
        built.skipped.map((s) => [bytesToHex(s.tx.hash()), s.reason]),
        [big, after].map((tx) => [bytesToHex(tx.hash()), 'block gas limit reached']),
      );
    });
  }
});
