// The crypto backends against the pure-JS peers the issue measured (@noble/curves, @noble/hashes).

import { keccak256, recoverSealSigner, sealDigest, signSeal } from '@khipu/dietcoin';
import { secp256k1 as nobleSecp } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { rate } from './timing.js';

export interface CryptoFigures {
  recoverPerSecond: { native: number; noble: number };
  keccak500PerSecond: { hashWasm: number; noble: number };
  keccak64PerSecond: { hashWasm: number; noble: number };
}

export function measureCrypto(): CryptoFigures {
  const key = keccak256(new TextEncoder().encode('bench key'));
  const blockHash = keccak256(new Uint8Array([1]));
  const subject = { chainId: 7n, height: 1, round: 0, blockHash };
  const seal = signSeal({ privateKey: key, ...subject });
  const digest = sealDigest(subject);
  const sig = nobleSecp.Signature.fromBytes(seal.subarray(0, 64), 'compact').addRecoveryBit(seal[64]!);
  const b500 = new Uint8Array(500).fill(7);
  const b64 = new Uint8Array(64).fill(7);
  return {
    recoverPerSecond: {
      native: rate(() => recoverSealSigner(digest, seal)),
      noble: rate(() => sig.recoverPublicKey(digest)),
    },
    keccak500PerSecond: { hashWasm: rate(() => keccak256(b500)), noble: rate(() => keccak_256(b500)) },
    keccak64PerSecond: { hashWasm: rate(() => keccak256(b64)), noble: rate(() => keccak_256(b64)) },
  };
}
