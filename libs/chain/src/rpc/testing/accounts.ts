// Deterministic development accounts and transaction signing for tests.

import type { Common } from '@ethereumjs/common';
import { createTx, type LegacyTx, type TypedTxData } from '@ethereumjs/tx';
import { privateToAddress } from '@ethereumjs/util';
import { signDigest } from '../../crypto.js';
import type { Address, Hex } from '../backend.js';

export interface TestAccount {
  privateKey: Uint8Array;
  privateKeyHex: Hex;
  address: Address;
}

/** The i-th test account: private key `0x1000 + i`, never zero. */
export function testAccount(index: number): TestAccount {
  const privateKey = Buffer.from((BigInt(index) + 0x1000n).toString(16).padStart(64, '0'), 'hex');
  const address = `0x${Buffer.from(privateToAddress(privateKey)).toString('hex')}` as Address;
  return { privateKey, privateKeyHex: `0x${privateKey.toString('hex')}`, address };
}

/** Signs a transaction (type from the fields, as @ethereumjs picks) with native libsecp256k1
 *  and answers its raw bytes. */
export function signTransaction(data: TypedTxData, account: TestAccount, common: Common): Uint8Array {
  const tx = createTx(data, { common });
  // Native libsecp256k1 (../../crypto.ts): tests sign thousands of transactions.
  const signature = signDigest(tx.getHashedMessageToSign(), account.privateKey);
  const r = signature.subarray(0, 32);
  const s = signature.subarray(32, 64);
  const recid = signature[64]!;
  if (tx.type === 0) return (tx as LegacyTx).addSignature(BigInt(recid), r, s, true).serialize();
  return tx.addSignature(BigInt(recid), r, s).serialize();
}
