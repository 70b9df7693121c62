import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSs, trafficBetween } from './socketCounters.js';

const ss = (ends: [string, string, number, number][]) =>
  ends
    .map(
      ([l, p, bytes, segs]) =>
        `0      0      ${l} ${p}\n\t cubic wscale:7,7 rto:204 bytes_sent:${bytes + 5} bytes_acked:${bytes} bytes_received:9 segs_out:${segs + 3} data_segs_out:${segs} data_segs_in:1`,
    )
    .join('\n');

describe('socket counters', () => {
  it('reads bytes acked and data segments per connection end', () => {
    const s = parseSs(ss([['127.0.0.1:20001', '127.0.0.1:40000', 100, 4]]));
    assert.deepEqual(s.get('127.0.0.1:20001 127.0.0.1:40000'), { bytes: 100, segments: 4 });
    assert.equal(parseSs('').size, 0);
  });

  it('sums what every end sent between snapshots; new or reopened connections count from zero', () => {
    const before = parseSs(
      ss([
        ['a:1', 'b:2', 100, 4],
        ['b:2', 'a:1', 50, 2],
        ['c:3', 'd:4', 900, 9],
      ]),
    );
    const after = parseSs(
      ss([
        ['a:1', 'b:2', 150, 6],
        ['b:2', 'a:1', 50, 2],
        ['c:3', 'd:4', 10, 1],
        ['e:5', 'f:6', 7, 1],
      ]),
    );
    assert.deepEqual(trafficBetween(before, after), { bytes: 50 + 0 + 10 + 7, segments: 2 + 0 + 1 + 1 });
  });
});
