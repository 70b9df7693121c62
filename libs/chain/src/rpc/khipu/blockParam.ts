import { tagToNumber } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { parseBlockNumberOrTag } from '../params.js';

/** A khipu_* block argument (number or tag) as a number; `null` beyond the head. */
export function khipuBlockNumber(context: RpcContext, value: unknown, name: string): bigint | null {
  const spec = parseBlockNumberOrTag(value, name);
  const blocks = context.backend.blocks;
  const number = 'tag' in spec ? tagToNumber(blocks, spec.tag) : 'number' in spec ? spec.number : 0n;
  return number > blocks.headNumber() ? null : number;
}
