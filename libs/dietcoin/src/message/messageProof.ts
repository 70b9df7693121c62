// MessageProof: one message, its path inside its destination's shard, and the shard's path to
// messageRoot.
//
// Layout:
//   offset 0   version             u8 = 1
//   offset 1   kind                u8 = 2 (single message)
//   offset 2   destinationChainId  u64 big-endian
//   offset 10  shard path          MerkleProof in the tree of shards
//   then       message path        MerkleProof in the shard's tree of message ids
//   then       message length      u32, then the ABI-encoded message
import { ByteReader, checkBound } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError, shortHex } from '../errors.js';
import { type MerkleProof, readMerkleProof, writeMerkleProof } from '../merkle/proofCodec.js';
import { hashLeaf, proofRoot } from '../merkle/tree.js';
import { decodeMessage, MAX_MESSAGE_BODY_BYTES, type Message, messageId } from './message.js';
import { equal32, PROOF_KIND_SINGLE_MESSAGE, readProofHead, SHARD_PROOF_VERSION } from './shardProof.js';
import { type MessageShards, shardLeafData } from './shards.js';

export interface MessageProof {
  destinationChainId: bigint;
  message: Uint8Array;
  shardPath: MerkleProof;
  messagePath: MerkleProof;
}

export interface CreateMessageProofParameters {
  shards: MessageShards;
  /** Id of the message to prove. */
  id: Uint8Array;
}

/**
 * The proof of one message of a block.
 * @throws DietcoinError WRONG_SHARD when the block has no message with that id.
 */
export function createMessageProof({ shards, id }: CreateMessageProofParameters): MessageProof {
  for (let s = 0; s < shards.shards.length; s++) {
    const shard = shards.shards[s]!;
    const i = shard.ids.findIndex((x) => equal32(x, id));
    if (i < 0) continue;
    return {
      destinationChainId: shard.destinationChainId,
      message: shard.messages[i]!,
      shardPath: { index: s, count: shards.shards.length, siblings: shards.top.proof(s) },
      messagePath: { index: i, count: shard.ids.length, siblings: shard.tree.proof(i) },
    };
  }
  throw new DietcoinError('WRONG_SHARD', `block has no message ${shortHex(id)}`);
}

export function encodeMessageProof(p: MessageProof): Uint8Array {
  const w = new ByteWriter(
    64 + p.message.length + 32 * (p.shardPath.siblings.length + p.messagePath.siblings.length),
  );
  w.u8(SHARD_PROOF_VERSION).u8(PROOF_KIND_SINGLE_MESSAGE).u64(p.destinationChainId);
  writeMerkleProof(w, p.shardPath);
  writeMerkleProof(w, p.messagePath);
  w.u32(p.message.length).bytes(p.message);
  return w.finish();
}

/**
 * Decodes a single-message proof strictly.
 * @throws DietcoinError UNKNOWN_VERSION, MALFORMED, TRUNCATED, OVERSIZED or TRAILING_BYTES.
 */
export function decodeMessageProof(bytes: Uint8Array): MessageProof {
  const r = new ByteReader(bytes, 'message proof');
  readProofHead(r, PROOF_KIND_SINGLE_MESSAGE, 'message proof');
  const destinationChainId = r.u64n();
  const shardPath = readMerkleProof(r, 'message proof shard path');
  const messagePath = readMerkleProof(r, 'message proof message path');
  const len = r.u32();
  checkBound('message proof message length', len, 320 + MAX_MESSAGE_BODY_BYTES);
  const message = r.take(len);
  r.end();
  return { destinationChainId, message, shardPath, messagePath };
}

export interface VerifyMessageProofParameters {
  proof: MessageProof;
  messageRoot: Uint8Array;
  blockNumber?: number;
  sourceChainId?: bigint;
}

export interface VerifyMessageProofReturnType {
  message: Message;
  id: Uint8Array;
}

/**
 * Checks a single-message proof against a header's messageRoot.
 * @throws DietcoinError INVALID_MESSAGE, INVALID_PROOF or WRONG_ROOT.
 */
export function verifyMessageProof(p: VerifyMessageProofParameters): VerifyMessageProofReturnType {
  const { proof } = p;
  const message = decodeMessage(proof.message);
  if (message.destinationChainId !== proof.destinationChainId) {
    throw new DietcoinError(
      'INVALID_MESSAGE',
      `message proof for chain ${proof.destinationChainId} carries a message to chain ${message.destinationChainId}`,
    );
  }
  if (p.sourceChainId !== undefined && message.sourceChainId !== p.sourceChainId) {
    throw new DietcoinError(
      'INVALID_MESSAGE',
      `message proof carries a message from chain ${message.sourceChainId}`,
    );
  }
  const id = messageId(proof.message);
  const digest = proofRoot(
    hashLeaf(id),
    proof.messagePath.index,
    proof.messagePath.count,
    proof.messagePath.siblings,
  );
  const leaf = hashLeaf(shardLeafData(proof.destinationChainId, digest));
  const root = proofRoot(leaf, proof.shardPath.index, proof.shardPath.count, proof.shardPath.siblings);
  if (!equal32(root, p.messageRoot)) {
    throw new DietcoinError(
      'WRONG_ROOT',
      `message proof of ${shortHex(id)}${p.blockNumber === undefined ? '' : ` in block ${p.blockNumber}`} does not match messageRoot ${shortHex(p.messageRoot)}`,
    );
  }
  return { message, id };
}
