// The chain's rules for execution, in one place until libs/dietcoin exports the shared Common
// factory: Prague pinned from genesis, minus the beacon-chain system calls and the EIPs we refuse.

import { paramsBlock } from '@ethereumjs/block';
import { Common, type CustomCrypto, Hardfork } from '@ethereumjs/common';
import { paramsEVM } from '@ethereumjs/evm';
import { paramsTx } from '@ethereumjs/tx';
import { type Address, createAddressFromString } from '@ethereumjs/util';
import { paramsVM } from '@ethereumjs/vm';
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
  /** Merge the ethereumjs packages' parameter tables once and share them with every copy of this
   *  Common (default true). Stock ethereumjs copies the Common and re-merges its parameters (JSON
   *  round trips and a cache rebuild) for every transaction and header it constructs: a third of
   *  the time of decoding a block. `false` keeps the stock behaviour (the reference in tests). */
  shareParams?: boolean;
}

/**
 * The chain's Common: hardfork Prague from block 0, EIP-1559 fees, no beacon system calls, no
 * requests, no EIP-7702.
 * @example const common = createExecutionCommon({ chainId: 7001, crypto: await loadExecutionCrypto() })
 */
export function createExecutionCommon({
  chainId,
  crypto,
  shareParams = true,
}: CreateExecutionCommonParameters): Common {
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
  const common = new Common({
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
  if (shareParams) {
    const tables: object[] = [paramsTx, paramsBlock, paramsEVM, paramsVM];
    for (const table of tables) common.updateParams(table as Parameters<Common['updateParams']>[0]);
    const known = new Set<object>(tables);
    const update = common.updateParams;
    // An own, enumerable property: Common.copy() (Object.assign) carries it to every copy, and the
    // copies share the merged tables, which nothing mutates afterwards.
    Object.defineProperty(common, 'updateParams', {
      value(this: Common, params: Parameters<Common['updateParams']>[0]) {
        if (known.has(params)) return this;
        return update.call(this, params);
      },
      enumerable: true,
      writable: true,
    });
  }
  return common;
}
