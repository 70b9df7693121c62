import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuSecondsOf, cpuSecondsOfStat } from './processCpu.js';

describe('process CPU', () => {
  it('reads utime + stime, with a command name holding spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 1000 0 0';
    assert.equal(cpuSecondsOfStat(stat), 3);
  });

  it('refuses a line that is not a stat line, and reads this process', () => {
    assert.throws(() => cpuSecondsOfStat('garbage'), /not a \/proc stat line/);
    assert.ok(cpuSecondsOf(process.pid) >= 0);
    assert.equal(cpuSecondsOf(undefined), 0);
  });
});
