import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { Hash } from '../backend.js';
import { testAccount } from '../testing/accounts.js';
import { startTestNode, type TestNode } from '../testing/harness.js';

const alice = testAccount(1);
const token = `0x${'aa'.repeat(20)}` as const;
const TRANSFER = `0x${'01'.repeat(32)}` as Hash;
let node: TestNode;
before(async () => {
  node = await startTestNode({
    chain: { alloc: { [alice.address]: 10n ** 20n, [token]: { code: '0x01' } } },
    limits: { maxSubscriptionsPerConnection: 3 },
  });
  node.chain.contractHook = () => ({
    status: 'success',
    gasUsed: 30_000n,
    logs: [{ address: token, topics: [TRANSFER], data: '0x1234' }],
  });
});
after(() => node.close());

/** A WebSocket client that collects every message. */
async function connect() {
  const ws = new WebSocket(node.wsUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    for (const w of waiters.splice(0)) w();
  });
  let id = 0;
  return {
    ws,
    messages,
    async request(method: string, params: unknown[] = []) {
      const myId = ++id;
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: myId, method, params }));
      for (;;) {
        const found = messages.find((m) => m.id === myId);
        if (found) return found as { result?: unknown; error?: { code: number; message: string } };
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    notifications(subscription: unknown) {
      return messages
        .filter(
          (m) =>
            m.method === 'eth_subscription' &&
            (m.params as { subscription: unknown }).subscription === subscription,
        )
        .map((m) => (m.params as { result: unknown }).result);
    },
    async waitFor(predicate: () => boolean) {
      for (let i = 0; i < 400 && !predicate(); i++) await new Promise((r) => setTimeout(r, 5));
    },
  };
}

describe('[rpc] eth_subscribe / eth_unsubscribe', () => {
  it('streams newHeads in geth’s header shape, until unsubscribed', async () => {
    const client = await connect();
    const { result: id } = await client.request('eth_subscribe', ['newHeads']);
    assert.match(id as string, /^0x[0-9a-f]+$/);
    const block = node.chain.mine([]);
    await client.waitFor(() => client.notifications(id).length === 1);
    const [head] = client.notifications(id) as Record<string, unknown>[];
    assert.equal(head?.hash, block.header.hash);
    assert.equal(head?.number, `0x${block.header.number.toString(16)}`);
    assert.equal(head?.transactions, undefined);
    assert.deepEqual((await client.request('eth_unsubscribe', [id])).result, true);
    assert.deepEqual((await client.request('eth_unsubscribe', [id])).result, false);
    node.chain.mine([]);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(client.notifications(id).length, 1);
    client.ws.close();
  });

  it('sends the subscription id before any notification, even for a block committed meanwhile', async () => {
    const client = await connect();
    // Commit a block right after the subscription is registered, before its id is answered.
    const subscribeNewBlocks = node.chain.subscribeNewBlocks.bind(node.chain);
    node.chain.subscribeNewBlocks = (listener) => {
      const off = subscribeNewBlocks(listener);
      queueMicrotask(() => node.chain.mine([]));
      node.chain.subscribeNewBlocks = subscribeNewBlocks;
      return off;
    };
    client.ws.send('{"jsonrpc":"2.0","id":99,"method":"eth_subscribe","params":["newHeads"]}');
    await client.waitFor(() => client.messages.length >= 2);
    assert.equal(client.messages[0]?.id, 99);
    assert.equal(client.notifications(client.messages[0]?.result).length, 1);
    client.ws.close();
  });

  it('streams matching logs only', async () => {
    const client = await connect();
    const { result: mine } = await client.request('eth_subscribe', [
      'logs',
      { address: token, topics: [TRANSFER] },
    ]);
    const { result: other } = await client.request('eth_subscribe', [
      'logs',
      { address: `0x${'bb'.repeat(20)}` },
    ]);
    await node.request('eth_sendRawTransaction', [
      node.sign(alice, { nonce: 0n, to: token, gasLimit: 50_000n }),
    ]);
    node.chain.mineFromPool(node.pool);
    await client.waitFor(() => client.notifications(mine).length === 1);
    const [log] = client.notifications(mine) as Record<string, unknown>[];
    assert.equal(log?.address, token);
    assert.equal(log?.data, '0x1234');
    assert.equal(client.notifications(other).length, 0);
    client.ws.close();
  });

  it('streams newly pooled transaction hashes', async () => {
    const client = await connect();
    const { result: id } = await client.request('eth_subscribe', ['newPendingTransactions']);
    const hash = await node.request('eth_sendRawTransaction', [node.sign(alice, { nonce: 1n })]);
    await client.waitFor(() => client.notifications(id).length === 1);
    assert.deepEqual(client.notifications(id), [hash]);
    client.ws.close();
  });

  it('refuses unknown kinds, bad filters and too many subscriptions', async () => {
    const client = await connect();
    assert.equal(
      (await client.request('eth_subscribe', ['newBlocks'])).error?.message,
      'no "newBlocks" subscription in eth namespace',
    );
    assert.equal((await client.request('eth_subscribe', [])).error?.code, -32602);
    assert.equal((await client.request('eth_subscribe', ['logs', { address: '0x1' }])).error?.code, -32602);
    assert.equal((await client.request('eth_subscribe', ['logs', { fromBlock: '0x1' }])).error?.code, -32602);
    assert.equal((await client.request('eth_subscribe', ['newHeads', { x: 1 }])).error?.code, -32602);
    for (let i = 0; i < 3; i++) assert.ok((await client.request('eth_subscribe', ['newHeads'])).result);
    assert.deepEqual((await client.request('eth_subscribe', ['newHeads'])).error, {
      code: -32005,
      message: 'too many subscriptions on this connection (limit 3)',
    });
    assert.equal((await client.request('eth_unsubscribe', ['nope'])).error?.code, -32602);
    client.ws.close();
  });

  it('releases a connection’s subscriptions when it closes', async () => {
    const client = await connect();
    // Earlier tests' sockets close asynchronously: wait until their subscriptions are gone.
    await client.waitFor(() => node.chain.listenerCount === 0);
    const before = node.chain.listenerCount;
    await client.request('eth_subscribe', ['newHeads']);
    await client.request('eth_subscribe', ['logs', {}]);
    assert.equal(node.chain.listenerCount, before + 2);
    const closed = new Promise((resolve) => client.ws.once('close', resolve));
    client.ws.close();
    await closed;
    await client.waitFor(() => node.chain.listenerCount === before);
    assert.equal(node.chain.listenerCount, before);
  });

  it('answers -32601 "notifications not supported" over HTTP', async () => {
    assert.deepEqual((await node.call('eth_subscribe', ['newHeads'])).error, {
      code: -32601,
      message: 'notifications not supported',
    });
    assert.deepEqual((await node.call('eth_unsubscribe', ['0x1'])).error, {
      code: -32601,
      message: 'notifications not supported',
    });
  });
});
