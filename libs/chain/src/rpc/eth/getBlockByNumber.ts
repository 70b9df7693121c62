import { findBlock, findBlockSummary, isPendingTag } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { formatBlock, formatBlockSummary } from '../format.js';
import { expectArity, parseBlockNumberOrTag, parseBoolean } from '../params.js';

/** eth_getBlockByNumber(block, fullTransactions): the block in geth's shape, `null` if none.
 *  Without full transactions, no transaction is decoded (block watchers poll this). */
export async function getBlockByNumber(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 2, 2);
  const spec = parseBlockNumberOrTag(params[0], '0');
  const full = parseBoolean(params[1], '1');
  let out: Record<string, unknown>;
  if (full) {
    const block = await findBlock(context, spec);
    if (block === null) return null;
    out = formatBlock(block, true);
  } else {
    const summary = await findBlockSummary(context, spec);
    if (summary === null) return null;
    out = formatBlockSummary(summary);
  }
  // geth's pending block: not sealed, so no hash, nonce or miner yet.
  if (isPendingTag(context, spec)) {
    out.hash = null;
    out.nonce = null;
    out.miner = null;
  }
  return out;
}
