// The consensus core's crypto inputs (`Keccak256`, `SealVerifier`, `Signer`), built over the
// team's one implementation: libs/dietcoin's keccak-256, seal recovery and key addresses, and
// ../crypto.ts for signing a digest (dietcoin signs seal subjects only; consensus also signs its
// messages). The state machine stays pure: it receives these, it never loads a backend itself.
import { addressOfPrivateKey, initDietcoin, keccak256, recoverSealSigner } from '@khipu/dietcoin';
import { isPrivateKey, loadSecp256k1, signDigest } from '../crypto.js';
import { ConsensusError } from './errors.js';
import { bytesToHex } from './hex.js';
import type { Address, Keccak256, SealVerifier, Signer } from './types.js';

/** The primitives consensus needs, bound to the team's backends. */
export interface ConsensusCrypto {
  keccak256: Keccak256;
  verifier: SealVerifier;
  /** A signer for a 32-byte private key. @throws ConsensusError INVALID_CONFIG on an invalid key. */
  createSigner(privateKey: Uint8Array): Signer;
  /** The Ethereum address of a private key. @throws ConsensusError INVALID_CONFIG on an invalid key. */
  addressOf(privateKey: Uint8Array): Address;
}

/** Accepts any signature `recoverSealSigner` accepts (65 bytes, v in {0, 1}, r and s in range, low s). */
const verifier: SealVerifier = {
  verify(digest, signature, address) {
    if (digest.length !== 32) return false;
    try {
      return bytesToHex(recoverSealSigner(digest, signature)) === address;
    } catch {
      // Malformed, high-s or unrecoverable: the contract is false, never a throw.
      return false;
    }
  },
};

function addressOf(privateKey: Uint8Array): Address {
  if (!isPrivateKey(privateKey)) {
    throw new ConsensusError('INVALID_CONFIG', 'validator private key is not a valid secp256k1 key');
  }
  return bytesToHex(addressOfPrivateKey(privateKey));
}

/**
 * Loads native secp256k1 and WASM keccak (through `initDietcoin()`).
 * @throws ConsensusError INVALID_CONFIG when a backend does not load.
 * @example const crypto = await createConsensusCrypto(); const signer = crypto.createSigner(key);
 */
export async function createConsensusCrypto(): Promise<ConsensusCrypto> {
  try {
    await initDietcoin();
    loadSecp256k1();
  } catch (cause) {
    throw new ConsensusError(
      'INVALID_CONFIG',
      'the crypto backends (libsecp256k1, hash-wasm keccak) did not load',
      {
        cause,
      },
    );
  }
  return {
    keccak256,
    verifier,
    addressOf,
    createSigner(privateKey) {
      const address = addressOf(privateKey);
      const key = new Uint8Array(privateKey);
      return { address, sign: (digest) => signDigest(digest, key) };
    },
  };
}
