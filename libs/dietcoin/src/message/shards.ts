// Message shards of one block. The block's messages are grouped by destination chain, in block
// order; each group is a shard whose digest is the Merkle root of its message ids:
//   shardDigest  = merkleRoot(hashLeaf(id) for id in shard)
//   topLeaf      = hashLeaf(destinationChainId as u64 big-endian ‖ shardDigest)      (40 bytes)
//   messageRoot  = merkleRoot(topLeaf for shards sorted by destinationChainId), 0x00…00 when empty
import { DietcoinError } from '../errors.js';
import { hashLeaf, MerkleTree } from '../merkle/tree.js';
import { decodeMessage, messageId } from './message.js';

/** One destination's shard of a block. */
export interface MessageShard {
  destinationChainId: bigint;
  /** ABI-encoded messages in block order. */
  messages: Uint8Array[];
  ids: Uint8Array[];
  tree: MerkleTree;
  digest: Uint8Array;
}

/** Every shard of a block and the tree over them. */
export interface MessageShards {
  root: Uint8Array;
  /** Sorted by destinationChainId. */
  shards: MessageShard[];
  top: MerkleTree;
}

/** The 40-byte data of a top-level leaf. */
export function shardLeafData(destinationChainId: bigint, digest: Uint8Array): Uint8Array {
  const out = new Uint8Array(40);
  new DataView(out.buffer).setBigUint64(0, destinationChainId, false);
  out.set(digest, 8);
  return out;
}

export interface BuildMessageShardsParameters {
  /** ABI-encoded messages in block order. */
  messages: readonly Uint8Array[];
  /** When given, every message must come from this chain. */
  sourceChainId?: bigint;
}

/**
 * Groups a block's messages into shards and computes `messageRoot`.
 * @throws DietcoinError INVALID_MESSAGE (or a decoding code) for a malformed message or a wrong source chain.
 */
export function buildMessageShards({ messages, sourceChainId }: BuildMessageShardsParameters): MessageShards {
  const groups = new Map<bigint, { messages: Uint8Array[]; ids: Uint8Array[] }>();
  for (const encoded of messages) {
    const m = decodeMessage(encoded);
    if (sourceChainId !== undefined && m.sourceChainId !== sourceChainId) {
      throw new DietcoinError(
        'INVALID_MESSAGE',
        `message from chain ${m.sourceChainId} in a block of chain ${sourceChainId}`,
      );
    }
    let g = groups.get(m.destinationChainId);
    if (!g) {
      g = { messages: [], ids: [] };
      groups.set(m.destinationChainId, g);
    }
    g.messages.push(encoded);
    g.ids.push(messageId(encoded));
  }
  const shards = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([destinationChainId, g]): MessageShard => {
      const tree = new MerkleTree(g.ids.map(hashLeaf));
      return { destinationChainId, messages: g.messages, ids: g.ids, tree, digest: tree.root };
    });
  const top = new MerkleTree(shards.map((s) => hashLeaf(shardLeafData(s.destinationChainId, s.digest))));
  return { root: top.root, shards, top };
}
