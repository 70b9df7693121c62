// Foundry's cast, which parses answers strictly (alloy's types), against the server over the
// fake chain: legacy, EIP-2930 and EIP-1559 transactions, receipts, blocks with full
// transactions, logs, calls and reverts.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Hash } from './backend.js';
import { testAccount } from './testing/accounts.js';
import { startTestNode, type TestNode } from './testing/harness.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const cast = join(dirname(require.resolve('@foundry-rs/cast-linux-amd64/package.json')), 'bin', 'cast');

const alice = testAccount(1);
const token = `0x${'7e'.repeat(20)}` as const;
const TRANSFER = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef' as Hash;
let node: TestNode;
const hashes: Hash[] = [];

async function castJSON(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(cast, [...args, '--json', '--rpc-url', node.url]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

before(async () => {
  node = await startTestNode({
    chain: { chainId: 4242n, alloc: { [alice.address]: 10n ** 21n, [token]: { code: '0x6001' } } },
  });
  node.chain.contractHook = (request) => {
    if (request.input === '0x12345678') {
      return {
        status: 'revert',
        gasUsed: 23_000n,
        returnData:
          '0x08c379a0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000046e6f706500000000000000000000000000000000000000000000000000000000',
      };
    }
    return {
      status: 'success',
      gasUsed: 40_000n,
      returnData: `0x${'00'.repeat(31)}07`,
      logs: [
        {
          address: token,
          topics: [TRANSFER, `0x${'00'.repeat(12)}${alice.address.slice(2)}`, `0x${'00'.repeat(31)}02`],
          data: `0x${'00'.repeat(31)}05`,
        },
      ],
    };
  };
  const raws = [
    node.sign(alice, { nonce: 0n }),
    node.sign(alice, { type: 0, nonce: 1n, gasPrice: 2_000_000_000n }),
    node.sign(alice, {
      type: 1,
      nonce: 2n,
      gasPrice: 2_000_000_000n,
      gasLimit: 30_000n,
      accessList: [{ address: token, storageKeys: [`0x${'00'.repeat(32)}`] }],
    }),
    node.sign(alice, { nonce: 3n, to: token, gasLimit: 100_000n, data: '0xa9059cbb' }),
    node.sign(alice, { nonce: 4n, to: null, gasLimit: 100_000n, data: '0x6000' } as never),
  ];
  for (const raw of raws) hashes.push(await node.request<Hash>('eth_sendRawTransaction', [raw]));
  node.chain.mineFromPool(node.pool);
});
after(() => node.close());

describe('[rpc] Foundry cast against the server', () => {
  it('reads chain id, block number, balance, nonce and code', async () => {
    const { stdout: chainId } = await run(cast, ['chain-id', '--rpc-url', node.url]);
    assert.equal(chainId.trim(), '4242');
    const { stdout: number } = await run(cast, ['block-number', '--rpc-url', node.url]);
    assert.equal(number.trim(), '1');
    const { stdout: nonce } = await run(cast, ['nonce', alice.address, '--rpc-url', node.url]);
    assert.equal(nonce.trim(), '5');
    const { stdout: code } = await run(cast, ['code', token, '--rpc-url', node.url]);
    assert.equal(code.trim(), '0x6001');
    const { stdout: balance } = await run(cast, ['balance', token, '--rpc-url', node.url]);
    assert.equal(balance.trim(), '1'); // the value of the token call
  });

  it('parses every transaction type, and their receipts', async () => {
    for (const [i, hash] of hashes.entries()) {
      const tx = await castJSON(['tx', hash]);
      assert.equal(tx.hash, hash, `tx ${i}`);
      const receipt = await castJSON(['receipt', hash]);
      assert.equal(receipt.transactionHash, hash, `receipt ${i}`);
      assert.equal(receipt.status, '0x1');
    }
    const creation = await castJSON(['receipt', hashes[4]!]);
    assert.match(String(creation.contractAddress), /^0x[0-9a-f]{40}$/);
    const withLog = await castJSON(['receipt', hashes[3]!]);
    assert.equal((withLog.logs as unknown[]).length, 1);
  });

  it('parses blocks with full transactions', async () => {
    const block = await castJSON(['block', '1', '--full']);
    assert.equal((block.transactions as unknown[]).length, 5);
    const genesis = await castJSON(['block', 'earliest']);
    assert.equal(genesis.number, '0x0');
  });

  it('reads logs, calls a contract, and surfaces a revert reason', async () => {
    const { stdout: logs } = await run(cast, [
      'logs',
      '--from-block',
      '0',
      '--address',
      token,
      '--json',
      '--rpc-url',
      node.url,
    ]);
    assert.equal((JSON.parse(logs) as unknown[]).length, 1);
    const { stdout: value } = await run(cast, [
      'call',
      token,
      'balanceOf(address)(uint256)',
      alice.address,
      '--rpc-url',
      node.url,
    ]);
    assert.equal(value.trim(), '7');
    await assert.rejects(
      run(cast, ['call', token, '0x12345678', '--rpc-url', node.url]),
      (error: { stderr?: string }) => /execution reverted: nope/.test(error.stderr ?? ''),
    );
  });

  it('sends a transaction signed by cast itself', async () => {
    const send = run(cast, [
      'send',
      '--async',
      '--private-key',
      alice.privateKeyHex,
      '--rpc-url',
      node.url,
      testAccount(3).address,
      '--value',
      '1',
    ]);
    const { stdout } = await send;
    assert.match(stdout.trim(), /^0x[0-9a-f]{64}$/);
    assert.ok(node.pool.get(stdout.trim() as Hash));
  });
});
