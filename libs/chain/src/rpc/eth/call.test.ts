import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testAccount } from '../testing/accounts.js';
import { startTestNode, type TestNode } from '../testing/harness.js';

const alice = testAccount(1);
const contract = `0x${'ca'.repeat(20)}` as const;
// Error(string) "too much"
const REVERT_TOO_MUCH: `0x${string}` =
  '0x08c379a000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000008746f6f206d756368000000000000000000000000000000000000000000000000';
const PANIC_OVERFLOW: `0x${string}` = `0x4e487b71${'00'.repeat(31)}11`;
const CUSTOM_ERROR: `0x${string}` =
  '0xdeadbeef0000000000000000000000000000000000000000000000000000000000000001';

let node: TestNode;
const seenGas: bigint[] = [];
before(async () => {
  node = await startTestNode({
    chain: { alloc: { [alice.address]: 10n ** 18n, [contract]: { code: '0x01' } } },
  });
  // The contract needs 45,000 gas; below that it runs out of gas. Selectors pick the outcome.
  node.chain.contractHook = (request) => {
    seenGas.push(request.gas);
    const input = request.input ?? '0x';
    if (request.gas < 45_000n) return { status: 'halt', error: 'out of gas', gasUsed: request.gas };
    if (input === '0x01') return { status: 'revert', returnData: REVERT_TOO_MUCH, gasUsed: 30_000n };
    if (input === '0x02') return { status: 'revert', returnData: PANIC_OVERFLOW, gasUsed: 30_000n };
    if (input === '0x03') return { status: 'revert', returnData: CUSTOM_ERROR, gasUsed: 30_000n };
    if (input === '0x04') return { status: 'revert', returnData: '0x', gasUsed: 30_000n };
    if (input === '0x05') return { status: 'halt', error: 'invalid opcode: INVALID', gasUsed: 30_000n };
    return { status: 'success', returnData: `0x${'00'.repeat(31)}2a`, gasUsed: 44_000n };
  };
});
after(() => node.close());

describe('[rpc] eth_call', () => {
  it('answers the return data', async () => {
    assert.equal(
      await node.request('eth_call', [{ to: contract, data: '0x' }, 'latest']),
      `0x${'00'.repeat(31)}2a`,
    );
    assert.equal(await node.request('eth_call', [{ to: contract, input: '0x00' }]), `0x${'00'.repeat(31)}2a`);
  });

  it('answers a revert as geth: code 3, "execution reverted: <reason>", revert data', async () => {
    assert.deepEqual((await node.call('eth_call', [{ to: contract, data: '0x01' }, 'latest'])).error, {
      code: 3,
      message: 'execution reverted: too much',
      data: REVERT_TOO_MUCH,
    });
    assert.deepEqual((await node.call('eth_call', [{ to: contract, data: '0x02' }])).error, {
      code: 3,
      message: 'execution reverted: arithmetic underflow or overflow',
      data: PANIC_OVERFLOW,
    });
    assert.deepEqual((await node.call('eth_call', [{ to: contract, data: '0x03' }])).error, {
      code: 3,
      message: 'execution reverted',
      data: CUSTOM_ERROR,
    });
    assert.deepEqual((await node.call('eth_call', [{ to: contract, data: '0x04' }])).error, {
      code: 3,
      message: 'execution reverted',
      data: '0x',
    });
  });

  it('answers an exceptional halt with -32000 and its reason', async () => {
    assert.deepEqual((await node.call('eth_call', [{ to: contract, data: '0x05' }])).error, {
      code: -32000,
      message: 'invalid opcode: INVALID',
    });
    assert.deepEqual((await node.call('eth_call', [{ to: contract, gas: '0x5208' }])).error, {
      code: -32000,
      message: 'out of gas',
    });
  });

  it('caps the gas at the configured gas cap', async () => {
    seenGas.length = 0;
    await node.request('eth_call', [{ to: contract, gas: '0xffffffffff' }]);
    await node.request('eth_call', [{ to: contract }]);
    assert.deepEqual(seenGas, [50_000_000n, 50_000_000n]);
  });

  it('refuses malformed call objects with -32602', async () => {
    const cases: [unknown[], RegExp][] = [
      [[], /missing value for required argument 0/],
      [['0x12'], /expected an object/],
      [[{ to: '0x12' }], /hex string has length 2, want 40/],
      [[{ to: contract, data: '0x1' }], /odd length/],
      [[{ to: contract, data: '0x01', input: '0x02' }], /both "data" and "input" are set and not equal/],
      [
        [{ to: contract, gasPrice: '0x1', maxFeePerGas: '0x2' }],
        /both gasPrice and \(maxFeePerGas or maxPriorityFeePerGas\) specified/,
      ],
      [
        [{ to: contract, maxFeePerGas: '0x1', maxPriorityFeePerGas: '0x2' }],
        /maxFeePerGas \(1\) < maxPriorityFeePerGas \(2\)/,
      ],
      [[{ to: contract, value: '0x00' }], /leading zero/],
      [[{ to: contract, bogus: 1 }], /unknown field "bogus"/],
      [[{ to: contract }, 'latest', { [contract]: { balance: '0x1' } }], /overrides are not supported/],
    ];
    for (const [params, message] of cases) {
      const error = (await node.call('eth_call', params)).error;
      assert.equal(error?.code, -32602, JSON.stringify(params));
      assert.match(error?.message ?? '', message);
    }
  });

  it('accepts an empty state-override object and null', async () => {
    assert.equal(await node.request('eth_call', [{ to: contract }, 'latest', {}]), `0x${'00'.repeat(31)}2a`);
    assert.equal(
      await node.request('eth_call', [{ to: contract }, 'latest', null]),
      `0x${'00'.repeat(31)}2a`,
    );
  });

  it('answers -32000 for a block beyond the head', async () => {
    assert.deepEqual((await node.call('eth_call', [{ to: contract }, '0x10'])).error, {
      code: -32000,
      message: 'header not found',
    });
  });
});

