import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { expectArity } from '../params.js';

/** net_peerCount: validators talk over their own consensus links, not devp2p: 0. */
export function peerCount(params: unknown[], _context: RpcContext): Hex {
  expectArity(params, 0, 0);
  return '0x0';
}
