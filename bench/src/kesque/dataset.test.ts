import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createMissingLookups,
  createPresentLookups,
  createRecordBatch,
  KEY_BYTES,
  MAX_VALUE_BYTES,
  MIN_VALUE_BYTES,
  recordKey,
  recordValue,
} from './dataset.js';

const dataset = { seed: 7, records: 20_000 };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('[bench kesque] data set', () => {
  it('gives the same records for the same seed and index, and other records for another seed', () => {
    assert.deepEqual(recordKey(7, 123), recordKey(7, 123));
    assert.deepEqual(recordValue(7, 123), recordValue(7, 123));
    assert.notDeepEqual(recordKey(8, 123), recordKey(7, 123));
    const batch = createRecordBatch(dataset, 100, 50);
    assert.equal(batch.keys.length, 50);
    assert.deepEqual(new Uint8Array(batch.keys[3]!), recordKey(7, 103));
    assert.deepEqual(new Uint8Array(batch.values[3]!), recordValue(7, 103));
  });

  it('keeps keys distinct and values within 100..600 bytes, spread over the whole range', () => {
    const keys = new Set<string>();
    let shortest = Number.POSITIVE_INFINITY;
    let longest = 0;
    const firstBytes = new Set<number>();
    for (let i = 0; i < dataset.records; i++) {
      const key = recordKey(dataset.seed, i);
      assert.equal(key.length, KEY_BYTES);
      keys.add(hex(key));
      firstBytes.add(key[0]!);
      const length = recordValue(dataset.seed, i).length;
      shortest = Math.min(shortest, length);
      longest = Math.max(longest, length);
    }
    assert.equal(keys.size, dataset.records);
    assert.equal(firstBytes.size, 256);
    assert.ok(shortest >= MIN_VALUE_BYTES && shortest < MIN_VALUE_BYTES + 5, `shortest ${shortest}`);
    assert.ok(longest <= MAX_VALUE_BYTES && longest > MAX_VALUE_BYTES - 5, `longest ${longest}`);
  });

  it('draws lookups of present records and keys that no record has', () => {
    const present = createPresentLookups(dataset, 1, 1000);
    for (let i = 0; i < present.count; i++) {
      const key = present.keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
      assert.deepEqual(key, recordKey(dataset.seed, present.indexes[i]!));
    }
    const all = new Set<string>();
    for (let i = 0; i < dataset.records; i++) all.add(hex(recordKey(dataset.seed, i)));
    const missing = createMissingLookups(dataset, 0, 1000);
    for (let i = 0; i < missing.count; i++) {
      assert.equal(all.has(hex(missing.keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES))), false);
    }
  });
});
