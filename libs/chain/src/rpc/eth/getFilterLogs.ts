import type { RpcContext } from '../context.js';
import { formatLog } from '../format.js';
import { resolveLogQuery } from '../logs.js';
import { expectArity, parseId } from '../params.js';

/** eth_getFilterLogs(id): every log matching a log filter, as eth_getLogs would answer. */
export async function getFilterLogs(params: unknown[], context: RpcContext): Promise<unknown[]> {
  expectArity(params, 1, 1);
  const criteria = context.filters.logCriteria(parseId(params[0], '0'));
  const query = await resolveLogQuery(context, criteria);
  if (query === null) return [];
  return (await context.logIndex.getLogs(query)).map(formatLog);
}
