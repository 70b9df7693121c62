// The driver's height pacing (heightTiming.ts) against a scripted engine on a mocked clock: what
// is checked is when the driver builds and when round 0's timer fires, not the protocol.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { MessageHandler, Transport } from '../p2p/types.js';
import { encodeConsensusMessage } from './codec.js';
import { type CreateConsensusDriverParameters, createConsensusDriver } from './driver.js';
import type { ConsensusEngine } from './engine.js';
import { proposerOf } from './proposer.js';
import type { Address, ConsensusInput, ConsensusOutput, Decision, Hash, ProposalMessage } from './types.js';

const validators = ['0x11', '0x22', '0x33', '0x44'].map((a) => a.padEnd(42, '0') as Address);
const BLOCK_TIME_MS = 1000;
const ROUND_TIMEOUT_MS = 2000;
const HASH = `0x${'ab'.repeat(32)}` as Hash;

function proposal(height: number, round: number, sender = proposerOf(validators, height, round)): Uint8Array {
  const m: ProposalMessage = {
    type: 'proposal',
    chainId: 1n,
    height,
    round,
    sender,
    signature: new Uint8Array(65),
    blockHash: HASH,
    block: new Uint8Array([1]),
    justification: { roundChanges: [], prepares: [] },
  };
  return encodeConsensusMessage(m);
}

const decision = (height: number): Decision => ({
  height,
  round: 0,
  blockHash: HASH,
  block: new Uint8Array([1]),
  seals: [],
});

/** An engine that answers each input with scripted outputs and records when each input came. */
function scriptedEngine(address: Address, script: (input: ConsensusInput) => ConsensusOutput[]) {
  const seen: { kind: ConsensusInput['kind']; at: number }[] = [];
  const engine: ConsensusEngine = {
    address,
    height: 0,
    round: 0,
    prepared: null,
    decisionAt: () => undefined,
    step(input) {
      seen.push({ kind: input.kind, at: Date.now() });
      return { outputs: script(input), verdict: null, rejection: null };
    },
  };
  return { engine, seen };
}

function fakeTransport(): Transport & { deliver(bytes: Uint8Array): void } {
  let handler: MessageHandler = () => {};
  return {
    broadcast() {},
    send: () => true,
    onMessage(h) {
      handler = h;
    },
    connectedPeers: () => [],
    deliver: (bytes) => handler(validators[0]!, bytes),
  };
}

/** Lets the driver's promise chains run between clock ticks. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** Round 0's timer of the height the engine starts, as a real engine sets it. */
const roundZeroTimer = (height: number): ConsensusOutput => ({
  kind: 'setTimer',
  timerId: height,
  height,
  round: 0,
  afterMs: ROUND_TIMEOUT_MS,
});

/** A driver from height 1 over the four validators, on the mocked clock. */
function pacedDriver(
  p: Pick<CreateConsensusDriverParameters, 'engine' | 'transport' | 'blocks'> &
    Partial<Pick<CreateConsensusDriverParameters, 'store'>>,
) {
  return createConsensusDriver({
    store: { persistState: async () => {}, commitDecision: async () => {} },
    ...p,
    validatorsAt: () => ({ validators }),
    startHeight: 1,
    blockTimeMs: BLOCK_TIME_MS,
    now: () => Date.now(),
  });
}

/** Runs `test` with setTimeout and Date mocked from 0 ms, and restores them however it ends. */
async function onMockedClock<T>(test: () => Promise<T>): Promise<T> {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  try {
    return await test();
  } finally {
    mock.timers.reset();
  }
}

