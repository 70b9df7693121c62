import type { Hex } from '../backend.js';
import { findBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity, parseBlockNumberOrTag } from '../params.js';

/** eth_getBlockTransactionCountByNumber(block): the count, `null` for an unknown block. */
export async function getBlockTransactionCountByNumber(
  params: unknown[],
  context: RpcContext,
): Promise<Hex | null> {
  expectArity(params, 1, 1);
  const block = await findBlock(context, parseBlockNumberOrTag(params[0], '0'));
  return block === null ? null : toQuantity(block.transactions.length);
}
