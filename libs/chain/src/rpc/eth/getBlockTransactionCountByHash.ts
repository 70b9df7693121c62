import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity, parseHash } from '../params.js';

/** eth_getBlockTransactionCountByHash(hash): the count, `null` for an unknown block. */
export async function getBlockTransactionCountByHash(
  params: unknown[],
  context: RpcContext,
): Promise<Hex | null> {
  expectArity(params, 1, 1);
  const block = await context.backend.blocks.getBlockByHash(parseHash(params[0], '0'));
  return block === null ? null : toQuantity(block.transactions.length);
}
