import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { serverError } from '../errors.js';
import { baseFeeAfter, suggestPriorityFee } from '../fees.js';
import { toQuantity } from '../format.js';
import { expectArity } from '../params.js';

/** eth_gasPrice: a legacy gas price likely to be included: the next block's base fee plus the
 *  suggested tip (geth's answer). */
export async function gasPrice(params: unknown[], context: RpcContext): Promise<Hex> {
  expectArity(params, 0, 0);
  const blocks = context.backend.blocks;
  const head = await blocks.getHeaderByNumber(blocks.headNumber());
  if (head === null) throw serverError('header not found');
  const tip = await suggestPriorityFee(context);
  return toQuantity(((await baseFeeAfter(context, head)) ?? 0n) + tip);
}
