// The header of a block built on the head, shared by the producer (sealed blocks) and the pending
// block (node/pendingBlock.ts): the block context a child of the head executes in, and its
// header from execution's output.
import { hexToBytes } from '@ethereumjs/util';
import { createHeader, type KhipuExtraData, type KhipuHeader, keccak256 } from '@khipu/dietcoin';
import type { BlockContext, ExecuteBlockOutput } from '../exec/types.js';
import type { HeaderData } from '../rpc/backend.js';

const PREV_RANDAO_TAG = new TextEncoder().encode('prevRandao');

/** The context of the child of `parent` built at `nowMs`: its timestamp is the current second,
 *  or the parent's plus one when the clock has not passed it; the parent's gas limit. */
export function childBlockContext(
  parent: HeaderData,
  p: { nowMs: number; coinbase: Uint8Array; baseFeePerGas: bigint },
): BlockContext {
  const nowSeconds = BigInt(Math.floor(p.nowMs / 1000));
  return {
    number: parent.number + 1n,
    parentHash: hexToBytes(parent.hash),
    timestamp: nowSeconds > parent.timestamp ? nowSeconds : parent.timestamp + 1n,
    coinbase: p.coinbase,
    gasLimit: parent.gasLimit,
    baseFeePerGas: p.baseFeePerGas,
    // No randomness beacon on our chains: prevRandao is derived from the parent.
    mixHash: keccak256(hexToBytes(parent.hash), PREV_RANDAO_TAG),
  };
}

/** The header of a block executed in `context`, with `extra` as its extraData. */
export function builtBlockHeader(
  context: BlockContext,
  out: Pick<ExecuteBlockOutput, 'stateRoot' | 'transactionsRoot' | 'receiptsRoot' | 'logsBloom' | 'gasUsed'>,
  extra: KhipuExtraData,
): KhipuHeader {
  return createHeader({
    parentHash: context.parentHash,
    number: Number(context.number),
    timestamp: Number(context.timestamp),
    coinbase: context.coinbase,
    stateRoot: out.stateRoot,
    transactionsTrie: out.transactionsRoot,
    receiptTrie: out.receiptsRoot,
    logsBloom: out.logsBloom,
    gasLimit: context.gasLimit,
    gasUsed: out.gasUsed,
    mixHash: context.mixHash,
    baseFeePerGas: context.baseFeePerGas,
    extra,
  });
}
