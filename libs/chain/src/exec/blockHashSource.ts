// The BLOCKHASH source the EVM asks for, over the node's block store.
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';

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
