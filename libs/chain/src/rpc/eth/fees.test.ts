import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testAccount } from '../testing/accounts.js';
import { startTestNode, type TestNode } from '../testing/harness.js';

const alice = testAccount(1);
const GWEI = 1_000_000_000n;
let node: TestNode;
before(async () => {
  node = await startTestNode({
    chain: { alloc: { [alice.address]: 10n ** 20n } },
    methodOptions: { minSuggestedPriorityFee: 1000n },
  });
});
after(() => node.close());

describe('[rpc] eth_maxPriorityFeePerGas / eth_gasPrice', () => {
  it('suggests the floor tip on empty blocks, and gasPrice = next base fee + tip', async () => {
    assert.equal(await node.request('eth_maxPriorityFeePerGas'), '0x3e8');
    // Genesis used no gas: the next base fee is 1 gwei × 7/8.
    assert.equal(BigInt(await node.request<string>('eth_gasPrice')), (GWEI * 7n) / 8n + 1000n);
  });

  it('suggests the 60th percentile of recent tips', async () => {
    for (const [nonce, tip] of [1n, 2n, 3n].entries()) {
      await node.request('eth_sendRawTransaction', [
        node.sign(alice, { nonce: BigInt(nonce), maxPriorityFeePerGas: tip * GWEI }),
      ]);
      node.chain.mineFromPool(node.pool);
    }
    assert.equal(BigInt(await node.request<string>('eth_maxPriorityFeePerGas')), 2n * GWEI);
  });

  it('refuses arguments', async () => {
    assert.equal((await node.call('eth_gasPrice', [1])).error?.code, -32602);
    assert.equal((await node.call('eth_maxPriorityFeePerGas', [1])).error?.code, -32602);
  });
});

describe('[rpc] eth_feeHistory', () => {
  it('answers base fees (one more than blocks), gas used ratios and reward percentiles', async () => {
    const history = await node.request<{
      oldestBlock: string;
      baseFeePerGas: string[];
      gasUsedRatio: number[];
      reward: string[][];
    }>('eth_feeHistory', ['0x2', 'latest', [10, 90]]);
    assert.equal(history.oldestBlock, '0x2');
    assert.equal(history.baseFeePerGas.length, 3);
    assert.deepEqual(history.gasUsedRatio, [21_000 / 30_000_000, 21_000 / 30_000_000]);
    assert.deepEqual(history.reward, [
      [`0x${(2n * GWEI).toString(16)}`, `0x${(2n * GWEI).toString(16)}`],
      [`0x${(3n * GWEI).toString(16)}`, `0x${(3n * GWEI).toString(16)}`],
    ]);
  });

  it('accepts a decimal block count, clamps it to the chain, and omits rewards when not asked', async () => {
    const history = await node.request<Record<string, unknown>>('eth_feeHistory', [100, '0x1']);
    assert.equal(history.oldestBlock, '0x0');
    assert.equal((history.baseFeePerGas as string[]).length, 3);
    assert.equal(history.reward, undefined);
    assert.deepEqual(await node.request('eth_feeHistory', ['0x0', 'latest', []]), {
      oldestBlock: '0x0',
      baseFeePerGas: [],
      gasUsedRatio: [],
    });
  });

  it('refuses bad percentiles, bad counts and blocks beyond the head', async () => {
    assert.equal(
      (await node.call('eth_feeHistory', ['0x1', 'latest', [50, 10]])).error?.message,
      'invalid reward percentile: 10',
    );
    assert.equal((await node.call('eth_feeHistory', ['0x1', 'latest', [101]])).error?.code, -32602);
    assert.equal((await node.call('eth_feeHistory', ['0x1', 'latest', 'x'])).error?.code, -32602);
    assert.equal((await node.call('eth_feeHistory', [-1, 'latest'])).error?.code, -32602);
    assert.deepEqual((await node.call('eth_feeHistory', ['0x1', '0x99'])).error, {
      code: -32000,
      message: 'request beyond head block: requested 153, head 3',
    });
  });
});

describe('[rpc] fees on a chain with a base fee floor', () => {
  it('suggests prices from the chain’s own next base fee, not plain EIP-1559', async () => {
    const floored = await startTestNode({
      chain: { baseFeeFloor: GWEI },
      methodOptions: { minSuggestedPriorityFee: 1000n },
    });
    try {
      for (let i = 0; i < 3; i++) floored.chain.mine([]);
      assert.equal(BigInt(await floored.request<string>('eth_gasPrice')), GWEI + 1000n);
      const history = await floored.request<{ baseFeePerGas: string[] }>('eth_feeHistory', ['0x2', 'latest']);
      assert.deepEqual(
        history.baseFeePerGas.map((h) => BigInt(h)),
        [GWEI, GWEI, GWEI],
      );
      const older = await floored.request<{ baseFeePerGas: string[] }>('eth_feeHistory', ['0x1', '0x1']);
      assert.deepEqual(
        older.baseFeePerGas.map((h) => BigInt(h)),
        [GWEI, GWEI],
      );
    } finally {
      await floored.close();
    }
  });
});
