import type { Hex } from '../backend.js';
import { resolveStateBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { expectArity, parseAddress, parseBlockSpecifier } from '../params.js';

/** eth_getCode(address, block = latest): the account's code, `0x` for none. */
export async function getCode(params: unknown[], context: RpcContext): Promise<Hex> {
  expectArity(params, 1, 2);
  const address = parseAddress(params[0], '0');
  const block = await resolveStateBlock(context, parseBlockSpecifier(params[1] ?? 'latest', '1'));
  return context.backend.state.getCode(address, block);
}
