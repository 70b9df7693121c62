import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FUTURE_ALLOWANCE_S, proposalTimestampProblem } from './proposalTime.js';

const NOW_MS = 1_700_000_000_500;
const NOW_S = 1_700_000_000n;

describe('proposalTimestampProblem', () => {
  it('accepts a timestamp at the clock, after the parent', () => {
    assert.equal(
      proposalTimestampProblem({ timestamp: NOW_S, parentTimestamp: NOW_S - 1n, nowMs: NOW_MS }),
      null,
    );
  });

  it('refuses a timestamp not after the parent, naming both', () => {
    const why = proposalTimestampProblem({ timestamp: NOW_S, parentTimestamp: NOW_S, nowMs: NOW_MS });
    assert.match(why ?? '', /before its parent's 1700000000 \+ 1 s/);
  });

  it('refuses a timestamp under the chain minimum interval', () => {
    const why = proposalTimestampProblem({
      timestamp: NOW_S - 3n,
      parentTimestamp: NOW_S - 5n,
      nowMs: NOW_MS,
      minIntervalS: 5,
    });
    assert.match(why ?? '', /\+ 5 s/);
  });

  it('accepts up to the future allowance and refuses beyond it', () => {
    const edge = NOW_S + BigInt(DEFAULT_FUTURE_ALLOWANCE_S);
    assert.equal(proposalTimestampProblem({ timestamp: edge, parentTimestamp: NOW_S, nowMs: NOW_MS }), null);
    const why = proposalTimestampProblem({ timestamp: edge + 1n, parentTimestamp: NOW_S, nowMs: NOW_MS });
    assert.match(why ?? '', /more than 15 s ahead/);
  });

  it('always accepts parent + 1 (sub-second blocks run the seconds-timestamp ahead of the clock)', () => {
    const parent = NOW_S + 100n;
    assert.equal(
      proposalTimestampProblem({ timestamp: parent + 1n, parentTimestamp: parent, nowMs: NOW_MS }),
      null,
    );
    const why = proposalTimestampProblem({ timestamp: parent + 2n, parentTimestamp: parent, nowMs: NOW_MS });
    assert.ok(why);
  });
});
