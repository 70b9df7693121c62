import { findBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { formatReceipt } from '../format.js';
import { expectArity, parseBlockSpecifier } from '../params.js';

/** eth_getBlockReceipts(block): every receipt of the block, `null` for an unknown block. */
export async function getBlockReceipts(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 1, 1);
  const block = await findBlock(context, parseBlockSpecifier(params[0], '0'));
  if (block === null) return null;
  const receipts = await context.backend.blocks.getBlockReceipts(block.header.number);
  return receipts === null ? null : receipts.map(formatReceipt);
}
