import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HashIndex, PARTITIONS } from './hashIndex.js';
import { hex, keyOf, seeded } from './testing/fixtures.js';

/** An index over keys held in memory: positions are indexes into `keys`. */
function harness(tagMask?: number) {
  const index = HashIndex.create(tagMask);
  const keys: Uint8Array[] = [];
  const readKey = (position: number, out: Uint8Array): void => {
    out.set(keys[position]!);
  };
  const collisions = new Float64Array(1);
  return {
    index,
    collisions,
    put(key: Uint8Array): number {
      keys.push(key);
      return index.put(key, keys.length - 1, readKey, collisions);
    },
    remove: (key: Uint8Array) => index.remove(key, readKey),
    get(key: Uint8Array): number {
      const p = index.locate(key);
      if (p < 0) return -1;
      if (hex(keys[p]!) === hex(key)) return p;
      return index.findSide(key);
    },
  };
}

/** Keys that share partition and tag (their first 42 bits) and differ after. */
function collidingKeys(n: number, seed: number): Uint8Array[] {
  const base = keyOf(seed);
  return Array.from({ length: n }, (_, i) => {
    const k = keyOf(seed * 1000 + i + 1);
    k.set(base.subarray(0, 6));
    return k;
  });
}

describe('[Kesque] hash index', () => {
  it('finds every key it holds and no other, through growth', () => {
    const h = harness();
    const n = 60_000;
    for (let i = 0; i < n; i++) assert.equal(h.put(keyOf(i)), 1);
    for (let i = 0; i < n; i++) assert.equal(h.get(keyOf(i)), i);
    for (let i = n; i < n + 5000; i++) assert.equal(h.get(keyOf(i)), -1);
    assert.equal(h.index.count, n);
    assert.equal(h.collisions[0], 0);
  });

  it('costs at most 12 bytes per key once past its minimum size', () => {
    const h = harness();
    const minimum = h.index.bytes();
    for (let i = 0; i < 200_000; i++) {
      h.put(keyOf(i));
      if (i > 50_000 && i % 5000 === 0) {
        const perKey = h.index.bytes() / (i + 1);
        assert.ok(perKey <= 12, `${perKey.toFixed(2)} bytes per key at ${i + 1} keys`);
      }
    }
    assert.ok(minimum < 200_000);
  });

  it('deletes with backward shift and keeps every other key reachable', () => {
    const h = harness();
    const n = 20_000;
    for (let i = 0; i < n; i++) h.put(keyOf(i));
    const next = seeded(5);
    const gone = new Set<number>();
    for (let r = 0; r < n / 2; r++) {
      const i = Math.floor(next() * n);
      assert.equal(h.remove(keyOf(i)), !gone.has(i));
      gone.add(i);
    }
    for (let i = 0; i < n; i++) assert.equal(h.get(keyOf(i)) >= 0, !gone.has(i), `key ${i}`);
    assert.equal(h.index.count, n - gone.size);
  });

  it('sends keys with the same partition and tag to the side table and tells them apart', () => {
    const h = harness();
    const group = collidingKeys(50, 3);
    for (const k of group) h.put(k);
    assert.equal(h.collisions[0], 49);
    assert.equal(h.index.sideCount, 49);
    for (const [i, k] of group.entries()) assert.equal(h.get(k), i);
    // A missing key under the same tag is not found.
    const missing = collidingKeys(51, 3)[50]!;
    assert.equal(h.get(missing), -1);
    // Deleting the main entry promotes a side entry; all others stay reachable.
    assert.ok(h.remove(group[0]!));
    assert.equal(h.index.sideCount, 48);
    for (let i = 1; i < group.length; i++) assert.equal(h.get(group[i]!), i);
    assert.equal(h.get(group[0]!), -1);
    assert.ok(h.remove(group[20]!));
    assert.equal(h.get(group[20]!), -1);
    assert.equal(h.get(group[21]!), 21);
  });

  it('stays correct when a narrow tag mask makes most keys collide', () => {
    const h = harness(0x1);
    const n = 3000;
    for (let i = 0; i < n; i++) h.put(keyOf(i));
    assert.ok(h.collisions[0]! > n / 2);
    for (let i = 0; i < n; i++) assert.equal(h.get(keyOf(i)), i);
    for (let i = 0; i < n; i += 2) assert.ok(h.remove(keyOf(i)));
    for (let i = 0; i < n; i++) assert.equal(h.get(keyOf(i)) >= 0, i % 2 === 1);
  });

  it('replaces or removes a key only at the position it still has', () => {
    const h = harness();
    const k = keyOf(1);
    h.put(k);
    assert.equal(h.index.replaceIfCurrent(k, 5, 9), false);
    assert.equal(h.index.replaceIfCurrent(k, 0, 9), true);
    assert.equal(h.index.locate(k), 9);
    assert.equal(h.index.removeIfCurrent(k, 0), false);
    assert.equal(h.index.removeIfCurrent(k, 9), true);
    assert.equal(h.index.locate(k), -1);
  });

  it('is read through views of its shared memory, even after growth', () => {
    const h = harness();
    const view = HashIndex.fromShared(h.index.shared());
    for (let i = 0; i < 30_000; i++) h.put(keyOf(i));
    assert.ok(view.stale());
    view.refresh();
    for (let i = 0; i < 30_000; i += 101) assert.equal(view.locate(keyOf(i)), i);
    assert.equal(PARTITIONS, 1024);
  });
});
