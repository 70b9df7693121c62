import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, privateToPublic } from '@ethereumjs/util';
import { keccak256 } from '@khipu/dietcoin';
import type { Address } from '../rpc/backend.js';
import { signTransaction, testAccount } from '../rpc/testing/accounts.js';
import { createTxCommon } from '../txpool/decode.js';
import { createTxPool } from '../txpool/pool.js';
import { createPoolSource } from './poolSource.js';

const CHAIN_ID = 7777n;
const common = createTxCommon(CHAIN_ID);
const GWEI = 1_000_000_000n;
const alice = testAccount(1);
const bob = testAccount(2);

function state() {
  const nonces = new Map<Address, bigint>();
  return {
    nonces,
    getNonce: (a: Address) => nonces.get(a) ?? 0n,
    getBalance: () => 10n ** 24n,
  };
}

function transfer(account: ReturnType<typeof testAccount>, nonce: bigint, tip: bigint, gasLimit = 21_000n) {
  return signTransaction(
    {
      type: 2,
      chainId: CHAIN_ID,
      nonce,
      maxFeePerGas: 100n * GWEI,
      maxPriorityFeePerGas: tip,
      gasLimit,
      to: testAccount(9).address,
      value: 1n,
    },
    account,
    common,
  );
}

describe('[chain] pool as the producer transaction source', () => {
  it('hands out executable transactions under the gas, each with its sender, hash and public key', async () => {
    const s = state();
    const pool = await createTxPool({ chainId: CHAIN_ID, state: s, blockGasLimit: 30_000_000n });
    for (let n = 0n; n < 3n; n++) await pool.submitRawTransaction(transfer(alice, n, 2n * GWEI));
    for (let n = 0n; n < 2n; n++) await pool.submitRawTransaction(transfer(bob, n, GWEI));
    const source = createPoolSource(pool);
    const taken = await source.take(30_000_000n, GWEI);
    assert.equal(taken.length, 5);
    // Best tip first, each sender in nonce order.
    assert.deepEqual(
      taken.map((t) => `${bytesToHex(t.sender)}:${t.tx.nonce}`),
      [...[0, 1, 2].map((n) => `${alice.address}:${n}`), ...[0, 1].map((n) => `${bob.address}:${n}`)],
    );
    for (const t of taken) {
      assert.equal(bytesToHex(t.hash), bytesToHex(keccak256(t.raw)));
      const key = bytesToHex(t.sender) === alice.address ? alice : bob;
      assert.equal(
        bytesToHex(t.senderPublicKey ?? new Uint8Array()),
        bytesToHex(privateToPublic(key.privateKey)),
      );
      // The address execution asks for is the one recovered at admission.
      assert.equal(t.tx.getSenderAddress().toString(), bytesToHex(t.sender));
    }
  });

  it('stops a sender at the first transaction that does not fit the gas (no nonce gap)', async () => {
    const s = state();
    const pool = await createTxPool({ chainId: CHAIN_ID, state: s, blockGasLimit: 30_000_000n });
    await pool.submitRawTransaction(transfer(alice, 0n, 3n * GWEI));
    await pool.submitRawTransaction(transfer(alice, 1n, 3n * GWEI, 100_000n));
    await pool.submitRawTransaction(transfer(alice, 2n, 3n * GWEI));
    await pool.submitRawTransaction(transfer(bob, 0n, GWEI));
    const taken = await createPoolSource(pool).take(60_000n, GWEI);
    assert.deepEqual(
      taken.map((t) => `${bytesToHex(t.sender)}:${t.tx.nonce}`),
      [`${alice.address}:0`, `${bob.address}:0`],
    );
  });

  it('offers past the declared gas (the block packs by gas used), up to what intrinsic gas allows', async () => {
    const s = state();
    const pool = await createTxPool({ chainId: CHAIN_ID, state: s, blockGasLimit: 30_000_000n });
    for (let n = 0n; n < 12n; n++) await pool.submitRawTransaction(transfer(alice, n, GWEI, 60_000n));
    // 200,000 gas: 3 by declared gas, at most 9 by the 21,000 each must use.
    const taken = await createPoolSource(pool).take(200_000n, GWEI);
    assert.deepEqual(
      taken.map((t) => t.tx.nonce),
      [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n],
    );
  });

  it('drops mined transactions once their block committed', async () => {
    const s = state();
    const pool = await createTxPool({ chainId: CHAIN_ID, state: s, blockGasLimit: 30_000_000n });
    for (let n = 0n; n < 3n; n++) await pool.submitRawTransaction(transfer(alice, n, GWEI));
    const source = createPoolSource(pool);
    const taken = await source.take(30_000_000n, GWEI);
    s.nonces.set(alice.address, 2n);
    await source.onBlockCommitted({
      number: 1n,
      included: taken.slice(0, 2),
      skipped: [{ transaction: taken[2] as (typeof taken)[number], reason: 'block gas limit reached' }],
    });
    assert.deepEqual(pool.counts(), { pending: 1, queued: 0 });
    assert.equal(pool.getPendingNonce(alice.address), 3n);
  });
});
