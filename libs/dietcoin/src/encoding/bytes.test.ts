import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bigintToMinimalBytes, bigintToWord, bytesToBigint } from './bytes.js';

describe('[Dietcoin] integer bytes', () => {
  it('writes minimal big-endian bytes for integers of every byte length up to 32', () => {
    assert.deepEqual(bigintToMinimalBytes(0n), new Uint8Array());
    for (let bits = 1; bits <= 256; bits++) {
      for (const v of [(1n << BigInt(bits)) - 1n, 1n << BigInt(bits - 1)]) {
        const b = bigintToMinimalBytes(v);
        assert.equal(b.length, Math.ceil(bits / 8));
        assert.notEqual(b[0], 0);
        assert.equal(bytesToBigint(b), v);
        assert.deepEqual(bigintToWord(v).subarray(32 - b.length), b);
      }
    }
  });
});
