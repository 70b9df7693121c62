import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Address } from '../rpc/backend.js';
import { signTransaction, testAccount } from '../rpc/testing/accounts.js';
import { createTxCommon } from './decode.js';
import { TxPoolError } from './errors.js';
import { createTxPool } from './pool.js';

const CHAIN_ID = 7777n;
const common = createTxCommon(CHAIN_ID);
const alice = testAccount(1);

function transfer(nonce: bigint) {
  return signTransaction(
    {
      type: 2,
      chainId: CHAIN_ID,
      nonce,
      maxFeePerGas: 10_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
      gasLimit: 21_000n,
      to: testAccount(9).address,
      value: 1n,
    },
    alice,
    common,
  );
}

describe('[txpool] account reads', () => {
  it('reads nonce and balance in one getAccount when the state reader has it', async () => {
    const reads: Address[] = [];
    const account = { nonce: 3n, balance: 10n ** 18n };
    const state = {
      getNonce: (): bigint => assert.fail('getNonce read beside getAccount'),
      getBalance: (): bigint => assert.fail('getBalance read beside getAccount'),
      getAccount: (address: Address) => {
        reads.push(address);
        return account;
      },
    };
    const pool = await createTxPool({ chainId: CHAIN_ID, state, blockGasLimit: 30_000_000n });
    await assert.rejects(pool.submitRawTransaction(transfer(2n)), (e: unknown) => {
      assert.ok(e instanceof TxPoolError);
      assert.equal(e.code, 'NONCE_TOO_LOW');
      return true;
    });
    await pool.submitRawTransaction(transfer(3n));
    assert.deepEqual(pool.counts(), { pending: 1, queued: 0 });
    assert.deepEqual(reads, [alice.address, alice.address]);
    // Revalidation reads through it as well: a balance gone drops the transaction.
    account.balance = 0n;
    await pool.revalidate();
    assert.deepEqual(pool.counts(), { pending: 0, queued: 0 });
    assert.equal(reads.length, 3);
  });
});
