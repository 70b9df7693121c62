import type { CallRequest, Hex } from '../backend.js';
import { resolveStateBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { serverError } from '../errors.js';
import { toQuantity } from '../format.js';
import { expectArity, parseBlockSpecifier, parseCallRequest } from '../params.js';
import { callFailure, refuseOverrides } from './call.js';

/** Least gas of any transaction. */
const TX_GAS = 21_000n;
/** geth stops the search once the bracket is within 1.5% of the answer. */
const ERROR_RATIO_PERMILLE = 15n;

/** eth_estimateGas(request, block = latest): the least gas limit with which the call succeeds
 *  (geth's binary search). A call that fails at the cap answers its error: code 3 with the
 *  revert data, or -32000 ("gas required exceeds allowance (N)" when out of gas). */
export async function estimateGas(params: unknown[], context: RpcContext): Promise<Hex> {
  expectArity(params, 1, 3);
  const request = parseCallRequest(params[0], '0');
  const blockNumber = await resolveStateBlock(context, parseBlockSpecifier(params[1] ?? 'latest', '1'));
  refuseOverrides(params[2], 2);
  const { backend, options } = context;
  const header = await backend.blocks.getHeaderByNumber(blockNumber);
  if (header === null) throw serverError('header not found');

  let hi = header.gasLimit;
  if (request.gas !== undefined && request.gas >= TX_GAS && request.gas < hi) hi = request.gas;
  // With a fee set, the sender's balance bounds the gas it can buy (geth's allowance).
  const feeCap = request.gasPrice ?? request.maxFeePerGas;
  if (feeCap !== undefined && feeCap > 0n && request.from !== undefined) {
    const balance = await backend.state.getBalance(request.from, blockNumber);
    const value = request.value ?? 0n;
    if (value >= balance) throw serverError('insufficient funds for transfer');
    const allowance = (balance - value) / feeCap;
    if (allowance < hi) hi = allowance;
  }
  if (hi > options.gasCap) hi = options.gasCap;

  const run = (gas: bigint) => backend.calls.call({ ...(request as CallRequest), gas }, blockNumber);
  const first = await run(hi);
  if (first.status !== 'success') {
    if (first.status === 'halt' && first.error === 'out of gas') {
      throw serverError(`gas required exceeds allowance (${hi})`);
    }
    throw callFailure(first);
  }
  // A plain transfer (no data, no access list) to an account without code needs exactly 21000.
  const plain =
    (request.input === undefined || request.input === '0x') && (request.accessList ?? []).length === 0;
  if (plain && request.to) {
    const code = await backend.state.getCode(request.to, blockNumber);
    if (code === '0x') return toQuantity(TX_GAS);
  }
  let lo = first.gasUsed > 0n ? first.gasUsed - 1n : 0n;
  // Optimistic first guess (geth): gas used plus the 1/64 retained by calls.
  const optimistic = (first.gasUsed * 64n) / 63n;
  if (optimistic < hi && optimistic > lo) {
    const probe = await run(optimistic);
    if (probe.status === 'success') hi = optimistic;
    else lo = optimistic;
  }
  while (lo + 1n < hi) {
    if (((hi - lo) * 1000n) / hi < ERROR_RATIO_PERMILLE) break;
    let mid = (hi + lo) / 2n;
    if (mid > lo * 2n) mid = lo * 2n; // most calls need far less than the cap: narrow fast
    const probe = await run(mid);
    if (probe.status === 'success') hi = mid;
    else lo = mid;
  }
  return toQuantity(hi);
}
