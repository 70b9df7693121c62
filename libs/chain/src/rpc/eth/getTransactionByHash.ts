import type { RpcContext } from '../context.js';
import { formatTransaction } from '../format.js';
import { expectArity, parseHash } from '../params.js';

/** eth_getTransactionByHash(hash): a mined transaction with its location, else a pooled one
 *  with `null` location, else `null`. */
export async function getTransactionByHash(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 1, 1);
  const hash = parseHash(params[0], '0');
  const mined = await context.backend.blocks.getTransaction(hash);
  if (mined !== null) return formatTransaction(mined.transaction, mined, mined.baseFeePerGas);
  const pooled = context.backend.txpool.getTransaction(hash);
  return pooled === null ? null : formatTransaction(pooled);
}
