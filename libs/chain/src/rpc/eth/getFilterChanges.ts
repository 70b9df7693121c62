import type { Hash, LogData } from '../backend.js';
import type { RpcContext } from '../context.js';
import { formatLog } from '../format.js';
import { expectArity, parseId } from '../params.js';

/** eth_getFilterChanges(id): what arrived since the last poll (logs, or block or transaction
 *  hashes). -32000 "filter not found" for an unknown or expired id. */
export function getFilterChanges(params: unknown[], context: RpcContext): unknown[] {
  expectArity(params, 1, 1);
  const { kind, changes } = context.filters.takeChanges(parseId(params[0], '0'));
  return kind === 'logs' ? (changes as LogData[]).map(formatLog) : (changes as Hash[]);
}
