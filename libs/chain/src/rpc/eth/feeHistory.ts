import type { Hex } from '../backend.js';
import { tagToNumber } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { invalidParams, serverError } from '../errors.js';
import { baseFeeAfter, effectiveTip } from '../fees.js';
import { toQuantity } from '../format.js';
import { expectArity, parseBlockNumberOrTag } from '../params.js';

export interface FeeHistoryReturnType {
  oldestBlock: Hex;
  baseFeePerGas: Hex[];
  gasUsedRatio: number[];
  reward?: Hex[][];
}

/** Most reward percentiles one request may ask (geth: 100). */
const MAX_PERCENTILES = 100;

/** geth's math.HexOrDecimal64: a hex or decimal string, or a JSON number. */
function parseBlockCount(value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(value)) return BigInt(value);
  throw invalidParams('invalid argument 0: invalid block count');
}

function parsePercentiles(value: unknown): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParams('invalid argument 2: reward percentiles must be an array');
  if (value.length > MAX_PERCENTILES) {
    throw invalidParams(
      `invalid argument 2: invalid reward percentile: over ${MAX_PERCENTILES} reward percentiles`,
    );
  }
  let previous = -1;
  return value.map((p) => {
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100 || p < previous) {
      throw invalidParams(`invalid reward percentile: ${String(p).slice(0, 32)}`);
    }
    previous = p;
    return p;
  });
}

/** eth_feeHistory(blockCount, newestBlock, rewardPercentiles?): base fees (one more than the
 *  blocks: the next block's), gas used ratios and, per block, the tips at the given
 *  percentiles of gas (geth's algorithm). */
export async function feeHistory(params: unknown[], context: RpcContext): Promise<FeeHistoryReturnType> {
  expectArity(params, 2, 3);
  let count = parseBlockCount(params[0]);
  const spec = parseBlockNumberOrTag(params[1], '1');
  const percentiles = parsePercentiles(params[2]);
  const blocks = context.backend.blocks;
  const head = blocks.headNumber();
  const newest = 'tag' in spec ? tagToNumber(blocks, spec.tag) : 'number' in spec ? spec.number : head;
  if (newest > head) throw serverError(`request beyond head block: requested ${newest}, head ${head}`);
  if (count > BigInt(context.options.maxFeeHistoryBlocks))
    count = BigInt(context.options.maxFeeHistoryBlocks);
  if (count > newest + 1n) count = newest + 1n;
  if (count === 0n) return { oldestBlock: '0x0', baseFeePerGas: [], gasUsedRatio: [] };
  const oldest = newest - count + 1n;
  const baseFeePerGas: Hex[] = [];
  const gasUsedRatio: number[] = [];
  const reward: Hex[][] = [];
  for (let n = oldest; n <= newest; n++) {
    const header = await blocks.getHeaderByNumber(n);
    if (header === null) throw serverError(`header ${n} not found`);
    baseFeePerGas.push(toQuantity(header.baseFeePerGas ?? 0n));
    gasUsedRatio.push(header.gasLimit === 0n ? 0 : Number(header.gasUsed) / Number(header.gasLimit));
    if (n === newest) baseFeePerGas.push(toQuantity((await baseFeeAfter(context, header)) ?? 0n));
    if (percentiles === undefined) continue;
    const block = await blocks.getBlockByNumber(n);
    const receipts = await blocks.getBlockReceipts(n);
    if (block === null || receipts === null || block.transactions.length === 0 || header.gasUsed === 0n) {
      reward.push(percentiles.map(() => '0x0'));
      continue;
    }
    const sorted = block.transactions
      .map((tx, i) => ({ tip: effectiveTip(tx, header.baseFeePerGas), gas: receipts[i]?.gasUsed ?? 0n }))
      .sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0));
    const row: Hex[] = [];
    let index = 0;
    let sum = sorted[0]?.gas ?? 0n;
    for (const p of percentiles) {
      const threshold = (Number(header.gasUsed) * p) / 100;
      while (Number(sum) < threshold && index < sorted.length - 1) {
        index++;
        sum += sorted[index]?.gas ?? 0n;
      }
      row.push(toQuantity(sorted[index]?.tip ?? 0n));
    }
    reward.push(row);
  }
  const result: FeeHistoryReturnType = { oldestBlock: toQuantity(oldest), baseFeePerGas, gasUsedRatio };
  if (percentiles !== undefined) result.reward = reward;
  return result;
}
