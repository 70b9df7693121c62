import type { RpcContext } from '../context.js';
import { expectArity } from '../params.js';

/** eth_syncing: a node answers only once it has caught up, so always false. */
export function syncing(params: unknown[], _context: RpcContext): false {
  expectArity(params, 0, 0);
  return false;
}
