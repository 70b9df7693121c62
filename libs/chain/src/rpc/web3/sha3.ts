import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { expectArity, parseData } from '../params.js';

/** web3_sha3: keccak-256 of the given data. */
export async function sha3(params: unknown[], _context: RpcContext): Promise<Hex> {
  expectArity(params, 1, 1);
  const data = parseData(params[0], '0');
  await initDietcoin();
  return `0x${Buffer.from(keccak256(Buffer.from(data.slice(2), 'hex'))).toString('hex')}`;
}
