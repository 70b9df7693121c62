import type { RpcContext } from '../context.js';
import { formatReceipt } from '../format.js';
import { expectArity, parseHash } from '../params.js';

/** eth_getTransactionReceipt(hash): the receipt of a mined transaction, `null` otherwise. */
export async function getTransactionReceipt(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 1, 1);
  const receipt = await context.backend.blocks.getReceipt(parseHash(params[0], '0'));
  return receipt === null ? null : formatReceipt(receipt);
}
