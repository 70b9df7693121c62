// Fee arithmetic (EIP-1559) and the priority-fee suggestion behind eth_gasPrice,
// eth_maxPriorityFeePerGas and eth_feeHistory.

import type { HeaderData, TransactionData } from './backend.js';
import type { RpcContext } from './context.js';

const ELASTICITY_MULTIPLIER = 2n;
const BASE_FEE_CHANGE_DENOMINATOR = 8n;

/** The base fee of the block after `parent` (EIP-1559); `undefined` before London. */
export function nextBaseFee(parent: HeaderData): bigint | undefined {
  const base = parent.baseFeePerGas;
  if (base === undefined) return undefined;
  const target = parent.gasLimit / ELASTICITY_MULTIPLIER;
  if (target === 0n || parent.gasUsed === target) return base;
  if (parent.gasUsed > target) {
    const delta = (base * (parent.gasUsed - target)) / target / BASE_FEE_CHANGE_DENOMINATOR;
    return base + (delta > 1n ? delta : 1n);
  }
  const delta = (base * (target - parent.gasUsed)) / target / BASE_FEE_CHANGE_DENOMINATOR;
  return base > delta ? base - delta : 0n;
}

/** The base fee of the block after `header`: the next header's when it exists, else the
 *  backend's own rule for the block to be built, else plain EIP-1559. */
export async function baseFeeAfter(context: RpcContext, header: HeaderData): Promise<bigint | undefined> {
  const blocks = context.backend.blocks;
  if (header.number < blocks.headNumber()) {
    const next = await blocks.getHeaderByNumber(header.number + 1n);
    if (next !== null) return next.baseFeePerGas;
  }
  return blocks.nextBaseFeePerGas?.() ?? nextBaseFee(header);
}

/** The tip a transaction pays above the base fee. */
export function effectiveTip(tx: TransactionData, baseFee: bigint | undefined): bigint {
  const base = baseFee ?? 0n;
  if (tx.type === 2) {
    const cap = (tx.maxFeePerGas ?? 0n) - base;
    const tip = tx.maxPriorityFeePerGas ?? 0n;
    return tip < cap ? tip : cap > 0n ? cap : 0n;
  }
  const price = tx.gasPrice ?? 0n;
  return price > base ? price - base : 0n;
}

/** Blocks looked at by the suggestion, and the cheapest transactions taken from each (geth's
 *  oracle: 20 blocks, 3 transactions, 60th percentile). */
const ORACLE_BLOCKS = 20n;
const ORACLE_SAMPLES_PER_BLOCK = 3;
const ORACLE_PERCENTILE = 60;

const suggestionCache = new WeakMap<RpcContext['backend'], { head: bigint; tip: bigint }>();

/** Suggested priority fee: the 60th percentile of the cheapest tips in the last 20 blocks,
 *  within [minSuggestedPriorityFee, maxSuggestedPriorityFee]; the floor when blocks are empty.
 *  Cached per head. */
export async function suggestPriorityFee(context: RpcContext): Promise<bigint> {
  const { backend, options } = context;
  const head = backend.blocks.headNumber();
  const cached = suggestionCache.get(backend);
  if (cached !== undefined && cached.head === head) return cached.tip;
  const samples: bigint[] = [];
  for (let n = head; n >= 0n && n > head - ORACLE_BLOCKS; n--) {
    const block = await backend.blocks.getBlockByNumber(n);
    if (block === null) break;
    const coinbase = block.header.coinbase;
    const tips = block.transactions
      .filter((tx) => tx.from !== coinbase)
      .map((tx) => effectiveTip(tx, block.header.baseFeePerGas))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    samples.push(...tips.slice(0, ORACLE_SAMPLES_PER_BLOCK));
  }
  let tip = options.minSuggestedPriorityFee;
  if (samples.length > 0) {
    samples.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const sampled = samples[Math.floor(((samples.length - 1) * ORACLE_PERCENTILE) / 100)] ?? 0n;
    if (sampled > tip) tip = sampled;
  }
  if (tip > options.maxSuggestedPriorityFee) tip = options.maxSuggestedPriorityFee;
  suggestionCache.set(backend, { head, tip });
  return tip;
}
