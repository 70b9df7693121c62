// The chain's rules for execution: libs/dietcoin's Common (the one definition of the rules) with
// execution's crypto and shared parameter tables, and the fee pool account.

import { paramsBlock } from '@ethereumjs/block';
import type { Common, CustomCrypto } from '@ethereumjs/common';
import { paramsEVM } from '@ethereumjs/evm';
import { paramsTx } from '@ethereumjs/tx';
import { type Address, createAddressFromString } from '@ethereumjs/util';
import { paramsVM } from '@ethereumjs/vm';
import { createKhipuCommon } from '@khipu/dietcoin';
import type { ExecutionCrypto } from './crypto.js';
import { pointEvaluationKzg } from './kzg.js';

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
 * The chain's Common (libs/dietcoin's `createKhipuCommon`, the one definition of the chain's rules:
 * Prague from genesis, our consensus type, no beacon system calls, no EIP-7702) with execution's
 * crypto, the KZG verifier of the point-evaluation precompile and, by default, parameter tables
 * merged once and shared by every copy.
 * @example const common = createExecutionCommon({ chainId: 7001, crypto: await loadExecutionCrypto() })
 */
export function createExecutionCommon({
  chainId,
  crypto,
  shareParams = true,
}: CreateExecutionCommonParameters): Common {
  // Prague's point-evaluation precompile (0x0a) needs a KZG backend in every EVM (kzg.ts).
  const customCrypto: CustomCrypto = { kzg: pointEvaluationKzg };
  if (crypto !== undefined) {
    customCrypto.keccak256 = crypto.keccak256;
    customCrypto.ecrecover = crypto.ecrecover;
  }
  const common = createKhipuCommon({ chainId, crypto: customCrypto });
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
