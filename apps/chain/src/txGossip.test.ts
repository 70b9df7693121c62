// Transaction gossip between real node processes (dist/main.js): four validators and a follower
// that peers with one validator only. A transaction sent to one validator is pending in every
// other pool (the follower's too, forwarded once by the validator it peers with) before any block
// could hold it; one sent to the follower reaches every validator the same way; all are mined,
// and the validators that did not propose the block found them in their pools (the importer's
// `known`).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { type NodeProcess, rpcCall, spawnNode } from './testing/nodeProcess.js';
import {
  createValidatorNet,
  headOf,
  type NetNode,
  type ValidatorNet,
  waitUntil,
} from './testing/validatorNet.js';

const CHAIN_ID = 9431;
const SENDER_KEY: Hex = `0x${'5a'.repeat(32)}`;
const sender = privateKeyToAccount(SENDER_KEY);
const dir = mkdtempSync(join(tmpdir(), 'khipu-txgossip-test-'));
let net: ValidatorNet | undefined;
let follower: NodeProcess | undefined;

after(async () => {
  await follower?.stop();
  await net?.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const transfer = (nonce: number) =>
  sender.signTransaction({
    chainId: CHAIN_ID,
    type: 'eip1559',
    nonce,
    to: `0x${'cd'.repeat(20)}`,
    value: 1n,
    gas: 21_000n,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 1n,
  });

async function transactionOn(url: string, hash: string): Promise<{ blockNumber: string | null } | null> {
  return ((await rpcCall(url, 'eth_getTransactionByHash', [hash])).result ?? null) as {
    blockNumber: string | null;
  } | null;
}

/** The 'proposal executed' debug lines of a node's log: height and transactions found in its pool. */
function proposalsExecuted(logFile: string): { height: number; known: number; decoded: number }[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"proposal executed"'))
    .map((l) => JSON.parse(l) as { height: number; known: number; decoded: number });
}

describe('[Gossip] transactions between node processes', () => {
  it('a transaction sent to one node is pending on the others, a follower’s reaches every validator, both are mined', async () => {
    net = await createValidatorNet({
      dir,
      validators: 4,
      followers: 1,
      chainId: CHAIN_ID,
      blockTimeMs: 250,
      roundTimeoutMs: 1500,
      env: { KHIPU_LOG_LEVEL: 'debug' },
      alloc: { [sender.address]: { balance: (10n ** 20n).toString() } },
    });
    const validators = net.validators;
    const [a] = validators as [NetNode];
    await Promise.all(validators.map((v) => net?.start(v)));
    // The follower peers with `a` only: what it sends reaches the others through `a`.
    const f = net.followers[0] as NetNode;
    follower = await spawnNode({
      dir: f.dir,
      genesis: net.genesis,
      env: {
        KHIPU_P2P_PORT: String(f.p2pPort),
        KHIPU_P2P_PEERS: `${a.address}@127.0.0.1:${a.p2pPort}`,
        KHIPU_P2P_NODE_KEY: f.key,
        KHIPU_LOG_LEVEL: 'debug',
      },
    });
    const urls = [...validators.map((v) => (v.process as NodeProcess).url), follower.url];
    await waitUntil(
      'height 2 on every validator and the follower',
      async () => {
        const heads = await Promise.all([
          ...validators.map(headOf),
          rpcCall(follower!.url, 'eth_blockNumber').then((r) => Number(r.result)),
        ]);
        return heads.every((h) => h >= 2) ? true : undefined;
      },
      60_000,
    );

    const send = async (url: string, nonce: number) => {
      const answer = await rpcCall(url, 'eth_sendRawTransaction', [await transfer(nonce)]);
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      return answer.result as string;
    };
    /** Queued behind the nonce gap, no block can hold it: every pool must show it. */
    const pendingEverywhere = (hash: string, what: string) =>
      waitUntil(
        what,
        async () => {
          const seen = await Promise.all(urls.map((u) => transactionOn(u, hash)));
          return seen.every((t) => t !== null && t.blockNumber === null) ? true : undefined;
        },
        10_000,
      );
    // Nonce 2 to validator b: b sends it to every validator; `a` forwards it to the follower.
    const third = await send(validators[1]!.process!.url, 2);
    await pendingEverywhere(third, 'nonce 2 (sent to b) pending on every node');
    // Nonce 1 through the follower: `a` forwards it to the validators the follower does not reach.
    const second = await send(follower.url, 1);
    await pendingEverywhere(second, 'nonce 1 (sent to the follower) pending on every node');
    // Nonce 0 to validator c: all three are executable now.
    const first = await send(validators[2]!.process!.url, 0);
    const hashes = [first, second, third];
    const mined = await waitUntil(
      'all three mined on every node',
      async () => {
        const all = await Promise.all(urls.flatMap((u) => hashes.map((h) => transactionOn(u, h))));
        return all.every((t) => t?.blockNumber) ? all.map((t) => Number(t?.blockNumber)) : undefined;
      },
      30_000,
    );

    // The validators that imported the block holding the last of them took it from their pools.
    const height = Math.max(...mined);
    const at = validators.flatMap((v) =>
      proposalsExecuted((v.process as NodeProcess).logFile).filter((p) => p.height === height),
    );
    assert.ok(
      at.length >= 2,
      `at least two validators executed the proposal of ${height}: ${JSON.stringify(at)}`,
    );
    assert.ok(
      at.some((p) => p.known >= 1),
      `a validator found the block's transactions in its pool: ${JSON.stringify(at)}`,
    );
  });
});
