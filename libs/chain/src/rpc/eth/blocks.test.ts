import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testAccount } from '../testing/accounts.js';
import { startTestNode, type TestNode } from '../testing/harness.js';

const alice = testAccount(1);
let node: TestNode;
let txHash: string;
let legacyHash: string;

before(async () => {
  node = await startTestNode({ chain: { alloc: { [alice.address]: 10n ** 20n } } });
  txHash = await node.request<string>('eth_sendRawTransaction', [
    node.sign(alice, { nonce: 0n, data: '0xabcd', gasLimit: 30_000n }),
  ]);
  legacyHash = await node.request<string>('eth_sendRawTransaction', [
    node.sign(alice, { type: 0, nonce: 1n, gasPrice: 3_000_000_000n }),
  ]);
  node.chain.mineFromPool(node.pool);
});
after(() => node.close());

const HEADER_KEYS = [
  'baseFeePerGas',
  'blobGasUsed',
  'difficulty',
  'excessBlobGas',
  'extraData',
  'gasLimit',
  'gasUsed',
  'hash',
  'logsBloom',
  'miner',
  'mixHash',
  'nonce',
  'number',
  'parentBeaconBlockRoot',
  'parentHash',
  'receiptsRoot',
  'sha3Uncles',
  'stateRoot',
  'timestamp',
  'transactionsRoot',
  'withdrawalsRoot',
];

/** The fields of a legacy (EIP-155) transaction object, as geth answers it; a typed one adds its own. */
const LEGACY_TX_KEYS = [
  'blockHash',
  'blockNumber',
  'chainId',
  'from',
  'gas',
  'gasPrice',
  'hash',
  'input',
  'nonce',
  'r',
  's',
  'to',
  'transactionIndex',
  'type',
  'v',
  'value',
];

describe('[rpc] eth_getBlockByNumber / eth_getBlockByHash', () => {
  it('answers a complete block in geth’s shape, with transaction hashes', async () => {
    const block = await node.request<Record<string, unknown>>('eth_getBlockByNumber', ['0x1', false]);
    assert.deepEqual(
      Object.keys(block).sort(),
      [...HEADER_KEYS, 'size', 'transactions', 'uncles', 'withdrawals'].sort(),
    );
    assert.equal(block.number, '0x1');
    assert.deepEqual(block.transactions, [txHash, legacyHash]);
    assert.deepEqual(block.uncles, []);
    assert.deepEqual(block.withdrawals, []);
    assert.equal(block.difficulty, '0x0');
    assert.match(block.logsBloom as string, /^0x[0-9a-f]{512}$/);
    assert.match(block.nonce as string, /^0x[0-9a-f]{16}$/);
    for (const key of ['gasLimit', 'gasUsed', 'timestamp', 'size', 'baseFeePerGas']) {
      assert.match(block[key] as string, /^0x(0|[1-9a-f][0-9a-f]*)$/, key);
    }
  });

  it('answers full transaction objects, typed and legacy, with their location', async () => {
    const block = await node.request<{ transactions: Record<string, unknown>[]; hash: string }>(
      'eth_getBlockByNumber',
      ['latest', true],
    );
    const [dynamic, legacy] = block.transactions;
    assert.deepEqual(
      Object.keys(dynamic!).sort(),
      [...LEGACY_TX_KEYS, 'accessList', 'maxFeePerGas', 'maxPriorityFeePerGas', 'yParity'].sort(),
    );
    assert.equal(dynamic?.blockHash, block.hash);
    assert.equal(dynamic?.type, '0x2');
    assert.equal(dynamic?.input, '0xabcd');
    assert.equal(dynamic?.transactionIndex, '0x0');
    // Mined: gasPrice is the effective price, base fee 0.875 gwei + tip 1 gwei.
    assert.equal(dynamic?.gasPrice, `0x${(875_000_000n + 1_000_000_000n).toString(16)}`);
    assert.deepEqual(Object.keys(legacy!).sort(), [...LEGACY_TX_KEYS].sort());
    assert.equal(legacy?.type, '0x0');
    assert.ok(['0xa95', '0xa96'].includes(legacy?.v as string)); // 1337 * 2 + 35 + recovery id
    assert.equal(legacy?.gasPrice, '0xb2d05e00');
  });

  it('resolves tags and answers null beyond the head or for an unknown hash', async () => {
    const genesis = await node.request<{ number: string; transactions: unknown[] }>('eth_getBlockByNumber', [
      'earliest',
      false,
    ]);
    assert.equal(genesis.number, '0x0');
    assert.deepEqual(genesis.transactions, []);
    for (const tag of ['latest', 'pending', 'safe', 'finalized']) {
      assert.equal(
        (await node.request<{ number: string }>('eth_getBlockByNumber', [tag, false])).number,
        '0x1',
      );
    }
    assert.equal(await node.request('eth_getBlockByNumber', ['0x2', false]), null);
    assert.equal(await node.request('eth_getBlockByHash', [`0x${'ab'.repeat(32)}`, false]), null);
    const latest = await node.request<{ hash: string; number: string }>('eth_getBlockByNumber', [
      'latest',
      false,
    ]);
    assert.equal(
      (await node.request<{ number: string }>('eth_getBlockByHash', [latest.hash, true])).number,
      '0x1',
    );
  });

  it('requires both arguments and a boolean', async () => {
    assert.equal(
      (await node.call('eth_getBlockByNumber', ['latest'])).error?.message,
      'missing value for required argument 1',
    );
    assert.equal(
      (await node.call('eth_getBlockByNumber', ['latest', 'yes'])).error?.message,
      'invalid argument 1: json: cannot unmarshal into Go value of type bool',
    );
    assert.equal((await node.call('eth_getBlockByHash', ['0x12', false])).error?.code, -32602);
    assert.equal(
      (await node.call('eth_getBlockByNumber', [{ blockHash: `0x${'00'.repeat(32)}` }, false])).error?.code,
      -32602,
    );
  });
});

