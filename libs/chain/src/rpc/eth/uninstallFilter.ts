import type { RpcContext } from '../context.js';
import { expectArity, parseId } from '../params.js';

/** eth_uninstallFilter(id): true when the filter existed. */
export function uninstallFilter(params: unknown[], context: RpcContext): boolean {
  expectArity(params, 1, 1);
  return context.filters.uninstall(parseId(params[0], '0'));
}
