// The peer network over TCP or WebSocket (sockets.ts): length-prefixed frames, a signed handshake per connection,
// static peers re-dialed with exponential backoff, per-peer bounded inbound queues drained
// round-robin (a flood from one peer waits its turn; its socket is paused while its queue is full),
// a second, lower-priority queue per peer for bulk messages (transaction gossip: delivered only
// when no other message waits, a few per turn, dropped when full), scoring and bans for peers that
// send garbage, and gossip with a seen-cache.
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { bytesToHex } from '../consensus/hex.js';
import type { Address, Keccak256, SealVerifier, Signer } from '../consensus/types.js';
import { isPeerError, PeerError } from './errors.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  FrameType,
} from './frame.js';
import {
  createAuth,
  decodeHello,
  encodeHello,
  type HandshakeSide,
  type Hello,
  NONCE_BYTES,
  type PeerRole,
  PROTOCOL_VERSION,
  verifyAuth,
} from './handshake.js';
import {
  type MessageClassifier,
  type MessageKind,
  nodeMessageIsBulk,
  nodeMessageKind,
} from './messageTypes.js';
import {
  connectSocket,
  isOversizedMessageError,
  listenSockets,
  type PeerSocket,
  type SocketListener,
} from './sockets.js';
import type {
  DisconnectReason,
  MessageHandler,
  MessageValidator,
  PeerEvent,
  PeerTransportKind,
  StaticPeer,
  Transport,
} from './types.js';

/** Where to accept connections, and over which transport (default 'tcp'). */
export interface ListenAddress {
  host: string;
  /** 0: an ephemeral port. */
  port: number;
  transport?: PeerTransportKind;
}

/** Bounds and penalties of the peer layer. */
export interface PeerLimits {
  /** Largest frame (type + payload) accepted. */
  maxFrameBytes: number;
  /** Messages queued per peer before its socket is paused. */
  queuePerPeer: number;
  /** Bytes buffered for sending to one peer before further messages to it are dropped. */
  maxOutboundBytes: number;
  handshakeTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Score lost per rejected message; a frame error costs `-disconnectScore` at once. */
  penaltyPerRejection: number;
  /** At or below this score the peer is disconnected and banned. */
  disconnectScore: number;
  banMs: number;
  /** Messages delivered per event-loop turn before yielding to socket reads. */
  batchPerTick: number;
  /** Bulk messages queued per peer; beyond, new ones are dropped (the socket is not paused: the
   *  peer's other messages must still come through). */
  bulkQueuePerPeer: number;
  /** Bytes of bulk messages queued per peer; beyond, new ones are dropped too. */
  bulkQueueBytesPerPeer: number;
  /** Bulk messages delivered per event-loop turn, and only when no other message waits. */
  bulkPerTick: number;
  /** Message ids remembered for gossip de-duplication. */
  seenCacheSize: number;
}

export const DEFAULT_PEER_LIMITS: PeerLimits = {
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  queuePerPeer: 1024,
  maxOutboundBytes: 64 * 1024 * 1024,
  handshakeTimeoutMs: 5_000,
  reconnectMinMs: 100,
  reconnectMaxMs: 10_000,
  penaltyPerRejection: 10,
  disconnectScore: -100,
  banMs: 60_000,
  batchPerTick: 256,
  bulkQueuePerPeer: 256,
  bulkQueueBytesPerPeer: 16 * 1024 * 1024,
  bulkPerTick: 8,
  seenCacheSize: 16_384,
};

