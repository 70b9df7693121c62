// viem, a real Ethereum client, against the RPC server over the fake chain: the shapes it
// accepts are the shapes Ethereum tools expect.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  encodeErrorResult,
  encodeEventTopics,
  http,
  type PublicClient,
  parseAbi,
  parseGwei,
  webSocket,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Address } from './backend.js';
import { testAccount } from './testing/accounts.js';
import { startTestNode, type TestNode } from './testing/harness.js';

const alice = testAccount(1);
const bob = testAccount(2);
const token: Address = `0x${'7e'.repeat(20)}`;
const abi = parseAbi([
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'function balanceOf(address) view returns (uint256)',
  'function transfer(address to, uint256 value) returns (bool)',
  'error Insufficient(uint256 have, uint256 want)',
]);

let node: TestNode;
let chain: Chain;
let client: PublicClient;

before(async () => {
  node = await startTestNode({
    chain: { chainId: 31_337n, alloc: { [alice.address]: 10n ** 21n, [token]: { code: '0x6001' } } },
  });
  chain = defineChain({
    id: 31_337,
    name: 'khipu-test',
    nativeCurrency: { name: 'KIP', symbol: 'KIP', decimals: 18 },
    rpcUrls: { default: { http: [node.url], webSocket: [node.wsUrl] } },
  });
  client = createPublicClient({ chain, transport: http(node.url) });
  // The scripted token: balanceOf answers 1000, transfer(to, v) logs Transfer and reverts
  // with Insufficient when v > 1000; a call with value 0xdead reverts with a reason string.
  node.chain.contractHook = (request) => {
    const input = request.input ?? '0x';
    if (input.startsWith('0x70a08231')) {
      return {
        status: 'success',
        returnData: encodeAbiParameters([{ type: 'uint256' }], [1000n]),
        gasUsed: 24_000n,
      };
    }
    if (input.startsWith('0xa9059cbb')) {
      const to = `0x${input.slice(34, 74)}` as Address;
      const value = BigInt(`0x${input.slice(74, 138)}`);
      if (value === 0xdeadn) {
        return {
          status: 'revert',
          returnData:
            '0x08c379a000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000009746f6f206d756368000000000000000000000000000000000000000000000000',
          gasUsed: 23_000n,
        };
      }
      if (value > 1000n) {
        return {
          status: 'revert',
          returnData: encodeErrorResult({ abi, errorName: 'Insufficient', args: [1000n, value] }),
          gasUsed: 23_000n,
        };
      }
      const topics = encodeEventTopics({
        abi,
        eventName: 'Transfer',
        args: { from: request.from ?? alice.address, to },
      }) as `0x${string}`[];
      const logs = [{ address: token, topics, data: encodeAbiParameters([{ type: 'uint256' }], [value]) }];
      return {
        status: 'success',
        returnData: encodeAbiParameters([{ type: 'bool' }], [true]),
        gasUsed: 51_234n,
        logs,
      };
    }
    return { status: 'success', returnData: '0x', gasUsed: 21_000n };
  };
});
after(() => node.close());

