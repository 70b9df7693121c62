// The driver runs a consensus engine for a node: it feeds it network messages, timer expiries and
// the answers of block building and validation, and carries out its outputs in order — waiting
// for `persist` and for a decision to be stored before anything that follows. Inputs are handled
// one at a time through a serial queue, so the engine never sees two at once.
//
// It sits apart from the engine because it owns the clock (setTimeout) and awaits I/O; the node
// supplies storage and execution through the two small interfaces below. The clock also paces
// heights (heightTiming.ts): the proposer builds a block time after the parent's proposal was
// seen, and round 0's timer runs from that same moment on every validator.

import type { Transport } from '../p2p/types.js';
import { DEFAULT_MAX_MESSAGE_BYTES, decodeConsensusMessage, encodeConsensusMessage } from './codec.js';
import type { ConsensusEngine } from './engine.js';
import { isConsensusError } from './errors.js';
import { afterBlockWorkGraceMs, buildAtMs, createProposalClock, roundZeroTimerMs } from './heightTiming.js';
import { createRoundTimer } from './roundTimer.js';
import type {
  ConsensusEvent,
  ConsensusInput,
  Decision,
  EquivocationEvidence,
  Hash,
  PersistedConsensusState,
  ValidatorSetView,
} from './types.js';

/**
 * Builds and checks blocks (the node's producer and executor).
 * Contract: `buildBlock` returns encoded block bytes whose `hashBlock` is the block hash (the
 * driver calls it once the block time is up); `validateBlock` resolves true only when executing the block on its
 * parent gives the header's state root and the header follows the chain rules.
 */
export interface BlockSource {
  buildBlock(height: number, round: number): Promise<Uint8Array>;
  validateBlock(height: number, blockHash: Hash, block: Uint8Array): Promise<boolean>;
}

/**
 * Durable storage of what consensus must not forget.
 * Contract: each promise resolves only once the write is durable (fsync); `commitDecision` stores
 * the block with its seals (the next block's `parentSeals`) and makes it the head.
 */
export interface ConsensusStore {
  persistState(state: PersistedConsensusState): Promise<void>;
  commitDecision(decision: Decision): Promise<void>;
}

export interface CreateConsensusDriverParameters {
  engine: ConsensusEngine;
  transport: Transport;
  blocks: BlockSource;
  store: ConsensusStore;
  /** The validator set of a height (set changes at epoch boundaries are the node's). */
  validatorsAt: (height: number) => ValidatorSetView;
  /** The first height to decide: the stored head + 1. */
  startHeight: number;
  /** The last stored decisions (after a restart), so that the engine answers peers that are behind. */
  recentDecisions?: readonly Decision[];
  maxMessageBytes?: number;
  /** The proposer builds this long after the parent's proposal was seen (default 0: at once). */
  blockTimeMs?: number;
  /** Milliseconds on this node's clock (tests). */
  now?: () => number;
  onEvent?: (event: ConsensusEvent) => void;
  onEvidence?: (evidence: EquivocationEvidence) => void;
  /** A storage or execution failure; the driver has stopped (it cannot go on safely). */
  onFatal?: (error: unknown) => void;
}

/** A running consensus loop. */
export interface ConsensusDriver {
  start(): void;
  /** Stops the loop and its timer; inputs already queued are dropped. */
  stop(): void;
  /** Resolves when every queued input has been handled (tests). */
  idle(): Promise<void>;
}

/**
 * Creates a driver; `start()` begins the first height.
 * @example
 * const driver = createConsensusDriver({ engine, transport, blocks, store, validatorsAt, startHeight: head + 1 });
 * driver.start();
 */
