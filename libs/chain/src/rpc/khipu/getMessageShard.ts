import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity, parseUint64 } from '../params.js';
import { khipuBlockNumber } from './blockParam.js';

/** khipu_getMessageShard(block, destinationChainId): the block's messages to that chain and the
 *  ShardProof of their digest to the header's messageRoot; `null` when the block is unknown or
 *  sends nothing there. */
export async function getMessageShard(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 2, 2);
  const number = khipuBlockNumber(context, params[0], '0');
  const destination = parseUint64(params[1], '1');
  if (number === null) return null;
  const shard = await context.backend.khipu.getMessageShard(number, destination);
  if (shard === null) return null;
  return {
    blockNumber: toQuantity(shard.blockNumber),
    blockHash: shard.blockHash,
    destinationChainId: toQuantity(shard.destinationChainId),
    messages: shard.messages.map((m) => ({
      id: m.id,
      encoded: m.encoded,
      version: toQuantity(m.version),
      nonce: toQuantity(m.nonce),
      sourceChainId: toQuantity(m.sourceChainId),
      sender: m.sender,
      destinationChainId: toQuantity(m.destinationChainId),
      recipient: m.recipient,
      kind: toQuantity(m.kind),
      amount: toQuantity(m.amount),
      body: m.body,
      transactionHash: m.transactionHash,
      logIndex: toQuantity(m.logIndex),
    })),
    shardDigest: shard.shardDigest,
    messageRoot: shard.messageRoot,
    proof: shard.proof,
  };
}
