import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { parseLogFilter } from '../logs.js';
import { expectArity } from '../params.js';

/** eth_newFilter(filter): installs a log filter, polled with eth_getFilterChanges. */
export function newFilter(params: unknown[], context: RpcContext): Hex {
  expectArity(params, 1, 1);
  return context.filters.installLogs(parseLogFilter(params[0], '0'));
}
