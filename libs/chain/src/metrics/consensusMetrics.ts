// Prometheus metrics of consensus and the peer layer, fed by the driver's `onEvent`
// (ConsensusEvent) and the peer network's `onEvent` (PeerEvent). Same conventions as metrics.ts:
// `khipu_chain_` prefix, base units (seconds), counters end in `_total`, durations are
// histograms, labels bounded (validator labels are bounded by the validator set).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  type ConsensusEventHandlers,
  createFinalityTracker,
  dispatchConsensusEvent,
} from '../consensus/metrics.js';
import type { ConsensusEvent } from '../consensus/types.js';
import { createPeerTrafficMetrics } from '../p2p/trafficMetrics.js';
import { dispatchPeerEvent, type PeerEvent, type PeerEventHandlers } from '../p2p/types.js';

export interface CreateConsensusMetricsParameters {
  /** The node's registry (createNodeMetrics().registry). */
  registry: Registry;
  /** Milliseconds on a monotonic clock; default performance.now(). The engine reads no clock. */
  now?: () => number;
}

export interface ConsensusMetrics {
  /** Give it to the consensus driver's `onEvent`. */
  onConsensusEvent(event: ConsensusEvent): void;
  /** Give it to the peer network's `onEvent`. */
  onPeerEvent(event: PeerEvent): void;
}

/** Finality from 10 ms (100 ms test blocks) to a minute (a long stall). */
const FINALITY_BUCKETS = [
  0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60,
];
const ROUND_BUCKETS = [1, 2, 3, 4, 5, 6, 8, 12, 16];

/**
 * Registers the consensus and p2p series in `registry`.
 * @throws Error (prom-client) when they are already registered there.
 * @example
 * const cm = createConsensusMetrics({ registry: metrics.registry });
 * createConsensusDriver({ ..., onEvent: cm.onConsensusEvent }); createPeerNetwork({ ..., onEvent: cm.onPeerEvent });
 */
