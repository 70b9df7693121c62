import type { RpcContext } from '../context.js';
import { expectArity } from '../params.js';

/** net_version: the chain id in decimal (geth answers the network id, equal to it here). */
export function version(params: unknown[], context: RpcContext): string {
  expectArity(params, 0, 0);
  return context.backend.chainId.toString(10);
}
