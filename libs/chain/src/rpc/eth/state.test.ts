import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testAccount } from '../testing/accounts.js';
import { startTestNode, type TestNode } from '../testing/harness.js';

describe('[rpc] getBalance', () => {
  const alice = testAccount(1);
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ chain: { alloc: { [alice.address]: 1000n }, stateRetention: 3n } });
    node.chain.setAccount(alice.address, { balance: 2000n });
    node.chain.mine([]);
  });
  after(() => node.close());

  describe('[rpc] eth_getBalance', () => {
    it('answers the balance at latest (default), at a number, by tag and by EIP-1898 hash', async () => {
      assert.equal(await node.request('eth_getBalance', [alice.address]), '0x7d0');
      assert.equal(await node.request('eth_getBalance', [alice.address, 'latest']), '0x7d0');
      assert.equal(await node.request('eth_getBalance', [alice.address, '0x0']), '0x3e8');
      assert.equal(await node.request('eth_getBalance', [alice.address, 'earliest']), '0x3e8');
      for (const tag of ['pending', 'safe', 'finalized'])
        assert.equal(await node.request('eth_getBalance', [alice.address, tag]), '0x7d0');
      const genesis = node.chain.getBlockByNumber(0n)!.header.hash;
      assert.equal(await node.request('eth_getBalance', [alice.address, { blockHash: genesis }]), '0x3e8');
      assert.equal(await node.request('eth_getBalance', [alice.address, { blockNumber: '0x1' }]), '0x7d0');
    });

    it('answers 0x0 for an unknown account, accepting mixed-case addresses', async () => {
      assert.equal(await node.request('eth_getBalance', [`0x${'Ab'.repeat(20)}`, 'latest']), '0x0');
    });

    it('refuses malformed addresses and blocks with -32602', async () => {
      const cases: [unknown[], string][] = [
        [[], 'missing value for required argument 0'],
        [['0x1234'], 'invalid argument 0: hex string has length 4, want 40'],
        [[alice.address.slice(2)], 'invalid argument 0: hex string without 0x prefix'],
        [[alice.address, 'newest'], 'invalid argument 1: unknown block tag "newest"'],
        [[alice.address, '0x01'], 'invalid argument 1: hex number with leading zero digits'],
        [[alice.address, '0x'], 'invalid argument 1: hex string "0x"'],
        [
          [alice.address, 12],
          'invalid argument 1: json: cannot unmarshal non-string into Go value of type hexutil.Big',
        ],
        [[alice.address, '0x1ffffffffffffffff'], 'invalid argument 1: hex number > 64 bits'],
        [
          [alice.address, { blockHash: `0x${'00'.repeat(32)}`, blockNumber: '0x0' }],
          'invalid argument 1: cannot specify both BlockHash and BlockNumber, choose one or the other',
        ],
        [[alice.address, 'latest', 3], 'too many arguments, want at most 2'],
      ];
      for (const [params, message] of cases) {
        assert.deepEqual(
          (await node.call('eth_getBalance', params)).error,
          { code: -32602, message },
          JSON.stringify(params),
        );
      }
    });

    it('answers -32000 for a block beyond the head or an unknown hash', async () => {
      assert.deepEqual((await node.call('eth_getBalance', [alice.address, '0x64'])).error, {
        code: -32000,
        message: 'header not found',
      });
      assert.deepEqual(
        (await node.call('eth_getBalance', [alice.address, { blockHash: `0x${'12'.repeat(32)}` }])).error,
        { code: -32000, message: 'header for hash not found' },
      );
    });

    it('answers -32000 for pruned state', async () => {
      for (let i = 0; i < 5; i++) node.chain.mine([]);
      assert.deepEqual((await node.call('eth_getBalance', [alice.address, '0x0'])).error, {
        code: -32000,
        message: 'historical state not available for block 0',
      });
      assert.equal(await node.request('eth_getBalance', [alice.address, '0x3']), '0x7d0');
    });
  });
});

