import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAtMs, createProposalClock, roundZeroTimerMs } from './heightTiming.js';
import { proposerOf } from './proposer.js';
import type { Address } from './types.js';

const validators: Address[] = ['0x01', '0x02', '0x03', '0x04'].map((a) => a.padEnd(42, '0') as Address);

describe('height timing', () => {
  it('builds a block time after the parent was proposed, not after this node committed it', () => {
    assert.equal(buildAtMs(10_000, 1000), 11_000);
  });

  it('starts building early by the last build time, so that the proposal goes out on time', () => {
    assert.equal(buildAtMs(10_000, 1000, 120), 10_880);
    assert.equal(buildAtMs(10_000, 1000, 900), 10_500, 'never earlier than half the block time');
    assert.equal(buildAtMs(10_000, 1000, -5), 11_000);
  });

  it('times round 0 from the parent proposal: a validator late to commit gets the same deadline', () => {
    const timing = { parentProposedAtMs: 10_000, roundTimeoutMs: 2000, blockTimeMs: 1000 };
    // Committed 50 ms after the proposal, or 700 ms after: both give up at 12,000.
    assert.equal(roundZeroTimerMs({ ...timing, nowMs: 10_050 }), 1950);
    assert.equal(roundZeroTimerMs({ ...timing, nowMs: 10_700 }), 1300);
  });

  it('gives a validator that starts after the deadline the time a proposal needs beyond the block time', () => {
    const timing = { parentProposedAtMs: 10_000, roundTimeoutMs: 2000, blockTimeMs: 1000 };
    assert.equal(roundZeroTimerMs({ ...timing, nowMs: 11_500 }), 1000);
    assert.equal(roundZeroTimerMs({ ...timing, nowMs: 30_000 }), 1000);
  });

  it('keeps a quarter of the timeout when the timeout is not longer than the block time', () => {
    assert.equal(
      roundZeroTimerMs({ parentProposedAtMs: 0, nowMs: 5000, roundTimeoutMs: 800, blockTimeMs: 1000 }),
      200,
    );
  });

  it('without a block time, round 0 lasts the whole timeout from now (the engine timer as is)', () => {
    assert.equal(
      roundZeroTimerMs({ parentProposedAtMs: 0, nowMs: 400, roundTimeoutMs: 100, blockTimeMs: 0 }),
      100,
    );
  });
});

describe('proposal clock', () => {
  const proposer = (height: number, round: number) => proposerOf(validators, height, round);

  it('keeps the first sighting of the round proposer and forgets the decided height', () => {
    const clock = createProposalClock(() => validators, 5);
    clock.seen(5, 1, proposer(5, 1), 100);
    clock.seen(5, 1, proposer(5, 1), 180);
    clock.seen(6, 0, proposer(6, 0), 150);
    assert.equal(clock.take(5, 1), 100);
    assert.equal(clock.take(5, 1), undefined, 'forgotten once taken');
    assert.equal(clock.take(6, 0), 150, 'a later height seen early stays');
  });

  it('believes only the proposer of the round', () => {
    const clock = createProposalClock(() => validators, 5);
    clock.seen(5, 0, proposer(5, 1), 100);
    assert.equal(clock.take(5, 0), undefined);
  });

  it('ignores heights already left, too far ahead, and rounds beyond its bound', () => {
    const clock = createProposalClock(() => validators, 5);
    clock.seen(4, 0, proposer(4, 0), 1);
    clock.seen(9, 0, proposer(9, 0), 2);
    clock.seen(6, 64, proposer(6, 64), 3);
    assert.equal(clock.take(4, 0), undefined);
    assert.equal(clock.take(6, 64), undefined);
    assert.equal(clock.take(9, 0), undefined);
  });
});
