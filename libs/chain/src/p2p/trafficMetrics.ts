// Prometheus counters of the messages a node's peer network sends and receives, by channel and
// message type, fed by its `messageSent` / `messageReceived` events. Bytes are those of our frames
// on the connection (5-byte frame header + message; WebSocket framing not included). A message
// sent to three peers counts three times: these are wire figures, not protocol ones.
import { Counter, type Registry } from 'prom-client';
import type { PeerEvent } from './types.js';

/** Series names, for readers of /metrics (the consensus bench). */
export const TRAFFIC_METRICS = {
  messagesSent: 'khipu_chain_p2p_messages_sent_total',
  messagesReceived: 'khipu_chain_p2p_messages_received_total',
  bytesSent: 'khipu_chain_p2p_sent_bytes_total',
  bytesReceived: 'khipu_chain_p2p_received_bytes_total',
} as const;

export interface PeerTrafficMetrics {
  messageSent(event: Extract<PeerEvent, { kind: 'messageSent' }>): void;
  messageReceived(event: Extract<PeerEvent, { kind: 'messageReceived' }>): void;
}

/**
 * Registers the traffic counters in `registry`.
 * @throws Error (prom-client) when they are already registered there.
 */
export function createPeerTrafficMetrics(p: { registry: Registry }): PeerTrafficMetrics {
  const registers = [p.registry];
  const labelNames = ['channel', 'type'] as const;
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers });
  const messagesSent = counter(
    TRAFFIC_METRICS.messagesSent,
    'Messages written to peers, by channel and type.',
  );
  const messagesReceived = counter(
    TRAFFIC_METRICS.messagesReceived,
    'Messages read from authenticated peers (before validation), by channel and type.',
  );
  const bytesSent = counter(TRAFFIC_METRICS.bytesSent, 'Bytes of the message frames written to peers.');
  const bytesReceived = counter(
    TRAFFIC_METRICS.bytesReceived,
    'Bytes of the message frames read from peers.',
  );
  return {
    messageSent(e) {
      const labels = { channel: e.channel, type: e.type };
      messagesSent.inc(labels);
      bytesSent.inc(labels, e.bytes);
    },
    messageReceived(e) {
      const labels = { channel: e.channel, type: e.type };
      messagesReceived.inc(labels);
      bytesReceived.inc(labels, e.bytes);
    },
  };
}