export interface CreatePeerNetworkParameters {
  chainId: bigint;
  signer: Signer;
  verifier: SealVerifier;
  keccak256: Keccak256;
  /** What we announce; a follower is admitted by validators that list it in `followers`. */
  role?: PeerRole;
  /** Where to accept connections (one address or several, e.g. TCP and WebSocket); omit to only dial. */
  listen?: ListenAddress | readonly ListenAddress[];
  peers?: readonly StaticPeer[];
  /**
   * Validators admitted as such (read at every handshake, so set changes apply to new
   * connections). Across an epoch boundary give the current and the next epoch's sets together,
   * so a joining validator is connected before its first height.
   */
  validators: () => readonly Address[];
  /** Non-validators allowed to connect and follow the chain. */
  followers?: readonly Address[];
  validateMessage: MessageValidator;
  /** Relay accepted messages to the other peers (default true). */
  gossip?: boolean;
  limits?: Partial<PeerLimits>;
  /** Nonce source (default node:crypto). */
  randomBytes?: (n: number) => Uint8Array;
  onEvent?: (event: PeerEvent) => void;
  /** Labels of the messageSent / messageReceived events (default: the node's channel layout). */
  classifyMessage?: MessageClassifier;
  /** Whether an inbound message waits in the peer's bulk queue (default: the node's
   *  transactions channel, `nodeMessageIsBulk`). */
  isBulk?: (bytes: Uint8Array) => boolean;
}

/** A running peer network. */
export interface PeerNetwork extends Transport {
  /**
   * Starts listening (when configured) and dialing static peers. `port` is the first listen
   * address's bound port; `ports` has one entry per listen address, in order.
   * @throws PeerError INVALID_CONFIG when a listen address cannot be bound.
   */
  start(): Promise<{ port: number | null; ports: { transport: PeerTransportKind; port: number }[] }>;
  /** Closes every connection and the listener; cancels re-dials. */
  close(): Promise<void>;
  /** The peer's score (0 is neutral; at `disconnectScore` it is banned). */
  scoreOf(address: Address): number;
  /** How a connected peer was admitted; null when it is not connected. */
  roleOf(address: Address): PeerRole | null;
  /**
   * Lowers the peer's score as a rejected message does (`penaltyPerRejection`), for a fault found
   * after delivery (a transaction whose signature does not recover); bans it at the threshold.
   */
  penalize(address: Address, code: string): void;
}

type ConnectionState = 'handshake' | 'open' | 'closed';

interface Connection {
  socket: Duplex;
  side: HandshakeSide;
  remote: string;
  decoder: FrameDecoder;
  state: ConnectionState;
  ourNonce: Uint8Array;
  theirHello: Hello | null;
  /** The address a static peer dial expects. */
  expected: Address | null;
  address: Address | null;
  role: PeerRole;
  queue: Uint8Array[];
  /** Bulk messages (`isBulk`), delivered after `queue`, and their bytes. */
  bulk: Uint8Array[];
  bulkBytes: number;
  paused: boolean;
  handshakeTimer: NodeJS.Timeout | null;
}

class SocketPeerNetwork implements PeerNetwork {
  private readonly limits: PeerLimits;
  private readonly self: Address;
  private readonly gossip: boolean;
  private readonly randomBytes: (n: number) => Uint8Array;
  private readonly followers: Set<Address>;
  private readonly classify: MessageClassifier;
  private readonly isBulk: (bytes: Uint8Array) => boolean;
  private listeners: SocketListener[] = [];
  private readonly connections = new Set<Connection>();
  private readonly peers = new Map<Address, Connection>();
  private readonly scores = new Map<Address, number>();
  private readonly bannedUntil = new Map<Address, number>();
  private readonly dialing = new Set<Address>();
  private readonly attempts = new Map<Address, number>();
  private readonly redials = new Map<Address, NodeJS.Timeout>();
  private readonly seen = new Set<string>();
  private handler: MessageHandler = () => {};
  private rotation: Address[] = [];
  private cursor = 0;
  private pumpScheduled = false;
  private stopped = false;

  constructor(private readonly p: CreatePeerNetworkParameters) {
    this.limits = { ...DEFAULT_PEER_LIMITS, ...p.limits };
    this.self = p.signer.address;
    this.gossip = p.gossip ?? true;
    this.randomBytes = p.randomBytes ?? ((n) => new Uint8Array(nodeRandomBytes(n)));
    this.followers = new Set(p.followers ?? []);
    this.classify = p.classifyMessage ?? nodeMessageKind;
    this.isBulk = p.isBulk ?? nodeMessageIsBulk;
  }

  // -------------------------------------------------------------------------------------------
  // Transport

