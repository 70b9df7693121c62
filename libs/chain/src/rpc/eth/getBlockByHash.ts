import { findBlockSummary } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { formatBlock, formatBlockSummary } from '../format.js';
import { expectArity, parseBoolean, parseHash } from '../params.js';

/** eth_getBlockByHash(hash, fullTransactions): the block in geth's shape, `null` if unknown.
 *  Without full transactions, no transaction is decoded. */
export async function getBlockByHash(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 2, 2);
  const hash = parseHash(params[0], '0');
  const full = parseBoolean(params[1], '1');
  if (!full) {
    const summary = await findBlockSummary(context, { hash });
    return summary === null ? null : formatBlockSummary(summary);
  }
  const block = await context.backend.blocks.getBlockByHash(hash);
  return block === null ? null : formatBlock(block, true);
}
