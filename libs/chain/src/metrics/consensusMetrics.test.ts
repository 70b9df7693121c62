import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Address } from '../consensus/types.js';
import { createConsensusMetrics } from './consensusMetrics.js';
import { createNodeMetrics } from './metrics.js';

const A: Address = '0x1111111111111111111111111111111111111111';
const B: Address = '0x2222222222222222222222222222222222222222';

describe('[metrics] consensus and p2p', () => {
  it('maps driver and peer events to Prometheus series, scraped as text', async () => {
    const node = createNodeMetrics({ processMetrics: false });
    let t = 1_000;
    const m = createConsensusMetrics({ registry: node.registry, now: () => t });
    m.onConsensusEvent({ kind: 'heightStarted', height: 7, validators: 4 });
    t += 1_000;
    m.onConsensusEvent({ kind: 'roundChange', height: 7, fromRound: 0, toRound: 1, reason: 'timeout' });
    m.onConsensusEvent({ kind: 'proposalAccepted', height: 7, round: 1, proposer: A, reproposed: false });
    t += 250;
    m.onConsensusEvent({ kind: 'decided', height: 7, round: 1, rounds: 2, sealers: [A], missing: [B] });
    t += 40;
    m.onConsensusEvent({ kind: 'decisionStored', height: 7, round: 1, ms: 40 });
    m.onConsensusEvent({ kind: 'equivocation', height: 8, round: 0, validator: B, step: 'commit' });
    m.onConsensusEvent({
      kind: 'messageRejected',
      height: 8,
      sender: B,
      type: 'prepare',
      code: 'BAD_SIGNATURE',
    });
    m.onConsensusEvent({ kind: 'behind', height: 8, peerHeight: 11, peers: 2 });
    m.onPeerEvent({ kind: 'peerConnected', address: A, role: 'validator', side: 'initiator', peers: 1 });
    m.onPeerEvent({ kind: 'peerConnected', address: B, role: 'validator', side: 'responder', peers: 2 });
    m.onPeerEvent({ kind: 'peerPenalized', address: B, code: 'MALFORMED', score: -10 });
    m.onPeerEvent({ kind: 'peerBanned', address: B, untilMs: 0 });
    m.onPeerEvent({ kind: 'peerDisconnected', address: B, reason: 'penalized', peers: 1 });
    m.onPeerEvent({ kind: 'messageDropped', address: B, reason: 'rejected' });
    m.onPeerEvent({ kind: 'handshakeFailed', remote: '127.0.0.1:1', code: 'UNKNOWN_PEER' });

    const text = await node.registry.metrics();
    const has = (line: string) => assert.ok(text.split('\n').includes(line), `missing: ${line}\n${text}`);
    has('khipu_chain_consensus_height 7');
    has('khipu_chain_consensus_round 1');
    has('khipu_chain_consensus_validators 4');
    has('khipu_chain_consensus_decisions_total 1');
    has('khipu_chain_consensus_rounds_per_height_bucket{le="1"} 0');
    has('khipu_chain_consensus_rounds_per_height_bucket{le="2"} 1');
    has('khipu_chain_consensus_round_changes_total{reason="timeout"} 1');
    // 1.25 s from the start of the height, 0.25 s from the deciding proposal: in seconds.
    has('khipu_chain_consensus_finality_seconds_sum 1.25');
    has('khipu_chain_consensus_finality_seconds_bucket{le="1"} 0');
    has('khipu_chain_consensus_finality_seconds_bucket{le="1.5"} 1');
    has('khipu_chain_consensus_proposal_to_finality_seconds_sum 0.25');
    has('khipu_chain_consensus_proposal_to_stored_seconds_sum 0.29');
    has('khipu_chain_consensus_decision_store_seconds_sum 0.04');
    has(`khipu_chain_consensus_seals_missed_total{validator="${B}"} 1`);
    has('khipu_chain_consensus_equivocations_total{step="commit"} 1');
    has('khipu_chain_consensus_rejected_messages_total{type="prepare",code="BAD_SIGNATURE"} 1');
    has('khipu_chain_consensus_blocks_behind 3');
    has('khipu_chain_p2p_peers 1');
    has('khipu_chain_p2p_connections_total{role="validator",side="initiator"} 1');
    has('khipu_chain_p2p_disconnections_total{reason="penalized"} 1');
    has('khipu_chain_p2p_penalties_total{code="MALFORMED"} 1');
    has('khipu_chain_p2p_bans_total 1');
    has('khipu_chain_p2p_dropped_messages_total{reason="rejected"} 1');
    has('khipu_chain_p2p_handshake_failures_total{code="UNKNOWN_PEER"} 1');
    for (const line of text.split('\n').filter((l) => l.startsWith('# TYPE'))) {
      const [, , name, type] = line.split(' ');
      assert.match(name ?? '', /^khipu_chain_/);
      if (type === 'counter') assert.match(name ?? '', /_total$/, `${name} is a counter`);
      if (type === 'histogram' && /finality/.test(name ?? '')) assert.match(name ?? '', /_seconds$/);
    }
  });
});
