import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { expectArity } from '../params.js';

/** eth_newBlockFilter(): installs a filter of new block hashes. */
export function newBlockFilter(params: unknown[], context: RpcContext): Hex {
  expectArity(params, 0, 0);
  return context.filters.installBlocks();
}
