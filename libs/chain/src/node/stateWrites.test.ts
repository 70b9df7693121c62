import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StateEntry } from '@khipu/execution';
import { decodeStateWrites, encodeStateWrites } from './stateWrites.js';

const entries: StateEntry[] = [
  [new Uint8Array(32).fill(1), new Uint8Array([0xc0])],
  [new Uint8Array(32).fill(2), new Uint8Array(0)],
  [new Uint8Array(32).fill(3), new Uint8Array(600).fill(7)],
];

describe('[chain] build thread: packed state writes', () => {
  it('round-trips entries, empty values and an empty list', () => {
    assert.deepEqual(decodeStateWrites(encodeStateWrites(entries)), entries);
    assert.deepEqual(decodeStateWrites(encodeStateWrites([])), []);
  });

  it('lays out count, then key, length and value per entry, little-endian', () => {
    const bytes = encodeStateWrites([[new Uint8Array(32).fill(9), new Uint8Array([0xaa, 0xbb])]]);
    assert.equal(Buffer.from(bytes).toString('hex'), `01000000${'09'.repeat(32)}02000000aabb`);
  });

  it('refuses bytes cut short anywhere and bytes after the last entry', () => {
    const bytes = encodeStateWrites(entries);
    for (let n = 0; n < bytes.length; n++) {
      assert.throws(() => decodeStateWrites(bytes.subarray(0, n)), /cut short|after entry/, `cut at ${n}`);
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    assert.throws(() => decodeStateWrites(longer), /1 bytes after entry 3/);
  });

  it('refuses a key that is not 32 bytes', () => {
    assert.throws(() => encodeStateWrites([[new Uint8Array(33), new Uint8Array(1)]]), /key of 33 bytes/);
  });
});
