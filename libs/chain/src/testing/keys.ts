// Fixed private keys the chain tests share: the lone validator of a test chain and the senders
// its genesis funds. Test keys only: never fund them on a real chain.
import { bytesToHex, hexToBytes, privateToAddress } from '@ethereumjs/util';
import type { Address } from '../rpc/backend.js';

/** The key that seals a solo test chain (see soloChain.ts). */
export const VALIDATOR_KEY = hexToBytes('0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba');
/** The usual funded sender. */
export const ALICE_KEY = hexToBytes('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
/** A second funded sender. */
export const BOB_KEY = hexToBytes('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
/** A key that is neither a validator nor funded. */
export const STRANGER_KEY = hexToBytes('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');

/** The lower-case 0x address of a private key. */
export function addressOfKey(key: Uint8Array): Address {
  return bytesToHex(privateToAddress(key)) as Address;
}
