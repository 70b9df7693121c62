import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity } from '../params.js';

/** eth_blockNumber: the head's number. */
export function blockNumber(params: unknown[], context: RpcContext): Hex {
  expectArity(params, 0, 0);
  return toQuantity(context.backend.blocks.headNumber());
}
