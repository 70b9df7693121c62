// A chain of nonces from one sender spread over many short blocks: every transaction is mined
// exactly once, in nonce order, and a follower that imports the blocks agrees with the validator
// on every state root. Regression: a producer once applied a transaction's state without putting
// the transaction in its block, so the follower refused the next block for its nonce.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { privateKeyToAccount } from 'viem/accounts';
import { rpcCall, spawnNode } from './testing/nodeProcess.js';
import { createSoloValidatorNet, waitForHead } from './testing/soloValidatorNet.js';
import { blockAt, headOf, type ValidatorNet, waitUntil } from './testing/validatorNet.js';

const dir = mkdtempSync(join(tmpdir(), 'khipu-nonce-chain-test-'));
let net: ValidatorNet | undefined;
const CHAIN_ID = 9403;
const sender = privateKeyToAccount(`0x${'b1'.repeat(32)}`);
const COUNT = 40;

after(async () => {
  await net?.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends COUNT transfers from `sender` in nonce order, four per 150 ms, and checks they are all
 * mined successfully, in nonce order. */
async function mineNonceChain(url: string): Promise<void> {
  const hashes: string[] = [];
  for (let nonce = 0; nonce < COUNT; nonce++) {
    const raw = await sender.signTransaction({
      chainId: CHAIN_ID,
      type: 'eip1559',
      nonce,
      to: `0x${'ee'.repeat(18)}${(0x1000 + nonce).toString(16)}`,
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
    });
    const sent = await rpcCall(url, 'eth_sendRawTransaction', [raw]);
    assert.equal(sent.error, undefined, `nonce ${nonce}: ${JSON.stringify(sent.error)}`);
    hashes.push(sent.result as string);
    // Four per 150 ms against 50 ms blocks: nonces land in many consecutive blocks.
    if (nonce % 4 === 3) await sleep(150);
  }
  const receipts = await waitUntil(
    'every transaction mined',
    async () => {
      const all = await Promise.all(
        hashes.map(async (h) => (await rpcCall(url, 'eth_getTransactionReceipt', [h])).result),
      );
      return all.every((r) => r) ? (all as { blockNumber: string; status: string }[]) : undefined;
    },
    60_000,
  );
  let last = 0;
  const blocks = new Set<number>();
  for (const [nonce, r] of receipts.entries()) {
    assert.equal(r.status, '0x1', `nonce ${nonce}`);
    const n = Number(r.blockNumber);
    assert.ok(n >= last, `nonce ${nonce} mined in block ${n}, before nonce ${nonce - 1} (block ${last})`);
    last = n;
    blocks.add(n);
  }
  assert.ok(blocks.size >= 4, `the nonces spread over several blocks (${blocks.size})`);
  const count = await rpcCall(url, 'eth_getTransactionCount', [sender.address, 'latest']);
  assert.equal(count.result, `0x${COUNT.toString(16)}`);
}

describe('[Chain] one sender, many blocks', () => {
  it('mines every nonce once and a follower agrees on every state root', async () => {
    net = await createSoloValidatorNet({ dir, chainId: CHAIN_ID, funded: [sender.address], followers: 1 });
    const validator = net.validators[0];
    const follower = net.followers[0];
    assert.ok(validator && follower);
    const url = (await net.start(validator)).url;
    await net.start(follower);
    await mineNonceChain(url);
    const head = await headOf(validator);
    await waitForHead(follower, head, 60_000);
    for (let n = 1; n <= head; n++) {
      assert.deepEqual(await blockAt(follower, n), await blockAt(validator, n), `block ${n}`);
    }
  });

  it('mines every nonce once on a lone validator without peers (the block timer)', async () => {
    // Only its genesis and key: the node is spawned here, alone, not through the net.
    const lone = await createSoloValidatorNet({
      dir: join(dir, 'lone'),
      chainId: CHAIN_ID,
      funded: [sender.address],
    });
    const node = await spawnNode({
      dir: join(dir, 'lone', 'timer'),
      genesis: lone.genesis,
      validatorKey: lone.validators[0]?.key,
      env: { KHIPU_DURABILITY: 'never' },
    });
    try {
      await mineNonceChain(node.url);
    } finally {
      await node.stop();
    }
  });
});
