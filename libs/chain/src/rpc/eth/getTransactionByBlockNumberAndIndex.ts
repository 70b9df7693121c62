import { findBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { formatTransaction } from '../format.js';
import { expectArity, parseBlockNumberOrTag, parseUint64 } from '../params.js';

/** eth_getTransactionByBlockNumberAndIndex(block, index): the transaction, `null` if none. */
export async function getTransactionByBlockNumberAndIndex(
  params: unknown[],
  context: RpcContext,
): Promise<unknown> {
  expectArity(params, 2, 2);
  const spec = parseBlockNumberOrTag(params[0], '0');
  const index = parseUint64(params[1], '1');
  const block = await findBlock(context, spec);
  const tx = block?.transactions[Number(index)];
  if (block === null || tx === undefined || index >= BigInt(block.transactions.length)) return null;
  const { header } = block;
  return formatTransaction(
    tx,
    { blockHash: header.hash, blockNumber: header.number, transactionIndex: Number(index) },
    header.baseFeePerGas,
  );
}
