import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ItemIds, Versions } from './items.js';

describe('ItemIds', () => {
  it('gives every address and slot one dense id, across growth and rehashing', () => {
    const ids = new ItemIds();
    const addresses = Array.from({ length: 5000 }, () => new Uint8Array(randomBytes(20)));
    const slots = Array.from({ length: 3000 }, () => new Uint8Array(randomBytes(32)));
    addresses.forEach((a, k) => {
      assert.equal(ids.account(a), k);
    });
    // Same bytes at another offset of a larger buffer: the same id.
    const inside = new Uint8Array(40);
    inside.set(addresses[1234] as Uint8Array, 7);
    assert.equal(ids.account(inside.subarray(7, 27)), 1234);
    slots.forEach((s, k) => {
      assert.equal(ids.slot(k % 3, s), k);
    });
    // The same slot of another account is another item.
    assert.equal(ids.slot(3, slots[0] as Uint8Array), slots.length);
    addresses.forEach((a, k) => {
      assert.equal(ids.account(a.slice()), k);
      assert.deepEqual(ids.address(k), a);
    });
    slots.forEach((s, k) => {
      assert.equal(ids.slot(k % 3, s.slice()), k);
      assert.deepEqual(ids.slotOf(k), { account: k % 3, slot: s });
    });
    assert.equal(ids.accountCount, addresses.length);
    assert.equal(ids.slotCount, slots.length + 1);
  });

  it('refuses keys of the wrong width', () => {
    const ids = new ItemIds();
    assert.throws(() => ids.account(new Uint8Array(32)), RangeError);
    assert.throws(() => ids.slot(0, new Uint8Array(20)), RangeError);
  });
});

describe('Versions', () => {
  it('reads -1 until set, and grows', () => {
    const v = new Versions();
    assert.equal(v.get(10), -1);
    v.set(100_000, 7);
    v.set(3, 0);
    assert.equal(v.get(100_000), 7);
    assert.equal(v.get(3), 0);
    assert.equal(v.get(99_999), -1);
  });
});
