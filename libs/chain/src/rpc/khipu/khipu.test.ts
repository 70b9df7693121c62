import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testAccount } from '../testing/accounts.js';
import { startTestNode, type TestNode } from '../testing/harness.js';

const alice = testAccount(1);
let node: TestNode;
before(async () => {
  node = await startTestNode({ chain: { alloc: { [alice.address]: 10n ** 20n } } });
  await node.request('eth_sendRawTransaction', [node.sign(alice, { nonce: 0n })]);
  const block = node.chain.mineFromPool(node.pool);
  node.chain.messageShards.set('1:42', {
    blockNumber: 1n,
    blockHash: block.header.hash,
    destinationChainId: 42n,
    messages: [
      {
        id: `0x${'01'.repeat(32)}`,
        encoded: '0x00',
        version: 1,
        nonce: 7n,
        sourceChainId: 1337n,
        sender: alice.address,
        destinationChainId: 42n,
        recipient: `0x${'02'.repeat(20)}`,
        kind: 1,
        amount: 10n ** 18n,
        body: '0x',
        transactionHash: block.transactions[0]!.hash,
        logIndex: 0,
      },
    ],
    shardDigest: `0x${'03'.repeat(32)}`,
    messageRoot: `0x${'04'.repeat(32)}`,
    proof: '0xabcdef',
  });
});
after(() => node.close());

describe('[rpc] khipu_*', () => {
  it('khipu_getSealedHeader: header, RLP, decoded extraData and seals', async () => {
    const sealed = await node.request<Record<string, Record<string, unknown>>>('khipu_getSealedHeader', [
      '0x1',
    ]);
    assert.equal(sealed.header?.number, '0x1');
    assert.equal(sealed.header?.hash, node.chain.getBlockByNumber(1n)!.header.hash);
    assert.deepEqual(Object.keys(sealed.extra ?? {}).sort(), [
      'messageRoot',
      'nextValidatorsHash',
      'parentSeals',
      'shardRoot',
      'validatorsHash',
    ]);
    assert.deepEqual((sealed.seals as unknown as Record<string, string>[])[0], {
      validator: node.chain.coinbase,
      round: '0x0',
      signature: `0x${'11'.repeat(64)}00`,
    });
    assert.equal(await node.request('khipu_getSealedHeader', ['0x2']), null);
    assert.equal(
      (await node.request<{ header: { number: string } }>('khipu_getSealedHeader', ['latest'])).header.number,
      '0x1',
    );
  });

  it('khipu_getMessageShard: messages with quantities, digest, root and proof; null without shard', async () => {
    const shard = await node.request<Record<string, unknown>>('khipu_getMessageShard', ['0x1', '0x2a']);
    assert.equal(shard.destinationChainId, '0x2a');
    const [message] = shard.messages as Record<string, string>[];
    assert.equal(message?.amount, '0xde0b6b3a7640000');
    assert.equal(message?.kind, '0x1');
    assert.equal(message?.nonce, '0x7');
    assert.equal(shard.proof, '0xabcdef');
    assert.equal(await node.request('khipu_getMessageShard', ['0x1', '0x2b']), null);
    assert.equal(await node.request('khipu_getMessageShard', ['0x9', '0x2a']), null);
    assert.equal((await node.call('khipu_getMessageShard', ['0x1'])).error?.code, -32602);
  });

  it('khipu_getAccountShardProof: the account leaf and proof', async () => {
    const proof = await node.request<Record<string, string>>('khipu_getAccountShardProof', [
      alice.address,
      'latest',
    ]);
    assert.equal(proof.address, alice.address);
    assert.equal(proof.nonce, '0x1');
    assert.match(proof.shardIndex ?? '', /^0x[0-9a-f]$/);
    assert.equal(await node.request('khipu_getAccountShardProof', [alice.address, '0x5']), null);
    assert.equal((await node.call('khipu_getAccountShardProof', ['0x1', 'latest'])).error?.code, -32602);
  });

  it('khipu_getBlockStats, khipu_getValidators, khipu_getSupply', async () => {
    const stats = await node.request<Record<string, unknown>>('khipu_getBlockStats', ['0x1']);
    assert.deepEqual(stats, {
      blockNumber: '0x1',
      transactions: '0x1',
      gasUsed: '0x5208',
      executionSeconds: 0.001,
      parallelism: 1,
      reRuns: '0x0',
      fallbacks: '0x0',
    });
    const validators = await node.request<Record<string, unknown>>('khipu_getValidators', ['0x0']);
    assert.deepEqual(validators.validators, [{ address: node.chain.coinbase }]);
    const supply = await node.request<Record<string, unknown>>('khipu_getSupply', ['0x1']);
    assert.equal(supply.genesisSupply, '0x56bc75e2d63100000');
    assert.deepEqual(supply.block, { minted: '0x0', burned: '0x0', feesToPool: '0x0' });
    for (const method of ['khipu_getBlockStats', 'khipu_getValidators', 'khipu_getSupply']) {
      assert.equal(await node.request(method, ['0x64']), null);
      assert.equal((await node.call(method, [])).error?.code, -32602);
      assert.equal((await node.call(method, ['0x01'])).error?.code, -32602);
    }
  });
});
