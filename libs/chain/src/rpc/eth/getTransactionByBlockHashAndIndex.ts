import type { RpcContext } from '../context.js';
import { formatTransaction } from '../format.js';
import { expectArity, parseHash, parseUint64 } from '../params.js';

/** eth_getTransactionByBlockHashAndIndex(hash, index): the transaction, `null` if none. */
export async function getTransactionByBlockHashAndIndex(
  params: unknown[],
  context: RpcContext,
): Promise<unknown> {
  expectArity(params, 2, 2);
  const hash = parseHash(params[0], '0');
  const index = parseUint64(params[1], '1');
  const block = await context.backend.blocks.getBlockByHash(hash);
  if (block === null || index >= BigInt(block.transactions.length)) return null;
  const tx = block.transactions[Number(index)];
  if (tx === undefined) return null;
  const { header } = block;
  return formatTransaction(
    tx,
    { blockHash: header.hash, blockNumber: header.number, transactionIndex: Number(index) },
    header.baseFeePerGas,
  );
}
