// Block tags and specifiers to block numbers.

import type { BlockData, BlockReader, HeaderData } from './backend.js';
import type { RpcContext } from './context.js';
import { serverError } from './errors.js';
import type { BlockSpecifier, BlockTag } from './params.js';

/** The number a tag names: `earliest` 0; `latest` and `pending` the head (we build no pending
 *  block); `safe` and `finalized` the last final block, which on our chains is the head. */
export function tagToNumber(blocks: BlockReader, tag: BlockTag): bigint {
  switch (tag) {
    case 'earliest':
      return 0n;
    case 'latest':
    case 'pending':
      return blocks.headNumber();
    case 'safe':
    case 'finalized':
      return blocks.finalizedNumber?.() ?? blocks.headNumber();
  }
}

/** The number of an existing block, for state methods. Throws -32000 "header not found" for a
 *  number beyond the head and "header for hash not found" for an unknown hash (geth's words). */
export async function resolveStateBlock(context: RpcContext, block: BlockSpecifier): Promise<bigint> {
  const blocks = context.backend.blocks;
  if ('tag' in block) return tagToNumber(blocks, block.tag);
  if ('number' in block) {
    if (block.number > blocks.headNumber()) throw serverError('header not found');
    return block.number;
  }
  const found = await blocks.getBlockByHash(block.hash);
  if (found === null) throw serverError('header for hash not found');
  return found.header.number;
}

/** The block a specifier names, or `null` when there is none. */
export async function findBlock(context: RpcContext, block: BlockSpecifier): Promise<BlockData | null> {
  const blocks = context.backend.blocks;
  if ('hash' in block) return blocks.getBlockByHash(block.hash);
  const number = 'tag' in block ? tagToNumber(blocks, block.tag) : block.number;
  if (number > blocks.headNumber()) return null;
  return blocks.getBlockByNumber(number);
}

/** The header a specifier names, or `null`. */
export async function findHeader(context: RpcContext, block: BlockSpecifier): Promise<HeaderData | null> {
  const blocks = context.backend.blocks;
  if ('hash' in block) return (await blocks.getBlockByHash(block.hash))?.header ?? null;
  const number = 'tag' in block ? tagToNumber(blocks, block.tag) : block.number;
  if (number > blocks.headNumber()) return null;
  return blocks.getHeaderByNumber(number);
}
