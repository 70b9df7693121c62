import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testAccount } from '../testing/accounts.js';
import { startTestNode, type TestNode } from '../testing/harness.js';

const alice = testAccount(1);
const slot = `0x${'00'.repeat(31)}07` as const;
let node: TestNode;
before(async () => {
  node = await startTestNode({
    chain: {
      alloc: {
        [alice.address]: {
          balance: 5n,
          nonce: 2n,
          storage: new Map<`0x${string}`, `0x${string}`>([[slot, `0x${'00'.repeat(31)}09`]]),
        },
      },
    },
  });
});
after(() => node.close());

describe('[rpc] eth_getProof', () => {
  it('answers the EIP-1186 shape with quantities and the asked slots', async () => {
    const proof = await node.request<Record<string, unknown>>('eth_getProof', [
      alice.address,
      ['0x7', slot],
      'latest',
    ]);
    assert.deepEqual(Object.keys(proof).sort(), [
      'accountProof',
      'address',
      'balance',
      'codeHash',
      'nonce',
      'storageHash',
      'storageProof',
    ]);
    assert.equal(proof.balance, '0x5');
    assert.equal(proof.nonce, '0x2');
    const storage = proof.storageProof as { key: string; value: string; proof: string[] }[];
    assert.deepEqual(
      storage.map((s) => [s.key, s.value]),
      [
        [slot, '0x9'],
        [slot, '0x9'],
      ],
    );
    assert.ok((proof.accountProof as string[]).length > 0);
  });

  it('requires the block and an array of slots, bounded', async () => {
    assert.equal(
      (await node.call('eth_getProof', [alice.address, []])).error?.message,
      'missing value for required argument 2',
    );
    assert.equal(
      (await node.call('eth_getProof', [alice.address, '0x1', 'latest'])).error?.message,
      'invalid argument 1: storage keys must be an array',
    );
    assert.equal(
      (await node.call('eth_getProof', [alice.address, Array(1025).fill('0x1'), 'latest'])).error?.message,
      'invalid argument 1: more than 1024 storage keys',
    );
    assert.deepEqual((await node.call('eth_getProof', [alice.address, [], '0x5'])).error, {
      code: -32000,
      message: 'header not found',
    });
  });
});
