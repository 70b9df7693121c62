import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BlockHeader } from '@ethereumjs/block';
import { bytesToHex, createAddressFromString } from '@ethereumjs/util';
import { encodeReceipt } from '@ethereumjs/vm';
import { buildBlock } from './buildBlock.js';
import { executeBlock } from './executeBlock.js';
import { createExecutor, type Executor } from './executor.js';
import {
  ALL_KINDS,
  COINBASE,
  createTestWorld,
  type RandomBlockParameters,
  Rng,
  randomTransactions,
  type TestWorld,
} from './testing/scenario.js';
import { runStockBlock } from './testing/stock.js';
import type { ExecuteBlockReturnType } from './types.js';

const hex = bytesToHex;

function encodedReceipts(r: ExecuteBlockReturnType, types: number[]): string[] {
  return r.receipts.map((receipt, i) => hex(encodeReceipt(receipt, (types[i] ?? 0) as 0)));
}

interface Chain {
  world: TestWorld;
  executor: Executor;
  head: BlockHeader;
}

/** Builds a block from `params`, validates it four ways, checks they agree, then commits it. */
async function differential(chain: Chain, rng: Rng, params: RandomBlockParameters) {
  const { world, executor } = chain;
  const parent = chain.head;
  const built = await buildBlock(executor, {
    parent,
    transactions: randomTransactions(world, rng, params),
    coinbase: COINBASE,
    timestamp: parent.timestamp + 1n,
    mode: 'parallel',
    commit: false,
  });
  assert.deepEqual(
    built.skipped.map((s) => s.reason),
    [],
    'the producer leaves nothing out',
  );
  assert.equal(built.block.transactions.length, params.count);
  const rlp = built.block.serialize();
  const types = built.block.transactions.map((tx) => tx.type);
  const parentStateRoot = parent.stateRoot;
  const serial = await executeBlock(executor, { block: rlp, parentStateRoot, mode: 'serial', commit: false });
  const unordered = await executeBlock(executor, {
    block: rlp,
    parentStateRoot,
    mode: 'parallel',
    commit: false,
  });
  const laned = await executeBlock(executor, {
    block: rlp,
    parentStateRoot,
    mode: 'parallel',
    lanes: built.lanes,
    commit: false,
  });
  const stock = await runStockBlock({ store: world.store, chainId: world.chainId, rlp, parentStateRoot });

  assert.equal(
    unordered.stats.fallback,
    false,
    'the parallel result matched the header without falling back',
  );
  assert.equal(laned.stats.fallback, false, 'the laned result matched the header without falling back');
  for (const [name, r] of [
    ['serial', serial],
    ['parallel', unordered],
    ['parallel+lanes', laned],
  ] as const) {
    assert.equal(hex(r.stateRoot), hex(stock.stateRoot), `${name} state root equals stock`);
    assert.equal(hex(r.receiptsRoot), hex(stock.receiptsRoot), `${name} receipts root equals stock`);
    assert.equal(hex(r.logsBloom), hex(stock.logsBloom), `${name} bloom equals stock`);
    assert.equal(r.gasUsed, stock.gasUsed, `${name} gas equals stock`);
    assert.deepEqual(
      encodedReceipts(r, types),
      stock.receipts.map(hex),
      `${name} receipts equal stock byte for byte`,
    );
  }
  // Each mode's account states (those its flush wrote: a mode may leave out an absent account
  // that another reports as undefined) are the stock state after the block.
  for (const [name, r] of [
    ['serial', serial],
    ['parallel', unordered],
    ['parallel+lanes', laned],
  ] as const) {
    assert.ok(r.changes.accountStates.size > 0, `${name}: the block wrote accounts`);
    for (const [address, state] of r.changes.accountStates) {
      const account = await stock.stateManager.getAccount(createAddressFromString(address));
      assert.deepEqual(
        state,
        account && {
          nonce: account.nonce,
          balance: account.balance,
          storageRoot: account.storageRoot,
          codeHash: account.codeHash,
        },
        `${name}: the reported state of ${address} is the stock state after the block`,
      );
    }
  }
  const changed = (r: ExecuteBlockReturnType) => ({
    accounts: r.changes.accounts,
    storage: r.changes.storage,
  });
  assert.deepEqual(
    changed(unordered),
    changed(serial),
    'parallel reports the same changed accounts and slots',
  );
  assert.deepEqual(changed(laned), changed(serial));
  assert.deepEqual(unordered.senders, serial.senders);
  // Commit (the state moves on for the next block).
  await executeBlock(executor, { block: rlp, parentStateRoot, mode: 'parallel', lanes: built.lanes });
  chain.head = built.block.header;
  return { built, serial, unordered, laned };
}