export function createConsensusMetrics(p: CreateConsensusMetricsParameters): ConsensusMetrics {
  const registers = [p.registry];
  const now = p.now ?? (() => performance.now());
  const c = {
    height: new Gauge({
      name: 'khipu_chain_consensus_height',
      help: 'Height the consensus engine works on.',
      registers,
    }),
    round: new Gauge({
      name: 'khipu_chain_consensus_round',
      help: 'Round of the current height.',
      registers,
    }),
    validators: new Gauge({
      name: 'khipu_chain_consensus_validators',
      help: 'Validators in the set of the current height.',
      registers,
    }),
    decisions: new Counter({
      name: 'khipu_chain_consensus_decisions_total',
      help: 'Heights decided (blocks made final).',
      registers,
    }),
    roundsPerHeight: new Histogram({
      name: 'khipu_chain_consensus_rounds_per_height',
      help: 'Rounds a height took to decide (1: decided in round 0).',
      buckets: ROUND_BUCKETS,
      registers,
    }),
    roundChanges: new Counter({
      name: 'khipu_chain_consensus_round_changes_total',
      help: 'Round changes, by reason (timeout, catchUp, proposal).',
      labelNames: ['reason'],
      registers,
    }),
    finality: new Histogram({
      name: 'khipu_chain_consensus_finality_seconds',
      help: 'Time from the start of a height to its decision.',
      buckets: FINALITY_BUCKETS,
      registers,
    }),
    proposalToFinality: new Histogram({
      name: 'khipu_chain_consensus_proposal_to_finality_seconds',
      help: 'Time from accepting the deciding proposal to its commit quorum (the block is final).',
      buckets: FINALITY_BUCKETS,
      registers,
    }),
    proposalToStored: new Histogram({
      name: 'khipu_chain_consensus_proposal_to_stored_seconds',
      help: 'Time from accepting the deciding proposal to the final block stored and served over RPC.',
      buckets: FINALITY_BUCKETS,
      registers,
    }),
    decisionStore: new Histogram({
      name: 'khipu_chain_consensus_decision_store_seconds',
      help: 'Time to store a decided block (its write, durable).',
      buckets: FINALITY_BUCKETS,
      registers,
    }),
    sealsMissed: new Counter({
      name: 'khipu_chain_consensus_seals_missed_total',
      help: 'Decided blocks a validator of the set did not seal, by validator.',
      labelNames: ['validator'],
      registers,
    }),
    equivocations: new Counter({
      name: 'khipu_chain_consensus_equivocations_total',
      help: 'Equivocations detected (evidence recorded), by step.',
      labelNames: ['step'],
      registers,
    }),
    rejected: new Counter({
      name: 'khipu_chain_consensus_rejected_messages_total',
      help: 'Consensus messages refused by the engine, by type and error code.',
      labelNames: ['type', 'code'],
      registers,
    }),
    behind: new Gauge({
      name: 'khipu_chain_consensus_blocks_behind',
      help: 'Heights between ours and the lowest height more than the faulty power reported (0 when caught up).',
      registers,
    }),
  };
  const peers = {
    peers: new Gauge({
      name: 'khipu_chain_p2p_peers',
      help: 'Authenticated peers connected now.',
      registers,
    }),
    connections: new Counter({
      name: 'khipu_chain_p2p_connections_total',
      help: 'Peers admitted after the handshake, by role and side.',
      labelNames: ['role', 'side'],
      registers,
    }),
    disconnections: new Counter({
      name: 'khipu_chain_p2p_disconnections_total',
      help: 'Peers disconnected, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    handshakeFailures: new Counter({
      name: 'khipu_chain_p2p_handshake_failures_total',
      help: 'Handshakes refused, by error code.',
      labelNames: ['code'],
      registers,
    }),
    penalties: new Counter({
      name: 'khipu_chain_p2p_penalties_total',
      help: 'Score penalties given to peers, by code.',
      labelNames: ['code'],
      registers,
    }),
    bans: new Counter({ name: 'khipu_chain_p2p_bans_total', help: 'Peers banned.', registers }),
    dropped: new Counter({
      name: 'khipu_chain_p2p_dropped_messages_total',
      help: 'Messages dropped by the peer layer, by reason.',
      labelNames: ['reason'],
      registers,
    }),
  };

  // Messages and bytes per channel and type (khipu_chain_p2p_{messages_sent,sent_bytes,...}_total).
  const traffic = createPeerTrafficMetrics({ registry: p.registry });
  const finality = createFinalityTracker();
  const consensusHandlers: ConsensusEventHandlers = {
    heightStarted(e) {
      c.height.set(e.height);
      c.round.set(0);
      c.validators.set(e.validators);
    },
    roundStarted(e) {
      c.round.set(e.round);
    },
    roundChange(e) {
      c.round.set(e.toRound);
      c.roundChanges.inc({ reason: e.reason });
    },
    proposalAccepted() {},
    decided(e) {
      c.decisions.inc();
      c.roundsPerHeight.observe(e.rounds);
      for (const v of e.missing) c.sealsMissed.inc({ validator: v });
      c.behind.set(0);
    },
    decisionStored() {},
    equivocation(e) {
      c.equivocations.inc({ step: e.step });
    },
    messageRejected(e) {
      c.rejected.inc({ type: e.type, code: e.code });
    },
    behind(e) {
      c.behind.set(Math.max(0, e.peerHeight - e.height));
    },
  };
  const peerHandlers: PeerEventHandlers = {
    peerConnected(e) {
      peers.peers.set(e.peers);
      peers.connections.inc({ role: e.role, side: e.side });
    },
    peerDisconnected(e) {
      peers.peers.set(e.peers);
      peers.disconnections.inc({ reason: e.reason });
    },
    handshakeFailed(e) {
      peers.handshakeFailures.inc({ code: e.code });
    },
    peerPenalized(e) {
      peers.penalties.inc({ code: e.code });
    },
    peerBanned() {
      peers.bans.inc();
    },
    messageDropped(e) {
      peers.dropped.inc({ reason: e.reason });
    },
    messageSent: traffic.messageSent,
    messageReceived: traffic.messageReceived,
  };

  return {
    onConsensusEvent(event) {
      const observed = finality.observe(event, now());
      if (observed?.kind === 'final') {
        c.finality.observe(observed.finalityMs / 1000);
        if (observed.proposalToFinalityMs !== null)
          c.proposalToFinality.observe(observed.proposalToFinalityMs / 1000);
      } else if (observed?.kind === 'stored') {
        c.decisionStore.observe(observed.storeMs / 1000);
        if (observed.proposalToStoredMs !== null)
          c.proposalToStored.observe(observed.proposalToStoredMs / 1000);
      }
      dispatchConsensusEvent(consensusHandlers, event);
    },
    onPeerEvent(event) {
      dispatchPeerEvent(peerHandlers, event);
    },
  };
}
