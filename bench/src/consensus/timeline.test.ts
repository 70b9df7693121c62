import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heightTimelines } from './timeline.js';

const ME = '0x00000000000000000000000000000000000000aa';
const OTHER = '0x00000000000000000000000000000000000000bb';
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const line = (ms: number, msg: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ level: 'debug', time: at(ms), component: 'consensus', msg, ...fields });

describe('consensus timeline from node logs', () => {
  it('places execution, votes, storage and GC of a height from the deciding proposal', () => {
    const lines = [
      line(0, 'consensus started', { address: ME }),
      'not json',
      JSON.stringify({ time: at(1), component: 'rpc', msg: 'decided', height: 1 }),
      line(10, 'heightStarted', { height: 1 }),
      line(100, 'gc', { ms: 30 }), // before the proposal: not this height's finality
      line(1000, 'proposalAccepted', { height: 1, round: 0, proposer: OTHER }),
      line(1150, 'gc', { ms: 20 }),
      line(1200, 'proposal executed', { height: 1, decode: 40, execute: 130, shards: 15 }),
      line(1201, 'sent', { type: 'prepare' }),
      line(1260, 'sent', { type: 'commit' }),
      line(1265, 'decided', { height: 1, round: 0 }),
      line(1300, 'decision stored', { height: 1, ms: 35 }),
      line(1301, 'heightStarted', { height: 2 }),
      line(2000, 'proposalAccepted', { height: 2, round: 0, proposer: ME }),
      line(2001, 'sent', { type: 'prepare' }),
      line(3000, 'round change', {}),
      line(3500, 'proposalAccepted', { height: 2, round: 1, proposer: OTHER }),
      line(3700, 'decided', { height: 2, round: 1 }),
      line(3701, 'heightStarted', { height: 3 }),
      line(3800, 'proposalAccepted', { height: 3, round: 0, proposer: OTHER }),
    ];
    const [first, second, ...rest] = heightTimelines(lines);
    assert.deepEqual(first, {
      height: 1,
      proposer: false,
      finalityMs: 265,
      executed: { atMs: 200, decode: 40, execute: 130, shards: 15 },
      prepareSentMs: 201,
      commitSentMs: 260,
      storedMs: 35,
      gcMs: 20,
      roundChanges: 0,
    });
    // Decided in round 1 on another validator's proposal: timed from that one.
    assert.equal(second?.height, 2);
    assert.equal(second?.proposer, false);
    assert.equal(second?.finalityMs, 200);
    assert.equal(second?.roundChanges, 1);
    assert.equal(second?.prepareSentMs, undefined, "round 0's prepare is not the deciding round's");
    assert.deepEqual(rest, [], 'height 3 was not decided');
  });
});