describe('[execution] differential: parallel, serial and stock runBlock agree byte for byte', () => {
  let chain: Chain;
  const worlds: Chain[] = [];

  before(async () => {
    const world = await createTestWorld({ accounts: 64 });
    const executor = await createExecutor({ chainId: world.chainId, store: world.store, workers: 2 });
    chain = { world, executor, head: world.genesis };
    worlds.push(chain);
  });

  after(async () => {
    for (const c of worlds) await c.executor.close();
  });

  it('agrees on ETH transfers among a few accounts (several per sender)', async () => {
    await differential(chain, new Rng(1), { count: 60, kinds: ['transfer'], senders: 6, recipients: 6 });
  });

  it('agrees on ETH transfers among many accounts', async () => {
    const { unordered } = await differential(chain, new Rng(2), {
      count: 60,
      kinds: ['transfer'],
      senders: 64,
      recipients: 0,
    });
    assert.ok(unordered.stats.parallelism > 0.5, `parallelism ${unordered.stats.parallelism}`);
  });

  it('agrees on ERC-20 transfers with hot recipients, and lanes remove the re-runs', async () => {
    const { laned, unordered } = await differential(chain, new Rng(3), {
      count: 64,
      kinds: ['erc20'],
      senders: 64,
      recipients: 0,
      hotShare: 0.3,
    });
    assert.ok(unordered.stats.reruns > 0, 'hot recipients conflict when unordered');
    assert.equal(laned.stats.reruns, 0, 'no re-run with the producer lanes');
  });

  for (const seed of [11, 12, 13, 14]) {
    it(`agrees on a mixed block of every kind (seed ${seed})`, async () => {
      await differential(chain, new Rng(seed), { count: 70, kinds: ALL_KINDS, senders: 24, recipients: 8 });
    });
  }

  it('agrees on contracts reading balances that other transactions change', async () => {
    await differential(chain, new Rng(21), {
      count: 50,
      kinds: ['readBalance', 'transfer', 'payCoinbase', 'readCoinbase'],
      senders: 10,
      recipients: 5,
    });
  });

  it('runs a block whose lanes leave no parallelism (one pool) serially, and agrees', async () => {
    const { laned } = await differential(chain, new Rng(23), {
      count: 40,
      kinds: ['swap', 'swap', 'swap', 'transfer'],
      senders: 40,
      recipients: 0,
    });
    assert.equal(laned.stats.scheduled, 'serial');
    assert.equal(laned.stats.mode, 'parallel');
  });

  it('learns a contended contract from re-runs and groups its calls when a block has no lanes', async () => {
    // The producer's own (unordered) run re-runs most swaps; the validators' unordered run then
    // groups the swaps in one lane and, that lane holding most of the block, runs it serially.
    const { unordered } = await differential(chain, new Rng(25), {
      count: 30,
      kinds: ['swap', 'swap', 'swap', 'transfer'],
      senders: 30,
      recipients: 0,
    });
    assert.equal(unordered.stats.lanesLearned, true);
    assert.equal(unordered.stats.reruns, 0);
  });

  it('wrong or malformed lanes cost re-runs, never correctness', async () => {
    const parent = chain.head;
    const built = await buildBlock(chain.executor, {
      parent,
      transactions: randomTransactions(chain.world, new Rng(24), {
        count: 40,
        kinds: ALL_KINDS,
        senders: 8,
        recipients: 4,
      }),
      coinbase: COINBASE,
      timestamp: parent.timestamp + 1n,
      commit: false,
    });
    const rlp = built.block.serialize();
    const n = built.block.transactions.length;
    const expected = bytesToHex(built.stateRoot);
    // Every transaction alone, pairs of unrelated ones, and an index list that is not a partition.
    const wrong = [
      Array.from({ length: n }, (_, i) => [i]),
      Array.from({ length: Math.ceil(n / 2) }, (_, k) => [2 * k, 2 * k + 1].filter((i) => i < n)),
      [[0, 0, 1]],
    ];
    for (const lanes of wrong) {
      const r = await executeBlock(chain.executor, {
        block: rlp,
        parentStateRoot: parent.stateRoot,
        mode: 'parallel',
        lanes,
        commit: false,
      });
      assert.equal(bytesToHex(r.stateRoot), expected);
      assert.equal(r.stats.fallback, false);
    }
    await executeBlock(chain.executor, { block: rlp, parentStateRoot: parent.stateRoot, mode: 'parallel' });
    chain.head = built.block.header;
  });

  it('agrees on creations, CREATE2 collisions and SELFDESTRUCT', async () => {
    await differential(chain, new Rng(22), {
      count: 40,
      kinds: ['create', 'create2', 'selfdestruct', 'transfer'],
      senders: 12,
      recipients: 6,
    });
  });
});

