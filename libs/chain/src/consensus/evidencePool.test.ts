import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEvidencePool } from './evidence.js';
import {
  type ConsensusEventHandlers,
  createFinalityTracker,
  dispatchConsensusEvent,
  type FinalityObservation,
} from './metrics.js';
import type { Address, EquivocationEvidence, Hash } from './types.js';

const V1 = `0x${'01'.repeat(20)}` as Address;
const V2 = `0x${'02'.repeat(20)}` as Address;
const vote = (b: number) => ({
  blockHash: `0x${b.toString(16).padStart(2, '0').repeat(32)}` as Hash,
  signedPart: new Uint8Array(1),
  signature: new Uint8Array(65),
  seal: null,
});
const ev = (validator: Address, height: number, round = 0): EquivocationEvidence => ({
  chainId: 1n,
  height,
  round,
  validator,
  step: 'prepare',
  first: vote(1),
  second: vote(2),
});

describe('[Consensus] evidence pool and metrics', () => {
  it('keeps one evidence per offence, filters, prunes and stays bounded', () => {
    const pool = createEvidencePool({ maxEntries: 3 });
    assert.equal(pool.add(ev(V1, 5)), true);
    assert.equal(pool.add(ev(V1, 5)), false);
    pool.add(ev(V2, 3));
    pool.add(ev(V1, 9));
    assert.deepEqual(
      pool.list().map((e) => e.height),
      [3, 5, 9],
    );
    assert.deepEqual(
      pool.list({ validator: V1, fromHeight: 6 }).map((e) => e.height),
      [9],
    );
    pool.add(ev(V2, 10));
    assert.equal(pool.size, 3, 'the oldest height went');
    pool.pruneBelow(9);
    assert.deepEqual(
      pool.list().map((e) => e.height),
      [9, 10],
    );
  });

  it('dispatches every event kind to its handler and measures finality with the caller clock', () => {
    const seen: string[] = [];
    const handlers: ConsensusEventHandlers = {
      heightStarted: (e) => seen.push(`h${e.height}`),
      roundStarted: () => seen.push('rs'),
      roundChange: () => seen.push('rc'),
      proposalAccepted: () => seen.push('p'),
      decided: (e) => seen.push(`d${e.rounds}`),
      equivocation: () => seen.push('eq'),
      messageRejected: () => seen.push('rej'),
      behind: () => seen.push('behind'),
      decisionStored: (e) => seen.push(`s${e.height}`),
    };
    const tracker = createFinalityTracker();
    const events = [
      { kind: 'heightStarted', height: 4, validators: 4 },
      { kind: 'proposalAccepted', height: 4, round: 0, proposer: V1, reproposed: false },
      { kind: 'decided', height: 4, round: 0, rounds: 1, sealers: [V1], missing: [V2] },
      { kind: 'decisionStored', height: 4, round: 0, ms: 15 },
    ] as const;
    const at = [100, 130, 180, 196];
    const observed: FinalityObservation[] = [];
    events.forEach((e, i) => {
      dispatchConsensusEvent(handlers, e);
      const o = tracker.observe(e, at[i]!);
      if (o) observed.push(o);
    });
    assert.deepEqual(seen, ['h4', 'p', 'd1', 's4']);
    // Final at the commit quorum; stored (served over RPC) after the write.
    assert.deepEqual(observed, [
      { kind: 'final', height: 4, rounds: 1, finalityMs: 80, proposalToFinalityMs: 50 },
      { kind: 'stored', height: 4, storeMs: 15, proposalToStoredMs: 66 },
    ]);
  });
});
