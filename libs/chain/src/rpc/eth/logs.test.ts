import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hash, Hex } from '../backend.js';
import { testAccount } from '../testing/accounts.js';
import { startTestNode, type TestNode } from '../testing/harness.js';

const alice = testAccount(1);
const tokenA = `0x${'aa'.repeat(20)}` as const;
const tokenB = `0x${'bb'.repeat(20)}` as const;
const TRANSFER = `0x${'01'.repeat(32)}` as Hash;
const APPROVAL = `0x${'02'.repeat(32)}` as Hash;
const topicOf = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hash;

let node: TestNode;
let nonce = 0n;
/** Mines one block in which alice calls `token`, which logs `topics`. */
async function emit(token: Hex, topics: Hash[]) {
  node.chain.contractHook = () => ({
    status: 'success',
    gasUsed: 30_000n,
    logs: [{ address: token, topics, data: '0x' }],
  });
  await node.request('eth_sendRawTransaction', [
    node.sign(alice, { nonce: nonce++, to: token, gasLimit: 50_000n }),
  ]);
  return node.chain.mineFromPool(node.pool);
}

before(async () => {
  node = await startTestNode({
    chain: { alloc: { [alice.address]: 10n ** 20n, [tokenA]: { code: '0x01' }, [tokenB]: { code: '0x01' } } },
    methodOptions: { maxLogBlockRange: 50n, maxLogResults: 5 },
    limits: { filterTimeoutMs: 1000 },
  });
  await emit(tokenA, [TRANSFER, topicOf(1)]); // block 1
  await emit(tokenB, [TRANSFER, topicOf(2)]); // block 2
  await emit(tokenA, [APPROVAL, topicOf(1)]); // block 3
  node.chain.mine([]); // block 4
});
after(() => node.close());

type Log = { address: string; topics: string[]; blockNumber: string; logIndex: string; removed: boolean };

