// The Common the node executes with. Interim: libs/execution defines the team's execution Common
// (createExecutionCommon, not exported yet); this mirrors its rules so that the node runs now:
// Prague from block 0, EIP-1559 fees, a consensus type that is neither `pow` (no block reward),
// `poa` (runTx would pay the Clique signer from extraData: dietcoin's header Common cannot be used
// to execute) nor `pos`; without the beacon system calls (4788, 2935: BLOCKHASH then reads the
// chain, not a history contract nobody writes), execution-layer requests and EIP-7702.
import { Common, Hardfork } from '@ethereumjs/common';

export const EXECUTION_CONSENSUS = { type: 'khipu-poa', algorithm: 'khipu-seals' } as const;

/** The execution Common of chain `chainId`. */
export function createChainExecutionCommon(chainId: bigint, name?: string): Common {
  const names = [
    'chainstart',
    'homestead',
    'tangerineWhistle',
    'spuriousDragon',
    'byzantium',
    'constantinople',
    'petersburg',
    'istanbul',
    'muirGlacier',
    'berlin',
    'london',
    'arrowGlacier',
    'grayGlacier',
    'paris',
  ];
  return new Common({
    chain: {
      name: name ?? `khipu-${chainId}`,
      chainId: Number(chainId),
      defaultHardfork: Hardfork.Prague,
      genesis: { gasLimit: 30_000_000, difficulty: 0, nonce: '0x0000000000000000', extraData: '0x' },
      hardforks: [
        ...names.map((n) => ({ name: n, block: 0 })),
        { name: 'shanghai', block: null, timestamp: 0 },
        { name: 'cancun', block: null, timestamp: 0 },
        { name: 'prague', block: null, timestamp: 0 },
      ],
      customHardforks: {
        paris: { consensus: { ...EXECUTION_CONSENSUS }, eips: [3675, 4399] },
        cancun: { eips: [1153, 4844, 5656, 6780, 7516] },
        prague: { eips: [2537, 7623, 7691] },
      },
      bootstrapNodes: [],
      consensus: { ...EXECUTION_CONSENSUS },
    },
    hardfork: Hardfork.Prague,
  });
}
