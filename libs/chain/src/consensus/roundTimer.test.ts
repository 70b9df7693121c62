import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createRoundTimer } from './roundTimer.js';

describe('round timer', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 }));
  afterEach(() => mock.timers.reset());

  const expiries = () => {
    const seen: [number, number][] = [];
    const timer = createRoundTimer((timerId) => seen.push([timerId, Date.now()]));
    return { seen, timer };
  };

  it('expires after its time when no block work of its round is in flight', () => {
    const { seen, timer } = expiries();
    const done = timer.working(5, 1); // another round's work does not hold round 0 back
    timer.arm({ timerId: 1, height: 5, round: 0, afterMs: 2000, graceMs: 500 });
    mock.timers.tick(1999);
    assert.deepEqual(seen, []);
    mock.timers.tick(1);
    assert.deepEqual(seen, [[1, 2000]]);
    done();
  });

  it("reports an expiry during the round's block work a grace period after the work ends", () => {
    const { seen, timer } = expiries();
    timer.arm({ timerId: 1, height: 5, round: 0, afterMs: 2000, graceMs: 500 });
    mock.timers.tick(1800);
    const done = timer.working(5, 0); // 1,800 to 2,200 ms: shorter than the grace
    mock.timers.tick(400);
    assert.deepEqual(seen, [], 'held while validating');
    done();
    done(); // ending twice changes nothing
    mock.timers.tick(499);
    assert.deepEqual(seen, []);
    mock.timers.tick(1);
    assert.deepEqual(seen, [[1, 2700]]);
  });

  it('work of the round that ended just before the expiry holds it back as well', () => {
    const { seen, timer } = expiries();
    timer.arm({ timerId: 1, height: 5, round: 0, afterMs: 1000, graceMs: 500 });
    mock.timers.tick(300);
    const done = timer.working(5, 0); // 300 to 900 ms
    mock.timers.tick(600);
    done();
    mock.timers.tick(599);
    assert.deepEqual(seen, []);
    mock.timers.tick(1);
    assert.deepEqual(seen, [[1, 1500]], 'the end of the work plus its 600 ms');
  });

  it('waits as long as the work took when that is longer than the grace', () => {
    const { seen, timer } = expiries();
    mock.timers.tick(1000);
    const done = timer.working(5, 0); // 1,000 to 2,200 ms
    timer.arm({ timerId: 1, height: 5, round: 0, afterMs: 1000, graceMs: 500 });
    mock.timers.tick(1200);
    done();
    mock.timers.tick(1199);
    assert.deepEqual(seen, []);
    mock.timers.tick(1);
    assert.deepEqual(seen, [[1, 3400]]);
  });

  it('waits at least the hold the work was given (a proposer after its build)', () => {
    const { seen, timer } = expiries();
    timer.arm({ timerId: 1, height: 5, round: 0, afterMs: 1000, graceMs: 500 });
    const done = timer.working(5, 0, 2000); // built from 0 to 300 ms
    mock.timers.tick(300);
    done();
    mock.timers.tick(1999);
    assert.deepEqual(seen, []);
    mock.timers.tick(1);
    assert.deepEqual(seen, [[1, 2300]]);
  });

  it('waits for every piece of work of the round', () => {
    const { seen, timer } = expiries();
    timer.arm({ timerId: 1, height: 5, round: 0, afterMs: 100, graceMs: 50 });
    const first = timer.working(5, 0);
    const second = timer.working(5, 0);
    mock.timers.tick(200);
    first();
    mock.timers.tick(1000);
    assert.deepEqual(seen, []);
    second();
    mock.timers.tick(1199);
    assert.deepEqual(seen, [], "the round's work took 1,200 ms, counted from its first piece");
    mock.timers.tick(1);
    assert.deepEqual(seen, [[1, 2400]]);
  });

  it('a timer armed anew replaces one held back, and stop clears it', () => {
    const { seen, timer } = expiries();
    timer.arm({ timerId: 1, height: 5, round: 0, afterMs: 100, graceMs: 50 });
    const done = timer.working(5, 0);
    mock.timers.tick(200);
    timer.arm({ timerId: 2, height: 5, round: 1, afterMs: 1000, graceMs: 50 });
    done();
    mock.timers.tick(999);
    assert.deepEqual(seen, [], 'the held-back round-0 expiry is gone');
    mock.timers.tick(1);
    assert.deepEqual(seen, [[2, 1200]]);
    timer.arm({ timerId: 3, height: 6, round: 0, afterMs: 10, graceMs: 5 });
    timer.stop();
    mock.timers.tick(100);
    assert.equal(seen.length, 1);
  });
});