describe('[rpc] viem against the server', () => {
  it('reads chain id, block number, balance, code and storage', async () => {
    assert.equal(await client.getChainId(), 31_337);
    assert.equal(await client.getBlockNumber(), 0n);
    assert.equal(await client.getBalance({ address: alice.address }), 10n ** 21n);
    assert.equal(await client.getCode({ address: token }), '0x6001');
    assert.equal(await client.getStorageAt({ address: token, slot: '0x0' }), `0x${'00'.repeat(32)}`);
  });

  it('sends a signed transfer, which is mined and has a receipt, and reads it back', async () => {
    const wallet = createWalletClient({
      chain,
      transport: http(node.url),
      account: privateKeyToAccount(alice.privateKeyHex),
    });
    const hash = await wallet.sendTransaction({ to: bob.address, value: 12345n });
    const pending = await client.getTransaction({ hash });
    assert.equal(pending.blockNumber, null);
    assert.equal(await client.getTransactionCount({ address: alice.address, blockTag: 'pending' }), 1);
    assert.equal(await client.getTransactionCount({ address: alice.address }), 0);
    node.chain.mineFromPool(node.pool);
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 10 });
    assert.equal(receipt.status, 'success');
    assert.equal(receipt.gasUsed, 21_000n);
    assert.equal(receipt.blockNumber, 1n);
    const tx = await client.getTransaction({ hash });
    assert.equal(tx.from, alice.address);
    assert.equal(tx.to, bob.address);
    assert.equal(tx.type, 'eip1559');
    assert.equal(tx.transactionIndex, 0);
    const block = await client.getBlock({ blockNumber: 1n, includeTransactions: true });
    assert.equal(block.transactions[0]?.hash, hash);
    assert.equal(block.baseFeePerGas, parseGwei('1') - parseGwei('1') / 8n);
    const byHash = await client.getBlock({ blockHash: block.hash });
    assert.deepEqual(byHash.transactions, [hash]);
    assert.equal(await client.getBlockTransactionCount({ blockNumber: 1n }), 1);
    assert.equal(await client.getBalance({ address: bob.address }), 12345n);
    const receipts = await client.request({ method: 'eth_getBlockReceipts', params: ['0x1'] });
    assert.equal(receipts?.[0]?.transactionHash, hash);
  });

  it('sends legacy and EIP-2930 transactions', async () => {
    const wallet = createWalletClient({
      chain,
      transport: http(node.url),
      account: privateKeyToAccount(alice.privateKeyHex),
    });
    const legacy = await wallet.sendTransaction({
      to: bob.address,
      value: 1n,
      type: 'legacy',
      gasPrice: parseGwei('2'),
    });
    const accessList = await wallet.sendTransaction({
      to: bob.address,
      value: 1n,
      type: 'eip2930',
      gasPrice: parseGwei('2'),
      accessList: [{ address: token, storageKeys: [`0x${'00'.repeat(32)}`] }],
    });
    node.chain.mineFromPool(node.pool);
    const [a, b] = await Promise.all([
      client.getTransaction({ hash: legacy }),
      client.getTransaction({ hash: accessList }),
    ]);
    assert.equal(a.type, 'legacy');
    assert.equal(a.chainId, 31_337);
    assert.equal(b.type, 'eip2930');
    assert.equal(b.accessList?.[0]?.address, token);
  });

  it('calls a contract, estimates gas, and surfaces a revert reason and custom error data', async () => {
    const balance = await client.readContract({
      address: token,
      abi,
      functionName: 'balanceOf',
      args: [bob.address],
    });
    assert.equal(balance, 1000n);
    const gas = await client.estimateContractGas({
      address: token,
      abi,
      functionName: 'transfer',
      args: [bob.address, 5n],
      account: alice.address,
    });
    assert.ok(gas >= 51_234n && gas < 52_100n, `estimate ${gas}`);
    await assert.rejects(
      client.simulateContract({
        address: token,
        abi,
        functionName: 'transfer',
        args: [bob.address, 0xdeadn],
        account: alice.address,
      }),
      (error: Error) => /too much/.test(error.message),
    );
    await assert.rejects(
      client.simulateContract({
        address: token,
        abi,
        functionName: 'transfer',
        args: [bob.address, 5000n],
        account: alice.address,
      }),
      (error: Error) =>
        /Insufficient\(uint256 have, uint256 want\)/.test(error.message) && /5000/.test(error.message),
    );
  });

  it('finds logs with getLogs and event filters, and polls block filters', async () => {
    const wallet = createWalletClient({
      chain,
      transport: http(node.url),
      account: privateKeyToAccount(alice.privateKeyHex),
    });
    const filter = await client.createContractEventFilter({ address: token, abi, eventName: 'Transfer' });
    const blocks = await client.createBlockFilter();
    const hash = await wallet.writeContract({
      address: token,
      abi,
      functionName: 'transfer',
      args: [bob.address, 7n],
      gas: 100_000n,
    });
    const mined = node.chain.mineFromPool(node.pool);
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 10 });
    assert.equal(receipt.logs.length, 1);
    const changes = await client.getFilterChanges({ filter });
    assert.equal(changes.length, 1);
    assert.equal(changes[0]?.args.value, 7n);
    assert.equal(changes[0]?.args.to?.toLowerCase(), bob.address);
    assert.deepEqual(await client.getFilterChanges({ filter: blocks }), [mined.header.hash]);
    assert.deepEqual(await client.getFilterChanges({ filter: blocks }), []);
    const logs = await client.getContractEvents({
      address: token,
      abi,
      eventName: 'Transfer',
      fromBlock: 0n,
      args: { to: bob.address },
    });
    assert.equal(logs.length, 1);
    assert.equal(logs[0]?.transactionHash, hash);
    const none = await client.getContractEvents({
      address: token,
      abi,
      eventName: 'Transfer',
      fromBlock: 0n,
      args: { to: alice.address },
    });
    assert.equal(none.length, 0);
    assert.equal(await client.uninstallFilter({ filter }), true);
    assert.equal(await client.uninstallFilter({ filter }), false);
  });

  it('estimates fees and reads fee history', async () => {
    const fees = await client.estimateFeesPerGas();
    assert.ok(fees.maxFeePerGas > fees.maxPriorityFeePerGas);
    const price = await client.getGasPrice();
    assert.ok(price > 0n);
    const history = await client.getFeeHistory({ blockCount: 3, rewardPercentiles: [25, 75] });
    assert.equal(history.baseFeePerGas.length, 4);
    assert.equal(history.gasUsedRatio.length, 3);
    assert.equal(history.reward?.length, 3);
  });

  it('reads an EIP-1186 proof', async () => {
    const proof = await client.getProof({ address: alice.address, storageKeys: [`0x${'00'.repeat(31)}01`] });
    assert.equal(proof.address, alice.address);
    assert.ok(proof.balance > 0n);
    assert.equal(proof.storageProof.length, 1);
    assert.equal(proof.storageProof[0]?.value, 0n);
  });

  it('receives new heads and logs over a WebSocket subscription', async () => {
    const ws = createPublicClient({ chain, transport: webSocket(node.wsUrl) });
    const heads: bigint[] = [];
    const transfers: bigint[] = [];
    const unwatchBlocks = ws.watchBlocks({
      onBlock: (block) => heads.push(block.number),
      emitOnBegin: false,
    });
    const unwatchLogs = ws.watchContractEvent({
      address: token,
      abi,
      eventName: 'Transfer',
      onLogs: (logs) => transfers.push(...logs.map((l) => l.args.value ?? 0n)),
    });
    // viem subscribes asynchronously: wait until both subscriptions are installed.
    for (let i = 0; i < 200 && node.chain.listenerCount < 2; i++) await new Promise((r) => setTimeout(r, 5));
    const wallet = createWalletClient({
      chain,
      transport: http(node.url),
      account: privateKeyToAccount(alice.privateKeyHex),
    });
    await wallet.writeContract({
      address: token,
      abi,
      functionName: 'transfer',
      args: [bob.address, 9n],
      gas: 100_000n,
    });
    const mined = node.chain.mineFromPool(node.pool);
    for (let i = 0; i < 200 && (heads.length === 0 || transfers.length === 0); i++)
      await new Promise((r) => setTimeout(r, 5));
    unwatchBlocks();
    unwatchLogs();
    await ws.transport.getRpcClient().then((rpc) => rpc.close());
    assert.deepEqual(heads, [mined.header.number]);
    assert.deepEqual(transfers, [9n]);
  });

  it('maps pool refusals to errors viem recognises', async () => {
    const wallet = createWalletClient({
      chain,
      transport: http(node.url),
      account: privateKeyToAccount(alice.privateKeyHex),
    });
    await assert.rejects(
      wallet.sendTransaction({ to: bob.address, value: 1n, nonce: 0 }),
      (e: Error) =>
        e.name === 'TransactionExecutionError' &&
        /nonce too low|Nonce provided for the transaction is lower/i.test(e.message),
    );
    const poor = createWalletClient({
      chain,
      transport: http(node.url),
      account: privateKeyToAccount(testAccount(77).privateKeyHex),
    });
    await assert.rejects(poor.sendTransaction({ to: bob.address, value: 1n, gas: 21_000n }), (e: Error) =>
      /insufficient funds/i.test(e.message),
    );
  });
});
