// Crash safety of the real node process: kill -9 at random moments (during block production and
// commit, with transactions in flight), restart, and check that the chain resumes from its last
// committed block with its state intact and that no transaction the pool accepted was lost.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifyMerkleProof } from '@ethereumjs/mpt';
import { type Hex, hexToBytes, keccak256, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { type NodeProcess, rpcCall, spawnNode } from './testing/nodeProcess.js';

const CHAIN_ID = 7002;
const KILLS = 20;
const VALIDATOR_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba' as const;
const senders = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
] as const;
const accounts = senders.map((k) => privateKeyToAccount(k));
const sink = '0x00000000000000000000000000000000000c0ffe' as const;

const dir = mkdtempSync(join(tmpdir(), 'khipu-crash-test-'));
let node: NodeProcess | undefined;
after(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const genesis = {
  chainId: CHAIN_ID,
  name: 'crash-test',
  timestamp: Math.floor(Date.now() / 1000) - 10,
  blockTimeMs: 100,
  validators: [privateKeyToAccount(VALIDATOR_KEY).address],
  stateShardBits: 2,
  alloc: Object.fromEntries(accounts.map((a) => [a.address, { balance: parseEther('1000').toString() }])),
};

async function result<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = await rpcCall(url, method, params);
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result as T;
}

describe('[chain-node] crash safety', () => {
  it(`resumes after ${KILLS} kill -9 at random moments with head, state and accepted transactions intact`, async (t) => {
    const seenHashes = new Map<bigint, Hex>();
    const accepted = new Set<Hex>();
    const unresolved = new Set<Hex>();
    let lastSeenHead = 0n;
    let pendingAfterRestart = 0;
    for (let round = 0; round <= KILLS; round++) {
      node = await spawnNode({ dir, genesis, validatorKey: VALIDATOR_KEY });
      const url = node.url;
      // After a restart: the head is never below one a client saw, the blocks it saw are the same,
      // the head's state is whole (a proof verifies against its stateRoot), and every accepted
      // transaction is mined or still pending.
      const head = BigInt(await result<Hex>(url, 'eth_blockNumber'));
      assert.ok(
        head >= lastSeenHead,
        `round ${round}: head ${head} is below ${lastSeenHead}, seen before the kill`,
      );
      for (const [n, hash] of seenHashes) {
        if (n > head) continue;
        const b = await result<{ hash: Hex }>(url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]);
        assert.equal(b.hash, hash, `round ${round}: block ${n} changed`);
      }
      const headBlock = await result<{ stateRoot: Hex; hash: Hex }>(url, 'eth_getBlockByNumber', [
        `0x${head.toString(16)}`,
        false,
      ]);
      for (const a of accounts.slice(0, 2)) {
        const proof = await result<{ accountProof: Hex[] }>(url, 'eth_getProof', [
          a.address,
          [],
          `0x${head.toString(16)}`,
        ]);
        assert.equal(
          keccak256(proof.accountProof[0] as Hex),
          headBlock.stateRoot,
          `round ${round}: proof root is the head's stateRoot`,
        );
        assert.ok(
          await verifyMerkleProof(
            hexToBytes(keccak256(a.address)),
            proof.accountProof.map((p) => hexToBytes(p)),
          ),
        );
      }
      // Mined transactions are checked once more through their block (unchanged, above).
      for (const hash of [...unresolved]) {
        const receipt = await result<{ blockNumber: Hex; blockHash: Hex } | null>(
          url,
          'eth_getTransactionReceipt',
          [hash],
        );
        if (receipt) {
          unresolved.delete(hash);
          seenHashes.set(BigInt(receipt.blockNumber), receipt.blockHash);
          // Mined after the restart: it crossed the kill in the pool's journal.
          if (BigInt(receipt.blockNumber) > BigInt(node.startHead)) pendingAfterRestart++;
          continue;
        }
        const tx = await result<unknown>(url, 'eth_getTransactionByHash', [hash]);
        assert.ok(tx, `round ${round}: accepted transaction ${hash} is neither mined nor pending`);
        pendingAfterRestart++;
      }
      if (round === KILLS) break;

      // Load: transfers from every sender while blocks are built and committed every 100 ms, and
      // a kill -9 at a random moment of it: some accepted transactions are still in the pool.
      const nonces = await Promise.all(
        accounts.map(async (a) =>
          Number(BigInt(await result<Hex>(url, 'eth_getTransactionCount', [a.address, 'pending']))),
        ),
      );
      const seen = BigInt(await result<Hex>(url, 'eth_blockNumber'));
      const b = await result<{ hash: Hex }>(url, 'eth_getBlockByNumber', [`0x${seen.toString(16)}`, false]);
      seenHashes.set(seen, b.hash);
      lastSeenHead = seen;
      let killed = false;
      const sending = (async () => {
        for (let k = 0; k < 6 && !killed; k++) {
          for (const [i, a] of accounts.entries()) {
            if (killed) return;
            const raw = await a.signTransaction({
              chainId: CHAIN_ID,
              nonce: (nonces[i] ?? 0) + k,
              to: sink,
              value: BigInt(round * 10 + k + 1),
              gas: 21_000n,
              maxFeePerGas: 10n ** 11n,
              maxPriorityFeePerGas: 1n,
              type: 'eip1559',
            });
            const r = await rpcCall(url, 'eth_sendRawTransaction', [raw]).catch(() => ({
              result: undefined,
            }));
            if (!killed && typeof r.result === 'string') {
              accepted.add(r.result as Hex);
              unresolved.add(r.result as Hex);
            }
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 300)));
      killed = true;
      await node.kill();
      node = undefined;
      await sending;
    }
    assert.ok(accepted.size >= KILLS, `accepted ${accepted.size}`);
    // Everything accepted is mined eventually.
    const url = node?.url as string;
    const deadline = Date.now() + 20_000;
    for (const hash of unresolved) {
      for (;;) {
        const receipt = await result<{ status: Hex } | null>(url, 'eth_getTransactionReceipt', [hash]);
        if (receipt) {
          assert.equal(receipt.status, '0x1');
          break;
        }
        assert.ok(Date.now() < deadline, `transaction ${hash} was never mined`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    t.diagnostic(
      `${KILLS} kills; ${accepted.size} transactions accepted; ${pendingAfterRestart} crossed a kill in the journal`,
    );
    assert.ok(
      pendingAfterRestart > 0,
      'some kills left accepted transactions in the pool, and the journal kept them',
    );
  });
});
