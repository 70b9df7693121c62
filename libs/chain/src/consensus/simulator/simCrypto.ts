// Crypto stand-ins for the simulator. Signatures are keccak MACs under per-validator secrets that
// only the owner and the verifier know, so no simulated node can forge another's signature, at a
// fraction of the cost of secp256k1 (10,000 schedules must run in seconds). The real crypto
// (crypto.ts) is tested on its own and with the engine in engine.test.ts. keccak-256 is the real
// one, libs/dietcoin's (seal digests go through dietcoin's `sealDigest` as in the node).
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import { bytesToHex, equalBytes } from '../hex.js';
import type { Address, Hash, Keccak256, SealVerifier, Signer } from '../types.js';

export interface SimulatorCrypto {
  keccak256: Keccak256;
  hashBlock(block: Uint8Array): Hash;
  verifier: SealVerifier;
  /** Signers of validators 0 … n-1 (same addresses in every run). */
  signers(n: number): Signer[];
}

/** Loads dietcoin's keccak (`initDietcoin()`) and returns the stand-ins. */
export async function createSimulatorCrypto(): Promise<SimulatorCrypto> {
  await initDietcoin();
  const secrets = new Map<Address, Uint8Array>();
  const all: Signer[] = [];
  const checked = new WeakMap<Uint8Array, { address: Address; digest: Uint8Array; ok: boolean }>();
  const mac = (secret: Uint8Array, digest: Uint8Array): Uint8Array => {
    const out = new Uint8Array(65);
    out.set(keccak256(secret, digest), 0);
    return out;
  };
  const signerAt = (i: number): Signer => {
    while (all.length <= i) {
      const secret = keccak256(new TextEncoder().encode(`khipu-simulator-validator-${all.length}`));
      const address = bytesToHex(keccak256(secret).subarray(12));
      secrets.set(address, secret);
      all.push({ address, sign: (digest) => mac(secret, digest) });
    }
    return all[i]!;
  };
  return {
    keccak256,
    hashBlock: (block) => bytesToHex(keccak256(block)),
    verifier: {
      verify(digest, signature, address) {
        // Every receiver of a broadcast checks the same decoded signature object: remember it.
        const seen = checked.get(signature);
        if (seen && seen.address === address && equalBytes(seen.digest, digest)) return seen.ok;
        const secret = secrets.get(address);
        let ok = secret !== undefined && signature.length === 65;
        if (ok) ok = equalBytes(mac(secret!, digest), signature);
        checked.set(signature, { address, digest, ok });
        return ok;
      },
    },
    signers(n) {
      const list: Signer[] = [];
      for (let i = 0; i < n; i++) list.push(signerAt(i));
      return list;
    },
  };
}
