// The BLOCKHASH sources over the node's block store: the EVM's (calls) and libs/execution's
// (executed blocks).
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';
import type { BlockHashSource } from '@khipu/execution';

/** Makes the EVM's block source from a hash lookup (the last 256 blocks); an unknown number hashes
 *  to zero, as BLOCKHASH answers outside its window. */
export function createBlockHashSource(
  blockHash: (n: bigint) => Uint8Array | undefined,
): EVMMockBlockchainInterface {
  const source: EVMMockBlockchainInterface = {
    async getBlock(n: number) {
      const hash = blockHash(BigInt(n)) ?? new Uint8Array(32);
      return { hash: () => hash };
    },
    async putBlock() {},
    shallowCopy: () => source,
  };
  return source;
}

/** How many hashes the canonical source keeps: execution asks for the 256 before each block, and
 *  the window slides by one a block. */
const KEPT_HASHES = 512;

/**
 * libs/execution's BLOCKHASH source over the canonical chain: the hash of block `n` is the keccak
 * of its stored header RLP (no header decode), remembered, since execution asks for the same 256
 * ancestors again at every block (decoding them through the store's 32-header cache cost
 * ~5 ms per executed block). Final blocks never change hash, so a remembered one stays right.
 */
export function createCanonicalBlockHashes(
  headerRLP: (n: bigint) => Uint8Array | null,
  keccak256: (data: Uint8Array) => Uint8Array,
): BlockHashSource {
  const kept = new Map<bigint, Uint8Array>();
  return {
    blockHash(n) {
      const known = kept.get(n);
      if (known) return known;
      const rlp = headerRLP(n);
      if (!rlp) return undefined;
      const hash = keccak256(rlp);
      kept.set(n, hash);
      if (kept.size > KEPT_HASHES) {
        // Oldest first: Map keeps insertion order, and blocks are asked for in rising order.
        const oldest = kept.keys().next();
        if (!oldest.done) kept.delete(oldest.value);
      }
      return hash;
    },
  };
}
