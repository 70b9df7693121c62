import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity } from '../params.js';
import { khipuBlockNumber } from './blockParam.js';
import { formatValidator } from './format.js';

/** khipu_getValidators(block): the set sealing the block and the next block's set, with their
 *  hashes as in extraData; `null` for an unknown block. */
export async function getValidators(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 1, 1);
  const number = khipuBlockNumber(context, params[0], '0');
  if (number === null) return null;
  const set = await context.backend.khipu.getValidators(number);
  if (set === null) return null;
  return {
    blockNumber: toQuantity(set.blockNumber),
    validators: set.validators.map(formatValidator),
    validatorsHash: set.validatorsHash,
    nextValidators: set.nextValidators.map(formatValidator),
    nextValidatorsHash: set.nextValidatorsHash,
  };
}
