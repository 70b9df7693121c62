import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentNodes } from './recentNodes.js';

const key = (block: number, i: number) => {
  const k = new Uint8Array(32);
  k[0] = block;
  k[1] = i;
  return k;
};
const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');
/** `count` writes of block `block`, each value 840 bytes (1,000 with the entry overhead). */
const blockWrites = (block: number, count: number): [Uint8Array, Uint8Array][] =>
  Array.from({ length: count }, (_, i) => [key(block, i), new Uint8Array(840).fill(block)]);

describe('[chain] build thread: recent nodes', () => {
  it('answers for the last block written and misses what no block wrote', () => {
    const recent = new RecentNodes(100_000);
    recent.addBlock(blockWrites(1, 10));
    assert.deepEqual(recent.get(hex(key(1, 3))), new Uint8Array(840).fill(1));
    assert.equal(recent.get(hex(key(2, 3))), undefined);
    assert.deepEqual([recent.hits, recent.misses], [1, 1]);
  });

  it('stays within its budget by dropping the oldest blocks whole', () => {
    const recent = new RecentNodes(25_000);
    for (let b = 1; b <= 5; b++) recent.addBlock(blockWrites(b, 10));
    assert.ok(recent.bytes <= 25_000, `${recent.bytes} bytes held`);
    assert.equal(recent.size, 20);
    assert.equal(recent.get(hex(key(3, 0))), undefined);
    assert.notEqual(recent.get(hex(key(4, 9))), undefined);
    assert.notEqual(recent.get(hex(key(5, 0))), undefined);
  });

  it('keeps a node an older block wrote when a newer block wrote it again', () => {
    const recent = new RecentNodes(25_000);
    recent.addBlock(blockWrites(1, 10));
    recent.addBlock([...blockWrites(2, 10), [key(1, 7), new Uint8Array(840).fill(1)]]);
    assert.equal(recent.bytes, 20_000, 'a node written twice is counted once');
    recent.addBlock(blockWrites(3, 10));
    assert.equal(recent.get(hex(key(1, 0))), undefined);
    assert.notEqual(recent.get(hex(key(1, 7))), undefined);
    assert.ok(recent.bytes <= 25_000);
  });

  it('keeps what fits of a block larger than the whole budget', () => {
    const recent = new RecentNodes(5_500);
    recent.addBlock(blockWrites(1, 3));
    recent.addBlock(blockWrites(2, 10));
    assert.equal(recent.size, 5);
    assert.ok(recent.bytes <= 5_500);
    assert.equal(recent.get(hex(key(1, 0))), undefined);
    assert.notEqual(recent.get(hex(key(2, 4))), undefined);
  });
});
