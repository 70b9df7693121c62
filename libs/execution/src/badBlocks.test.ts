import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Block, createBlock, type HeaderData } from '@ethereumjs/block';
import { RLP } from '@ethereumjs/rlp';
import { createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex, KECCAK256_RLP } from '@ethereumjs/util';
import { buildBlock } from './buildBlock.js';
import { type ExecutionError, isExecutionError } from './errors.js';
import { executeBlock } from './executeBlock.js';
import { createExecutor, type Executor } from './executor.js';
import { COINBASE, createTestWorld, signNext, type TestWorld, testAccounts } from './testing/scenario.js';
import type { ExecutionMode } from './types.js';

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe('[execution] bad blocks are refused with the transaction and the reason', () => {
  let world: TestWorld;
  let executor: Executor;

  before(async () => {
    world = await createTestWorld({ accounts: 8 });
    executor = await createExecutor({ chainId: world.chainId, store: world.store, workers: 2 });
  });
  after(async () => {
    await executor.close();
  });

  function headerData(overrides: HeaderData = {}): HeaderData {
    return {
      parentHash: world.genesis.hash(),
      number: 1n,
      coinbase: COINBASE,
      timestamp: 2n,
      gasLimit: 30_000_000n,
      baseFeePerGas: world.genesis.calcNextBaseFee(),
      withdrawalsRoot: KECCAK256_RLP,
      blobGasUsed: 0n,
      excessBlobGas: 0n,
      ...overrides,
    };
  }

  /** A block with a valid transactions trie around `txs`. */
  async function makeBlock(txs: TypedTransaction[], overrides: HeaderData = {}): Promise<Block> {
    const common = world.common;
    const draft = createBlock(
      { header: headerData(overrides), transactions: txs, withdrawals: [] },
      { common },
    );
    return createBlock(
      {
        header: headerData({ ...overrides, transactionsTrie: await draft.genTxTrie() }),
        transactions: txs,
        withdrawals: [],
      },
      { common },
    );
  }

  function transfers(n: number, first = 0): TypedTransaction[] {
    return Array.from({ length: n }, (_, i) => {
      const from = world.accounts[first + i] as (typeof world.accounts)[number];
      world.nonces.set(from.address, 0n);
      return signNext(world, from, { to: world.accounts[7]?.address, value: 1n });
    });
  }

  async function refuse(block: Block | Uint8Array, mode: ExecutionMode): Promise<ExecutionError> {
    const rlp = block instanceof Uint8Array ? block : block.serialize();
    try {
      await executeBlock(executor, { block: rlp, parentStateRoot: world.genesisRoot, mode });
    } catch (error) {
      assert.ok(isExecutionError(error), `an ExecutionError, got ${String(error)}`);
      return error;
    }
    assert.fail('the block was accepted');
  }

  for (const mode of ['serial', 'parallel'] as const) {
    it(`refuses a bad signature and names the transaction (${mode})`, async () => {
      const txs = transfers(4);
      const good = txs[2] as TypedTransaction;
      // r = n is out of range: no public key can be recovered.
      txs[2] = createFeeMarket1559Tx(
        {
          chainId: world.chainId,
          nonce: good.nonce,
          to: good.to,
          value: good.value,
          gasLimit: good.gasLimit,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 1n,
          r: SECP256K1_N,
          s: 1n,
          v: 0n,
        },
        { common: world.common },
      );
      const error = await refuse(await makeBlock(txs), mode);
      assert.equal(error.code, 'INVALID_SIGNATURE');
      assert.equal(error.details.txIndex, 2);
      assert.match(error.message, /block 1: tx 2 \(0x[0-9a-f]{64}\): invalid signature/);
    });

    it(`refuses a wrong nonce and names the transaction (${mode})`, async () => {
      const txs = transfers(5);
      const from = world.accounts[1] as (typeof world.accounts)[number];
      world.nonces.set(from.address, 5n);
      txs[3] = signNext(world, from, { to: world.accounts[7]?.address, value: 1n });
      const error = await refuse(await makeBlock(txs), mode);
      assert.equal(error.code, 'INVALID_TX');
      assert.equal(error.details.txIndex, 3);
      assert.match(error.message, /tx 3 .*nonce/);
    });

    it(`refuses a transaction over the block's remaining gas (${mode})`, async () => {
      const error = await refuse(await makeBlock(transfers(4), { gasLimit: 50_000n }), mode);
      assert.equal(error.code, 'BLOCK_GAS_EXCEEDED');
      assert.equal(error.details.txIndex, 2);
      assert.match(error.message, /tx 2 .*gas limit 21000 exceeds the block's remaining gas 8000/);
    });

    it(`refuses a wrong state root, says which field, and commits nothing (${mode})`, async () => {
      const built = await buildBlock(executor, {
        parent: world.genesis,
        transactions: transfers(4).map((tx) => ({ tx })),
        coinbase: COINBASE,
        timestamp: 2n,
        commit: false,
      });
      const wrong = `0x${'11'.repeat(32)}` as const;
      const bad = createBlock(
        {
          header: { ...built.block.header.toJSON(), stateRoot: wrong },
          transactions: built.block.transactions,
          withdrawals: [],
        },
        { common: world.common },
      );
      const error = await refuse(bad, mode);
      assert.equal(error.code, 'HEADER_MISMATCH');
      assert.deepEqual(error.details.mismatches, [
        { field: 'stateRoot', header: wrong, computed: bytesToHex(built.stateRoot) },
      ]);
      assert.match(error.message, /stateRoot: header 0x1111/);
      // The refused block left the store and the executor at the parent: the good block still runs.
      const ok = await executeBlock(executor, {
        block: built.block.serialize(),
        parentStateRoot: world.genesisRoot,
        mode,
        commit: false,
      });
      assert.equal(bytesToHex(ok.stateRoot), bytesToHex(built.stateRoot));
    });

    it(`refuses blob and EIP-7702 transactions by index (${mode})`, async () => {
      const good = await makeBlock(transfers(2));
      const [header, txs] = RLP.decode(good.serialize()) as [Uint8Array[], Uint8Array[]];
      for (const type of [3, 4]) {
        const raw = RLP.encode([header, [...txs, Uint8Array.from([type, 0xc0])], [], []]);
        const error = await refuse(raw, mode);
        assert.equal(error.code, 'UNSUPPORTED_TX_TYPE');
        assert.equal(error.details.txIndex, 2);
        assert.match(
          error.message,
          type === 3 ? /blob transactions \(type 3\)/ : /EIP-7702 set-code transactions \(type 4\)/,
        );
      }
    });
  }

  it('names every mismatched field when receipts, bloom and gas disagree', async () => {
    const built = await buildBlock(executor, {
      parent: world.genesis,
      transactions: transfers(3).map((tx) => ({ tx })),
      coinbase: COINBASE,
      timestamp: 2n,
      commit: false,
    });
    const bad = createBlock(
      {
        header: { ...built.block.header.toJSON(), gasUsed: '0x1', receiptTrie: `0x${'22'.repeat(32)}` },
        transactions: built.block.transactions,
        withdrawals: [],
      },
      { common: world.common },
    );
    const error = await refuse(bad, 'parallel');
    assert.deepEqual(
      error.details.mismatches?.map((m) => m.field),
      ['gasUsed', 'receiptTrie'],
    );
  });

  it('the producer leaves out refused transactions and says why', async () => {
    const [rich] = testAccounts(1, 1);
    const poor = testAccounts(1, 99)[0] as (typeof world.accounts)[number];
    assert.ok(rich);
    world.nonces.set(rich.address, 0n);
    const ok = signNext(world, rich, { to: poor.address, value: 1n });
    const gap = signNext(world, rich, { to: poor.address, value: 1n });
    world.nonces.set(rich.address, 5n);
    const late = signNext(world, rich, { to: poor.address, value: 1n });
    const broke = signNext(world, poor, { to: rich.address, value: 10n });
    const built = await buildBlock(executor, {
      parent: world.genesis,
      transactions: [ok, gap, late, broke].map((tx) => ({ tx })),
      coinbase: COINBASE,
      timestamp: 2n,
      commit: false,
    });
    assert.equal(built.block.transactions.length, 2);
    const reasons = built.skipped.map((s) => s.reason).join(' | ');
    assert.match(reasons, /nonce gap: expected 2/);
    assert.match(reasons, /enough funds|balance/);
  });
});
