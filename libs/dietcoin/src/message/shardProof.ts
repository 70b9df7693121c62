// ShardProof: one destination's whole shard of a block (every message) and its path to messageRoot.
//
// Layout:
//   offset 0   version             u8 = 1
//   offset 1   kind                u8 = 1 (whole shard)
//   offset 2   destinationChainId  u64 big-endian
//   offset 10  shard path          MerkleProof (see merkle/proofCodec.ts) in the tree of shards
//   then       messageCount        u32, 1..MAX_MESSAGES_PER_SHARD
//   then       messageCount × (length u32, ABI-encoded message)
import { ByteReader, checkBound } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError, shortHex } from '../errors.js';
import { type MerkleProof, readMerkleProof, writeMerkleProof } from '../merkle/proofCodec.js';
import { hashLeaf, merkleRoot, proofRoot } from '../merkle/tree.js';
import { decodeMessage, MAX_MESSAGE_BODY_BYTES, type Message, messageId } from './message.js';
import { type MessageShards, shardLeafData } from './shards.js';

export const SHARD_PROOF_VERSION = 1;
export const PROOF_KIND_WHOLE_SHARD = 1;
export const PROOF_KIND_SINGLE_MESSAGE = 2;
export const MAX_MESSAGES_PER_SHARD = 1 << 20;
const MAX_MESSAGE_BYTES = 320 + MAX_MESSAGE_BODY_BYTES;

export interface ShardProof {
  destinationChainId: bigint;
  messages: Uint8Array[];
  shardPath: MerkleProof;
}

export interface CreateShardProofParameters {
  shards: MessageShards;
  destinationChainId: bigint;
}

/**
 * The proof of one destination's shard.
 * @throws DietcoinError WRONG_SHARD when the block has no message for that destination.
 */
export function createShardProof({ shards, destinationChainId }: CreateShardProofParameters): ShardProof {
  const index = shards.shards.findIndex((s) => s.destinationChainId === destinationChainId);
  if (index < 0)
    throw new DietcoinError('WRONG_SHARD', `block has no message shard for chain ${destinationChainId}`);
  const shard = shards.shards[index]!;
  return {
    destinationChainId,
    messages: shard.messages,
    shardPath: { index, count: shards.shards.length, siblings: shards.top.proof(index) },
  };
}

export function encodeShardProof(p: ShardProof): Uint8Array {
  const w = new ByteWriter(
    64 + p.messages.reduce((n, m) => n + m.length + 4, 0) + 32 * p.shardPath.siblings.length,
  );
  w.u8(SHARD_PROOF_VERSION).u8(PROOF_KIND_WHOLE_SHARD).u64(p.destinationChainId);
  writeMerkleProof(w, p.shardPath);
  w.u32(p.messages.length);
  for (const m of p.messages) w.u32(m.length).bytes(m);
  return w.finish();
}

/** Reads the version and kind bytes shared by shard and message proofs. */
export function readProofHead(r: ByteReader, kind: number, what: string): void {
  const version = r.u8();
  if (version !== SHARD_PROOF_VERSION)
    throw new DietcoinError('UNKNOWN_VERSION', `${what} version ${version} is unknown`);
  const k = r.u8();
  if (k !== kind) throw new DietcoinError('MALFORMED', `${what} has kind ${k}, expected ${kind}`);
}

/**
 * Decodes a shard proof strictly (structure only; `verifyShardProof` checks it against a root).
 * @throws DietcoinError UNKNOWN_VERSION, MALFORMED, TRUNCATED, OVERSIZED or TRAILING_BYTES.
 */
export function decodeShardProof(bytes: Uint8Array): ShardProof {
  const r = new ByteReader(bytes, 'shard proof');
  readProofHead(r, PROOF_KIND_WHOLE_SHARD, 'shard proof');
  const destinationChainId = r.u64n();
  const shardPath = readMerkleProof(r, 'shard proof path');
  const count = r.u32();
  if (count === 0) throw new DietcoinError('MALFORMED', 'shard proof carries no message');
  checkBound('shard proof message count', count, MAX_MESSAGES_PER_SHARD);
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.u32();
    checkBound('shard proof message length', len, MAX_MESSAGE_BYTES);
    messages.push(r.take(len));
  }
  r.end();
  return { destinationChainId, messages, shardPath };
}

export interface VerifyShardProofParameters {
  proof: ShardProof;
  /** messageRoot of a header the light client accepted. */
  messageRoot: Uint8Array;
  /** Number of that block, for error messages. */
  blockNumber?: number;
  /** When given, every message must come from this chain. */
  sourceChainId?: bigint;
}

export interface VerifyShardProofReturnType {
  messages: Message[];
  ids: Uint8Array[];
}

function blockName(n: number | undefined): string {
  return n === undefined ? 'the block' : `block ${n}`;
}

/**
 * Checks a whole-shard proof against a header's messageRoot and returns the decoded messages.
 * @throws DietcoinError INVALID_MESSAGE (wrong destination or source), INVALID_PROOF or WRONG_ROOT.
 */
export function verifyShardProof(p: VerifyShardProofParameters): VerifyShardProofReturnType {
  const { proof } = p;
  const messages = proof.messages.map((encoded) => {
    const m = decodeMessage(encoded);
    if (m.destinationChainId !== proof.destinationChainId) {
      throw new DietcoinError(
        'INVALID_MESSAGE',
        `shard proof for chain ${proof.destinationChainId} of ${blockName(p.blockNumber)} carries a message to chain ${m.destinationChainId}`,
      );
    }
    if (p.sourceChainId !== undefined && m.sourceChainId !== p.sourceChainId) {
      throw new DietcoinError(
        'INVALID_MESSAGE',
        `shard proof carries a message from chain ${m.sourceChainId}`,
      );
    }
    return m;
  });
  const ids = proof.messages.map(messageId);
  const digest = merkleRoot(ids.map(hashLeaf));
  const leaf = hashLeaf(shardLeafData(proof.destinationChainId, digest));
  const root = proofRoot(leaf, proof.shardPath.index, proof.shardPath.count, proof.shardPath.siblings);
  if (!equal32(root, p.messageRoot)) {
    throw new DietcoinError(
      'WRONG_ROOT',
      `shard proof for chain ${proof.destinationChainId} of ${blockName(p.blockNumber)} does not match messageRoot ${shortHex(p.messageRoot)}`,
    );
  }
  return { messages, ids };
}

export function equal32(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
