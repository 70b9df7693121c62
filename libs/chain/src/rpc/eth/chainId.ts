import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity } from '../params.js';

/** eth_chainId: the EIP-155 chain id. */
export function chainId(params: unknown[], context: RpcContext): Hex {
  expectArity(params, 0, 0);
  return toQuantity(context.backend.chainId);
}
