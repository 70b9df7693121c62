import type { RpcContext } from '../context.js';
import { invalidParams } from '../errors.js';
import { toQuantity } from '../format.js';
import { expectArity, parseAddress, parseUint64 } from '../params.js';

/** khipu_getEvidence(filter?): equivocations seen by consensus, optionally of one validator and
 *  within a height range (`{ validator, fromBlock, toBlock }`), ascending by height. */
export async function getEvidence(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 0, 1);
  const filter = params[0] ?? {};
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw invalidParams('invalid argument 0: expected an object { validator?, fromBlock?, toBlock? }');
  }
  const f = filter as Record<string, unknown>;
  for (const key of Object.keys(f)) {
    if (!['validator', 'fromBlock', 'toBlock'].includes(key)) {
      throw invalidParams(`invalid argument 0: unknown field ${key}`);
    }
  }
  const query = {
    ...(f.validator !== undefined ? { validator: parseAddress(f.validator, '0.validator') } : {}),
    ...(f.fromBlock !== undefined ? { fromHeight: parseUint64(f.fromBlock, '0.fromBlock') } : {}),
    ...(f.toBlock !== undefined ? { toHeight: parseUint64(f.toBlock, '0.toBlock') } : {}),
  };
  const list = (await context.backend.evidence?.list(query)) ?? [];
  return list.map((e) => ({
    chainId: toQuantity(e.chainId),
    height: toQuantity(e.height),
    round: toQuantity(e.round),
    validator: e.validator,
    step: e.step,
    votes: e.votes,
    encoded: e.encoded,
  }));
}
