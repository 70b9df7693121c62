import type { RpcContext } from '../context.js';
import { formatBlock } from '../format.js';
import { expectArity, parseBoolean, parseHash } from '../params.js';

/** eth_getBlockByHash(hash, fullTransactions): the block in geth's shape, `null` if unknown. */
export async function getBlockByHash(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 2, 2);
  const hash = parseHash(params[0], '0');
  const full = parseBoolean(params[1], '1');
  const block = await context.backend.blocks.getBlockByHash(hash);
  return block === null ? null : formatBlock(block, full);
}
