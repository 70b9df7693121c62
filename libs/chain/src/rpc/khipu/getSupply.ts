import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity } from '../params.js';
import { khipuBlockNumber } from './blockParam.js';

/** khipu_getSupply(block): native KIP supply at the end of the block, cumulative mint and burn,
 *  the fee pool, and the block's own movements; `null` for an unknown block. */
export async function getSupply(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 1, 1);
  const number = khipuBlockNumber(context, params[0], '0');
  if (number === null) return null;
  const supply = await context.backend.khipu.getSupply(number);
  if (supply === null) return null;
  return {
    blockNumber: toQuantity(supply.blockNumber),
    supply: toQuantity(supply.supply),
    genesisSupply: toQuantity(supply.genesisSupply),
    minted: toQuantity(supply.minted),
    burned: toQuantity(supply.burned),
    feePool: toQuantity(supply.feePool),
    block: {
      minted: toQuantity(supply.block.minted),
      burned: toQuantity(supply.block.burned),
      feesToPool: toQuantity(supply.block.feesToPool),
    },
  };
}
