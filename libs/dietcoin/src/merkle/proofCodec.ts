// Binary encoding of Merkle proofs, embedded in shard and account proofs.
//
// Single proof (MerkleProof):
//   index     u32 big-endian
//   count     u32 big-endian, 1..2^32-1, index < count
//   siblings  proofLength(index, count) × 32 bytes (the count is implied, never written)
//
// Multiproof (MerkleMultiProof):
//   count        u32
//   leafCount    u32, 1..count
//   indices      leafCount × u32, strictly ascending, < count
//   siblingCount u32, at most 32 × leafCount
//   siblings     siblingCount × 32 bytes
import { ByteReader } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { DietcoinError } from '../errors.js';
import { proofLength } from './tree.js';

export interface MerkleProof {
  index: number;
  count: number;
  siblings: Uint8Array[];
}

export interface MerkleMultiProof {
  count: number;
  indices: number[];
  siblings: Uint8Array[];
}

export function writeMerkleProof(w: ByteWriter, p: MerkleProof): void {
  w.u32(p.index).u32(p.count);
  for (const s of p.siblings) w.bytes(s);
}

export function readMerkleProof(r: ByteReader, what: string): MerkleProof {
  const index = r.u32();
  const count = r.u32();
  if (count === 0 || index >= count) {
    throw new DietcoinError('MALFORMED', `${what}: leaf ${index} is outside a tree of ${count}`);
  }
  const n = proofLength(index, count);
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < n; i++) siblings.push(r.take(32));
  return { index, count, siblings };
}

export function merkleProofBytes(p: MerkleProof): number {
  return 8 + 32 * p.siblings.length;
}

export function writeMerkleMultiProof(w: ByteWriter, p: MerkleMultiProof): void {
  w.u32(p.count).u32(p.indices.length);
  for (const i of p.indices) w.u32(i);
  w.u32(p.siblings.length);
  for (const s of p.siblings) w.bytes(s);
}

export function readMerkleMultiProof(r: ByteReader, what: string): MerkleMultiProof {
  const count = r.u32();
  const leafCount = r.u32();
  if (count === 0 || leafCount === 0 || leafCount > count) {
    throw new DietcoinError('MALFORMED', `${what}: ${leafCount} leaves of a tree of ${count}`);
  }
  if (leafCount * 4 > r.remaining()) throw new DietcoinError('TRUNCATED', `${what}: indices are truncated`);
  const indices: number[] = [];
  for (let k = 0; k < leafCount; k++) {
    const i = r.u32();
    if (i >= count || (k > 0 && i <= indices[k - 1]!)) {
      throw new DietcoinError('MALFORMED', `${what}: indices are not strictly ascending within the tree`);
    }
    indices.push(i);
  }
  const siblingCount = r.u32();
  if (siblingCount > 32 * leafCount) {
    throw new DietcoinError('OVERSIZED', `${what}: ${siblingCount} siblings for ${leafCount} leaves`);
  }
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < siblingCount; i++) siblings.push(r.take(32));
  return { count, indices, siblings };
}

/** A single proof on its own (the layout above, nothing before or after). */
export function encodeMerkleProof(p: MerkleProof): Uint8Array {
  const w = new ByteWriter(8 + 32 * p.siblings.length);
  writeMerkleProof(w, p);
  return w.finish();
}

/** @throws DietcoinError MALFORMED, TRUNCATED or TRAILING_BYTES. */
export function decodeMerkleProof(bytes: Uint8Array): MerkleProof {
  const r = new ByteReader(bytes, 'Merkle proof');
  const p = readMerkleProof(r, 'Merkle proof');
  r.end();
  return p;
}

/** A multiproof on its own. */
export function encodeMerkleMultiProof(p: MerkleMultiProof): Uint8Array {
  const w = new ByteWriter(12 + 4 * p.indices.length + 32 * p.siblings.length);
  writeMerkleMultiProof(w, p);
  return w.finish();
}

/** @throws DietcoinError MALFORMED, TRUNCATED, OVERSIZED or TRAILING_BYTES. */
export function decodeMerkleMultiProof(bytes: Uint8Array): MerkleMultiProof {
  const r = new ByteReader(bytes, 'Merkle multiproof');
  const p = readMerkleMultiProof(r, 'Merkle multiproof');
  r.end();
  return p;
}
