import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALICE_KEY, addressOfKey, BOB_KEY } from '../testing/keys.js';
import { signFeeMarketTx } from '../testing/pendingTransaction.js';
import { createQueueSource } from '../testing/queueSource.js';
import { fundedAlloc, openSoloChain, soloGenesis } from '../testing/soloChain.js';
import { ExecutionBudget } from './producer.js';

describe('[producer] execution-time budget', () => {
  it('sizes blocks from the time recent blocks took per transaction', () => {
    const budget = new ExecutionBudget();
    assert.equal(budget.maxCount(500), 500 / ExecutionBudget.PRIOR_MS_PER_TX, 'the prior before any block');
    budget.observe(1_000, ExecutionBudget.MIN_SAMPLE - 1);
    assert.equal(
      budget.msPerTx,
      ExecutionBudget.PRIOR_MS_PER_TX,
      'a block too small to tell is not a sample',
    );
    // 200 transactions in 100 ms: 0.5 ms each, averaged with the prior (weight 0.5).
    budget.observe(100, 200);
    const averaged = (ExecutionBudget.PRIOR_MS_PER_TX + 0.5) / 2;
    assert.equal(budget.msPerTx, averaged);
    assert.equal(budget.maxCount(500), Math.floor(500 / averaged));
    for (let i = 0; i < 20; i++) budget.observe(100, 200);
    assert.ok(Math.abs(budget.msPerTx - 0.5) < 1e-3, 'converges to the observed cost');
    assert.equal(budget.maxCount(0), 1, 'a block always takes at least one transaction');
  });

  it('a block built with a budget takes no more transactions than fit it; the rest wait', async () => {
    const source = createQueueSource();
    const chain = await openSoloChain(
      soloGenesis({ chainId: 1337, alloc: fundedAlloc([ALICE_KEY], 10n ** 21n) }),
      { source },
    );
    try {
      const producer = chain.producer;
      assert.ok(producer);
      for (let nonce = 0; nonce < 30; nonce++) {
        source.push(
          signFeeMarketTx(chain.common, ALICE_KEY, {
            nonce: BigInt(nonce),
            to: addressOfKey(BOB_KEY),
            value: 1n,
            gasLimit: 21_000n,
          }),
        );
      }
      // The prior (no block measured yet) decides how many fit.
      const budgetMs = 10 * ExecutionBudget.PRIOR_MS_PER_TX;
      const capped = await producer.build({ budgetMs });
      assert.equal(capped.included.length, 10);
      await producer.commitBuilt(capped, [producer.seal(capped.number, capped.hash, 0)]);
      assert.equal(source.queue.length, 20, 'the others are still queued');
      const rest = await producer.build();
      assert.equal(rest.included.length, 20, 'without a budget, the gas limit alone bounds the block');
    } finally {
      await chain.stop();
    }
  });
});
