// Block tags and specifiers to block numbers.

import type { BlockData, BlockReader, BlockSummary, HeaderData, PendingBlockSource } from './backend.js';
import type { RpcContext } from './context.js';
import { serverError } from './errors.js';
import type { BlockSpecifier, BlockTag } from './params.js';

/** The number a tag names: `earliest` 0; `latest` and `pending` the head (the pending block is
 *  not a committed block: see `resolveStateBlock` and `findBlock`); `safe` and `finalized` the
 *  last final block, which on our chains is the head. */
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

/** The number of an existing block, for state methods: `pending` is head + 1 when the backend
 *  builds a pending block (its readers answer that number from it), unless `pendingIsHead` (a
 *  method that answers `pending` from the pool instead). Throws -32000 "header not found" for a
 *  number beyond the head and "header for hash not found" for an unknown hash (geth's words). */
export async function resolveStateBlock(
  context: RpcContext,
  block: BlockSpecifier,
  options: { pendingIsHead?: boolean } = {},
): Promise<bigint> {
  const blocks = context.backend.blocks;
  if ('tag' in block) {
    if (block.tag === 'pending' && context.backend.pending && !options.pendingIsHead) {
      return blocks.headNumber() + 1n;
    }
    return tagToNumber(blocks, block.tag);
  }
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
  if (isPendingTag(context, block)) return (context.backend.pending as PendingBlockSource).block();
  if ('hash' in block) return blocks.getBlockByHash(block.hash);
  const number = 'tag' in block ? tagToNumber(blocks, block.tag) : block.number;
  if (number > blocks.headNumber()) return null;
  return blocks.getBlockByNumber(number);
}

/** The block a specifier names with transaction hashes only, or `null` when there is none:
 *  from the reader's summary when it has one (no transaction decoded), else from the block. */
export async function findBlockSummary(
  context: RpcContext,
  block: BlockSpecifier,
): Promise<BlockSummary | null> {
  const blocks = context.backend.blocks;
  if (!isPendingTag(context, block)) {
    if ('hash' in block) {
      if (blocks.getBlockSummaryByHash) return blocks.getBlockSummaryByHash(block.hash);
    } else if (blocks.getBlockSummaryByNumber) {
      const number = 'tag' in block ? tagToNumber(blocks, block.tag) : block.number;
      return number > blocks.headNumber() ? null : blocks.getBlockSummaryByNumber(number);
    }
  }
  const full = await findBlock(context, block);
  return full === null ? null : summaryOf(full);
}

/** The summary of a decoded block. */
export function summaryOf(block: BlockData): BlockSummary {
  return { header: block.header, transactionHashes: block.transactions.map((t) => t.hash), size: block.size };
}

/** The header a specifier names, or `null`. */
export async function findHeader(context: RpcContext, block: BlockSpecifier): Promise<HeaderData | null> {
  const blocks = context.backend.blocks;
  if (isPendingTag(context, block))
    return (await (context.backend.pending as PendingBlockSource).block()).header;
  if ('hash' in block) return (await blocks.getBlockByHash(block.hash))?.header ?? null;
  const number = 'tag' in block ? tagToNumber(blocks, block.tag) : block.number;
  if (number > blocks.headNumber()) return null;
  return blocks.getHeaderByNumber(number);
}

/** Whether `block` is the `pending` tag and the backend builds a pending block. */
export function isPendingTag(context: RpcContext, block: BlockSpecifier): boolean {
  return 'tag' in block && block.tag === 'pending' && context.backend.pending !== undefined;
}
