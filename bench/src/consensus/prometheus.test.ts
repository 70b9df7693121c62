import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addHistograms,
  counterOf,
  histogramDelta,
  histogramOf,
  quantileOf,
  shareAtMost,
} from './prometheus.js';

const scrape = (b: [string, number][], labels = '') =>
  [
    '# HELP h_seconds x',
    ...b.map(([le, c]) => `h_seconds_bucket{${labels}le="${le}"} ${c}`),
    `h_seconds_sum{${labels.replace(/,$/, '')}} 1.5`,
    `h_seconds_count{${labels.replace(/,$/, '')}} ${b.at(-1)?.[1]}`,
    'c_total{reason="timeout"} 2',
    'c_total{reason="proposal"} 3',
  ].join('\n');

describe('prometheus', () => {
  it('sums counters over label sets', () => {
    assert.equal(counterOf(scrape([['+Inf', 0]]), 'c_total'), 5);
    assert.equal(counterOf('', 'c_total'), 0);
  });

  it('reads a histogram with other labels beside le, and interpolates inside a bucket', () => {
    const h = histogramOf(
      scrape(
        [
          ['0.1', 0],
          ['0.25', 50],
          ['0.5', 100],
          ['+Inf', 100],
        ],
        'node="a",',
      ),
      'h_seconds',
    );
    assert.equal(h.count, 100);
    assert.equal(quantileOf(h, 0.5), 0.25);
    assert.equal(quantileOf(h, 0.25), 0.175);
    assert.ok(Math.abs((quantileOf(h, 0.99) ?? 0) - 0.495) < 1e-9);
    assert.equal(shareAtMost(h, 0.5), 1);
  });

  it('diffs and adds scrapes, and reports an empty window as null', () => {
    const before = histogramOf(
      scrape([
        ['0.1', 10],
        ['+Inf', 10],
      ]),
      'h_seconds',
    );
    const after = histogramOf(
      scrape([
        ['0.1', 10],
        ['+Inf', 30],
      ]),
      'h_seconds',
    );
    const d = histogramDelta(after, before);
    assert.equal(d.count, 20);
    assert.equal(quantileOf(d, 0.5), 0.1, 'in +Inf: the highest finite bound, a floor');
    assert.equal(addHistograms([d, d]).buckets.get(Number.POSITIVE_INFINITY), 40);
    assert.equal(quantileOf(histogramDelta(before, before), 0.5), null);
    assert.throws(() => quantileOf(d, 1), RangeError);
    assert.throws(() => shareAtMost(d, 0.3), RangeError);
  });
});
