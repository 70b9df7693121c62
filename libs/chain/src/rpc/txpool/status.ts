import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity } from '../params.js';

/** txpool_status: numbers of pending (executable) and queued (future) transactions. */
export function status(params: unknown[], context: RpcContext): { pending: Hex; queued: Hex } {
  expectArity(params, 0, 0);
  const counts = context.backend.txpool.counts();
  return { pending: toQuantity(counts.pending), queued: toQuantity(counts.queued) };
}
