import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RLP } from '@ethereumjs/rlp';
import { encodeRLP, type RLPInput } from './rlp.js';

/** Deterministic pseudo-random bytes. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('[store] encodeRLP', () => {
  it('gives @ethereumjs/rlp bytes at every length boundary', () => {
    const cases: RLPInput[] = [
      new Uint8Array(0),
      Uint8Array.of(0),
      Uint8Array.of(0x7f),
      Uint8Array.of(0x80),
      Uint8Array.of(0xff),
      bytes(55, 1),
      bytes(56, 2),
      bytes(255, 3),
      bytes(256, 4),
      bytes(65_536, 5),
      [],
      [[]],
      [new Uint8Array(0), [Uint8Array.of(1)], [[bytes(54, 6)]]],
      Array.from({ length: 55 }, () => Uint8Array.of(1)),
      Array.from({ length: 56 }, () => Uint8Array.of(1)),
      Array.from({ length: 300 }, (_, i) => [
        bytes(i % 70, i),
        [bytes(32, i), bytes(i % 3, i)],
        bytes(256, i),
      ]),
    ];
    for (const [i, c] of cases.entries()) {
      assert.deepEqual(encodeRLP(c), RLP.encode(c as Uint8Array), `case ${i}`);
    }
  });

  it('refuses an item that is neither bytes nor a list', () => {
    assert.throws(() => encodeRLP(['abc' as unknown as Uint8Array]), TypeError);
    assert.throws(() => encodeRLP([5 as unknown as Uint8Array]), TypeError);
  });
});
