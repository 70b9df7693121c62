import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { exploreSchedules, formatFailure } from './explore.js';
import { generateSchedule } from './schedule.js';
import { createSimulatorCrypto, type SimulatorCrypto } from './simCrypto.js';
import { runSimulation } from './simulation.js';

const ITERATIONS = Number(process.env.KHIPU_TEST_ITERATIONS ?? 10_000);
/** Schedules use seeds FIRST_SEED … FIRST_SEED + ITERATIONS - 1; set KHIPU_TEST_SEED to explore others. */
const FIRST_SEED = Number(process.env.KHIPU_TEST_SEED ?? 1);

describe('[Consensus] simulator', () => {
  let crypto: SimulatorCrypto;
  before(async () => {
    crypto = await createSimulatorCrypto();
  });

  it(`keeps safety and liveness over ${ITERATIONS} random schedules`, () => {
    const report = exploreSchedules({ crypto, firstSeed: FIRST_SEED, count: ITERATIONS });
    if (report.failure) assert.fail(formatFailure(report.failure));
    const { failure: _none, ...figures } = report;
    console.log(`[consensus simulator] ${JSON.stringify(figures)}`);
    assert.equal(report.schedules, ITERATIONS);
    // Every schedule decides at least the liveness target of two heights past GST.
    assert.ok(report.decidedHeights >= 2 * ITERATIONS);
  });

  it('replays a seed exactly', () => {
    const schedule = generateSchedule(4242);
    const a = runSimulation(schedule, { crypto, trace: true });
    const b = runSimulation(schedule, { crypto, trace: true });
    assert.deepEqual(a.stats, b.stats);
    assert.deepEqual([...a.decided], [...b.decided]);
    assert.deepEqual(a.trace, b.trace);
  });

  it('reports a liveness violation when more than f validators are down', () => {
    const schedule = {
      ...generateSchedule(7, { validators: 4, epochs: false }),
      stakes: undefined,
      byzantine: [],
      crashes: [
        { node: 0, at: 0, restartAt: null },
        { node: 1, at: 0, restartAt: null },
      ],
      partitions: [],
      gst: 0,
      dropRate: 0,
    };
    const result = runSimulation(schedule, { crypto, allowExcessFaults: true });
    assert.equal(result.violation?.kind, 'liveness');
    assert.equal(result.decided.size, 0, 'two of four validators never finalize anything');
  });

  it('refuses a schedule with more than f faulty validators', () => {
    const schedule = {
      ...generateSchedule(7, { validators: 4, epochs: false }),
      stakes: undefined,
      crashes: [],
      byzantine: [
        { node: 0, behaviours: [] },
        { node: 1, behaviours: [] },
      ],
    };
    assert.throws(() => runSimulation(schedule, { crypto }), {
      name: 'ConsensusError',
      code: 'INVALID_INPUT',
    });
  });
});
