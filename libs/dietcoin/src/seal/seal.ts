// Seals: secp256k1 signatures by validators over (chainId, height, round, blockHash).
//
//   sealDigest = keccak256(abi.encode(bytes32 SEAL_DOMAIN, uint64 chainId, uint64 height,
//                                     uint32 round, bytes32 blockHash))
//   SEAL_DOMAIN = keccak256("khipu.seal.v1")
//
// A seal is 65 bytes: r (32) ‖ s (32) ‖ v (1, recovery id 0 or 1). s must be in the lower half of
// the curve order, so that one signer cannot make two distinct valid seals of one digest.
import { secp256k1 } from '../crypto/backend.js';
import { keccak256 } from '../crypto/keccak.js';
import { bytesToHex, compareBytes } from '../encoding/bytes.js';
import { DietcoinError } from '../errors.js';

export const SEAL_BYTES = 65;
const SECP256K1_N = new Uint8Array(
  Buffer.from('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 'hex'),
);
const SECP256K1_HALF_N = new Uint8Array(
  Buffer.from('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0', 'hex'),
);
let sealDomain: Uint8Array | undefined;

/** What a seal signs. */
export interface SealSubject {
  chainId: bigint;
  height: number;
  round: number;
  blockHash: Uint8Array;
}

/** The 32-byte digest a validator signs for `subject`. */
export function sealDigest({ chainId, height, round, blockHash }: SealSubject): Uint8Array {
  sealDomain ??= keccak256(new TextEncoder().encode('khipu.seal.v1'));
  if (blockHash.length !== 32) throw new DietcoinError('MALFORMED', 'seal block hash must be 32 bytes');
  if (!Number.isSafeInteger(height) || height < 0)
    throw new DietcoinError('MALFORMED', `seal height ${height}`);
  if (!Number.isInteger(round) || round < 0 || round > 0xffff_ffff) {
    throw new DietcoinError('MALFORMED', `seal round ${round} is not a uint32`);
  }
  const buf = new Uint8Array(160);
  const view = new DataView(buf.buffer);
  buf.set(sealDomain, 0);
  view.setBigUint64(56, chainId, false);
  view.setBigUint64(88, BigInt(height), false);
  view.setUint32(124, round, false);
  buf.set(blockHash, 128);
  return keccak256(buf);
}

export interface SignSealParameters extends SealSubject {
  privateKey: Uint8Array;
}

/** Signs a seal with a validator's private key (deterministic, RFC 6979, low s). */
export function signSeal({ privateKey, ...subject }: SignSealParameters): Uint8Array {
  const { signature, recid } = secp256k1().ecdsaSign(sealDigest(subject), privateKey);
  const out = new Uint8Array(SEAL_BYTES);
  out.set(signature, 0);
  out[64] = recid;
  return out;
}

/** Ethereum address of a private key. */
export function addressOfPrivateKey(privateKey: Uint8Array): Uint8Array {
  const pub = secp256k1().publicKeyCreate(privateKey, false);
  return keccak256(pub.subarray(1)).slice(12);
}

function isZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

/**
 * Recovers the address that produced `seal` over `digest`.
 * @throws DietcoinError MALFORMED_SIGNATURE (length, v, r or s out of range) or HIGH_S_SIGNATURE.
 */
export function recoverSealSigner(digest: Uint8Array, seal: Uint8Array): Uint8Array {
  if (seal.length !== SEAL_BYTES) {
    throw new DietcoinError('MALFORMED_SIGNATURE', `seal is ${seal.length} bytes, not ${SEAL_BYTES}`);
  }
  const v = seal[64]!;
  if (v !== 0 && v !== 1)
    throw new DietcoinError('MALFORMED_SIGNATURE', `seal recovery id ${v} is not 0 or 1`);
  const r = seal.subarray(0, 32);
  const s = seal.subarray(32, 64);
  if (isZero(r) || isZero(s) || compareBytes(r, SECP256K1_N) >= 0) {
    throw new DietcoinError(
      'MALFORMED_SIGNATURE',
      `seal r or s is out of range (${bytesToHex(r).slice(0, 10)}…)`,
    );
  }
  if (compareBytes(s, SECP256K1_HALF_N) > 0) {
    throw new DietcoinError('HIGH_S_SIGNATURE', 'seal s is in the upper half of the curve order');
  }
  let pub: Uint8Array;
  try {
    pub = secp256k1().ecdsaRecover(seal.subarray(0, 64), v, digest, false);
  } catch (cause) {
    throw new DietcoinError('MALFORMED_SIGNATURE', 'seal does not recover to a public key', { cause });
  }
  return keccak256(pub.subarray(1)).slice(12);
}
