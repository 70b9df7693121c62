import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTxCommon } from '../../txpool/decode.js';
import { signTransaction, testAccount } from '../testing/accounts.js';
import { startTestNode, type TestNode } from '../testing/harness.js';

const alice = testAccount(1);
const poor = testAccount(2);
let node: TestNode;
before(async () => {
  node = await startTestNode({
    chain: { alloc: { [alice.address]: 10n ** 20n, [poor.address]: 1000n } },
    pool: { limits: { minTip: 100n, maxTxBytes: 4096 } },
  });
});
after(() => node.close());

async function refusal(raw: string) {
  return (await node.call('eth_sendRawTransaction', [raw])).error;
}

describe('[rpc] eth_sendRawTransaction', () => {
  it('admits a transaction and answers its hash, which the pool then holds', async () => {
    const hash = await node.request<string>('eth_sendRawTransaction', [node.sign(alice, { nonce: 0n })]);
    assert.match(hash, /^0x[0-9a-f]{64}$/);
    assert.equal(node.pool.counts().pending, 1);
    assert.equal(
      await node.request<string>('txpool_status').then((s) => JSON.stringify(s)),
      '{"pending":"0x1","queued":"0x0"}',
    );
  });

  it('answers every refusal with -32000 and geth’s wording', async () => {
    const other = signTransaction(
      {
        type: 2,
        chainId: 1n,
        nonce: 0n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 10n ** 9n,
        gasLimit: 21_000n,
        to: poor.address,
      },
      alice,
      createTxCommon(1n),
    );
    const cases: [string, string | RegExp][] = [
      [node.sign(alice, { nonce: 0n }), 'already known'],
      [
        `0x${Buffer.from(other).toString('hex')}`,
        'invalid sender: invalid chain id for signer: have 1 want 1337',
      ],
      [
        node.sign(alice, { nonce: 0n, maxFeePerGas: 11_000_000_000n, maxPriorityFeePerGas: 1_000_000_001n }),
        'replacement transaction underpriced',
      ],
      [
        node.sign(poor, { nonce: 0n }),
        /^insufficient funds for gas \* price \+ value: balance 1000, tx cost 210000000000001, overshot/,
      ],
      [
        node.sign(alice, { nonce: 1n, maxPriorityFeePerGas: 99n }),
        'transaction underpriced: gas tip cap 99, minimum needed 100',
      ],
      [
        node.sign(alice, { nonce: 1n, gasLimit: 20_000n }),
        'intrinsic gas too low: gas 20000, minimum needed 21000',
      ],
      [
        node.sign(alice, { nonce: 1n, gasLimit: 500_000n, data: new Uint8Array(5000) }),
        /^oversized data: transaction size \d+, limit 4096$/,
      ],
      ['0x03c0', 'transaction type not supported'],
      ['0x04c0', 'transaction type not supported'],
      ['0xc0', /^invalid transaction/],
      ['0x02deadbeef', /^rlp: invalid typed transaction$/],
    ];
    for (const [raw, message] of cases) {
      const error = await refusal(raw);
      assert.equal(error?.code, -32000, String(message));
      if (typeof message === 'string') assert.equal(error?.message, message);
      else assert.match(error?.message ?? '', message);
    }
    node.chain.mineFromPool(node.pool);
    assert.deepEqual(
      await refusal(
        node.sign(alice, { nonce: 0n, maxFeePerGas: 20_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n }),
      ),
      {
        code: -32000,
        message: `nonce too low: address ${alice.address}, tx: 0 state: 1`,
      },
    );
  });

  it('refuses data that is not hex with -32602', async () => {
    assert.equal((await node.call('eth_sendRawTransaction', ['zz'])).error?.code, -32602);
    assert.equal((await node.call('eth_sendRawTransaction', [])).error?.code, -32602);
    assert.equal((await node.call('eth_sendRawTransaction', ['0x', 1])).error?.code, -32602);
  });
});
