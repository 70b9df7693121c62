import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TxAccess } from './access.js';
import { ContentionProbe } from './contention.js';

const pool = new Uint8Array(20).fill(7);
const slot = (n: number) => new Uint8Array(32).fill(n);

function access(reads: number[], writes: number[]): TxAccess {
  return {
    accountReads: [],
    slotReads: reads.map((n) => ({ address: pool, slot: slot(n) })),
    accountWrites: [],
    slotWrites: writes.map((n) => ({ address: pool, slot: slot(n), value: Uint8Array.of(1) })),
    increments: [],
  };
}

describe('[execution] contention probe', () => {
  it('reports a sample where most transactions read an earlier write', () => {
    const probe = new ContentionProbe(4, 0.5);
    const verdicts = [0, 1, 2, 3].map(() => probe.observe(access([1], [1])));
    // The first swap reads nothing written before it; the next three conflict: 3 of 4 > half.
    assert.deepEqual(verdicts, [false, false, false, true]);
  });

  it('counts only transactions that read storage', () => {
    const probe = new ContentionProbe(3, 0.5);
    assert.equal(probe.observe(access([1], [1])), false);
    assert.equal(probe.observe(access([], [])), false, 'a transfer is not part of the sample');
    assert.equal(probe.observe(access([1], [1])), false);
    assert.equal(probe.observe(access([1], [1])), true, '2 of 3 conflicted');
  });

  it('stays quiet on independent transactions and decides once', () => {
    const probe = new ContentionProbe(4, 0.5);
    const verdicts = [0, 1, 2, 3, 4, 5].map((i) => probe.observe(access([10 + i], [10 + i])));
    assert.deepEqual(verdicts, [false, false, false, false, false, false]);
  });
});
