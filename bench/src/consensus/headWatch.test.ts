import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commitSpreads } from './headWatch.js';

describe('commit spreads', () => {
  it('takes last − first per height seen by every node, in the window, sorted', () => {
    const arrivals = new Map([
      [
        1,
        new Map([
          [0, 100],
          [1, 400],
        ]),
      ],
      [
        2,
        new Map([
          [0, 1000],
          [1, 1050],
        ]),
      ],
      [3, new Map([[0, 2000]])],
      [
        4,
        new Map([
          [0, 3000],
          [1, 3010],
        ]),
      ],
    ]);
    assert.deepEqual(commitSpreads(arrivals, 1, 3, 2), [50, 300]);
    assert.deepEqual(commitSpreads(arrivals, 5, 9, 2), []);
  });
});
