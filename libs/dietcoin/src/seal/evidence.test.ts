import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initDietcoin } from '../crypto/backend.js';
import { isDietcoinError } from '../errors.js';
import { flipEveryByte } from '../testing/flip.js';
import { derivePrivateKey } from '../testing/generateChain.js';
import {
  createEvidence,
  decodeEvidence,
  EVIDENCE_BYTES,
  encodeEvidence,
  findEvidence,
  verifyEvidence,
} from './evidence.js';
import { addressOfPrivateKey, signSeal } from './seal.js';
import { createValidatorSet } from './validatorSet.js';

describe('[Dietcoin] evidence', () => {
  let key: Uint8Array;
  const chainId = 9n;
  const hashA = new Uint8Array(32).fill(1);
  const hashB = new Uint8Array(32).fill(2);
  before(async () => {
    await initDietcoin();
    key = derivePrivateKey('evidence', 0, 0);
  });

  function evidence() {
    const sign = (blockHash: Uint8Array) =>
      signSeal({ privateKey: key, chainId, height: 5, round: 1, blockHash });
    return createEvidence({
      chainId,
      height: 5,
      round: 1,
      validator: addressOfPrivateKey(key),
      votes: [
        { blockHash: hashB, seal: sign(hashB) },
        { blockHash: hashA, seal: sign(hashA) },
      ],
    });
  }

  it('verifies two seals by one validator at one height and round over different hashes', () => {
    const e = evidence();
    assert.deepEqual(e.a.blockHash, hashA, 'votes are put in canonical order');
    verifyEvidence({ evidence: e });
    verifyEvidence({
      evidence: e,
      validators: createValidatorSet({ validators: [{ address: e.validator, stake: 1n }] }),
    });
  });

  it('round-trips its 235-byte encoding and refuses truncation, trailing bytes and a bad version', () => {
    const bytes = encodeEvidence(evidence());
    assert.equal(bytes.length, EVIDENCE_BYTES);
    assert.deepEqual(decodeEvidence(bytes), evidence());
    assert.throws(
      () => decodeEvidence(bytes.subarray(0, 234)),
      (e) => isDietcoinError(e, 'TRUNCATED'),
    );
    assert.throws(
      () => decodeEvidence(new Uint8Array([...bytes, 0])),
      (e) => isDietcoinError(e, 'TRAILING_BYTES'),
    );
    assert.throws(
      () => decodeEvidence(new Uint8Array([9, ...bytes.subarray(1)])),
      (e) => isDietcoinError(e, 'UNKNOWN_VERSION'),
    );
  });

  it('refuses two votes for one block, a non-member and any single flipped byte', () => {
    const e = evidence();
    assert.throws(
      () => verifyEvidence({ evidence: { ...e, b: e.a } }),
      (x) => isDietcoinError(x, 'INVALID_EVIDENCE'),
    );
    const other = createValidatorSet({ validators: [{ address: new Uint8Array(20).fill(3), stake: 1n }] });
    assert.throws(
      () => verifyEvidence({ evidence: e, validators: other }),
      (x) => isDietcoinError(x, 'INVALID_EVIDENCE'),
    );
    const r = flipEveryByte(encodeEvidence(e), (t) => verifyEvidence({ evidence: decodeEvidence(t) }));
    assert.deepEqual(r.accepted, []);
  });

  it('finds the validators that sealed both of two blocks in one round', () => {
    const keys = [0, 1, 2, 3].map((i) => derivePrivateKey('evidence', 1, i));
    const seal = (ks: Uint8Array[], blockHash: Uint8Array, round = 0) =>
      ks.map((privateKey) => signSeal({ privateKey, chainId, height: 8, round, blockHash }));
    const found = findEvidence({
      chainId,
      height: 8,
      first: { blockHash: hashA, round: 0, seals: seal(keys.slice(0, 3), hashA) },
      second: { blockHash: hashB, round: 0, seals: seal(keys.slice(1, 4), hashB) },
    });
    assert.equal(found.length, 2);
    for (const e of found) verifyEvidence({ evidence: e });
    const differentRounds = findEvidence({
      chainId,
      height: 8,
      first: { blockHash: hashA, round: 0, seals: seal(keys, hashA) },
      second: { blockHash: hashB, round: 1, seals: seal(keys, hashB, 1) },
    });
    assert.deepEqual(differentRounds, []);
  });
});
