// Commit seals: secp256k1 signatures by validators over (chainId, height, round, blockHash).
// Same digest as libs/dietcoin's `sealDigest` (seal/seal.ts), because light clients and the
// 0x…0f01 precompile verify the seals consensus produces:
//
//   sealDigest = keccak256(abi.encode(bytes32 SEAL_DOMAIN, uint64 chainId, uint64 height,
//                                     uint32 round, bytes32 blockHash))
//   SEAL_DOMAIN = keccak256("khipu.seal.v1")
//
//   offset   0  SEAL_DOMAIN          32 bytes
//   offset  56  chainId              uint64 big-endian (word 1, left-padded)
//   offset  88  height               uint64 big-endian (word 2, left-padded)
//   offset 124  round                uint32 big-endian (word 3, left-padded)
//   offset 128  blockHash            32 bytes (word 4)
//   total  160
import { ConsensusError } from './errors.js';
import type { Keccak256, SealSubject } from './types.js';

export const SEAL_BYTES = 65;
const SEAL_DOMAIN_TAG = 'khipu.seal.v1';
const OFFSET_CHAIN_ID = 56;
const OFFSET_HEIGHT = 88;
const OFFSET_ROUND = 124;
const OFFSET_BLOCK_HASH = 128;
const SEAL_PREIMAGE_BYTES = 160;

/** Computes seal digests with a given keccak; the domain is hashed once. */
export type SealDigester = (subject: SealSubject) => Uint8Array;

/**
 * Creates the seal digest function over `keccak256`.
 * @throws ConsensusError MALFORMED (from the returned function) on a block hash that is not 32
 * bytes, a height that is not a safe non-negative integer, or a round that is not a uint32.
 */
export function createSealDigester(keccak256: Keccak256): SealDigester {
  const domain = keccak256(new TextEncoder().encode(SEAL_DOMAIN_TAG));
  return ({ chainId, height, round, blockHash }) => {
    if (blockHash.length !== 32) throw new ConsensusError('MALFORMED', 'seal block hash must be 32 bytes');
    if (!Number.isSafeInteger(height) || height < 0)
      throw new ConsensusError('MALFORMED', `seal height ${height}`);
    if (!Number.isInteger(round) || round < 0 || round > 0xffff_ffff) {
      throw new ConsensusError('MALFORMED', `seal round ${round} is not a uint32`);
    }
    const buf = new Uint8Array(SEAL_PREIMAGE_BYTES);
    const view = new DataView(buf.buffer);
    buf.set(domain, 0);
    view.setBigUint64(OFFSET_CHAIN_ID, chainId, false);
    view.setBigUint64(OFFSET_HEIGHT, BigInt(height), false);
    view.setUint32(OFFSET_ROUND, round, false);
    buf.set(blockHash, OFFSET_BLOCK_HASH);
    return keccak256(buf);
  };
}
