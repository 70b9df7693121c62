import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestNode, type TestNode } from './testing/harness.js';

describe('[rpc] clientVersion', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ methodOptions: { clientVersion: 'khipu-chain/v9.9.9/test' } });
  });
  after(() => node.close());

  describe('[rpc] web3_clientVersion', () => {
    it('answers the configured client version', async () => {
      assert.equal(await node.request('web3_clientVersion'), 'khipu-chain/v9.9.9/test');
    });
    it('refuses arguments', async () => {
      assert.deepEqual((await node.call('web3_clientVersion', [1])).error, {
        code: -32602,
        message: 'too many arguments, want at most 0',
      });
    });
  });
});

describe('[rpc] sha3', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(() => node.close());

  describe('[rpc] web3_sha3', () => {
    it('hashes data with keccak-256', async () => {
      assert.equal(
        await node.request('web3_sha3', ['0x']),
        '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
      );
      assert.equal(
        await node.request('web3_sha3', ['0x68656c6c6f20776f726c64']),
        '0x47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad',
      );
    });
    it('refuses data without 0x or of odd length', async () => {
      assert.equal(
        (await node.call('web3_sha3', ['abcd'])).error?.message,
        'invalid argument 0: hex string without 0x prefix',
      );
      assert.equal(
        (await node.call('web3_sha3', ['0xabc'])).error?.message,
        'invalid argument 0: hex string of odd length',
      );
      assert.equal((await node.call('web3_sha3', [])).error?.code, -32602);
    });
  });
});

describe('[rpc] version', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ chain: { chainId: 424_242n } });
  });
  after(() => node.close());

  describe('[rpc] net_version, net_listening, net_peerCount', () => {
    it('answers the chain id in decimal', async () => {
      assert.equal(await node.request('net_version'), '424242');
    });
    it('is listening, with no devp2p peers', async () => {
      assert.equal(await node.request('net_listening'), true);
      assert.equal(await node.request('net_peerCount'), '0x0');
    });
    it('refuses arguments', async () => {
      assert.equal((await node.call('net_version', ['x'])).error?.code, -32602);
      assert.equal((await node.call('net_listening', ['x'])).error?.code, -32602);
      assert.equal((await node.call('net_peerCount', ['x'])).error?.code, -32602);
    });
  });
});

describe('[rpc] chainId', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode({ chain: { chainId: 424_242n } });
  });
  after(() => node.close());

  describe('[rpc] eth_chainId, eth_syncing, eth_accounts', () => {
    it('answers the chain id as a quantity', async () => {
      assert.equal(await node.request('eth_chainId'), '0x67932');
    });
    it('is never syncing and holds no accounts', async () => {
      assert.equal(await node.request('eth_syncing'), false);
      assert.deepEqual(await node.request('eth_accounts'), []);
    });
    it('refuses arguments', async () => {
      assert.equal((await node.call('eth_chainId', [1])).error?.code, -32602);
      assert.equal((await node.call('eth_syncing', [1])).error?.code, -32602);
      assert.equal((await node.call('eth_accounts', [1])).error?.code, -32602);
    });
  });
});

describe('[rpc] blockNumber', () => {
  let node: TestNode;
  before(async () => {
    node = await startTestNode();
  });
  after(() => node.close());

  describe('[rpc] eth_blockNumber', () => {
    it('follows the head as blocks are committed, without leading zeros', async () => {
      assert.equal(await node.request('eth_blockNumber'), '0x0');
      for (let i = 0; i < 17; i++) node.chain.mine([]);
      assert.equal(await node.request('eth_blockNumber'), '0x11');
    });
    it('refuses arguments', async () => {
      assert.equal((await node.call('eth_blockNumber', ['latest'])).error?.code, -32602);
    });
  });
});
