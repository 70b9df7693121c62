import type { Hex } from '../backend.js';
import { resolveStateBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity, parseAddress, parseBlockSpecifier } from '../params.js';

/** eth_getBalance(address, block = latest): wei at the end of the block. */
export async function getBalance(params: unknown[], context: RpcContext): Promise<Hex> {
  expectArity(params, 1, 2);
  const address = parseAddress(params[0], '0');
  const block = await resolveStateBlock(context, parseBlockSpecifier(params[1] ?? 'latest', '1'));
  return toQuantity(await context.backend.state.getBalance(address, block));
}
