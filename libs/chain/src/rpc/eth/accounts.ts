import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { expectArity } from '../params.js';

/** eth_accounts: the node holds no user keys. */
export function accounts(params: unknown[], _context: RpcContext): Hex[] {
  expectArity(params, 0, 0);
  return [];
}
