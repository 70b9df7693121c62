import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { proposerOf } from '../proposer.js';
import type { Hash } from '../types.js';
import { BYZANTINE_BEHAVIOURS, generateSchedule, type Schedule } from './schedule.js';
import { createSimulatorCrypto, type SimulatorCrypto } from './simCrypto.js';
import { runSimulation, simulatedValidators } from './simulation.js';

/** A schedule of one vote each (the generator weighs one in five by stake). */
function equalVotes(seed: number, validators: number): Schedule {
  const { stakes: _weighted, ...schedule } = generateSchedule(seed, { validators, epochs: false });
  return schedule;
}

function calm(seed: number, validators: number): Schedule {
  return {
    ...equalVotes(seed, validators),
    byzantine: [],
    crashes: [],
    partitions: [],
    dropRate: 0,
    gst: 0,
    maxDelayAfterGst: 5,
  };
}

describe('[Consensus] scenarios', () => {
  let crypto: SimulatorCrypto;
  before(async () => {
    crypto = await createSimulatorCrypto();
  });

  it('re-proposes the block prepared in round 0 after a round change, never another', () => {
    const { validators, nodeOf } = simulatedValidators(crypto, 4);
    const a = nodeOf.get(proposerOf(validators, 1, 0))!;
    const c = nodeOf.get(proposerOf(validators, 1, 1))!;
    const b = [0, 1, 2, 3].find((i) => i !== a && i !== c)!;
    let x: Hash | null = null;
    const proposalsRound1: Hash[] = [];
    const builtRound1: number[] = [];
    const result = runSimulation(calm(11, 4), {
      crypto,
      // Round 0 of height 1: only a and b see the prepare quorum (they lock on x); every commit is lost.
      filter: (_from, to, m) => {
        if (m.height !== 1 || m.round !== 0) return true;
        if (m.type === 'commit') return false;
        if (m.type === 'prepare') return to === a || to === b;
        return true;
      },
      buildBlock: (node, height, round) => {
        if (height === 1 && round === 1) builtRound1.push(node);
        return null;
      },
      onOutputs: (_node, outputs) => {
        for (const o of outputs) {
          if (o.kind !== 'broadcast' || o.message.type !== 'proposal' || o.message.height !== 1) continue;
          if (o.message.round === 0) x = o.message.blockHash;
          if (o.message.round === 1) proposalsRound1.push(o.message.blockHash);
        }
      },
    });
    assert.equal(result.violation, null, result.violation?.detail);
    assert.ok(x, 'round 0 had a proposal');
    assert.deepEqual(proposalsRound1, [x], 'the round-1 proposer re-proposes the locked block');
    assert.deepEqual(builtRound1, [], 'every quorum of round changes holds a lock, so no new block is built');
    assert.equal(result.decided.get(1), x);
    assert.deepEqual(result.decidedRounds.get(1), [2, 2, 2, 2], 'decided in round 1 by all');
  });

  for (const n of [4, 7]) {
    it(`stays safe and live with f byzantine validators of ${n} (equivocation leaves evidence)`, () => {
      const f = (n - 1) / 3;
      let evidence = 0;
      for (let seed = 1; seed <= 40; seed++) {
        const base = equalVotes(10_000 + seed, n);
        const schedule: Schedule = {
          ...base,
          crashes: base.crashes.filter((cr) => cr.restartAt !== null && cr.node >= f),
          byzantine: Array.from({ length: f }, (_, node) => ({
            node,
            behaviours: [...BYZANTINE_BEHAVIOURS],
          })),
        };
        const result = runSimulation(schedule, { crypto });
        assert.equal(result.violation, null, `seed ${schedule.seed}: ${result.violation?.detail}`);
        const byzantine = new Set(
          simulatedValidators(crypto, n).validators.filter((v) => {
            const i = simulatedValidators(crypto, n).nodeOf.get(v)!;
            return i < f;
          }),
        );
        for (const e of result.evidence)
          assert.ok(byzantine.has(e.validator), 'evidence only names byzantine validators');
        evidence += result.evidence.length;
      }
      assert.ok(evidence > 0, 'equivocations were detected');
    });

    it(`with the proposer of ${n} crashed, every height needs at most one round change`, () => {
      const { validators, nodeOf } = simulatedValidators(crypto, n);
      const dead = nodeOf.get(proposerOf(validators, 1, 0))!;
      const schedule: Schedule = {
        ...calm(21, n),
        crashes: [{ node: dead, at: 0, restartAt: null }],
        heightsAfterGst: n + 1,
      };
      const result = runSimulation(schedule, { crypto });
      assert.equal(result.violation, null, result.violation?.detail);
      assert.ok(result.decided.size >= n + 1);
      for (const [height, rounds] of result.decidedRounds) {
        const expected =
          proposerOf(validators, height, 0) === validators[validators.indexOf(proposerOf(validators, 1, 0))]
            ? 2
            : 1;
        for (const r of rounds) assert.equal(r, expected, `height ${height} decided after ${r} rounds`);
      }
      assert.deepEqual(new Set(result.decidedRounds.get(1)), new Set([2]), 'height 1 is decided in round 1');
    });
  }

  for (const n of [1, 2, 3, 5, 10]) {
    it(`a set of ${n} validator${n === 1 ? '' : 's'} decides in round 0 on a calm network`, () => {
      const result = runSimulation({ ...calm(50 + n, n), heightsAfterGst: 3 }, { crypto });
      assert.equal(result.violation, null, result.violation?.detail);
      assert.ok(result.decided.size >= 3);
      for (const rounds of result.decidedRounds.values()) assert.ok(rounds.every((r) => r === 1));
    });
  }

  it('weighs votes by stake: a validator with more than 2/3 of it decides alone', () => {
    const { validators, nodeOf } = simulatedValidators(crypto, 4);
    const whale = nodeOf.get(validators[0]!)!;
    const stakes = [1, 1, 1, 1];
    stakes[whale] = 10;
    const others = [0, 1, 2, 3].filter((i) => i !== whale);
    const schedule: Schedule = {
      ...calm(61, 4),
      stakes,
      crashes: others.map((node) => ({ node, at: 0, restartAt: null })),
      heightsAfterGst: 5,
    };
    const result = runSimulation(schedule, { crypto });
    assert.equal(result.violation, null, result.violation?.detail);
    assert.ok(result.decided.size >= 5);
  });

  it('weighs votes by stake: the three smallest of four cannot finalize without the largest', () => {
    const { validators, nodeOf } = simulatedValidators(crypto, 4);
    const stakes = [1, 1, 1, 1];
    stakes[nodeOf.get(validators[0]!)!] = 4; // 4 of 7: the other three hold 3/7, not more than 2/3
    const schedule: Schedule = {
      ...calm(62, 4),
      stakes,
      crashes: [{ node: nodeOf.get(validators[0]!)!, at: 0, restartAt: null }],
    };
    const result = runSimulation(schedule, { crypto, allowExcessFaults: true });
    assert.equal(result.violation?.kind, 'liveness');
    assert.equal(result.decided.size, 0);
  });

  it('goes on after a partition heals', () => {
    const schedule: Schedule = {
      ...calm(31, 4),
      gst: 600,
      partitions: [{ from: 0, to: 600, groups: [0, 0, 1, 1] }],
    };
    const result = runSimulation(schedule, { crypto });
    assert.equal(result.violation, null, result.violation?.detail);
    assert.equal(result.decided.size >= 2, true);
  });

  it('a validator restarted from its persisted state keeps its lock and catches up', () => {
    const schedule: Schedule = {
      ...calm(41, 4),
      gst: 400,
      dropRate: 0.2,
      crashes: [
        { node: 1, at: 60, restartAt: 200 },
        { node: 2, at: 120, restartAt: 390 },
      ],
    };
    const result = runSimulation(schedule, { crypto });
    assert.equal(result.violation, null, result.violation?.detail);
  });

  it('hands over to a new set at an epoch boundary: sealers change, a lagging follower syncs', () => {
    // Five nodes, sets of four changing every 2 heights; node 4 joins at epoch 1, node 0 leaves.
    const sets = [
      [0, 1, 2, 3],
      [1, 2, 3, 4],
      [0, 2, 3, 4],
    ];
    const schedule: Schedule = {
      ...calm(51, 4),
      validators: 5,
      epochs: { length: 2, sets },
      heightsAfterGst: 6,
      // A byzantine member of every set: still below 1/3 of each.
      byzantine: [{ node: 3, behaviours: ['equivocateVotes', 'garbage'] }],
    };
    const sealersAt = new Map<number, Set<number>>();
    const { nodeOf } = simulatedValidators(crypto, 5);
    const signed = new Map<number, Set<number>>();
    const result = runSimulation(schedule, {
      crypto,
      trace: true,
      // Node 4 misses every commit of height 1: as a follower it cannot ask, it must sync.
      filter: (_from, to, m) => !(to === 4 && m.height === 1 && m.type === 'commit'),
      onOutputs: (node, outputs) => {
        for (const o of outputs) {
          if (o.kind === 'broadcast') {
            const heights = signed.get(node) ?? new Set();
            heights.add(o.message.height);
            signed.set(node, heights);
          }
          if (o.kind === 'decide') {
            sealersAt.set(o.decision.height, new Set(o.decision.seals.map((x) => nodeOf.get(x.validator)!)));
          }
        }
      },
    });
    assert.equal(result.violation, null, result.violation?.detail);
    assert.ok(result.decided.size >= 6);
    assert.ok(
      result.trace.some((line) => line.includes('n4 SYNCS h1')),
      'the follower synced the height it missed',
    );
    for (const [height, sealers] of sealersAt) {
      const set = sets[Math.min(Math.floor(height / 2), 2)]!;
      assert.ok(
        [...sealers].every((x) => set.includes(x)),
        `height ${height} sealed by its set`,
      );
    }
    for (const [node, heights] of signed) {
      for (const h of heights) {
        assert.ok(
          sets[Math.min(Math.floor(h / 2), 2)]!.includes(node),
          `n${node} signed at h${h} outside its set`,
        );
      }
    }
  });
});
