import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { Address, bytesToHex, createContractAddress, hexToBytes, privateToAddress } from '@ethereumjs/util';
import { initDietcoin } from '@khipu/dietcoin';
import { pino } from 'pino';
import { initCodeOf } from '../testing/initCode.js';
import { ALICE_KEY, addressOfKey } from '../testing/keys.js';
import { rpcResult } from '../testing/rpcResult.js';
import { soloGenesis } from '../testing/soloChain.js';
import { type ChainNode, startNode } from './node.js';

const alice = ALICE_KEY;
const aliceAddress = addressOfKey(alice);
const bob: `0x${string}` = `0x${'b0'.repeat(20)}`;
const ETH = 10n ** 18n;
// runtime: SSTORE(0, CALLDATALOAD(0)); RETURN the 32 bytes at slot 0 when called without data
//   PUSH1 0 CALLDATASIZE ISZERO PUSH1 0x0e JUMPI CALLDATALOAD PUSH1 0 SSTORE STOP
//   JUMPDEST(0x0e) POP PUSH1 0 SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
const runtime = hexToBytes('0x60003615600e57356000550050005b5060005460005260206000f3');
const initCode = initCodeOf(runtime);

describe('[chain] the pending block: built from the pool on the head, state methods at pending', () => {
  let dir: string;
  let node: ChainNode;
  let url: string;
  let nonce = 0n;
  const rpc = (method: string, params: unknown[]) => rpcResult(url, method, params);
  const send = async (fields: Parameters<typeof createFeeMarket1559Tx>[0]) => {
    const tx = createFeeMarket1559Tx(
      { nonce: nonce++, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, ...fields },
      { common: node.chain.common },
    ).sign(alice);
    return rpc('eth_sendRawTransaction', [bytesToHex(tx.serialize())]);
  };

  before(async () => {
    await initDietcoin();
    dir = mkdtempSync(join(tmpdir(), 'khipu-pending-'));
    // A follower (no validator key): nothing is mined, so the pool's transactions stay pending.
    node = await startNode({
      dataDir: dir,
      genesis: soloGenesis({
        chainId: 7003,
        alloc: { [aliceAddress]: { balance: (1000n * ETH).toString() } },
      }),
      logger: pino({ level: 'silent' }),
      rpc: { host: '127.0.0.1', port: 0 },
      txpool: { journal: false },
      durability: { mode: 'never' },
    });
    url = `http://127.0.0.1:${node.address.port}`;
  });
  after(async () => {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the head while the pool is empty, with geth pending fields', async () => {
    const block = (await rpc('eth_getBlockByNumber', ['pending', false])) as Record<string, unknown>;
    assert.equal(block.number, '0x1');
    assert.equal(block.hash, null);
    assert.equal(block.nonce, null);
    assert.equal(block.miner, null);
    assert.deepEqual(block.transactions, []);
    assert.equal(
      block.parentHash,
      ((await rpc('eth_getBlockByNumber', ['latest', false])) as { hash: string }).hash,
    );
  });

  it('holds the pool transactions, and state methods, eth_call and eth_estimateGas answer from its state', async () => {
    const deploy = await send({ gasLimit: 200_000n, data: initCode });
    const contract = bytesToHex(createContractAddress(new Address(privateToAddress(alice)), 0n).bytes);
    const word: `0x${string}` = `0x${'00'.repeat(31)}2a`;
    const store = await send({ to: contract, gasLimit: 100_000n, data: word });
    const pay = await send({ to: bob, value: 7n, gasLimit: 21_000n });

    const block = (await rpc('eth_getBlockByNumber', ['pending', false])) as {
      transactions: string[];
      gasUsed: string;
    };
    assert.deepEqual(block.transactions, [deploy, store, pay]);
    assert.ok(BigInt(block.gasUsed) > 21_000n);
    const full = (await rpc('eth_getBlockByNumber', ['pending', true])) as {
      transactions: { from: string }[];
    };
    assert.equal(full.transactions[0]?.from, aliceAddress);

    assert.equal(await rpc('eth_getBalance', [bob, 'pending']), '0x7');
    assert.equal(await rpc('eth_getBalance', [bob, 'latest']), '0x0');
    assert.equal(await rpc('eth_getCode', [contract, 'pending']), bytesToHex(runtime));
    assert.equal(await rpc('eth_getCode', [contract, 'latest']), '0x');
    assert.equal(await rpc('eth_getStorageAt', [contract, '0x0', 'pending']), word);
    assert.equal(await rpc('eth_call', [{ to: contract }, 'pending']), word);
    assert.equal(await rpc('eth_call', [{ to: contract }, 'latest']), '0x');
    const gas = BigInt(
      (await rpc('eth_estimateGas', [{ from: aliceAddress, to: contract, data: word }, 'pending'])) as string,
    );
    assert.ok(gas > 21_000n && gas < 100_000n);
    assert.equal(await rpc('eth_getTransactionCount', [aliceAddress, 'pending']), '0x3');
    assert.equal(await rpc('eth_getTransactionCount', [aliceAddress, 'latest']), '0x0');
  });

  it('is rebuilt once per head and pool change, not per request', async () => {
    const pending = node.chain.pending;
    assert.ok(pending);
    await rpc('eth_getBalance', [bob, 'pending']);
    const builds = pending.builds;
    await rpc('eth_getBalance', [bob, 'pending']);
    await rpc('eth_getBlockByNumber', ['pending', false]);
    assert.equal(pending.builds, builds, 'unchanged pool and head: cached');
    await send({ to: bob, value: 5n, gasLimit: 21_000n });
    assert.equal(await rpc('eth_getBalance', [bob, 'pending']), '0xc');
    await rpc('eth_getCode', [bob, 'pending']);
    assert.equal(pending.builds, builds + 1, 'one rebuild for the new transaction');
  });
});
