import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { expectArity } from '../params.js';

/** eth_newPendingTransactionFilter(): installs a filter of newly pooled transaction hashes. */
export function newPendingTransactionFilter(params: unknown[], context: RpcContext): Hex {
  expectArity(params, 0, 1);
  return context.filters.installPendingTransactions();
}
