// Public contract of the peer layer: a `Transport` moves opaque messages between authenticated
// peers; the TCP implementation (network.ts) and the fault-injecting wrapper (faultyTransport.ts)
// both provide it, so the node and the tests drive consensus the same way over either.
import type { Address } from '../consensus/types.js';
import type { PeerErrorCode } from './errors.js';
import type { HandshakeSide, PeerRole } from './handshake.js';
import type { MessageKind } from './messageTypes.js';

/** Receives a message that passed the transport's checks. */
export type MessageHandler = (from: Address, bytes: Uint8Array) => void;

/**
 * Moves messages between authenticated peers.
 * Contract: `onMessage` handlers see only messages from peers that completed the handshake and
 * whose bytes passed the validator; `send` and `broadcast` never throw for a peer that is gone
 * (the message is dropped, as on a lossy network).
 */
export interface Transport {
  /** Sends to every connected peer. */
  broadcast(bytes: Uint8Array): void;
  /** Sends to one peer; false when it is not connected. */
  send(to: Address, bytes: Uint8Array): boolean;
  /** Registers the handler of received messages (one; a later call replaces it). */
  onMessage(handler: MessageHandler): void;
  /** Addresses of the peers connected now. */
  connectedPeers(): Address[];
}

/** What the message validator makes of bytes from a peer. */
export type MessageCheck =
  | { verdict: 'accept' }
  /** Well-formed but not useful (stale, duplicate): dropped without penalty. */
  | { verdict: 'ignore' }
  /** Malformed or badly signed: dropped and the peer penalized. */
  | { verdict: 'reject'; code: string };

/** Stateless check of a message before it is delivered or gossiped (decode, signature, membership). */
export type MessageValidator = (bytes: Uint8Array, from: Address) => MessageCheck;

/** How bytes travel to a peer: TCP or WebSocket (the peer URL's scheme, see sockets.ts). */
export type PeerTransportKind = 'tcp' | 'ws';

/** A statically configured peer: dialed at start and re-dialed with backoff while it is away. */
export interface StaticPeer {
  address: Address;
  host: string;
  port: number;
  /** Default 'tcp'. */
  transport?: PeerTransportKind;
}

/** Why a peer was disconnected. */
export type DisconnectReason =
  | 'closed'
  | 'penalized'
  | 'protocolError'
  | 'duplicate'
  | 'shutdown'
  | 'timeout';

/** Metrics events of the peer layer; the node maps them to Prometheus (khipu_p2p_*). */
export type PeerEvent =
  | { kind: 'peerConnected'; address: Address; role: PeerRole; side: HandshakeSide; peers: number }
  | { kind: 'peerDisconnected'; address: Address; reason: DisconnectReason; peers: number }
  | { kind: 'handshakeFailed'; remote: string; code: PeerErrorCode }
  | { kind: 'peerPenalized'; address: Address; code: string; score: number }
  | { kind: 'peerBanned'; address: Address; untilMs: number }
  | { kind: 'messageDropped'; address: Address; reason: 'queueFull' | 'duplicate' | 'rejected' }
  /** A message frame written to a peer; `bytes` counts the whole frame. */
  | ({ kind: 'messageSent'; address: Address; bytes: number } & MessageKind)
  /** A message frame read from an authenticated peer, before it is checked. */
  | ({ kind: 'messageReceived'; address: Address; bytes: number } & MessageKind);

/** One handler per peer event kind (the compiler checks that every kind is handled). */
export type PeerEventHandlers = {
  [K in PeerEvent['kind']]: (event: Extract<PeerEvent, { kind: K }>) => void;
};

/** Calls the handler of `event.kind`. */
export function dispatchPeerEvent(handlers: PeerEventHandlers, event: PeerEvent): void {
  (handlers[event.kind] as (e: PeerEvent) => void)(event);
}
