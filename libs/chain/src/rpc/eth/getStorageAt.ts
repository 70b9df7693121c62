import type { Hex } from '../backend.js';
import { resolveStateBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { expectArity, parseAddress, parseBlockSpecifier, parseSlot } from '../params.js';

/** eth_getStorageAt(address, slot, block = latest): the 32-byte word in the slot. */
export async function getStorageAt(params: unknown[], context: RpcContext): Promise<Hex> {
  expectArity(params, 2, 3);
  const address = parseAddress(params[0], '0');
  const slot = parseSlot(params[1], '1');
  const block = await resolveStateBlock(context, parseBlockSpecifier(params[2] ?? 'latest', '2'));
  return context.backend.state.getStorageAt(address, slot, block);
}