  broadcast(bytes: Uint8Array): void {
    this.rememberSeen(bytes);
    const frame = encodeFrame(FrameType.MESSAGE, bytes);
    const kind = this.classify(bytes);
    for (const [address, c] of this.peers) this.writeMessage(c, address, frame, kind);
  }

  send(to: Address, bytes: Uint8Array): boolean {
    const c = this.peers.get(to);
    if (!c) return false;
    return this.writeMessage(c, to, encodeFrame(FrameType.MESSAGE, bytes), this.classify(bytes));
  }

  onMessage(handler: MessageHandler): void {
    this.handler = handler;
  }

  connectedPeers(): Address[] {
    return [...this.peers.keys()];
  }

  scoreOf(address: Address): number {
    return this.scores.get(address) ?? 0;
  }

  roleOf(address: Address): PeerRole | null {
    return this.peers.get(address)?.role ?? null;
  }

  penalize(address: Address, code: string): void {
    this.penalizeBy(address, code, this.limits.penaltyPerRejection);
  }

  // -------------------------------------------------------------------------------------------
  // lifecycle

  async start(): Promise<{ port: number | null; ports: { transport: PeerTransportKind; port: number }[] }> {
    const listen = this.p.listen;
    const addresses: readonly ListenAddress[] =
      listen === undefined ? [] : 'host' in listen ? [listen] : listen;
    for (const a of addresses) {
      const listener = await listenSockets(a.transport ?? 'tcp', a, this.limits.maxFrameBytes, (s) =>
        this.accept(s, 'responder', null),
      );
      this.listeners.push(listener);
    }
    for (const peer of this.p.peers ?? []) this.dial(peer);
    const ports = this.listeners.map((l) => ({ transport: l.transport, port: l.port }));
    return { port: ports[0]?.port ?? null, ports };
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.redials.values()) clearTimeout(t);
    this.redials.clear();
    for (const c of [...this.connections]) this.disconnect(c, 'shutdown');
    const listeners = this.listeners;
    this.listeners = [];
    await Promise.all(listeners.map((l) => l.close()));
  }

  private dial(peer: StaticPeer): void {
    if (this.stopped || this.peers.has(peer.address) || this.dialing.has(peer.address)) return;
    const banned = this.bannedUntil.get(peer.address);
    if (banned !== undefined && banned > Date.now()) {
      this.scheduleRedial(peer, banned - Date.now());
      return;
    }
    this.dialing.add(peer.address);
    const dialed = connectSocket(peer, this.limits.maxFrameBytes);
    const socket = dialed.stream;
    dialed.onOpen(() => this.accept(dialed, 'initiator', peer.address));
    socket.once('close', () => {
      this.dialing.delete(peer.address);
      if (this.stopped || this.peers.has(peer.address)) return;
      const attempt = this.attempts.get(peer.address) ?? 0;
      this.attempts.set(peer.address, attempt + 1);
      const delay = Math.min(
        this.limits.reconnectMaxMs,
        this.limits.reconnectMinMs * 2 ** Math.min(attempt, 20),
      );
      this.scheduleRedial(peer, delay);
    });
    socket.on('error', () => {}); // 'close' follows; the error is the redial's reason.
  }

  private scheduleRedial(peer: StaticPeer, delayMs: number): void {
    if (this.stopped || this.redials.has(peer.address)) return;
    const t = setTimeout(() => {
      this.redials.delete(peer.address);
      this.dial(peer);
    }, delayMs);
    t.unref();
    this.redials.set(peer.address, t);
  }

  // -------------------------------------------------------------------------------------------
  // connections and handshake

  private accept(peerSocket: PeerSocket, side: HandshakeSide, expected: Address | null): void {
    const socket = peerSocket.stream;
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const c: Connection = {
      socket,
      side,
      remote: peerSocket.remote,
      decoder: new FrameDecoder(this.limits.maxFrameBytes),
      state: 'handshake',
      ourNonce: this.randomBytes(NONCE_BYTES),
      theirHello: null,
      expected,
      address: null,
      role: 'follower',
      queue: [],
      bulk: [],
      bulkBytes: 0,
      paused: false,
      handshakeTimer: null,
    };
    this.connections.add(c);
    c.handshakeTimer = setTimeout(
      () => this.fail(c, new PeerError('HANDSHAKE_TIMEOUT', `handshake with ${c.remote} timed out`)),
      this.limits.handshakeTimeoutMs,
    );
    c.handshakeTimer.unref();
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('close', () => this.disconnect(c, 'closed'));
    // A WebSocket stream ends without closing its writable side: treat the end as the close.
    socket.on('end', () => this.disconnect(c, 'closed'));
    socket.on('error', (e) => {
      if (isOversizedMessageError(e)) {
        this.fail(c, new PeerError('OVERSIZED_FRAME', `${c.remote} sent a message above the frame bound`));
      } else this.disconnect(c, 'closed');
    });
    const hello = encodeHello({
      version: PROTOCOL_VERSION,
      chainId: this.p.chainId,
      role: this.p.role ?? 'validator',
      nonce: c.ourNonce,
    });
    socket.write(encodeFrame(FrameType.HELLO, hello));
  }

  private onData(c: Connection, chunk: Buffer): void {
    if (c.state === 'closed') return;
    let frames: ReturnType<FrameDecoder['push']>;
    try {
      frames = c.decoder.push(chunk);
    } catch (e) {
      this.fail(c, e);
      return;
    }
    for (const frame of frames) {
      if ((c.state as ConnectionState) === 'closed') return; // a frame may have closed it
      try {
        this.onFrame(c, frame.type, frame.payload);
      } catch (e) {
        this.fail(c, e);
        return;
      }
    }
  }

  private onFrame(c: Connection, type: FrameType, payload: Uint8Array): void {
    if (c.state === 'open') {
      if (type === FrameType.MESSAGE) {
        this.emit({
          kind: 'messageReceived',
          address: c.address as Address,
          bytes: FRAME_HEADER_BYTES + payload.length,
          ...this.classify(payload),
        });
        if (this.isBulk(payload)) this.enqueueBulk(c, payload);
        else this.enqueue(c, payload);
        return;
      }
      if (type === FrameType.GOODBYE) {
        this.disconnect(c, 'closed');
        return;
      }
      throw new PeerError('UNEXPECTED_FRAME', `${c.address} sent a handshake frame on an open connection`);
    }
    if (type === FrameType.HELLO && !c.theirHello) {
      c.theirHello = decodeHello(payload, { chainId: this.p.chainId });
      const [initiatorNonce, responderNonce] =
        c.side === 'initiator' ? [c.ourNonce, c.theirHello.nonce] : [c.theirHello.nonce, c.ourNonce];
      const auth = createAuth(this.p.signer, {
        keccak256: this.p.keccak256,
        chainId: this.p.chainId,
        side: c.side,
        initiatorNonce,
        responderNonce,
      });
      c.socket.write(encodeFrame(FrameType.AUTH, auth));
      return;
    }
    if (type === FrameType.AUTH && c.theirHello) {
      const [initiatorNonce, responderNonce] =
        c.side === 'initiator' ? [c.ourNonce, c.theirHello.nonce] : [c.theirHello.nonce, c.ourNonce];
      const address = verifyAuth({
        verifier: this.p.verifier,
        keccak256: this.p.keccak256,
        chainId: this.p.chainId,
        side: c.side === 'initiator' ? 'responder' : 'initiator',
        initiatorNonce,
        responderNonce,
        payload,
      });
      this.admit(c, address);
      return;
    }
    throw new PeerError('UNEXPECTED_FRAME', `${c.remote} sent frame type ${type} out of handshake order`);
  }

  private admit(c: Connection, address: Address): void {
    if (address === this.self) throw new PeerError('SELF_CONNECTION', `${c.remote} is ourselves`);
    if (c.expected && c.expected !== address) {
      throw new PeerError('UNEXPECTED_PEER', `${c.remote} is ${address}, configured as ${c.expected}`);
    }
    const isValidator = this.p.validators().includes(address);
    if (!isValidator && !this.followers.has(address)) {
      throw new PeerError('UNKNOWN_PEER', `${address} is neither a validator nor an allowed follower`);
    }
    const banned = this.bannedUntil.get(address);
    if (banned !== undefined && banned > Date.now()) throw new PeerError('BANNED', `${address} is banned`);
    const existing = this.peers.get(address);
    if (existing) {
      // Both ends dial each other: keep the connection opened by the lower address (both ends
      // pick the same one); a second connection from the same initiator replaces a stale one.
      const initiatorOf = (x: Connection) => (x.side === 'initiator' ? this.self : address);
      const keepExisting = initiatorOf(existing) < initiatorOf(c);
      if (keepExisting) throw new PeerError('DUPLICATE_CONNECTION', `already connected to ${address}`);
      this.disconnect(existing, 'duplicate');
    }
    if (c.handshakeTimer) clearTimeout(c.handshakeTimer);
    c.handshakeTimer = null;
    c.state = 'open';
    c.address = address;
    c.role = isValidator ? 'validator' : 'follower';
    this.peers.set(address, c);
    this.attempts.delete(address);
    this.rotation.push(address);
    this.emit({ kind: 'peerConnected', address, role: c.role, side: c.side, peers: this.peers.size });
  }

  private fail(c: Connection, e: unknown): void {
    const err = isPeerError(e)
      ? e
      : new PeerError('MALFORMED_FRAME', `bad frame from ${c.remote}`, { cause: e });
    if (c.state === 'handshake') {
      this.emit({ kind: 'handshakeFailed', remote: c.remote, code: err.code });
      this.disconnect(c, err.code === 'HANDSHAKE_TIMEOUT' ? 'timeout' : 'protocolError');
      return;
    }
    // A broken frame on an open connection: the stream cannot be trusted any more.
    this.disconnect(c, 'protocolError');
    if (c.address) this.penalizeBy(c.address, err.code, -this.limits.disconnectScore);
  }

  private disconnect(c: Connection, reason: DisconnectReason): void {
    if (c.state === 'closed') return;
    const wasOpen = c.state === 'open';
    c.state = 'closed';
    if (c.handshakeTimer) clearTimeout(c.handshakeTimer);
    this.connections.delete(c);
    c.queue.length = 0;
    c.bulk.length = 0;
    c.bulkBytes = 0;
    c.socket.destroy();
    if (wasOpen && c.address && this.peers.get(c.address) === c) {
      this.peers.delete(c.address);
      this.rotation = this.rotation.filter((a) => a !== c.address);
      this.emit({ kind: 'peerDisconnected', address: c.address, reason, peers: this.peers.size });
      const peer = this.p.peers?.find((x) => x.address === c.address);
      if (peer && !this.stopped) this.scheduleRedial(peer, this.limits.reconnectMinMs);
    }
  }

  private writeMessage(c: Connection, address: Address, frame: Uint8Array, kind: MessageKind): boolean {
    if (c.state !== 'open') return false;
    if (c.socket.writableLength > this.limits.maxOutboundBytes) {
      this.emit({ kind: 'messageDropped', address, reason: 'queueFull' });
      return false;
    }
    c.socket.write(frame);
    this.emit({ kind: 'messageSent', address, bytes: frame.length, ...kind });
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // inbound queues, fairness, hygiene, gossip

  private enqueue(c: Connection, bytes: Uint8Array): void {
    c.queue.push(bytes);
    if (c.queue.length >= this.limits.queuePerPeer && !c.paused) {
      // Backpressure: stop reading this peer until its turn has drained it; TCP slows the sender.
      c.paused = true;
      c.socket.pause();
    }
    this.schedulePump();
  }

  private enqueueBulk(c: Connection, bytes: Uint8Array): void {
    if (
      c.bulk.length >= this.limits.bulkQueuePerPeer ||
      c.bulkBytes + bytes.length > this.limits.bulkQueueBytesPerPeer
    ) {
      this.emit({ kind: 'messageDropped', address: c.address as Address, reason: 'queueFull' });
      return;
    }
    c.bulk.push(bytes);
    c.bulkBytes += bytes.length;
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopped) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Delivers one message per peer per pass, round-robin, up to `batchPerTick`; then, if no other
   *  message waits, up to `bulkPerTick` bulk ones the same way; then yields. */
  private pump(): void {
    this.roundRobin(this.limits.batchPerTick, (c) => {
      const bytes = c.queue.shift();
      if (bytes && c.paused && c.queue.length < this.limits.queuePerPeer / 2) {
        c.paused = false;
        c.socket.resume();
      }
      return bytes;
    });
    const peers = [...this.peers.values()];
    if (!peers.some((c) => c.queue.length > 0)) {
      this.roundRobin(this.limits.bulkPerTick, (c) => {
        const bytes = c.bulk.shift();
        if (bytes) c.bulkBytes -= bytes.length;
        return bytes;
      });
    }
    if (peers.some((c) => c.queue.length > 0 || c.bulk.length > 0)) this.schedulePump();
  }

  /** Delivers up to `limit` messages, one per peer per pass in rotation order, each taken from a
   *  peer by `take` (undefined: that peer has none waiting); stops once a full pass finds none. */
  private roundRobin(limit: number, take: (c: Connection) => Uint8Array | undefined): void {
    let delivered = 0;
    let idlePasses = 0;
    while (delivered < limit && this.rotation.length > 0 && idlePasses < this.rotation.length) {
      this.cursor %= this.rotation.length;
      const address = this.rotation[this.cursor]!;
      this.cursor++;
      const c = this.peers.get(address);
      const bytes = c ? take(c) : undefined;
      if (!bytes) {
        idlePasses++;
        continue;
      }
      idlePasses = 0;
      delivered++;
      this.deliver(address, bytes);
    }
  }

  private deliver(address: Address, bytes: Uint8Array): void {
    const id = this.gossip ? this.messageId(bytes) : null;
    if (id !== null && this.seen.has(id)) {
      this.emit({ kind: 'messageDropped', address, reason: 'duplicate' });
      return;
    }
    const check = this.p.validateMessage(bytes, address);
    if (check.verdict === 'reject') {
      this.emit({ kind: 'messageDropped', address, reason: 'rejected' });
      this.penalizeBy(address, check.code, this.limits.penaltyPerRejection);
      return;
    }
    if (check.verdict === 'ignore') return;
    const score = this.scores.get(address) ?? 0;
    if (score < 0) this.scores.set(address, score + 1);
    if (id !== null) {
      this.remember(id);
      const frame = encodeFrame(FrameType.MESSAGE, bytes);
      const kind = this.classify(bytes);
      for (const [other, oc] of this.peers) if (other !== address) this.writeMessage(oc, other, frame, kind);
    }
    this.handler(address, bytes);
  }

  private penalizeBy(address: Address, code: string, by: number): void {
    const score = (this.scores.get(address) ?? 0) - by;
    this.scores.set(address, score);
    this.emit({ kind: 'peerPenalized', address, code, score });
    if (score > this.limits.disconnectScore) return;
    const untilMs = Date.now() + this.limits.banMs;
    this.bannedUntil.set(address, untilMs);
    this.scores.set(address, 0); // a fresh start once the ban is over
    this.emit({ kind: 'peerBanned', address, untilMs });
    const c = this.peers.get(address);
    if (c) this.disconnect(c, 'penalized');
  }

  private messageId(bytes: Uint8Array): string {
    return bytesToHex(this.p.keccak256(bytes));
  }

  private rememberSeen(bytes: Uint8Array): void {
    if (this.gossip) this.remember(this.messageId(bytes));
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > this.limits.seenCacheSize) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  private emit(event: PeerEvent): void {
    this.p.onEvent?.(event);
  }
}

/**
 * Creates a peer network over TCP and/or WebSocket; call `start()` to listen and dial.
 * @example
 * const network = createPeerNetwork({ chainId, signer, verifier, keccak256, listen: { host: '0.0.0.0', port: 30303 },
 *   peers, validators: () => set, validateMessage: createConsensusMessageValidator({ ... }) });
 * network.onMessage((from, bytes) => node.onConsensusBytes(from, bytes));
 * await network.start();
 */
export function createPeerNetwork(parameters: CreatePeerNetworkParameters): PeerNetwork {
  return new SocketPeerNetwork(parameters);
}