describe('[rpc] getCode', () => {
  const contract = `0x${'c0de'.repeat(10)}` as const;
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ chain: { alloc: { [contract]: { code: '0x6080604052' } } } });
  });
  after(() => node.close());

  describe('[rpc] eth_getCode', () => {
    it('answers the code, and 0x for an account without', async () => {
      assert.equal(await node.request('eth_getCode', [contract, 'latest']), '0x6080604052');
      assert.equal(await node.request('eth_getCode', [`0x${'00'.repeat(20)}`]), '0x');
    });
    it('refuses a malformed address', async () => {
      assert.equal((await node.call('eth_getCode', ['0xzz', 'latest'])).error?.code, -32602);
      assert.equal((await node.call('eth_getCode', [null])).error?.code, -32602);
    });
  });
});

describe('[rpc] getStorageAt', () => {
  const contract = `0x${'5a'.repeat(20)}` as const;
  const slot1 = `0x${'00'.repeat(31)}01` as const;
  const value = `0x${'00'.repeat(30)}abcd` as const;
  let node: TestNode;
  before(async () => {
    node = await startTestNode({
      chain: { alloc: { [contract]: { code: '0x00', storage: new Map([[slot1, value]]) } } },
    });
  });
  after(() => node.close());

  describe('[rpc] eth_getStorageAt', () => {
    it('answers the 32-byte word, taking short and odd-length slots as geth does', async () => {
      assert.equal(await node.request('eth_getStorageAt', [contract, slot1, 'latest']), value);
      assert.equal(await node.request('eth_getStorageAt', [contract, '0x1', 'latest']), value);
      assert.equal(await node.request('eth_getStorageAt', [contract, '0x01']), value);
      assert.equal(await node.request('eth_getStorageAt', [contract, '0x2']), `0x${'00'.repeat(32)}`);
    });
    it('refuses a slot over 32 bytes or not hex', async () => {
      assert.equal(
        (await node.call('eth_getStorageAt', [contract, `0x${'00'.repeat(33)}`])).error?.message,
        'invalid argument 1: hex string too long, want at most 32 bytes',
      );
      assert.equal((await node.call('eth_getStorageAt', [contract, '0xg1'])).error?.code, -32602);
      assert.equal(
        (await node.call('eth_getStorageAt', [contract])).error?.message,
        'missing value for required argument 1',
      );
    });
  });
});

describe('[rpc] getTransactionCount', () => {
  const alice = testAccount(1);
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ chain: { alloc: { [alice.address]: 10n ** 20n } } });
  });
  after(() => node.close());

  describe('[rpc] eth_getTransactionCount', () => {
    it('answers the state nonce, and with pending the nonce after pooled executable transactions', async () => {
      assert.equal(await node.request('eth_getTransactionCount', [alice.address, 'latest']), '0x0');
      await node.request('eth_sendRawTransaction', [node.sign(alice, { nonce: 0n })]);
      await node.request('eth_sendRawTransaction', [node.sign(alice, { nonce: 1n })]);
      await node.request('eth_sendRawTransaction', [node.sign(alice, { nonce: 5n })]); // gapped: not counted
      assert.equal(await node.request('eth_getTransactionCount', [alice.address, 'pending']), '0x2');
      assert.equal(await node.request('eth_getTransactionCount', [alice.address]), '0x0');
      node.chain.mineFromPool(node.pool);
      assert.equal(await node.request('eth_getTransactionCount', [alice.address, 'latest']), '0x2');
      assert.equal(await node.request('eth_getTransactionCount', [alice.address, 'pending']), '0x2');
      assert.equal(await node.request('eth_getTransactionCount', [alice.address, '0x0']), '0x0');
    });
    it('refuses a malformed address', async () => {
      assert.equal((await node.call('eth_getTransactionCount', ['0x12', 'pending'])).error?.code, -32602);
    });
  });
});
