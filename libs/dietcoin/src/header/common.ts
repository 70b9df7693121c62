// The chain's own @ethereumjs Common: Prague pinned from genesis, a consensus of its own ("poa" /
// "khipu") so that @ethereumjs/block applies neither the proof-of-stake rule (extraData ≤ 32 bytes)
// nor Clique's fixed extraData layout to our headers. Execution (libs/execution) and the chain node
// (libs/chain) build blocks with this same Common.
import { type Common, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';

/** Consensus algorithm name recorded in the Common; @ethereumjs knows no rules for it. */
export const KHIPU_CONSENSUS_ALGORITHM = 'khipu';

// Every Ethereum hardfork up to Prague, active from block 0. The DAO fork is left out: it would
// demand `extraData = "dao-hard-fork"` on blocks 0 to 9.
const HARDFORKS = [
  Hardfork.Chainstart,
  Hardfork.Homestead,
  Hardfork.TangerineWhistle,
  Hardfork.SpuriousDragon,
  Hardfork.Byzantium,
  Hardfork.Constantinople,
  Hardfork.Petersburg,
  Hardfork.Istanbul,
  Hardfork.MuirGlacier,
  Hardfork.Berlin,
  Hardfork.London,
  Hardfork.ArrowGlacier,
  Hardfork.GrayGlacier,
  Hardfork.Paris,
  Hardfork.MergeNetsplitBlock,
  Hardfork.Shanghai,
  Hardfork.Cancun,
  Hardfork.Prague,
];

export interface CreateKhipuCommonParameters {
  chainId: bigint | number;
  /** Chain name reported by the Common; defaults to `khipu-<chainId>`. */
  name?: string;
}

/**
 * A Common for a Khipu chain: hardfork Prague from genesis, consensus `poa`/`khipu`.
 *
 * Blobs: the header keeps Prague's shape (blobGasUsed, excessBlobGas present) but a Khipu chain
 * carries no blob transactions; `decodeHeader` refuses non-zero blob gas fields.
 * Genesis: London at block 0 makes @ethereumjs require `baseFeePerGas = 1 gwei` on block 0.
 * @example const common = createKhipuCommon({ chainId: 7001n });
 *          createBlockHeaderFromRLP(rlp, { common }).hash() // the ordinary Ethereum hash
 */
export function createKhipuCommon({ chainId, name }: CreateKhipuCommonParameters): Common {
  const id = Number(chainId);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new RangeError(`chain id ${chainId} is not a positive safe integer`);
  return createCustomCommon(
    {
      name: name ?? `khipu-${id}`,
      chainId: id,
      defaultHardfork: Hardfork.Prague,
      consensus: { type: 'poa', algorithm: KHIPU_CONSENSUS_ALGORITHM },
      // Paris without its switch to proof-of-stake: the chain's own consensus stays in force.
      customHardforks: { [Hardfork.Paris]: { eips: [3675, 4399] } },
      hardforks: HARDFORKS.map((name) => ({ name, block: 0 })),
      bootstrapNodes: [],
      genesis: { gasLimit: 30_000_000, difficulty: 0, nonce: '0x0000000000000000', extraData: '0x' },
    },
    Mainnet,
    { hardfork: Hardfork.Prague },
  );
}
