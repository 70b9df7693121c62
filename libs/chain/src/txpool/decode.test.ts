import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Hardfork } from '@ethereumjs/common';
import { createLegacyTx } from '@ethereumjs/tx';
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import { signTransaction, testAccount } from '../rpc/testing/accounts.js';
import { createSharedTxCommon, createTxCommon, decodeTransaction } from './decode.js';

const CHAIN_ID = 7777n;
const common = createSharedTxCommon(createTxCommon(CHAIN_ID));
const options = {
  chainId: CHAIN_ID,
  common,
  keccak256,
  allowUnprotected: true,
  maxTxBytes: 128 * 1024,
  blockGasLimit: 30_000_000n,
};
const alice = testAccount(1);
const to = testAccount(2).address;

describe('[chain] txpool decode: the signing hash built from the received fields', () => {
  before(async () => {
    await initDietcoin();
  });
  const cases = {
    'legacy, EIP-155': { type: 0, gasPrice: 10n ** 9n },
    'access list (2930)': {
      type: 1,
      chainId: CHAIN_ID,
      gasPrice: 10n ** 9n,
      accessList: [{ address: to, storageKeys: [`0x${'01'.repeat(32)}`] }],
    },
    'fee market (1559)': {
      type: 2,
      chainId: CHAIN_ID,
      maxFeePerGas: 3n * 10n ** 9n,
      maxPriorityFeePerGas: 10n ** 9n,
      data: '0xa9059cbb',
    },
  } as const;
  for (const [name, fields] of Object.entries(cases)) {
    it(`recovers the signer of a ${name} transaction, as @ethereumjs does`, async () => {
      const raw = signTransaction(
        { ...fields, nonce: 300n, gasLimit: 60_000n, to, value: 5n } as never,
        alice,
        createTxCommon(CHAIN_ID),
      );
      const decoded = await decodeTransaction(raw, options);
      assert.equal(decoded.from, alice.address);
    });
  }

  it('recovers the signer of an unprotected legacy transaction (v = 27/28)', async () => {
    // Before EIP-155 (Spurious Dragon) signing leaves the chain id out.
    const tx = createLegacyTx(
      { nonce: 1n, gasPrice: 10n ** 9n, gasLimit: 21_000n, to, value: 1n },
      { common: createTxCommon(1n, Hardfork.TangerineWhistle) },
    ).sign(alice.privateKey);
    assert.ok(tx.v === 27n || tx.v === 28n);
    assert.equal((await decodeTransaction(tx.serialize(), options)).from, alice.address);
  });
});
