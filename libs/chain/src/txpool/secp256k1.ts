// Sender recovery through native libsecp256k1. Loaded from `secp256k1/bindings` on purpose: the
// plain `secp256k1` entry silently falls back to a pure JavaScript implementation when the
// native addon is missing, ten times slower; this one fails loudly instead.

import { createRequire } from 'node:module';

interface Secp256k1Native {
  ecdsaRecover(signature: Uint8Array, recid: number, message: Uint8Array, compressed?: boolean): Uint8Array;
}

const require = createRequire(import.meta.url);
const native = require('secp256k1/bindings') as Secp256k1Native;

/** The uncompressed public key (64 bytes, without the 0x04 prefix) that signed `hash`.
 *  Throws when the signature does not recover. */
export function recoverPublicKey(hash: Uint8Array, r: bigint, s: bigint, recoveryId: number): Uint8Array {
  const signature = new Uint8Array(64);
  signature.set(bigintTo32Bytes(r), 0);
  signature.set(bigintTo32Bytes(s), 32);
  return native.ecdsaRecover(signature, recoveryId, hash, false).subarray(1);
}

function bigintTo32Bytes(value: bigint): Uint8Array {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}
