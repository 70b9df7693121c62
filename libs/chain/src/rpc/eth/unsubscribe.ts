import type { RpcContext } from '../context.js';
import { RpcError, RpcErrorCode } from '../errors.js';
import { expectArity, parseId } from '../params.js';

/** eth_unsubscribe(id): true when this connection had the subscription. */
export function unsubscribe(params: unknown[], context: RpcContext): boolean {
  if (context.connection === undefined)
    throw new RpcError(RpcErrorCode.methodNotFound, 'notifications not supported');
  expectArity(params, 1, 1);
  return context.connection.removeSubscription(parseId(params[0], '0'));
}
