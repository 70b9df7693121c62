// The team's crypto for consensus: native libsecp256k1 through `secp256k1/bindings` (never the
// plain entry, which silently falls back to pure-JS elliptic) and keccak-256 through hash-wasm.
// hash-wasm needs an async init: `await createConsensusCrypto()` once, then everything is sync.
import { createRequire } from 'node:module';
import { createKeccak } from 'hash-wasm';
import { ConsensusError } from './errors.js';
import { bytesToHex } from './hex.js';
import type { Address, Keccak256, SealVerifier, Signer } from './types.js';

/** The subset of the native binding used here. */
interface Secp256k1Binding {
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array;
  privateKeyVerify(privateKey: Uint8Array): boolean;
}

/** secp256k1 group order halved: signatures with a larger s are refused (malleability). */
const HALF_N = Buffer.from('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0', 'hex');

let binding: Secp256k1Binding | undefined;

function secp256k1(): Secp256k1Binding {
  if (binding) return binding;
  const require = createRequire(import.meta.url);
  try {
    binding = require('secp256k1/bindings') as Secp256k1Binding;
  } catch (cause) {
    throw new ConsensusError(
      'INVALID_CONFIG',
      'native libsecp256k1 (secp256k1/bindings) did not load; refusing to fall back to pure JS',
      { cause },
    );
  }
  return binding;
}

/** The primitives consensus needs, bound to the team's backends. */
export interface ConsensusCrypto {
  keccak256: Keccak256;
  verifier: SealVerifier;
  /** A signer for a 32-byte private key. @throws ConsensusError INVALID_CONFIG on an invalid key. */
  createSigner(privateKey: Uint8Array): Signer;
  /** The Ethereum address of a private key. */
  addressOf(privateKey: Uint8Array): Address;
}

/**
 * Loads native secp256k1 and WASM keccak.
 * @throws ConsensusError INVALID_CONFIG when a backend does not load.
 * @example const crypto = await createConsensusCrypto(); const signer = crypto.createSigner(key);
 */
export async function createConsensusCrypto(): Promise<ConsensusCrypto> {
  const secp = secp256k1();
  const hasher = await createKeccak(256).catch((cause: unknown) => {
    throw new ConsensusError('INVALID_CONFIG', 'hash-wasm keccak-256 did not load', { cause });
  });
  const keccak256: Keccak256 = (data) => hasher.init().update(data).digest('binary');
  const addressOfPublicKey = (pub: Uint8Array): Address =>
    bytesToHex(keccak256(pub.subarray(1)).subarray(12));
  const addressOf = (privateKey: Uint8Array): Address => {
    if (privateKey.length !== 32 || !secp.privateKeyVerify(privateKey)) {
      throw new ConsensusError('INVALID_CONFIG', 'validator private key is not a valid secp256k1 key');
    }
    return addressOfPublicKey(secp.publicKeyCreate(privateKey, false));
  };
  const verifier: SealVerifier = {
    verify(digest, signature, address) {
      if (digest.length !== 32 || signature.length !== 65) return false;
      const v = signature[64]!;
      if (v !== 0 && v !== 1) return false;
      if (Buffer.compare(Buffer.from(signature.subarray(32, 64)), HALF_N) > 0) return false;
      try {
        return addressOfPublicKey(secp.ecdsaRecover(signature.subarray(0, 64), v, digest, false)) === address;
      } catch {
        return false;
      }
    },
  };
  return {
    keccak256,
    verifier,
    addressOf,
    createSigner(privateKey) {
      const address = addressOf(privateKey);
      const key = new Uint8Array(privateKey);
      return {
        address,
        sign(digest) {
          const { signature, recid } = secp.ecdsaSign(digest, key);
          const out = new Uint8Array(65);
          out.set(signature, 0);
          out[64] = recid;
          return out;
        },
      };
    },
  };
}
