import type { CallResult, Hex } from '../backend.js';
import { resolveStateBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { executionReverted, invalidParams, serverError } from '../errors.js';
import { expectArity, parseBlockSpecifier, parseCallRequest } from '../params.js';

/** Turns a failed call into geth's error: code 3 "execution reverted[: reason]" with the revert
 *  data, or -32000 with the halt's reason. */
export function callFailure(result: CallResult) {
  if (result.status === 'revert') return executionReverted(result.returnData);
  return serverError(result.error ?? 'execution failed');
}

/** Refuses state and block overrides, which this node does not implement. */
export function refuseOverrides(value: unknown, index: number): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return;
  throw invalidParams(`invalid argument ${index}: state and block overrides are not supported`);
}

/** eth_call(request, block = latest): runs the call on the block's state and answers its return
 *  data; a revert answers code 3 "execution reverted: <reason>" with the revert data. */
export async function call(params: unknown[], context: RpcContext): Promise<Hex> {
  expectArity(params, 1, 4);
  const request = parseCallRequest(params[0], '0');
  const block = await resolveStateBlock(context, parseBlockSpecifier(params[1] ?? 'latest', '1'));
  refuseOverrides(params[2], 2);
  refuseOverrides(params[3], 3);
  const cap = context.options.gasCap;
  const gas = request.gas === undefined || request.gas > cap ? cap : request.gas;
  const result = await context.backend.calls.call({ ...request, gas }, block);
  if (result.status !== 'success') throw callFailure(result);
  return result.returnData;
}
