import type { Hex } from '../backend.js';
import { resolveStateBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity, parseAddress, parseBlockSpecifier } from '../params.js';

/** eth_getTransactionCount(address, block = latest): the account's nonce; with `pending`, the
 *  nonce after the sender's executable pooled transactions. */
export async function getTransactionCount(params: unknown[], context: RpcContext): Promise<Hex> {
  expectArity(params, 1, 2);
  const address = parseAddress(params[0], '0');
  const spec = parseBlockSpecifier(params[1] ?? 'latest', '1');
  // `pending` as geth answers it: the head's nonce raised by the pool, not the pending block's
  // (wallets ask before every send; the pool knows at no execution cost).
  const block = await resolveStateBlock(context, spec, { pendingIsHead: true });
  const nonce = await context.backend.state.getNonce(address, block);
  if ('tag' in spec && spec.tag === 'pending') {
    const pooled = await context.backend.txpool.getPendingNonce(address);
    if (pooled !== null && pooled > nonce) return toQuantity(pooled);
  }
  return toQuantity(nonce);
}
