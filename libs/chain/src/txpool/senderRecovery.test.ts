import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import { signDigest } from '../crypto.js';
import { testAccount } from '../rpc/testing/accounts.js';
import {
  createWorkerSenderRecovery,
  inlineSenderRecovery,
  type RecoveryRequest,
  SenderRecoveryError,
} from './senderRecovery.js';

await initDietcoin();
const accounts = [1, 2, 3].map((i) => testAccount(i));

function request(n: number): { request: RecoveryRequest; signer: number } {
  const signer = n % accounts.length;
  const digest = keccak256(new TextEncoder().encode(`message ${n}`));
  const sig = signDigest(digest, (accounts[signer] as (typeof accounts)[number]).privateKey);
  return {
    request: { digest, signature: sig.subarray(0, 64), recoveryId: sig[64] ?? 0 },
    signer,
  };
}

/** A signature whose r is not an x coordinate on the curve: it recovers nothing. */
const unrecoverable: RecoveryRequest = {
  digest: keccak256(new TextEncoder().encode('bad')),
  signature: new Uint8Array(64).fill(0xff, 0, 32).fill(1, 32, 64),
  recoveryId: 0,
};

const addressOf = (publicKey: Uint8Array) =>
  `0x${Buffer.from(keccak256(publicKey).subarray(12)).toString('hex')}`;

describe('[chain] txpool sender recovery on worker threads', () => {
  const recovery = createWorkerSenderRecovery({ threads: 2, maxBatch: 16 });
  after(() => recovery.close());

  it('recovers what the calling thread recovers, across batches and threads, one failure not failing its batch', async () => {
    const requests = Array.from({ length: 100 }, (_, n) => request(n));
    const answers = requests.map(({ request }, n) =>
      n === 37 ? recovery.recover(unrecoverable) : recovery.recover(request),
    );
    const settled = await Promise.allSettled(answers);
    for (const [n, s] of settled.entries()) {
      if (n === 37) {
        assert.equal(s.status, 'rejected');
        assert.ok(s.status === 'rejected' && s.reason instanceof SenderRecoveryError);
        continue;
      }
      assert.equal(s.status, 'fulfilled');
      const { request: r, signer } = requests[n] as (typeof requests)[number];
      const key = (s as PromiseFulfilledResult<Uint8Array>).value;
      assert.deepEqual(key, await inlineSenderRecovery.recover(r));
      assert.equal(addressOf(key), (accounts[signer] as (typeof accounts)[number]).address.toLowerCase());
    }
    await assert.rejects(inlineSenderRecovery.recover(unrecoverable), SenderRecoveryError);
  });

  it('answers requests in the order they were made', async () => {
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 64 }, (_, n) => recovery.recover(request(n).request).then(() => order.push(n))),
    );
    assert.deepEqual(
      order,
      Array.from({ length: 64 }, (_, n) => n),
    );
  });

  it('with a gather window, answers requests made over several event-loop turns, in order', async () => {
    const gathering = createWorkerSenderRecovery({ gatherMs: 20 });
    try {
      const answers: Promise<Uint8Array>[] = [];
      for (let n = 0; n < 10; n++) {
        answers.push(gathering.recover(request(n).request));
        await new Promise((r) => setImmediate(r));
      }
      const keys = await Promise.all(answers);
      for (const [n, key] of keys.entries()) {
        assert.deepEqual(key, await inlineSenderRecovery.recover(request(n).request));
      }
    } finally {
      await gathering.close();
    }
  });

  it('answers what is in flight, then refuses after close', async () => {
    const own = createWorkerSenderRecovery();
    const pending = own.recover(request(5).request);
    await own.close();
    assert.equal((await pending).length, 64);
    await assert.rejects(own.recover(request(6).request), /closed/);
  });
});
