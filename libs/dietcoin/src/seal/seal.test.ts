import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { encodeAbiParameters, toHex, keccak256 as viemKeccak } from 'viem';
import { initDietcoin } from '../crypto/backend.js';
import { keccak256 } from '../crypto/keccak.js';
import { bytesToHex } from '../encoding/bytes.js';
import { isDietcoinError } from '../errors.js';
import { derivePrivateKey } from '../testing/generateChain.js';
import { addressOfPrivateKey, recoverSealSigner, sealDigest, signSeal } from './seal.js';
import {
  createValidatorSet,
  decodeValidatorSet,
  encodeValidatorSet,
  type ValidatorSet,
} from './validatorSet.js';
import { verifySeals } from './verifySeals.js';

const chainId = 7n;
const blockHash = new Uint8Array(32).fill(0xab);
let keys: Uint8Array[];
let set: ValidatorSet;

function sealsBy(ks: Uint8Array[], height = 10, round = 0, hash = blockHash): Uint8Array[] {
  return ks.map((privateKey) => signSeal({ privateKey, chainId, height, round, blockHash: hash }));
}

function keyOf(s: ValidatorSet, i: number): Uint8Array {
  return keys.find((k) => bytesToHex(addressOfPrivateKey(k)) === bytesToHex(s.validators[i]!.address))!;
}

