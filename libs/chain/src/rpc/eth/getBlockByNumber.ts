import { findBlock, isPendingTag } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { formatBlock } from '../format.js';
import { expectArity, parseBlockNumberOrTag, parseBoolean } from '../params.js';

/** eth_getBlockByNumber(block, fullTransactions): the block in geth's shape, `null` if none. */
export async function getBlockByNumber(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 2, 2);
  const spec = parseBlockNumberOrTag(params[0], '0');
  const full = parseBoolean(params[1], '1');
  const block = await findBlock(context, spec);
  if (block === null) return null;
  const out = formatBlock(block, full);
  // geth's pending block: not sealed, so no hash, nonce or miner yet.
  if (isPendingTag(context, spec)) {
    out.hash = null;
    out.nonce = null;
    out.miner = null;
  }
  return out;
}
