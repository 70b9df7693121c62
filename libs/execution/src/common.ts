// The chain's rules for execution, in one place until libs/dietcoin exports the shared Common
// factory: Prague pinned from genesis, minus the beacon-chain system calls and the EIPs we refuse.
import { Common, type CustomCrypto, Hardfork } from '@ethereumjs/common';
import { type Address, createAddressFromString } from '@ethereumjs/util';
import type { ExecutionCrypto } from './crypto.js';

/**
 * The fee pool: a system account credited `baseFee × gasUsed` at the end of every block instead of
 * burning the base fee (DESIGN.md, "Messages and KIP"). Clear of Ethereum's precompiles and of the
 * system contracts at 0x…1001–0x…1005 and the precompiles at 0x…0f01–0x…0f02.
 */
export const FEE_POOL_ADDRESS = '0x0000000000000000000000000000000000000fee';

/** {@link FEE_POOL_ADDRESS} as an ethereumjs Address. */
export function feePoolAddress(): Address {
  return createAddressFromString(FEE_POOL_ADDRESS);
}

/** Consensus type of our chain: not `pow` (no block rewards), not `poa` (ethereumjs would pay the
 *  Clique signer from extraData instead of the coinbase), not `pos` (extraData ≤ 32 bytes). */
export const KHIPU_CONSENSUS = { type: 'khipu-poa', algorithm: 'khipu-seals' } as const;

/**
 * EIPs of Prague (and Cancun) we leave out:
 * - 4788 (beacon block root system call), 2935 (history storage system call), 6110, 7002, 7251 and
 *   7685 (execution-layer requests): no beacon chain, no system calls, no `requestsHash`;
 * - 7702 (set-code transactions, type 4): refused.
 * Blob transactions (type 3) are refused by us; EIP-4844 itself stays on so that the header keeps
 * the Cancun blob fields (always zero) and BLOBHASH / BLOBBASEFEE behave as on Ethereum.
 */
export const OMITTED_EIPS: readonly number[] = [4788, 2935, 6110, 7002, 7251, 7685, 7702];

export interface CreateExecutionCommonParameters {
  chainId: number | bigint;
  /** Fast crypto for ethereumjs; pass `await loadExecutionCrypto()`. */
  crypto?: ExecutionCrypto;
}

/**
 * The chain's Common: hardfork Prague from block 0, EIP-1559 fees, no beacon system calls, no
 * requests, no EIP-7702.
 * @example const common = createExecutionCommon({ chainId: 7001, crypto: await loadExecutionCrypto() })
 */
export function createExecutionCommon({ chainId, crypto }: CreateExecutionCommonParameters): Common {
  const customCrypto: CustomCrypto = {};
  if (crypto !== undefined) {
    customCrypto.keccak256 = crypto.keccak256;
    customCrypto.ecrecover = crypto.ecrecover;
  }
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
  const hardforks = [
    ...names.map((name) => ({ name, block: 0 })),
    { name: 'shanghai', block: null, timestamp: 0 },
    { name: 'cancun', block: null, timestamp: 0 },
    { name: 'prague', block: null, timestamp: 0 },
  ];
  return new Common({
    chain: {
      name: `khipu-${chainId}`,
      chainId: Number(chainId),
      defaultHardfork: Hardfork.Prague,
      genesis: { gasLimit: 30_000_000, difficulty: 0, nonce: '0x0000000000000000', extraData: '0x' },
      hardforks,
      // Overrides of ethereumjs's hardfork table: keep the EIP lists minus OMITTED_EIPS, and give
      // Paris our consensus type instead of proof of stake.
      customHardforks: {
        paris: { consensus: { ...KHIPU_CONSENSUS }, eips: [3675, 4399] },
        cancun: { eips: [1153, 4844, 5656, 6780, 7516] },
        prague: { eips: [2537, 7623, 7691] },
      },
      bootstrapNodes: [],
      consensus: { ...KHIPU_CONSENSUS },
    },
    hardfork: Hardfork.Prague,
    customCrypto,
  });
}
