// BLOCKHASH inside executed blocks: the hashes of the 256 blocks before the one being run, taken
// from the executor's BlockHashSource once per block, served to the EVM of the coordinator and
// shipped to every worker with the block. Without a source, the EVM's mock answers (zero hashes).
import type { EVMMockBlockchainInterface } from '@ethereumjs/evm';

/** What the EVM's chain interface returns for a block (not exported by @ethereumjs/evm 10.1.3). */
type EVMMockBlock = Awaited<ReturnType<EVMMockBlockchainInterface['getBlock']>>;

import { bytesToHex } from '@ethereumjs/util';
import { describeBlock, ExecutionError } from './errors.js';
import type { BlockHashSource } from './types.js';

/** The hashes BLOCKHASH may ask for while running block `number`: blocks `first … number-1`. */
export interface AncestorHashes {
  first: bigint;
  /** 32 bytes per block, from `first` on. */
  hashes: Uint8Array;
}

/** How many ancestors BLOCKHASH sees (Yellow Paper: the 256 most recent complete blocks). */
export const BLOCKHASH_WINDOW = 256n;

const ZERO_HASH = new Uint8Array(32);
const ZERO_BLOCK: EVMMockBlock = { hash: () => ZERO_HASH };

/**
 * Reads the ancestors of block `number` from `source`.
 * @throws ExecutionError `MISSING_BLOCK_HASH` when the source lacks one of them.
 */
export function readAncestorHashes(source: BlockHashSource, number: bigint): AncestorHashes {
  const first = number > BLOCKHASH_WINDOW ? number - BLOCKHASH_WINDOW : 0n;
  const count = Number(number - first);
  const hashes = new Uint8Array(32 * count);
  for (let i = 0; i < count; i++) {
    const n = first + BigInt(i);
    const hash = source.blockHash(n);
    if (hash === undefined || hash.length !== 32) {
      const got = hash === undefined ? 'nothing' : `${hash.length} bytes (${bytesToHex(hash)})`;
      throw new ExecutionError(
        'MISSING_BLOCK_HASH',
        `${describeBlock(number)}: the block hash source gave ${got} for block ${n}, which BLOCKHASH may read`,
        { blockNumber: number },
      );
    }
    hashes.set(hash, 32 * i);
  }
  return { first, hashes };
}

/** The EVM's view of the chain: the current block's ancestors, replaced before each block. */
export class BlockHashWindow implements EVMMockBlockchainInterface {
  private ancestors: AncestorHashes = { first: 0n, hashes: new Uint8Array(0) };

  set(ancestors: AncestorHashes | undefined): void {
    this.ancestors = ancestors ?? { first: 0n, hashes: new Uint8Array(0) };
  }

  async getBlock(blockId: number): Promise<EVMMockBlock> {
    // The opcode only asks for the 256 blocks before the current one; anything else (no source
    // given) gets the zero hash, as the EVM's own mock answers.
    const i = BigInt(blockId) - this.ancestors.first;
    if (i < 0n || 32n * (i + 1n) > BigInt(this.ancestors.hashes.length)) return ZERO_BLOCK;
    const hash = this.ancestors.hashes.subarray(32 * Number(i), 32 * Number(i) + 32);
    return { hash: () => hash };
  }

  async putBlock(): Promise<void> {}

  shallowCopy(): this {
    return this;
  }
}