describe('[rpc] eth_estimateGas', () => {
  it('finds the least gas that succeeds, within 1.5%', async () => {
    const gas = BigInt(
      await node.request<string>('eth_estimateGas', [{ from: alice.address, to: contract }]),
    );
    assert.ok(gas >= 45_000n && gas <= (45_000n * 1015n) / 1000n, `estimate ${gas}`);
  });

  it('answers 21000 for a plain transfer to an account without code', async () => {
    assert.equal(
      await node.request('eth_estimateGas', [
        { from: alice.address, to: `0x${'11'.repeat(20)}`, value: '0x1' },
      ]),
      '0x5208',
    );
  });

  it('answers a revert with code 3 and the revert data', async () => {
    assert.deepEqual((await node.call('eth_estimateGas', [{ to: contract, data: '0x01' }])).error, {
      code: 3,
      message: 'execution reverted: too much',
      data: REVERT_TOO_MUCH,
    });
  });

  it('answers "gas required exceeds allowance" when even the cap runs out of gas', async () => {
    assert.deepEqual((await node.call('eth_estimateGas', [{ to: contract, gas: '0x9c40' }])).error, {
      code: -32000,
      message: 'gas required exceeds allowance (40000)',
    });
  });

  it('bounds the search by what the sender can pay and refuses a value above the balance', async () => {
    assert.deepEqual(
      (
        await node.call('eth_estimateGas', [
          { from: alice.address, to: contract, value: '0xde0b6b3a7640001', gasPrice: '0x1' },
        ])
      ).error,
      { code: -32000, message: 'insufficient funds for transfer' },
    );
    // Without a fee the call itself refuses the value (as the core's executor does).
    assert.deepEqual(
      (
        await node.call('eth_estimateGas', [
          { from: alice.address, to: contract, value: '0xde0b6b3a7640001' },
        ])
      ).error,
      { code: -32000, message: 'insufficient funds for gas * price + value' },
    );
    // 10^18 wei at 10^14 wei/gas buys 10,000 gas: not enough for the contract.
    assert.deepEqual(
      (
        await node.call('eth_estimateGas', [
          { from: alice.address, to: contract, gasPrice: '0x5af3107a4000' },
        ])
      ).error,
      { code: -32000, message: 'gas required exceeds allowance (10000)' },
    );
  });

  it('refuses malformed requests', async () => {
    assert.equal((await node.call('eth_estimateGas', [])).error?.code, -32602);
    assert.equal(
      (await node.call('eth_estimateGas', [{ to: contract }, 'latest', { x: 1 }])).error?.code,
      -32602,
    );
  });
});
