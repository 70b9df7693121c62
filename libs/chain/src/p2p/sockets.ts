// Byte streams between peers, over TCP (node:net) or WebSocket (the `ws` package), chosen by the
// peer URL's scheme (tcp:// or ws://). Both give the network (network.ts) a Duplex of bytes, so
// the handshake, framing limits, fair queues, scores and bans are the same code over either.
// Over WebSocket each frame travels as one binary message: `maxPayload` bounds a message to one
// frame, and a larger one is reported as OVERSIZED_FRAME, as the TCP frame decoder does.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocket, WebSocketServer } from 'ws';
import type { Address } from '../consensus/types.js';
import { PeerError } from './errors.js';
import { FRAME_HEADER_BYTES } from './frame.js';
import type { PeerTransportKind, StaticPeer } from './types.js';

/** A stream to a peer and how to name it in events. */
export interface PeerSocket {
  stream: Duplex;
  remote: string;
}

export interface SocketListener {
  transport: PeerTransportKind;
  port: number;
  close(): Promise<void>;
}

/** Bound of one WebSocket message: one frame of at most `maxFrameBytes` after its length field. */
function wsMaxPayload(maxFrameBytes: number): number {
  return maxFrameBytes + FRAME_HEADER_BYTES - 1;
}

/** True for the error a stream ends with when the peer sent a WebSocket message above the bound. */
export function isOversizedMessageError(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
}

/**
 * Listens on `host:port` (0: an ephemeral port) and hands every accepted stream to `onSocket`.
 * @throws PeerError INVALID_CONFIG when the address cannot be bound.
 */
export async function listenSockets(
  transport: PeerTransportKind,
  address: { host: string; port: number },
  maxFrameBytes: number,
  onSocket: (socket: PeerSocket) => void,
): Promise<SocketListener> {
  const where = `${transport}://${address.host}:${address.port}`;
  const bindError = (cause: unknown) =>
    new PeerError('INVALID_CONFIG', `cannot listen on ${where}`, { cause });
  if (transport === 'tcp') {
    const server = net.createServer((socket) => {
      socket.setNoDelay(true);
      onSocket({ stream: socket, remote: `${socket.remoteAddress}:${socket.remotePort}` });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) => reject(bindError(cause)));
      server.listen(address.port, address.host, () => resolve());
    });
    const bound = server.address();
    return {
      transport,
      port: typeof bound === 'object' && bound ? bound.port : address.port,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }
  const server = new WebSocketServer({
    host: address.host,
    port: address.port,
    maxPayload: wsMaxPayload(maxFrameBytes),
    // A compressed message could inflate past any bound we check: never negotiate compression.
    perMessageDeflate: false,
  });
  server.on('connection', (ws, request) => {
    const s = request.socket;
    onSocket({ stream: createWebSocketStream(ws), remote: `ws://${s.remoteAddress}:${s.remotePort}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) => reject(bindError(cause)));
    server.once('listening', () => resolve());
  });
  const bound = server.address();
  return {
    transport,
    port: typeof bound === 'object' && bound ? bound.port : address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

/** Opens a stream to a static peer; `onOpen` fires once it is connected, 'close' when it fails or ends. */
export function connectSocket(
  peer: StaticPeer,
  maxFrameBytes: number,
): PeerSocket & { onOpen(listener: () => void): void } {
  const transport = peer.transport ?? 'tcp';
  if (transport === 'tcp') {
    const socket = net.connect({ host: peer.host, port: peer.port });
    socket.setNoDelay(true);
    return {
      stream: socket,
      remote: `${peer.host}:${peer.port}`,
      onOpen: (listener) => socket.once('connect', listener),
    };
  }
  const ws = new WebSocket(`ws://${peer.host}:${peer.port}/`, {
    maxPayload: wsMaxPayload(maxFrameBytes),
    perMessageDeflate: false,
  });
  return {
    stream: createWebSocketStream(ws),
    remote: `ws://${peer.host}:${peer.port}`,
    onOpen: (listener) => ws.once('open', listener),
  };
}

const PEER_URL = /^(tcp|ws):\/\/(0x[0-9a-fA-F]{40})@(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/;

/**
 * Parses a static peer URL: `tcp://<validator address>@<host>:<port>` or `ws://…` (IPv6 hosts
 * in brackets). The scheme picks the transport.
 * @throws PeerError INVALID_CONFIG naming what is wrong.
 * @example parsePeerUrl('ws://0x71c7…976f@10.0.0.2:30303')
 */
export function parsePeerUrl(url: string): StaticPeer {
  const m = PEER_URL.exec(url);
  if (!m) {
    throw new PeerError(
      'INVALID_CONFIG',
      `peer URL ${JSON.stringify(url)} is not tcp://0x<address>@host:port or ws://0x<address>@host:port`,
    );
  }
  const port = Number(m[4]);
  if (port < 1 || port > 65_535) throw new PeerError('INVALID_CONFIG', `peer URL ${url} has port ${port}`);
  const host = m[3]!.startsWith('[') ? m[3]!.slice(1, -1) : m[3]!;
  return {
    address: m[2]!.toLowerCase() as Address,
    host,
    port,
    transport: m[1] as PeerTransportKind,
  };
}