describe('[Consensus] driver pacing', () => {
  /** A validator commits height 1 800 ms after height 1's proposal came at 100 ms; it proposes
   *  height 2 when `proposes`. When it built, and when its round-0 timer of height 2 ran out. */
  function lateToCommit(proposes: boolean): Promise<{ builds: number[]; timeoutAt?: number }> {
    return onMockedClock(async () => {
      const self = proposerOf(validators, 2, 0);
      const { engine, seen } = scriptedEngine(self, (input) => {
        if (input.kind === 'startHeight')
          return [
            roundZeroTimer(input.height),
            ...(input.height === 2 && proposes ? [{ kind: 'buildBlock', height: 2, round: 0 } as const] : []),
          ];
        if (input.kind === 'message') return [{ kind: 'decide', decision: decision(1) }];
        return [];
      });
      const builds: number[] = [];
      const transport = fakeTransport();
      const driver = pacedDriver({
        engine,
        transport,
        blocks: {
          buildBlock: async () => {
            builds.push(Date.now());
            return new Uint8Array([2]);
          },
          validateBlock: async () => true,
        },
        store: {
          persistState: async () => {},
          commitDecision: () => new Promise((r) => setTimeout(r, 800)),
        },
      });
      driver.start();
      await settle();
      mock.timers.tick(100);
      transport.deliver(proposal(1, 0)); // the parent's proposal comes at 100 ms
      await settle();
      mock.timers.tick(800); // committed at 900 ms: height 2 starts late
      await settle();
      assert.equal(seen.at(-1)?.kind, 'startHeight');
      assert.equal(seen.at(-1)?.at, 900);

      for (let t = 900; t < 4000; t += 100) {
        mock.timers.tick(100);
        await settle();
      }
      driver.stop();
      const timeoutAt = seen.find((s) => s.kind === 'timeout' && s.at > 900)?.at;
      return timeoutAt === undefined ? { builds } : { builds, timeoutAt };
    });
  }

  it("a validator late to commit the parent gives up round 0 on the parent proposal's clock", async () => {
    const { timeoutAt } = await lateToCommit(false);
    assert.equal(timeoutAt, 2100, 'round 0 ends at 100 + 2000 ms, as on a validator that committed at once');
  });

  it('a proposer late to commit the parent builds on its clock, then gives its block a round timeout', async () => {
    const { builds, timeoutAt } = await lateToCommit(true);
    assert.deepEqual(builds, [1100], 'built at 100 + 1000 ms, not 900 + 1000 ms');
    assert.equal(timeoutAt, 3100, 'held a round timeout (2 s) after its build');
  });

  it("a validator still validating the round's proposal when the timer runs out leaves the round only after it", () =>
    onMockedClock(async () => {
      const self = proposerOf(validators, 2, 0);
      const { engine, seen } = scriptedEngine(self, (input) => {
        if (input.kind === 'startHeight')
          return [
            { kind: 'setTimer', timerId: 1, height: 1, round: 0, afterMs: ROUND_TIMEOUT_MS },
            { kind: 'validateBlock', height: 1, round: 0, blockHash: HASH, block: new Uint8Array([1]) },
          ];
        return [];
      });
      const driver = pacedDriver({
        engine,
        transport: fakeTransport(),
        blocks: {
          buildBlock: async () => new Uint8Array(),
          // Executing the proposal takes 3 s here (a loaded machine), past round 0's 2 s.
          validateBlock: () => new Promise((r) => setTimeout(() => r(true), 3000)),
        },
      });
      driver.start();
      await settle();
      for (let t = 0; t < 3000; t += 500) {
        mock.timers.tick(500);
        await settle();
      }
      assert.deepEqual(
        seen.filter((s) => s.kind !== 'startHeight').map((s) => [s.kind, s.at]),
        [['blockValidated', 3000]],
      );
      // Then as long as the validation took (3 s, more than the 500 ms grace): the others
      // execute the same block meanwhile and their prepares are due.
      mock.timers.tick(2999);
      await settle();
      assert.equal(seen.filter((s) => s.kind === 'timeout').length, 0);
      mock.timers.tick(1);
      await settle();
      assert.deepEqual(seen.find((s) => s.kind === 'timeout')?.at, 6000);
      driver.stop();
    }));

  it('a proposal by a validator not proposing that round does not move the pace', () =>
    onMockedClock(async () => {
      const self = proposerOf(validators, 2, 0);
      let messages = 0;
      const { engine, seen } = scriptedEngine(self, (input) => {
        if (input.kind === 'startHeight') return [roundZeroTimer(input.height)];
        if (input.kind === 'message' && ++messages === 2)
          return [{ kind: 'decide', decision: { ...decision(1), round: 1 } }];
        return [];
      });
      const transport = fakeTransport();
      const driver = pacedDriver({
        engine,
        transport,
        blocks: { buildBlock: async () => new Uint8Array(), validateBlock: async () => true },
      });
      driver.start();
      await settle();
      // A round-1 proposal by round 0's proposer (not round 1's) at 100 ms, the real one at 500 ms,
      // which is decided: height 2 is timed from 500 ms.
      mock.timers.tick(100);
      transport.deliver(proposal(1, 1, proposerOf(validators, 1, 0)));
      await settle();
      mock.timers.tick(400);
      transport.deliver(proposal(1, 1));
      await settle();
      mock.timers.tick(ROUND_TIMEOUT_MS - 1);
      await settle();
      assert.equal(
        seen.some((s) => s.kind === 'timeout'),
        false,
      );
      mock.timers.tick(1);
      await settle();
      assert.equal(seen.find((s) => s.kind === 'timeout')?.at, 500 + ROUND_TIMEOUT_MS);
      driver.stop();
    }));
});
