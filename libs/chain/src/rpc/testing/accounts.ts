// Deterministic development accounts and transaction signing for tests.

import type { Common } from '@ethereumjs/common';
import { createTx, type TypedTxData } from '@ethereumjs/tx';
import { privateToAddress } from '@ethereumjs/util';
import type { Address, Hex } from '../backend.js';

export interface TestAccount {
  privateKey: Uint8Array;
  privateKeyHex: Hex;
  address: Address;
}

/** The i-th test account: private key = keccak-free `0x…01 + i`, never zero. */
export function testAccount(index: number): TestAccount {
  const privateKey = Buffer.from((BigInt(index) + 0x1000n).toString(16).padStart(64, '0'), 'hex');
  const address = `0x${Buffer.from(privateToAddress(privateKey)).toString('hex')}` as Address;
  return { privateKey, privateKeyHex: `0x${privateKey.toString('hex')}`, address };
}

/** Signs a transaction (type from the fields, as @ethereumjs picks) and answers its raw bytes. */
export function signTransaction(data: TypedTxData, account: TestAccount, common: Common): Uint8Array {
  return createTx(data, { common }).sign(account.privateKey).serialize();
}
