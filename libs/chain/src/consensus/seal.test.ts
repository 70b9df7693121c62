import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { encodeAbiParameters, toHex, keccak256 as viemKeccak } from 'viem';
import { type ConsensusCrypto, createConsensusCrypto } from './crypto.js';
import { bytesToHex } from './hex.js';
import { sealDigest } from './seal.js';

describe('[Consensus] seals', () => {
  let crypto: ConsensusCrypto;
  before(async () => {
    crypto = await createConsensusCrypto();
  });

  it('digests (chainId, height, round, blockHash) as abi.encode with the khipu.seal.v1 domain', () => {
    const blockHash = new Uint8Array(32).fill(0x22);
    const ours = sealDigest({ chainId: 1337n, height: 42, round: 3, blockHash });
    // An independent implementation (viem, noble keccak) of libs/dietcoin's seal digest.
    const domain = viemKeccak(toHex('khipu.seal.v1'));
    const theirs = viemKeccak(
      encodeAbiParameters(
        [
          { type: 'bytes32' },
          { type: 'uint64' },
          { type: 'uint64' },
          { type: 'uint32' },
          { type: 'bytes32' },
        ],
        [domain, 1337n, 42n, 3, toHex(blockHash)],
      ),
    );
    assert.equal(bytesToHex(ours), theirs);
    assert.equal(bytesToHex(ours), '0x7f0d5d96bdb04ad465481f8c2f794a3218f2ff9f08642d7c72afbcb04f32e5d0');
  });

  it('refuses a malformed subject with a ConsensusError MALFORMED (the engine rejects, not crashes)', () => {
    const subject = { chainId: 1n, height: 1, round: 0, blockHash: new Uint8Array(32) };
    assert.throws(() => sealDigest({ ...subject, blockHash: new Uint8Array(31) }), {
      name: 'ConsensusError',
      code: 'MALFORMED',
    });
    assert.throws(() => sealDigest({ ...subject, height: -1 }), {
      name: 'ConsensusError',
      code: 'MALFORMED',
    });
    assert.throws(() => sealDigest({ ...subject, round: 2 ** 32 }), {
      name: 'ConsensusError',
      code: 'MALFORMED',
    });
  });

  it('signs with native secp256k1 and verifies only the signer, with low s', () => {
    const signer = crypto.createSigner(new Uint8Array(32).fill(1));
    assert.equal(signer.address, '0x1a642f0e3c3af545e7acbd38b07251b3990914f1');
    const digest = crypto.keccak256(new Uint8Array([1, 2, 3]));
    const sig = signer.sign(digest);
    assert.equal(sig.length, 65);
    assert.ok(sig[32]! < 0x80, 'low s');
    assert.equal(crypto.verifier.verify(digest, sig, signer.address), true);
    assert.equal(crypto.verifier.verify(digest, sig, crypto.addressOf(new Uint8Array(32).fill(2))), false);
    const other = crypto.keccak256(new Uint8Array([1, 2, 4]));
    assert.equal(crypto.verifier.verify(other, sig, signer.address), false);
    const bad = sig.slice();
    bad[64] = 7;
    assert.equal(crypto.verifier.verify(digest, bad, signer.address), false);
  });

  it('refuses an invalid private key', () => {
    assert.throws(() => crypto.createSigner(new Uint8Array(32)), { code: 'INVALID_CONFIG' });
  });
});
