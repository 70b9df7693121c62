import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Account, KECCAK256_NULL, KECCAK256_RLP } from '@ethereumjs/util';
import { EncodedAccount, encodeAccount } from './accountRlp.js';

describe('[execution] account RLP', () => {
  it('equals Account.serialize for nonces and balances of every length', () => {
    const values = [
      0n,
      1n,
      0x7fn,
      0x80n,
      0xffn,
      0x100n,
      2n ** 53n - 1n,
      2n ** 53n,
      10n ** 18n,
      2n ** 256n - 1n,
    ];
    for (let bits = 8n; bits < 256n; bits += 8n) values.push(2n ** bits - 1n, 2n ** bits + 3n);
    const root = new Uint8Array(randomBytes(32));
    for (const nonce of [0n, 1n, 0x80n, 2n ** 64n - 1n]) {
      for (const balance of values) {
        for (const [storageRoot, codeHash] of [
          [KECCAK256_RLP, KECCAK256_NULL],
          [root, root],
        ] as const) {
          const expected = new Account(nonce, balance, storageRoot, codeHash).serialize();
          assert.deepEqual(
            encodeAccount(nonce, balance, storageRoot, codeHash),
            expected,
            `${nonce} ${balance}`,
          );
          assert.deepEqual(new EncodedAccount(nonce, balance, storageRoot, codeHash).serialize(), expected);
        }
      }
    }
  });

  it('refuses fields an account cannot hold', () => {
    assert.throws(() => encodeAccount(-1n, 0n, KECCAK256_RLP, KECCAK256_NULL), RangeError);
    assert.throws(() => encodeAccount(0n, 2n ** 256n, KECCAK256_RLP, KECCAK256_NULL), RangeError);
    assert.throws(() => encodeAccount(0n, 0n, new Uint8Array(31), KECCAK256_NULL), RangeError);
  });
});