describe('[rpc] eth_getLogs', () => {
  it('filters by address, by topic position and by alternatives', async () => {
    const all = await node.request<Log[]>('eth_getLogs', [{ fromBlock: '0x0' }]);
    assert.deepEqual(
      all.map((l) => l.blockNumber),
      ['0x1', '0x2', '0x3'],
    );
    assert.equal(all[0]?.removed, false);
    const a = await node.request<Log[]>('eth_getLogs', [
      { fromBlock: 'earliest', toBlock: 'latest', address: tokenA },
    ]);
    assert.deepEqual(
      a.map((l) => l.blockNumber),
      ['0x1', '0x3'],
    );
    const ab = await node.request<Log[]>('eth_getLogs', [
      { fromBlock: '0x0', address: [tokenA, tokenB], topics: [TRANSFER] },
    ]);
    assert.deepEqual(
      ab.map((l) => l.blockNumber),
      ['0x1', '0x2'],
    );
    const second = await node.request<Log[]>('eth_getLogs', [
      { fromBlock: '0x0', topics: [null, [topicOf(2), topicOf(9)]] },
    ]);
    assert.deepEqual(
      second.map((l) => l.address),
      [tokenB],
    );
    const tooMany = await node.request<Log[]>('eth_getLogs', [
      { fromBlock: '0x0', topics: [null, null, null] },
    ]);
    assert.deepEqual(tooMany, []);
    const nullInside = await node.request<Log[]>('eth_getLogs', [
      { fromBlock: '0x0', topics: [[APPROVAL, null]] },
    ]);
    assert.equal(nullInside.length, 3);
  });

  it('defaults to the latest block, takes a block hash, and answers [] beyond the head', async () => {
    assert.deepEqual(await node.request('eth_getLogs', [{}]), []);
    const block2 = node.chain.getBlockByNumber(2n)!.header.hash;
    const byHash = await node.request<Log[]>('eth_getLogs', [{ blockHash: block2 }]);
    assert.deepEqual(
      byHash.map((l) => l.address),
      [tokenB],
    );
    assert.deepEqual(await node.request('eth_getLogs', [{ fromBlock: '0x10', toBlock: '0x20' }]), []);
  });

  it('refuses a reversed range, a range over the limit, too many results, and malformed filters', async () => {
    assert.deepEqual((await node.call('eth_getLogs', [{ fromBlock: '0x3', toBlock: '0x1' }])).error, {
      code: -32000,
      message: 'invalid block range params',
    });
    for (let i = 0; i < 50; i++) node.chain.mine([]);
    assert.deepEqual((await node.call('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }])).error, {
      code: -32005,
      message: 'query exceeds max block range 50',
    });
    for (let i = 0; i < 6; i++) await emit(tokenA, [TRANSFER]);
    assert.deepEqual((await node.call('eth_getLogs', [{ fromBlock: '0x10', address: tokenA }])).error, {
      code: -32005,
      message: 'query returned more than 5 results',
    });
    const malformed: unknown[] = [
      [],
      ['x'],
      [{ blockHash: `0x${'00'.repeat(32)}`, fromBlock: '0x1' }],
      [{ address: '0x12' }],
      [{ topics: [null, null, null, null, null] }],
      [{ topics: 'x' }],
      [{ fromBlock: 'newest' }],
      [{ whatever: 1 }],
    ];
    for (const params of malformed) {
      assert.equal(
        (await node.call('eth_getLogs', params as unknown[])).error?.code,
        -32602,
        JSON.stringify(params),
      );
    }
    assert.deepEqual((await node.call('eth_getLogs', [{ blockHash: `0x${'00'.repeat(32)}` }])).error, {
      code: -32000,
      message: 'unknown block',
    });
  });
});

describe('[rpc] filters', () => {
  it('eth_newFilter delivers matching logs once, and eth_getFilterLogs all of them', async () => {
    const id = await node.request<string>('eth_newFilter', [{ address: tokenB }]);
    assert.match(id, /^0x[0-9a-f]{1,32}$/);
    assert.deepEqual(await node.request('eth_getFilterChanges', [id]), []);
    await emit(tokenB, [TRANSFER]);
    await emit(tokenA, [TRANSFER]);
    const changes = await node.request<Log[]>('eth_getFilterChanges', [id]);
    assert.deepEqual(
      changes.map((l) => l.address),
      [tokenB],
    );
    assert.deepEqual(await node.request('eth_getFilterChanges', [id]), []);
    const ranged = await node.request<string>('eth_newFilter', [
      { fromBlock: '0x0', toBlock: '0x3', address: tokenB },
    ]);
    assert.deepEqual(
      (await node.request<Log[]>('eth_getFilterLogs', [ranged])).map((l) => l.blockNumber),
      ['0x2'],
    );
  });

  it('eth_newBlockFilter delivers new block hashes', async () => {
    const id = await node.request<string>('eth_newBlockFilter');
    const a = node.chain.mine([]);
    const b = node.chain.mine([]);
    assert.deepEqual(await node.request('eth_getFilterChanges', [id]), [a.header.hash, b.header.hash]);
  });

  it('eth_newPendingTransactionFilter delivers newly pooled transaction hashes', async () => {
    const id = await node.request<string>('eth_newPendingTransactionFilter');
    const hash = await node.request('eth_sendRawTransaction', [node.sign(alice, { nonce: nonce++ })]);
    assert.deepEqual(await node.request('eth_getFilterChanges', [id]), [hash]);
  });

  it('uninstalls, and answers "filter not found" for unknown or expired filters', async () => {
    const id = await node.request<string>('eth_newBlockFilter');
    assert.equal(await node.request('eth_uninstallFilter', [id]), true);
    assert.equal(await node.request('eth_uninstallFilter', [id]), false);
    assert.deepEqual((await node.call('eth_getFilterChanges', [id])).error, {
      code: -32000,
      message: 'filter not found',
    });
    assert.deepEqual((await node.call('eth_getFilterLogs', ['0x1234'])).error, {
      code: -32000,
      message: 'filter not found',
    });
    const stale = await node.request<string>('eth_newBlockFilter');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    node.server.filters.sweep();
    assert.deepEqual((await node.call('eth_getFilterChanges', [stale])).error, {
      code: -32000,
      message: 'filter not found',
    });
    assert.equal((await node.call('eth_getFilterChanges', ['xyz'])).error?.code, -32602);
    assert.equal((await node.call('eth_uninstallFilter', [])).error?.code, -32602);
  });

  it('stops listening to the chain once no filter is left', async () => {
    const before = node.chain.listenerCount;
    const id = await node.request<string>('eth_newBlockFilter');
    assert.equal(node.chain.listenerCount, Math.max(before, 1));
    node.server.filters.close();
    assert.equal(node.chain.listenerCount, 0);
    assert.deepEqual((await node.call('eth_getFilterChanges', [id])).error?.message, 'filter not found');
  });
});
