// The block as consensus carries it: RLP [headerRLP, [serializedTx, ...]]. Its hash is the header
// hash (keccak of the header RLP), the hash the seals sign; the transactions are bound to it by the
// header's transactionsRoot, which validation recomputes.
import { RLP } from '@ethereumjs/rlp';
import { keccak256 } from '@khipu/dietcoin';
import { ConsensusError } from './errors.js';
import { bytesToHex } from './hex.js';
import type { Hash } from './types.js';

/** A block's parts: the header exactly as hashed and the transactions as serialized. */
export interface BlockParts {
  headerRLP: Uint8Array;
  transactions: Uint8Array[];
}

export function encodeConsensusBlock(block: BlockParts): Uint8Array {
  return RLP.encode([block.headerRLP, block.transactions]);
}

/**
 * Decodes block bytes from a peer.
 * @throws ConsensusError MALFORMED when the bytes are not RLP [bytes, [bytes...]].
 */
export function decodeConsensusBlock(bytes: Uint8Array): BlockParts {
  let decoded: unknown;
  try {
    decoded = RLP.decode(bytes);
  } catch (cause) {
    throw new ConsensusError('MALFORMED', 'block is not RLP', { cause });
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    !(decoded[0] instanceof Uint8Array) ||
    !Array.isArray(decoded[1]) ||
    !decoded[1].every((t) => t instanceof Uint8Array)
  ) {
    throw new ConsensusError('MALFORMED', 'block is not RLP [header, [transactions]]');
  }
  return { headerRLP: decoded[0], transactions: decoded[1] as Uint8Array[] };
}

/**
 * The engine's `hashBlock`: the header hash. Never throws: undecodable bytes hash to the keccak
 * of the bytes themselves, which no valid proposal names.
 */
export function hashConsensusBlock(bytes: Uint8Array): Hash {
  try {
    return bytesToHex(keccak256(decodeConsensusBlock(bytes).headerRLP));
  } catch {
    return bytesToHex(keccak256(bytes));
  }
}