export function createConsensusDriver(p: CreateConsensusDriverParameters): ConsensusDriver {
  const maxBytes = p.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const blockTimeMs = p.blockTimeMs ?? 0;
  const now = p.now ?? Date.now;
  let chain: Promise<void> = Promise.resolve();
  const timer = createRoundTimer((timerId) => enqueue({ kind: 'timeout', timerId }));
  let buildWait: NodeJS.Timeout | null = null;
  let stopped = true;
  const proposals = createProposalClock((height) => p.validatorsAt(height).validators, p.startHeight);
  /** The height being paced and its reference: when its parent's deciding proposal was seen (or,
   *  not having seen it, when this node started or stored the parent). */
  let pacedHeight = p.startHeight;
  let reference = now();
  /** How long this node's last build took (the proposer starts that much early). */
  let lastBuildMs = 0;
  /** The engine's timeout of the round armed last: a proposer holds its timer that long after its build. */
  let roundTimeoutMs = 0;

  const build = (height: number, round: number) => {
    const started = now();
    const done = timer.working(height, round, roundTimeoutMs);
    p.blocks
      .buildBlock(height, round)
      .then((block) => {
        lastBuildMs = now() - started;
        enqueue({ kind: 'blockBuilt', height, round, block });
      }, fatal)
      .finally(done);
  };

  const fatal = (error: unknown) => {
    if (stopped) return;
    driver.stop();
    p.onFatal?.(error);
  };

  const enqueue = (input: ConsensusInput) => {
    if (stopped) return;
    chain = chain.then(() => (stopped ? undefined : handle(input))).catch(fatal);
  };

  const handle = async (input: ConsensusInput): Promise<void> => {
    const { outputs } = p.engine.step(input);
    for (const o of outputs) {
      if (stopped) return;
      switch (o.kind) {
        case 'broadcast':
          if (o.message.type === 'proposal')
            proposals.seen(o.message.height, o.message.round, o.message.sender, now());
          p.transport.broadcast(encodeConsensusMessage(o.message));
          break;
        case 'send':
          p.transport.send(o.to, encodeConsensusMessage(o.message));
          break;
        case 'setTimer': {
          const afterMs =
            o.round === 0 && o.height === pacedHeight
              ? roundZeroTimerMs({
                  parentProposedAtMs: reference,
                  nowMs: now(),
                  roundTimeoutMs: o.afterMs,
                  blockTimeMs,
                })
              : o.afterMs;
          roundTimeoutMs = o.afterMs;
          timer.arm({
            timerId: o.timerId,
            height: o.height,
            round: o.round,
            afterMs,
            graceMs: afterBlockWorkGraceMs(o.afterMs, blockTimeMs),
          });
          break;
        }
        case 'buildBlock': {
          const waitMs =
            o.height === pacedHeight ? buildAtMs(reference, blockTimeMs, lastBuildMs) - now() : 0;
          if (waitMs <= 0) {
            build(o.height, o.round);
            break;
          }
          if (buildWait) clearTimeout(buildWait);
          buildWait = setTimeout(() => {
            buildWait = null;
            if (!stopped) build(o.height, o.round);
          }, waitMs);
          break;
        }
        case 'validateBlock': {
          const done = timer.working(o.height, o.round);
          p.blocks
            .validateBlock(o.height, o.blockHash, o.block)
            .then(
              (valid) => enqueue({ kind: 'blockValidated', height: o.height, blockHash: o.blockHash, valid }),
              fatal,
            )
            .finally(done);
          break;
        }
        case 'persist':
          // Nothing after this output may leave before the state is durable.
          await p.store.persistState(o.state);
          break;
        case 'decide': {
          const storing = now();
          await p.store.commitDecision(o.decision);
          p.onEvent?.({
            kind: 'decisionStored',
            height: o.decision.height,
            round: o.decision.round,
            ms: now() - storing,
          });
          pacedHeight = o.decision.height + 1;
          reference = proposals.take(o.decision.height, o.decision.round) ?? now();
          enqueue({
            kind: 'startHeight',
            height: o.decision.height + 1,
            validators: p.validatorsAt(o.decision.height + 1),
          });
          break;
        }
        case 'evidence':
          p.onEvidence?.(o.evidence);
          break;
        case 'event':
          p.onEvent?.(o.event);
          break;
      }
    }
  };

  const driver: ConsensusDriver = {
    start() {
      if (!stopped) return;
      stopped = false;
      reference = now();
      p.transport.onMessage((_from, bytes) => {
        try {
          const message = decodeConsensusMessage(bytes, { maxBytes });
          // Noted on arrival, before the queue: the reference is when it came, not when it was handled.
          if (message.type === 'proposal')
            proposals.seen(message.height, message.round, message.sender, now());
          enqueue({ kind: 'message', message });
        } catch (e) {
          // The peer layer's validator drops undecodable bytes before they get here.
          if (!isConsensusError(e)) throw e;
        }
      });
      for (const decision of p.recentDecisions ?? []) {
        enqueue({ kind: 'rememberDecision', decision, validators: p.validatorsAt(decision.height) });
      }
      enqueue({ kind: 'startHeight', height: p.startHeight, validators: p.validatorsAt(p.startHeight) });
    },
    stop() {
      stopped = true;
      timer.stop();
      if (buildWait) clearTimeout(buildWait);
      buildWait = null;
      p.transport.onMessage(() => {});
    },
    idle: () => chain,
  };
  return driver;
}
