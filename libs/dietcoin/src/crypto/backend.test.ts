import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secp256k1 as nobleSecp } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { isDietcoinError } from '../errors.js';
import { dietcoinBackends, initDietcoin, secp256k1 } from './backend.js';
import { keccak256 } from './keccak.js';

describe('[Dietcoin] crypto backends', () => {
  it('refuses to hash before initDietcoin with a typed NOT_INITIALIZED error', () => {
    assert.equal(dietcoinBackends(), undefined);
    assert.throws(
      () => keccak256(new Uint8Array(1)),
      (e) => isDietcoinError(e, 'NOT_INITIALIZED'),
    );
  });

  it('loads native libsecp256k1 and hash-wasm keccak, not a pure-JS fallback', async () => {
    const backends = await initDietcoin();
    assert.deepEqual(backends, { secp256k1: 'libsecp256k1-native', keccak256: 'hash-wasm' });
    // the native addon exposes functions implemented in C++, not the elliptic JS wrapper
    const addon = secp256k1() as unknown as Record<string, unknown>;
    assert.equal(typeof addon.ecdsaRecover, 'function');
    assert.deepEqual(await initDietcoin(), backends);
  });

  it('hashes like @noble/hashes keccak_256 for every length up to 300 bytes', async () => {
    await initDietcoin();
    for (let n = 0; n <= 300; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff);
      assert.deepEqual(keccak256(b), keccak_256(b));
      assert.deepEqual(keccak256(b.subarray(0, n >> 1), b.subarray(n >> 1)), keccak_256(b));
    }
  });

  it('signs like @noble/curves and recovers the same public key', async () => {
    await initDietcoin();
    const key = keccak_256(new TextEncoder().encode('key'));
    const msg = keccak_256(new TextEncoder().encode('msg'));
    const { signature, recid } = secp256k1().ecdsaSign(msg, key);
    const noble = nobleSecp.sign(msg, key, { prehash: false, format: 'recovered' });
    assert.deepEqual(signature, noble.slice(1));
    assert.equal(recid, noble[0]);
    const pub = secp256k1().ecdsaRecover(signature, recid, msg, false);
    assert.deepEqual(pub, nobleSecp.getPublicKey(key, false));
  });
});
