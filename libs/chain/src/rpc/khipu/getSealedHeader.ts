import type { RpcContext } from '../context.js';
import { formatHeader } from '../format.js';
import { expectArity } from '../params.js';
import { khipuBlockNumber } from './blockParam.js';
import { formatSeal } from './format.js';

/** khipu_getSealedHeader(block): the header, its RLP, its decoded extraData and the seals that
 *  finalized it; `null` for an unknown block. */
export async function getSealedHeader(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 1, 1);
  const number = khipuBlockNumber(context, params[0], '0');
  if (number === null) return null;
  const sealed = await context.backend.khipu.getSealedHeader(number);
  if (sealed === null) return null;
  return {
    header: formatHeader(sealed.header),
    rlp: sealed.rlp,
    extra: {
      validatorsHash: sealed.extra.validatorsHash,
      nextValidatorsHash: sealed.extra.nextValidatorsHash,
      messageRoot: sealed.extra.messageRoot,
      shardRoot: sealed.extra.shardRoot,
      parentSeals: sealed.extra.parentSeals.map(formatSeal),
    },
    seals: sealed.seals.map(formatSeal),
    encoded: sealed.encoded,
  };
}