describe('[rpc] eth_getBlockTransactionCountBy*', () => {
  it('counts a block’s transactions, null for an unknown block', async () => {
    assert.equal(await node.request('eth_getBlockTransactionCountByNumber', ['0x1']), '0x2');
    assert.equal(await node.request('eth_getBlockTransactionCountByNumber', ['earliest']), '0x0');
    assert.equal(await node.request('eth_getBlockTransactionCountByNumber', ['0x9']), null);
    const latest = await node.request<{ hash: string }>('eth_getBlockByNumber', ['latest', false]);
    assert.equal(await node.request('eth_getBlockTransactionCountByHash', [latest.hash]), '0x2');
    assert.equal(await node.request('eth_getBlockTransactionCountByHash', [`0x${'00'.repeat(32)}`]), null);
    assert.equal((await node.call('eth_getBlockTransactionCountByNumber', [])).error?.code, -32602);
  });
});

describe('[rpc] eth_getTransactionByHash / ByBlock*AndIndex', () => {
  it('answers a mined transaction with its location', async () => {
    const tx = await node.request<Record<string, unknown>>('eth_getTransactionByHash', [txHash]);
    assert.equal(tx.blockNumber, '0x1');
    assert.equal(tx.from, alice.address);
    assert.equal(tx.nonce, '0x0');
    assert.equal(tx.yParity, tx.v);
  });

  it('answers a pooled transaction with null location and gasPrice = maxFeePerGas', async () => {
    const hash = await node.request<string>('eth_sendRawTransaction', [node.sign(alice, { nonce: 2n })]);
    const tx = await node.request<Record<string, unknown>>('eth_getTransactionByHash', [hash]);
    assert.equal(tx.blockHash, null);
    assert.equal(tx.blockNumber, null);
    assert.equal(tx.transactionIndex, null);
    assert.equal(tx.gasPrice, tx.maxFeePerGas);
  });

  it('answers null for an unknown hash and refuses a malformed one', async () => {
    assert.equal(await node.request('eth_getTransactionByHash', [`0x${'00'.repeat(32)}`]), null);
    assert.equal((await node.call('eth_getTransactionByHash', ['0x00'])).error?.code, -32602);
  });

  it('finds a transaction by block and index', async () => {
    const byNumber = await node.request<{ hash: string }>('eth_getTransactionByBlockNumberAndIndex', [
      '0x1',
      '0x1',
    ]);
    assert.equal(byNumber.hash, legacyHash);
    const block = await node.request<{ hash: string }>('eth_getBlockByNumber', ['0x1', false]);
    const byHash = await node.request<{ hash: string }>('eth_getTransactionByBlockHashAndIndex', [
      block.hash,
      '0x0',
    ]);
    assert.equal(byHash.hash, txHash);
    assert.equal(await node.request('eth_getTransactionByBlockNumberAndIndex', ['0x1', '0x2']), null);
    assert.equal(
      await node.request('eth_getTransactionByBlockHashAndIndex', [`0x${'00'.repeat(32)}`, '0x0']),
      null,
    );
    assert.equal(
      (await node.call('eth_getTransactionByBlockNumberAndIndex', ['0x1', '1'])).error?.code,
      -32602,
    );
  });
});

describe('[rpc] eth_getTransactionReceipt / eth_getBlockReceipts', () => {
  it('answers a receipt in geth’s shape', async () => {
    const receipt = await node.request<Record<string, unknown>>('eth_getTransactionReceipt', [txHash]);
    assert.deepEqual(
      Object.keys(receipt).sort(),
      [
        'blockHash',
        'blockNumber',
        'contractAddress',
        'cumulativeGasUsed',
        'effectiveGasPrice',
        'from',
        'gasUsed',
        'logs',
        'logsBloom',
        'status',
        'to',
        'transactionHash',
        'transactionIndex',
        'type',
      ].sort(),
    );
    assert.equal(receipt.status, '0x1');
    assert.equal(receipt.contractAddress, null);
    assert.equal(receipt.type, '0x2');
    assert.deepEqual(receipt.logs, []);
  });

  it('answers null for a pooled or unknown transaction', async () => {
    const hash = await node.request<string>('eth_sendRawTransaction', [node.sign(alice, { nonce: 3n })]);
    assert.equal(await node.request('eth_getTransactionReceipt', [hash]), null);
    assert.equal(await node.request('eth_getTransactionReceipt', [`0x${'00'.repeat(32)}`]), null);
    assert.equal((await node.call('eth_getTransactionReceipt', [])).error?.code, -32602);
  });

  it('answers all receipts of a block', async () => {
    const receipts = await node.request<{ transactionHash: string; cumulativeGasUsed: string }[]>(
      'eth_getBlockReceipts',
      ['0x1'],
    );
    assert.deepEqual(
      receipts.map((r) => r.transactionHash),
      [txHash, legacyHash],
    );
    assert.equal(await node.request('eth_getBlockReceipts', ['0x7']), null);
    assert.deepEqual(await node.request('eth_getBlockReceipts', ['earliest']), []);
  });
});
