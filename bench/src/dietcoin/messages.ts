// Message shard proofs: a block whose destination-2 shard holds N messages (32-byte bodies) beside
// seven other destinations' shards; whole-shard and single-message proofs, size and verify time.
import {
  buildMessageShards,
  createMessageProof,
  createShardProof,
  decodeMessageProof,
  decodeShardProof,
  encodeMessage,
  encodeMessageProof,
  encodeShardProof,
  type Message,
  verifyMessageProof,
  verifyShardProof,
} from '@khipu/dietcoin';
import { medianMicros } from './timing.js';

export interface MessageFigures {
  messages: number;
  shardProofBytes: number;
  shardVerifyMicros: number;
  messageProofBytes: number;
  messageVerifyMicros: number;
}

function message(i: number, destinationChainId: bigint): Uint8Array {
  const m: Message = {
    version: 1,
    nonce: BigInt(i),
    sourceChainId: 1n,
    sender: new Uint8Array(20).fill(0x11),
    destinationChainId,
    recipient: new Uint8Array(20).fill(0x22),
    kind: 1,
    amount: 10n ** 18n,
    body: new Uint8Array(32).fill(i & 0xff),
  };
  return encodeMessage(m);
}

export function measureMessages(n: number): MessageFigures {
  const msgs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) msgs.push(message(i, 2n));
  for (let i = 0; i < 70; i++) msgs.push(message(n + i, BigInt(3 + (i % 7))));
  const shards = buildMessageShards({ messages: msgs, sourceChainId: 1n });
  const shardBytes = encodeShardProof(createShardProof({ shards, destinationChainId: 2n }));
  const id = shards.shards[0]!.ids[Math.floor(n / 2)]!;
  const messageBytes = encodeMessageProof(createMessageProof({ shards, id }));
  const runs = n >= 10_000 ? 7 : 51;
  return {
    messages: n,
    shardProofBytes: shardBytes.length,
    shardVerifyMicros: medianMicros(runs, () => {
      verifyShardProof({ proof: decodeShardProof(shardBytes), messageRoot: shards.root, sourceChainId: 1n });
    }),
    messageProofBytes: messageBytes.length,
    messageVerifyMicros: medianMicros(201, () => {
      verifyMessageProof({ proof: decodeMessageProof(messageBytes), messageRoot: shards.root });
    }),
  };
}
