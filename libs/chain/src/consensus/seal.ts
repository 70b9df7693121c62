// Commit seals: secp256k1 signatures by validators over libs/dietcoin's `sealDigest` of
// (chainId, height, round, blockHash), the digest light clients and the 0x…0f01 precompile
// verify. The layout lives in dietcoin (seal/seal.ts); seal.test.ts checks it against an
// independent implementation (viem) and a fixed vector.
import { sealDigest as dietcoinSealDigest, isDietcoinError } from '@khipu/dietcoin';
import { ConsensusError } from './errors.js';
import type { SealSubject } from './types.js';

/** Computes the 32-byte digest a commit seal signs. */
export type SealDigester = (subject: SealSubject) => Uint8Array;

/**
 * libs/dietcoin's `sealDigest`, with its refusals as the engine's errors. Needs `initDietcoin()`
 * resolved first (`createConsensusCrypto` and the simulator's crypto do it).
 * @throws ConsensusError MALFORMED on a block hash that is not 32 bytes, a height that is not a
 * safe non-negative integer, or a round that is not a uint32.
 */
export const sealDigest: SealDigester = (subject) => {
  try {
    return dietcoinSealDigest(subject);
  } catch (cause) {
    if (isDietcoinError(cause, 'MALFORMED')) throw new ConsensusError('MALFORMED', cause.message, { cause });
    throw cause;
  }
};
