import type { RpcContext } from '../context.js';
import { RpcError, RpcErrorCode } from '../errors.js';
import { formatLog } from '../format.js';
import { parseLogFilter, resolveLogQuery } from '../logs.js';
import { expectArity } from '../params.js';

/** eth_getLogs(filter): matching logs in chain order; ranges wider than the configured limit
 *  or answers longer than it are refused with -32005. */
export async function getLogs(params: unknown[], context: RpcContext): Promise<unknown[]> {
  expectArity(params, 1, 1);
  const query = await resolveLogQuery(context, parseLogFilter(params[0], '0'));
  if (query === null) return [];
  const logs = await context.logIndex.getLogs(query);
  if (logs.length > context.options.maxLogResults) {
    throw new RpcError(
      RpcErrorCode.limitExceeded,
      `query returned more than ${context.options.maxLogResults} results`,
    );
  }
  return logs.map(formatLog);
}