describe('[execution] differential: tries large enough to be hashed by the workers', () => {
  let chain: Chain;

  before(async () => {
    const world = await createTestWorld({ accounts: 700, seed: 3 });
    const executor = await createExecutor({ chainId: world.chainId, store: world.store, workers: 2 });
    chain = { world, executor, head: world.genesis };
  });

  after(async () => {
    await chain.executor.close();
  });

  it('agrees when the account trie is split across the workers', async () => {
    const { unordered, laned, serial } = await differential(chain, new Rng(31), {
      count: 600,
      kinds: ['transfer'],
      senders: 700,
      recipients: 0,
    });
    assert.equal(unordered.stats.rootInWorkers, true);
    assert.equal(laned.stats.rootInWorkers, true);
    assert.equal(serial.stats.rootInWorkers, false);
  });

  it('agrees when a storage trie is split across the workers', async () => {
    const { unordered } = await differential(chain, new Rng(32), {
      count: 600,
      kinds: ['erc20', 'transfer'],
      senders: 700,
      recipients: 0,
      hotShare: 0.1,
    });
    assert.equal(unordered.stats.rootInWorkers, true);
  });
});

describe('[execution] contended unordered blocks run serially at once', () => {
  it('detects a block of swaps on one pool from the workers’ first transactions, and agrees', async () => {
    const world = await createTestWorld({ accounts: 100, seed: 5 });
    const producer = await createExecutor({ chainId: world.chainId, store: world.store, workers: 0 });
    const validator = await createExecutor({ chainId: world.chainId, store: world.store, workers: 2 });
    try {
      const built = await buildBlock(producer, {
        parent: world.genesis,
        transactions: randomTransactions(world, new Rng(41), {
          count: 96,
          kinds: ['swap', 'swap', 'swap', 'swap', 'swap', 'swap', 'swap', 'transfer'],
          senders: 100,
          recipients: 0,
        }),
        coinbase: COINBASE,
        timestamp: world.genesis.timestamp + 1n,
        commit: false,
      });
      assert.equal(built.skipped.length, 0);
      const rlp = built.block.serialize();
      const parentStateRoot = world.genesisRoot;
      const stock = await runStockBlock({ store: world.store, chainId: world.chainId, rlp, parentStateRoot });
      const first = await executeBlock(validator, {
        block: rlp,
        parentStateRoot,
        mode: 'parallel',
        commit: false,
      });
      assert.equal(first.stats.contentionDetected, true);
      assert.equal(first.stats.scheduled, 'serial');
      assert.equal(hex(first.stateRoot), hex(stock.stateRoot));
      assert.equal(hex(first.receiptsRoot), hex(stock.receiptsRoot));
      // The pool is now known to be contended: the next unordered block groups its calls.
      const second = await executeBlock(validator, {
        block: rlp,
        parentStateRoot,
        mode: 'parallel',
        commit: false,
      });
      assert.equal(second.stats.contentionDetected, false);
      assert.equal(second.stats.lanesLearned, true);
      assert.equal(hex(second.stateRoot), hex(stock.stateRoot));
    } finally {
      await producer.close();
      await validator.close();
    }
  });

  it('does not mistake a block of independent transfers for a contended one', async () => {
    const world = await createTestWorld({ accounts: 100, seed: 6 });
    const executor = await createExecutor({ chainId: world.chainId, store: world.store, workers: 2 });
    try {
      const built = await buildBlock(executor, {
        parent: world.genesis,
        transactions: randomTransactions(world, new Rng(42), {
          count: 90,
          kinds: ['transfer', 'erc20'],
          senders: 100,
          recipients: 0,
        }),
        coinbase: COINBASE,
        timestamp: world.genesis.timestamp + 1n,
        commit: false,
      });
      const r = await executeBlock(executor, {
        block: built.block.serialize(),
        parentStateRoot: world.genesisRoot,
        mode: 'parallel',
        commit: false,
      });
      assert.equal(r.stats.contentionDetected, false);
      assert.equal(r.stats.scheduled, 'parallel');
    } finally {
      await executor.close();
    }
  });
});
