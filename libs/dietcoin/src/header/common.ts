// The chain's own @ethereumjs Common, the one definition of its rules: Prague pinned from genesis,
// a consensus of its own so that @ethereumjs applies neither the proof-of-stake rule (extraData ≤
// 32 bytes) nor Clique's (fixed extraData layout; runTx paying the signer named in extraData
// instead of the coinbase), and no beacon-chain system calls. Execution (libs/execution) runs and
// builds blocks with it and the chain node (libs/chain) takes execution's copy.
import { type Common, type CustomCrypto, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';

/** Consensus algorithm name recorded in the Common; @ethereumjs knows no rules for it. */
export const KHIPU_CONSENSUS_ALGORITHM = 'khipu';
/** Consensus type: not `pow` (no block reward), not `poa` (ethereumjs would pay the Clique signer
 *  from extraData instead of the coinbase), not `pos` (extraData ≤ 32 bytes). */
export const KHIPU_CONSENSUS_TYPE = 'khipu-poa';

/**
 * EIPs of Prague we leave out: 2935 (history storage system call), 6110, 7002, 7251 (requests
 * from the beacon chain's deposit, withdrawal and consolidation contracts): there is no beacon
 * chain and no system call; 7702 (set-code transactions, type 4): refused. EIP-4788 and EIP-7685
 * stay on for the header's shape only (`parentBeaconBlockRoot` zero, `requestsHash` of no
 * requests): their system call and requests find no contract code and do nothing.
 */
export const OMITTED_EIPS: readonly number[] = [2935, 6110, 7002, 7251, 7702];

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
  /** Crypto for ethereumjs (sender recovery, hashing); its pure-JS defaults when absent. */
  crypto?: CustomCrypto;
}

/**
 * A Common for a Khipu chain: hardfork Prague from genesis, consensus `khipu-poa`/`khipu`, the
 * {@link OMITTED_EIPS} off.
 *
 * Blobs: the header keeps Prague's shape (blobGasUsed, excessBlobGas present) but a Khipu chain
 * carries no blob transactions; `decodeHeader` refuses non-zero blob gas fields.
 * Genesis: London at block 0 makes @ethereumjs require `baseFeePerGas = 1 gwei` on block 0.
 * @example const common = createKhipuCommon({ chainId: 7001n });
 *          createBlockHeaderFromRLP(rlp, { common }).hash() // the ordinary Ethereum hash
 */
export function createKhipuCommon({ chainId, name, crypto }: CreateKhipuCommonParameters): Common {
  const id = Number(chainId);
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new RangeError(`chain id ${chainId} is not a positive safe integer`);
  return createCustomCommon(
    {
      name: name ?? `khipu-${id}`,
      chainId: id,
      defaultHardfork: Hardfork.Prague,
      consensus: { ...CONSENSUS },
      // Overrides of ethereumjs's hardfork table: Paris without its switch to proof of stake (the
      // chain's own consensus stays in force), Cancun and Prague minus OMITTED_EIPS.
      customHardforks: {
        [Hardfork.Paris]: { consensus: { ...CONSENSUS }, eips: [3675, 4399] },
        [Hardfork.Cancun]: { eips: [1153, 4788, 4844, 5656, 6780, 7516] },
        [Hardfork.Prague]: { eips: [2537, 7623, 7685, 7691] },
      },
      hardforks: HARDFORKS.map((name) => ({ name, block: 0 })),
      bootstrapNodes: [],
      genesis: { gasLimit: 30_000_000, difficulty: 0, nonce: '0x0000000000000000', extraData: '0x' },
    },
    Mainnet,
    { hardfork: Hardfork.Prague, customCrypto: crypto ?? {} },
  );
}

const CONSENSUS = { type: KHIPU_CONSENSUS_TYPE, algorithm: KHIPU_CONSENSUS_ALGORITHM } as const;
