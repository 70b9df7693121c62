import type { RpcContext } from '../context.js';
import { expectArity } from '../params.js';

/** web3_clientVersion: the node's name and version. */
export function clientVersion(params: unknown[], context: RpcContext): string {
  expectArity(params, 0, 0);
  return context.options.clientVersion;
}
