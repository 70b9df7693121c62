import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { initDietcoin } from '../crypto/backend.js';
import { ByteReader } from '../encoding/reader.js';
import { ByteWriter } from '../encoding/writer.js';
import { isDietcoinError } from '../errors.js';
import { flipEveryByte, testIterations } from '../testing/flip.js';
import {
  decodeMerkleMultiProof,
  decodeMerkleProof,
  encodeMerkleMultiProof,
  encodeMerkleProof,
  readMerkleMultiProof,
  readMerkleProof,
  writeMerkleMultiProof,
  writeMerkleProof,
} from './proofCodec.js';
import { hashLeaf, MerkleTree, merkleRoot, multiProofRoot, proofRoot, ZERO_ROOT } from './tree.js';

// Independent reference: RFC 6962's recursive definition over @noble/hashes, plus the count binding.
const nLeaf = (d: Uint8Array) => keccak_256(new Uint8Array([0, ...d]));
const nNode = (l: Uint8Array, r: Uint8Array) => keccak_256(new Uint8Array([1, ...l, ...r]));
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nNode(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function referenceRoot(data: Uint8Array[]): Uint8Array {
  if (data.length === 0) return new Uint8Array(32);
  const count = new Uint8Array(8);
  new DataView(count.buffer).setBigUint64(0, BigInt(data.length), false);
  return keccak_256(new Uint8Array([2, ...count, ...mth(data.map(nLeaf))]));
}

const leafData = (n: number) => Array.from({ length: n }, (_, i) => new Uint8Array([i & 0xff, i >> 8, 7]));

describe('[Dietcoin] Merkle trees', () => {
  before(async () => {
    await initDietcoin();
  });

  it('computes the RFC 6962 shape bound to the leaf count, as an independent reference does', () => {
    assert.deepEqual(merkleRoot([]), ZERO_ROOT);
    for (let n = 1; n <= 40; n++) {
      const data = leafData(n);
      const root = referenceRoot(data);
      assert.deepEqual(merkleRoot(data.map(hashLeaf)), root, `n = ${n}`);
      assert.deepEqual(new MerkleTree(data.map(hashLeaf)).root, root);
    }
  });

  it('separates leaves from nodes: a node presented as a leaf does not give the root', () => {
    const leaves = leafData(4).map(hashLeaf);
    const tree = new MerkleTree(leaves);
    const node = tree.levels[1]![0]!;
    // the two-leaf subtree's node, offered as the data of a leaf at position 0 of a 2-leaf tree
    assert.notDeepEqual(proofRoot(hashLeaf(node), 0, 2, [tree.levels[1]![1]!]), tree.root);
  });

  it('proves every leaf of every tree up to 40 leaves and refuses the proof at another index or count', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = leafData(n).map(hashLeaf);
      const tree = new MerkleTree(leaves);
      for (let i = 0; i < n; i++) {
        const proof = tree.proof(i);
        assert.deepEqual(proofRoot(leaves[i]!, i, n, proof), tree.root);
        if (n > 1) {
          const j = (i + 1) % n;
          let other: Uint8Array | undefined;
          try {
            other = proofRoot(leaves[i]!, j, n, proof);
          } catch {}
          assert.notDeepEqual(other, tree.root);
        }
        let withCount: Uint8Array | undefined;
        try {
          withCount = proofRoot(leaves[i]!, i, n + 1, proof);
        } catch {}
        assert.notDeepEqual(withCount, tree.root);
      }
    }
  });

  it('proves random subsets with multiproofs no larger than the single proofs together', () => {
    let seed = 1;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let round = 0; round < 60 * testIterations(); round++) {
      const n = 1 + Math.floor(rand() * 70);
      const leaves = leafData(n).map(hashLeaf);
      const tree = new MerkleTree(leaves);
      const indices = [...Array(n).keys()].filter(() => rand() < 0.3);
      if (indices.length === 0) indices.push(n - 1);
      const proof = tree.multiProof(indices);
      assert.deepEqual(
        multiProofRoot(
          indices.map((i) => leaves[i]!),
          indices,
          n,
          proof,
        ),
        tree.root,
      );
      assert.ok(proof.length <= indices.reduce((s, i) => s + tree.proof(i).length, 0));
      if (proof.length > 0) {
        assert.throws(
          () =>
            multiProofRoot(
              indices.map((i) => leaves[i]!),
              indices,
              n,
              proof.slice(1),
            ),
          (e) => isDietcoinError(e, 'INVALID_PROOF'),
        );
      }
      assert.throws(
        () =>
          multiProofRoot(
            indices.map((i) => leaves[i]!),
            indices,
            n,
            [...proof, leaves[0]!],
          ),
        (e) => isDietcoinError(e, 'INVALID_PROOF'),
      );
    }
  });

  it('encodes single and multi proofs compactly, decodes them strictly, and any flipped byte fails', () => {
    const n = 13;
    const leaves = leafData(n).map(hashLeaf);
    const tree = new MerkleTree(leaves);
    const w = new ByteWriter();
    writeMerkleProof(w, { index: 9, count: n, siblings: tree.proof(9) });
    const single = w.finish();
    assert.equal(single.length, 8 + 32 * tree.proof(9).length);
    const verifySingle = (b: Uint8Array) => {
      const r = new ByteReader(b, 'proof');
      const p = readMerkleProof(r, 'proof');
      r.end();
      if (Buffer.compare(proofRoot(leaves[9]!, p.index, p.count, p.siblings), tree.root) !== 0)
        throw new Error('wrong root');
    };
    verifySingle(single);
    assert.deepEqual(flipEveryByte(single, verifySingle).accepted, []);
    assert.throws(
      () => verifySingle(single.subarray(0, single.length - 1)),
      (e) => isDietcoinError(e, 'TRUNCATED'),
    );
    assert.throws(
      () => verifySingle(new Uint8Array([...single, 0])),
      (e) => isDietcoinError(e, 'TRAILING_BYTES'),
    );

    const indices = [1, 2, 8, 12];
    const mw = new ByteWriter();
    writeMerkleMultiProof(mw, { count: n, indices, siblings: tree.multiProof(indices) });
    const multi = mw.finish();
    const verifyMulti = (b: Uint8Array) => {
      const r = new ByteReader(b, 'multiproof');
      const p = readMerkleMultiProof(r, 'multiproof');
      r.end();
      // the verifier holds the leaves it wants proven; positions and siblings come from the proof
      const root = multiProofRoot(
        indices.map((i) => leaves[i]!),
        p.indices,
        p.count,
        p.siblings,
      );
      if (Buffer.compare(root, tree.root) !== 0) throw new Error('wrong root');
    };
    verifyMulti(multi);
    const mp = { count: n, indices, siblings: tree.multiProof(indices) };
    assert.deepEqual(encodeMerkleMultiProof(mp), multi);
    assert.deepEqual(decodeMerkleMultiProof(multi), mp);
    assert.deepEqual(
      decodeMerkleProof(encodeMerkleProof({ index: 9, count: n, siblings: tree.proof(9) })).siblings,
      tree.proof(9),
    );
    assert.deepEqual(flipEveryByte(multi, verifyMulti).accepted, []);
  });
});
