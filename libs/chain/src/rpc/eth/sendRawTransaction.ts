import type { Hash } from '../backend.js';
import type { RpcContext } from '../context.js';
import { expectArity, parseData } from '../params.js';

/** eth_sendRawTransaction(data): hands the signed transaction to the pool and answers its hash.
 *  A refusal answers -32000 with geth's wording ("nonce too low", "already known", ...). */
export async function sendRawTransaction(params: unknown[], context: RpcContext): Promise<Hash> {
  expectArity(params, 1, 1);
  const data = parseData(params[0], '0');
  return context.backend.txpool.submitRawTransaction(Buffer.from(data.slice(2), 'hex'));
}
