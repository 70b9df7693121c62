// The secp256k1 primitives libs/chain needs and libs/dietcoin does not export: signing any 32-byte
// digest (consensus messages, the p2p handshake, test transactions) and raw public-key recovery
// (transaction senders). Everything else comes from dietcoin: keccak-256, seal digests, seal
// signing and recovery, addresses of private keys. This is the only module of libs/chain that
// loads libsecp256k1.
//
// Native libsecp256k1 through `secp256k1/bindings` on purpose: the plain `secp256k1` entry falls
// back silently to pure-JS elliptic (ten times slower) when the addon is missing; this one fails
// with a ChainError instead.
import { createRequire } from 'node:module';
import { ChainError } from './errors.js';

/** The subset of the native binding used here. */
interface Secp256k1Native {
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  privateKeyVerify(privateKey: Uint8Array): boolean;
}

/** Bytes of a signature: r (32) ‖ s (32) ‖ v (1, recovery id 0 or 1). */
export const SIGNATURE_BYTES = 65;

let native: Secp256k1Native | undefined;

/**
 * The native binding, loaded on first use.
 * @throws ChainError CRYPTO_BACKEND_UNAVAILABLE when `secp256k1/bindings` does not load.
 */
function secp256k1(): Secp256k1Native {
  if (native) return native;
  try {
    native = createRequire(import.meta.url)('secp256k1/bindings') as Secp256k1Native;
  } catch (cause) {
    throw new ChainError(
      'CRYPTO_BACKEND_UNAVAILABLE',
      'native libsecp256k1 (secp256k1/bindings) did not load; refusing to fall back to pure JS',
      { cause },
    );
  }
  return native;
}

/**
 * Loads native libsecp256k1 now, so that a missing addon stops start-up rather than the first
 * signature.
 * @throws ChainError CRYPTO_BACKEND_UNAVAILABLE when `secp256k1/bindings` does not load.
 */
export function loadSecp256k1(): void {
  secp256k1();
}

/** True when `privateKey` is 32 bytes and a valid secp256k1 secret (non-zero, below the order). */
export function isPrivateKey(privateKey: Uint8Array): boolean {
  return privateKey.length === 32 && secp256k1().privateKeyVerify(privateKey);
}

/**
 * Signs a 32-byte digest (deterministic, RFC 6979, low s): `r ‖ s ‖ v`, 65 bytes.
 * @throws ChainError CRYPTO_BACKEND_UNAVAILABLE when libsecp256k1 does not load; the binding's
 * error on a digest that is not 32 bytes or an invalid key.
 */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const { signature, recid } = secp256k1().ecdsaSign(digest, privateKey);
  const out = new Uint8Array(SIGNATURE_BYTES);
  out.set(signature, 0);
  out[64] = recid;
  return out;
}

/**
 * The uncompressed public key (64 bytes, without the 0x04 prefix) that signed `digest` with
 * `(r, s, recoveryId)`. Does not check s's half (the caller applies its own rule, e.g. EIP-2).
 * @throws ChainError CRYPTO_BACKEND_UNAVAILABLE when libsecp256k1 does not load; the binding's
 * error when the signature does not recover.
 */
export function recoverPublicKey(digest: Uint8Array, r: bigint, s: bigint, recoveryId: number): Uint8Array {
  const signature = new Uint8Array(64);
  signature.set(bigintTo32Bytes(r), 0);
  signature.set(bigintTo32Bytes(s), 32);
  return recoverPublicKeyFromSignature(digest, signature, recoveryId);
}

/** `recoverPublicKey` from `r ‖ s` as 64 big-endian bytes. */
export function recoverPublicKeyFromSignature(
  digest: Uint8Array,
  signature: Uint8Array,
  recoveryId: number,
): Uint8Array {
  return secp256k1().ecdsaRecover(signature, recoveryId, digest, false).subarray(1);
}

function bigintTo32Bytes(value: bigint): Uint8Array {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
}
