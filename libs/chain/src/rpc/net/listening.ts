import type { RpcContext } from '../context.js';
import { expectArity } from '../params.js';

/** net_listening: always true while the server answers. */
export function listening(params: unknown[], _context: RpcContext): boolean {
  expectArity(params, 0, 0);
  return true;
}
