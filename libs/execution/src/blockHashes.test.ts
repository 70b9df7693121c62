import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BlockHeader } from '@ethereumjs/block';
import {
  bigIntToBytes,
  bytesToHex,
  createAddressFromString,
  generateAddress,
  hexToBytes,
} from '@ethereumjs/util';
import { encodeReceipt } from '@ethereumjs/vm';
import { buildBlock } from './buildBlock.js';
import { loadExecutionCrypto } from './crypto.js';
import { ExecutionError } from './errors.js';
import { executeBlock } from './executeBlock.js';
import { createExecutor, type Executor } from './executor.js';
import { COINBASE, createTestWorld, signNext, type TestWorld } from './testing/scenario.js';
import { runStockBlock } from './testing/stock.js';
import type { BlockHashSource } from './types.js';

// Runtime: log0(blockhash(number - 1)); sstore(caller, blockhash(number - 2)). Per-caller slots,
// so the calls do not conflict and each merges from its worker.
const RUNTIME = '436001900340' + '600052' + '60206000a0' + '436002900340' + '3355' + '00';
const INIT = `0x6017600c60003960176000f3${RUNTIME}`;

const crypto = await loadExecutionCrypto();
/** A made-up chain: the hash of block n is keccak(n). */
const chainHashes: BlockHashSource = {
  blockHash: (n) => crypto.keccak256(bigIntToBytes(n + 1n)),
};

describe('[execution] BLOCKHASH reads the block hash source', () => {
  let world: TestWorld;
  let executor: Executor;
  let parent: BlockHeader;
  let probe: string;

  before(async () => {
    world = await createTestWorld({ accounts: 8 });
    executor = await createExecutor({
      chainId: world.chainId,
      store: world.store,
      workers: 2,
      blockHashes: chainHashes,
    });
    const deployer = world.accounts[0];
    assert.ok(deployer);
    const deploy = signNext(world, deployer, { data: hexToBytes(INIT), gasLimit: 200_000n });
    probe = bytesToHex(generateAddress(createAddressFromString(deployer.address).bytes, new Uint8Array(0)));
    const built = await buildBlock(executor, {
      parent: world.genesis,
      transactions: [{ tx: deploy }],
      coinbase: COINBASE,
      timestamp: world.genesis.timestamp + 1n,
    });
    assert.equal(built.skipped.length, 0);
    parent = built.block.header;
  });

  after(async () => {
    await executor.close();
  });

  it('returns the source’s hashes in serial, parallel and worker runs, as stock runBlock does', async () => {
    const transactions = world.accounts
      .slice(1, 8)
      .map((from) => ({ tx: signNext(world, from, { to: probe, gasLimit: 100_000n }) }));
    const built = await buildBlock(executor, {
      parent,
      transactions,
      coinbase: COINBASE,
      timestamp: parent.timestamp + 1n,
      mode: 'parallel',
      commit: false,
    });
    assert.equal(built.block.transactions.length, 7);
    const rlp = built.block.serialize();
    const parentStateRoot = parent.stateRoot;
    const stock = await runStockBlock({
      store: world.store,
      chainId: world.chainId,
      rlp,
      parentStateRoot,
      blockHashes: chainHashes,
    });
    const expectedLog = bytesToHex(chainHashes.blockHash(1n) as Uint8Array);
    for (const mode of ['serial', 'parallel'] as const) {
      const r = await executeBlock(executor, { block: rlp, parentStateRoot, mode, commit: false });
      assert.equal(bytesToHex(r.stateRoot), bytesToHex(stock.stateRoot), `${mode} state root equals stock`);
      assert.deepEqual(
        r.receipts.map((receipt, i) =>
          bytesToHex(encodeReceipt(receipt, built.block.transactions[i]?.type ?? 0)),
        ),
        stock.receipts.map((x) => bytesToHex(x)),
        `${mode} receipts equal stock`,
      );
      for (const receipt of r.receipts)
        assert.equal(bytesToHex(receipt.logs[0]?.[2] ?? new Uint8Array()), expectedLog);
      if (mode === 'parallel') assert.equal(r.stats.reruns, 0, 'every call merged from its worker');
    }
  });

  it('refuses a block whose ancestors the source does not know', async () => {
    const holes = await createExecutor({
      chainId: world.chainId,
      store: world.store,
      workers: 0,
      blockHashes: { blockHash: (n) => (n === 0n ? undefined : chainHashes.blockHash(n)) },
    });
    try {
      const built = await buildBlock(executor, {
        parent,
        transactions: [],
        coinbase: COINBASE,
        timestamp: parent.timestamp + 1n,
        commit: false,
      });
      await assert.rejects(
        executeBlock(holes, {
          block: built.block.serialize(),
          parentStateRoot: parent.stateRoot,
          commit: false,
        }),
        (e: unknown) =>
          e instanceof ExecutionError && e.code === 'MISSING_BLOCK_HASH' && /block 0/.test(e.message),
      );
    } finally {
      await holes.close();
    }
  });
});
