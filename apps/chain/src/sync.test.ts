// Block sync between real processes: a follower started from genesis once the chain is past
// 1,000 blocks fetches every block from the validator, verifies its seals, executes it, and ends
// with the validator's block hash and state root at every height. The first 1,000 blocks (value
// transfers in some of them) are produced in this process on the validator's data directory, as
// fast as they execute, rather than at 20 a second by the node; then the validator process (a
// lone validator on a peer network, a quorum of one) goes on from them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTxFromRLP } from '@ethereumjs/tx';
import {
  CHAIN_TABLES,
  OUTBOX_ADDRESS,
  openChain,
  type PendingTransaction,
  parseGenesisConfig,
} from '@khipu/chain';
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import { openKesque } from '@khipu/kesque';
import { privateKeyToAccount } from 'viem/accounts';
import { Outbox } from './generated/contracts.js';
import { rpcCall } from './testing/nodeProcess.js';
import { createSoloValidatorNet, waitForHead } from './testing/soloValidatorNet.js';
import { blockAt, headOf, type ValidatorNet } from './testing/validatorNet.js';

const dir = mkdtempSync(join(tmpdir(), 'khipu-sync-test-'));
let net: ValidatorNet | undefined;
const CHAIN_ID = 9402;
// One transfer per sender: a chain of nonces from one sender over many blocks, followed by a
// follower, is nonceChain.test.ts; this test is about sync.
const senders = Array.from({ length: 40 }, (_, i) =>
  privateKeyToAccount(`0x${(0xa0 + i).toString(16).repeat(32)}`),
);

after(async () => {
  await net?.stopAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('[Consensus] block sync', () => {
  it('a follower started from genesis after 1,000 blocks syncs to the head with every state root', async () => {
    net = await createSoloValidatorNet({
      dir,
      chainId: CHAIN_ID,
      funded: senders.map((s) => s.address),
      followers: 1,
    });
    const validator = net.validators[0]!;
    const follower = net.followers[0]!;
    await initDietcoin();
    const genesis = parseGenesisConfig(net.genesis, [
      { name: 'Outbox', address: OUTBOX_ADDRESS, code: Outbox.deployedBytecode },
    ]);
    const kesque = await openKesque({
      dir: join(validator.dir, 'data', 'kesque'),
      tables: CHAIN_TABLES,
      durability: { mode: 'never' },
    });
    let queue: PendingTransaction[] = [];
    const chain = await openChain({
      kv: kesque,
      genesis,
      validatorKey: Buffer.from(validator.key.slice(2), 'hex'),
      source: { take: () => queue.splice(0), onBlockCommitted: () => {} },
    });
    // Transfers to fresh accounts in every 25th block, so that state roots differ along the chain.
    for (let n = 1; n <= 1000; n++) {
      const sender = senders[n / 25 - 1];
      if (n % 25 === 0 && sender) {
        const raw = await sender.signTransaction({
          chainId: CHAIN_ID,
          type: 'eip1559',
          nonce: 0,
          to: `0x${n.toString(16).padStart(40, '0')}`,
          value: 10n ** 15n,
          gas: 21_000n,
          maxFeePerGas: 10n ** 11n,
          maxPriorityFeePerGas: 10n ** 9n,
        });
        const bytes = Buffer.from(raw.slice(2), 'hex');
        const tx = createTxFromRLP(bytes, { common: chain.common });
        queue = [{ tx, raw: bytes, sender: tx.getSenderAddress().bytes, hash: keccak256(bytes) }];
      }
      await chain.producer!.produceBlock();
    }
    assert.equal(chain.store.headNumber(), 1000n);
    await chain.stop();
    await kesque.close();

    await net.start(validator);
    await waitForHead(validator, 1003, 60_000); // it goes on from the blocks made here
    await net.start(follower);
    const target = await headOf(validator);
    await waitForHead(follower, target, 120_000);
    const roots = new Set<string>();
    for (let n = 0; n <= target; n++) {
      const [ours, theirs] = await Promise.all([blockAt(validator, n), blockAt(follower, n)]);
      assert.ok(ours && theirs, `block ${n} on both`);
      assert.equal(theirs.hash, ours.hash, `block hash at ${n}`);
      assert.equal(theirs.stateRoot, ours.stateRoot, `state root at ${n}`);
      roots.add(ours.stateRoot);
    }
    assert.ok(roots.size > 10, `the transfers changed the state (${roots.size} distinct roots)`);
    let funded = 0;
    for (let n = 25; n <= 1000; n += 25) {
      const account = `0x${n.toString(16).padStart(40, '0')}`;
      const [ours, theirs] = await Promise.all(
        [validator, follower].map(async (node) =>
          BigInt((await rpcCall(node.process!.url, 'eth_getBalance', [account, 'latest'])).result as string),
        ),
      );
      assert.equal(theirs, ours, `balance of ${account}`);
      if ((ours ?? 0n) > 0n) funded++;
    }
    assert.ok(funded >= 30, `the transfers were executed (${funded} recipients funded)`);
  });
});