describe('[Dietcoin] seals and validator sets', () => {
  before(async () => {
    await initDietcoin();
    keys = Array.from({ length: 7 }, (_, i) => derivePrivateKey('seal-test', 0, i));
    set = createValidatorSet({
      validators: keys.slice(0, 4).map((k) => ({ address: addressOfPrivateKey(k), stake: 1n })),
    });
  });

  it('hashes a set as keccak256(abi.encode(address[], uint256[])) of the sorted members, like viem', () => {
    const stakes = [5n, 1n, 1000n, 7n];
    const s = createValidatorSet({
      validators: keys.slice(0, 4).map((k, i) => ({ address: addressOfPrivateKey(k), stake: stakes[i]! })),
    });
    const sorted = keys
      .slice(0, 4)
      .map((k, i) => ({ a: toHex(addressOfPrivateKey(k)), s: stakes[i]! }))
      .sort((x, y) => (x.a < y.a ? -1 : 1));
    const expected = viemKeccak(
      encodeAbiParameters(
        [{ type: 'address[]' }, { type: 'uint256[]' }],
        [sorted.map((x) => x.a), sorted.map((x) => x.s)],
      ),
    );
    assert.equal(bytesToHex(s.hash), expected);
    assert.equal(s.totalStake, 1013n);
    assert.deepEqual(decodeValidatorSet(encodeValidatorSet(s)).hash, s.hash);
  });

  it('signs (chainId, height, round, blockHash) under a domain tag, as viem encodes it', () => {
    const digest = sealDigest({ chainId, height: 10, round: 2, blockHash });
    const expected = viemKeccak(
      encodeAbiParameters(
        [
          { type: 'bytes32' },
          { type: 'uint64' },
          { type: 'uint64' },
          { type: 'uint32' },
          { type: 'bytes32' },
        ],
        [toHex(keccak256(new TextEncoder().encode('khipu.seal.v1'))), chainId, 10n, 2, toHex(blockHash)],
      ),
    );
    assert.equal(bytesToHex(digest), expected);
  });

  it('refuses a set with a duplicate, an empty set and a zero stake', () => {
    const a = addressOfPrivateKey(keys[0]!);
    assert.throws(
      () =>
        createValidatorSet({
          validators: [
            { address: a, stake: 1n },
            { address: a, stake: 2n },
          ],
        }),
      (e) => isDietcoinError(e, 'INVALID_VALIDATOR_SET'),
    );
    assert.throws(
      () => createValidatorSet({ validators: [] }),
      (e) => isDietcoinError(e, 'INVALID_VALIDATOR_SET'),
    );
    assert.throws(
      () => createValidatorSet({ validators: [{ address: a, stake: 0n }] }),
      (e) => isDietcoinError(e, 'INVALID_VALIDATOR_SET'),
    );
  });

  it('refuses an unsorted set encoding and trailing bytes', () => {
    const enc = encodeValidatorSet(set);
    const swapped = enc.slice();
    swapped.set(enc.subarray(3, 55), 55);
    swapped.set(enc.subarray(55, 107), 3);
    assert.throws(
      () => decodeValidatorSet(swapped),
      (e) => isDietcoinError(e, 'NON_CANONICAL'),
    );
    assert.throws(
      () => decodeValidatorSet(new Uint8Array([...enc, 0])),
      (e) => isDietcoinError(e, 'TRAILING_BYTES'),
    );
    assert.throws(
      () => decodeValidatorSet(enc.subarray(0, 60)),
      (e) => isDietcoinError(e, 'TRUNCATED'),
    );
  });

  it('accepts 3 of 4 seals and refuses 2 of 4 (strictly above 2/3 by count)', () => {
    const three = sealsBy([0, 1, 2].map((i) => keyOf(set, i)));
    const r = verifySeals({
      validators: set,
      quorum: 'count',
      chainId,
      height: 10,
      round: 0,
      blockHash,
      seals: three,
    });
    assert.equal(r.power, 3n);
    assert.deepEqual(r.signers, [0, 1, 2]);
    assert.throws(
      () =>
        verifySeals({
          validators: set,
          quorum: 'count',
          chainId,
          height: 10,
          round: 0,
          blockHash,
          seals: three.slice(0, 2),
        }),
      (e) => isDietcoinError(e, 'NO_QUORUM') && /sealed by 2 of 4/.test(e.message),
    );
    assert.throws(
      () =>
        verifySeals({
          validators: set,
          quorum: 'count',
          chainId,
          height: 10,
          round: 0,
          blockHash,
          seals: [],
        }),
      (e) => isDietcoinError(e, 'NO_QUORUM'),
    );
  });

  it('counts stake on the hub: one heavy validator alone can be a quorum, three light ones cannot', () => {
    const ks = keys.slice(0, 4);
    const stakes = [100n, 10n, 10n, 10n];
    const hub = createValidatorSet({
      validators: ks.map((k, i) => ({ address: addressOfPrivateKey(k), stake: stakes[i]! })),
    });
    const heavy = sealsBy([ks[0]!]);
    verifySeals({ validators: hub, quorum: 'stake', chainId, height: 10, round: 0, blockHash, seals: heavy });
    assert.throws(
      () =>
        verifySeals({
          validators: hub,
          quorum: 'stake',
          chainId,
          height: 10,
          round: 0,
          blockHash,
          seals: sealsBy(ks.slice(1)),
        }),
      (e) => isDietcoinError(e, 'NO_QUORUM'),
    );
  });

  it('refuses a duplicate signer, a non-member, and a seal over another height, round, chain or hash', () => {
    const k = [0, 1, 2].map((i) => keyOf(set, i));
    const base = { validators: set, quorum: 'count' as const, chainId, height: 10, round: 0, blockHash };
    const s = sealsBy(k);
    assert.throws(
      () => verifySeals({ ...base, seals: [s[0]!, s[1]!, s[0]!] }),
      (e) => isDietcoinError(e, 'DUPLICATE_SIGNER'),
    );
    assert.throws(
      () => verifySeals({ ...base, seals: [...s.slice(0, 2), ...sealsBy([keys[6]!])] }),
      (e) => isDietcoinError(e, 'NON_MEMBER_SIGNER'),
    );
    for (const other of [sealsBy(k, 11), sealsBy(k, 10, 1), sealsBy(k, 10, 0, new Uint8Array(32))]) {
      // a seal over another subject recovers to some unrelated address
      assert.throws(
        () => verifySeals({ ...base, seals: other }),
        (e) => isDietcoinError(e, 'NON_MEMBER_SIGNER'),
      );
    }
    const otherChain = k.map((privateKey) =>
      signSeal({ privateKey, chainId: 8n, height: 10, round: 0, blockHash }),
    );
    assert.throws(
      () => verifySeals({ ...base, seals: otherChain }),
      (e) => isDietcoinError(e, 'NON_MEMBER_SIGNER'),
    );
  });

  it('refuses malformed seals: wrong length, bad recovery id, zero r, high s', () => {
    const digest = sealDigest({ chainId, height: 10, round: 0, blockHash });
    const good = signSeal({ privateKey: keys[0]!, chainId, height: 10, round: 0, blockHash });
    assert.deepEqual(recoverSealSigner(digest, good), addressOfPrivateKey(keys[0]!));
    assert.throws(
      () => recoverSealSigner(digest, good.subarray(0, 64)),
      (e) => isDietcoinError(e, 'MALFORMED_SIGNATURE'),
    );
    const badV = good.slice();
    badV[64] = 27;
    assert.throws(
      () => recoverSealSigner(digest, badV),
      (e) => isDietcoinError(e, 'MALFORMED_SIGNATURE'),
    );
    const zeroR = good.slice();
    zeroR.fill(0, 0, 32);
    assert.throws(
      () => recoverSealSigner(digest, zeroR),
      (e) => isDietcoinError(e, 'MALFORMED_SIGNATURE'),
    );
    // s' = n - s is the malleated twin of a valid signature
    const n = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
    const s = BigInt(bytesToHex(good.subarray(32, 64)));
    const high = good.slice();
    high.set(Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'), 32);
    high[64] = good[64]! ^ 1;
    assert.throws(
      () => recoverSealSigner(digest, high),
      (e) => isDietcoinError(e, 'HIGH_S_SIGNATURE'),
    );
  });
});
