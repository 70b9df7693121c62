import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity } from '../params.js';
import { khipuBlockNumber } from './blockParam.js';

/** khipu_getBlockStats(block): libs/execution's report of the block (transactions, gas, time,
 *  parallelism, re-runs, fallbacks); `null` for an unknown block. */
export async function getBlockStats(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 1, 1);
  const number = khipuBlockNumber(context, params[0], '0');
  if (number === null) return null;
  const stats = await context.backend.khipu.getBlockStats(number);
  if (stats === null) return null;
  const out: Record<string, unknown> = {
    blockNumber: toQuantity(stats.blockNumber),
    transactions: toQuantity(stats.transactions),
    gasUsed: toQuantity(stats.gasUsed),
    executionSeconds: stats.executionSeconds,
    parallelism: stats.parallelism,
    reRuns: toQuantity(stats.reRuns),
    fallbacks: toQuantity(stats.fallbacks),
  };
  if (stats.lanes !== undefined) out.lanes = toQuantity(stats.lanes);
  return out;
}
