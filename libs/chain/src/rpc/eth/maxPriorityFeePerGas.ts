import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { suggestPriorityFee } from '../fees.js';
import { toQuantity } from '../format.js';
import { expectArity } from '../params.js';

/** eth_maxPriorityFeePerGas: the suggested tip, in wei. */
export async function maxPriorityFeePerGas(params: unknown[], context: RpcContext): Promise<Hex> {
  expectArity(params, 0, 0);
  return toQuantity(await suggestPriorityFee(context));
}
