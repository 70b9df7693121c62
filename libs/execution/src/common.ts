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
  /** Answer `isActivatedEIP` and hardfork-order questions from tables made once (default true).
   *  Stock ethereumjs scans the list of active EIPs (`includes`, ~0.1 us a miss) twice per EVM
   *  step and rebuilds the hardfork list on every `gteHardfork`: ~80 us of an ERC-20 transfer.
   *  `false` keeps the stock behaviour (the reference in tests). */
  fastLookups?: boolean;
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
  fastLookups = true,
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
  if (fastLookups) installFastLookups(common);
  return common;
}

/** Common's internals the lookups read (protected in its typings; @ethereumjs/common 10.1.x). */
interface RuleInternals {
  _activatedEIPsCache: number[];
  _hardfork: string;
  _chainParams: object;
  hardforks(): { name: string }[];
  /** The set made from `_activatedEIPsCache`, and the array it was made from. */
  _khipuEIPs?: Set<number>;
  _khipuEIPsOf?: number[];
  /** hardforkGteHardfork's answers by (hardfork1, hardfork2), and the chain params they hold for. */
  _khipuGte?: Map<string, Map<string, boolean>>;
  _khipuGteOf?: object;
}

/**
 * Replaces `isActivatedEIP` and `hardforkGteHardfork` on `common` (own, enumerable properties, so
 * Common.copy() carries them to every copy) by lookups in tables made on first use. Each table
 * records what it was made from and is remade when that changes: `setHardfork` and `setEIPs`
 * assign a new `_activatedEIPsCache` array (never mutate it in place), and the hardfork order
 * depends only on `_chainParams`, which a Common never reassigns after construction.
 */
function installFastLookups(common: Common): void {
  Object.defineProperty(common, 'isActivatedEIP', {
    value(this: RuleInternals, eip: number): boolean {
      const list = this._activatedEIPsCache;
      let set = this._khipuEIPs;
      if (set === undefined || this._khipuEIPsOf !== list) {
        set = new Set(list);
        this._khipuEIPs = set;
        this._khipuEIPsOf = list;
      }
      return set.has(eip);
    },
    enumerable: true,
    writable: true,
  });
  const gte = common.hardforkGteHardfork;
  Object.defineProperty(common, 'hardforkGteHardfork', {
    value(this: RuleInternals & Common, hardfork1: string | null, hardfork2: string): boolean {
      const first = hardfork1 ?? this._hardfork;
      let byFirst = this._khipuGte;
      if (byFirst === undefined || this._khipuGteOf !== this._chainParams) {
        byFirst = new Map();
        this._khipuGte = byFirst;
        this._khipuGteOf = this._chainParams;
      }
      let bySecond = byFirst.get(first);
      if (bySecond === undefined) {
        bySecond = new Map();
        byFirst.set(first, bySecond);
      }
      let answer = bySecond.get(hardfork2);
      if (answer === undefined) {
        answer = gte.call(this, first, hardfork2);
        bySecond.set(hardfork2, answer);
      }
      return answer;
    },
    enumerable: true,
    writable: true,
  });
}
