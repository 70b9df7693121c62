// Metrics hooks. The engine emits typed `ConsensusEvent`s; the node maps each kind to Prometheus
// through a `ConsensusEventHandlers` object, and the compiler checks that every kind is handled.
// The mapping lives in ../metrics/consensusMetrics.ts (khipu_chain_consensus_*: finality and
// proposal-to-finality histograms in seconds, rounds per height, round changes, seals missed per
// validator, equivocations, rejected messages, blocks behind; khipu_chain_p2p_* for PeerEvents).
import type { ConsensusEvent } from './types.js';

/** One handler per event kind. */
export type ConsensusEventHandlers = {
  [K in ConsensusEvent['kind']]: (event: Extract<ConsensusEvent, { kind: K }>) => void;
};

/** Calls the handler of `event.kind`. */
export function dispatchConsensusEvent(handlers: ConsensusEventHandlers, event: ConsensusEvent): void {
  (handlers[event.kind] as (e: ConsensusEvent) => void)(event);
}

/** Durations the node observes, computed from events and its own clock. */
export type FinalityObservation =
  | {
      kind: 'final';
      height: number;
      rounds: number;
      /** From `heightStarted` to `decided` (the commit quorum: the block is final). */
      finalityMs: number;
      /** From the accepted proposal of the deciding round to `decided`; null when none was seen. */
      proposalToFinalityMs: number | null;
    }
  | {
      kind: 'stored';
      height: number;
      /** The decided block's write (`decisionStored`). */
      storeMs: number;
      /** From the accepted proposal of the deciding round to the block stored and served over
       *  RPC; null when no proposal was seen. */
      proposalToStoredMs: number | null;
    };

/**
 * Turns events and timestamps into finality observations (the clock stays outside the engine).
 * @example const t = createFinalityTracker(); t.observe(event, performance.now());
 */
export function createFinalityTracker(): {
  observe(event: ConsensusEvent, nowMs: number): FinalityObservation | null;
} {
  let started: { height: number; at: number } | null = null;
  const proposals = new Map<number, number>();
  // The deciding proposal's arrival, kept until the decision is stored.
  let decided: { height: number; proposedAt: number | undefined } | null = null;
  return {
    observe(event, nowMs) {
      switch (event.kind) {
        case 'heightStarted':
          started = { height: event.height, at: nowMs };
          proposals.clear();
          return null;
        case 'proposalAccepted':
          if (!proposals.has(event.round)) proposals.set(event.round, nowMs);
          return null;
        case 'decided': {
          const from = started && started.height === event.height ? started.at : null;
          const proposed = proposals.get(event.round);
          decided = { height: event.height, proposedAt: proposed };
          return {
            kind: 'final',
            height: event.height,
            rounds: event.rounds,
            finalityMs: from === null ? 0 : nowMs - from,
            proposalToFinalityMs: proposed === undefined ? null : nowMs - proposed,
          };
        }
        case 'decisionStored': {
          const proposed = decided?.height === event.height ? decided.proposedAt : undefined;
          decided = null;
          return {
            kind: 'stored',
            height: event.height,
            storeMs: event.ms,
            proposalToStoredMs: proposed === undefined ? null : nowMs - proposed,
          };
        }
        default:
          return null;
      }
    },
  };
}
