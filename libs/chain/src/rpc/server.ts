// The JSON-RPC server: HTTP (POST) and WebSocket on one port, plus `GET /health` and, when
// given a registry, `GET /metrics`.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { NodeMetrics } from '../metrics/metrics.js';
import type { Hex, RpcBackend } from './backend.js';
import {
  DEFAULT_RPC_METHOD_OPTIONS,
  type RpcConnection,
  type RpcContext,
  type RpcMethodOptions,
} from './context.js';
import { Dispatcher } from './dispatch.js';
import { RpcError, RpcErrorCode } from './errors.js';
import { FilterRegistry, newSubscriptionId } from './filters.js';
import { createLogIndexFromBlocks } from './logs.js';
import { RPC_METHODS } from './methods.js';

/** Transport limits. Defaults follow geth where it has one. */
export interface RpcServerLimits {
  /** Largest request body or WebSocket message, in bytes (geth: 5 MiB). */
  maxRequestBytes: number;
  /** Most requests in a batch (geth: 1000). */
  maxBatchLength: number;
  /** Bytes of answers after which a batch's remaining requests are refused (geth: 25 MB). */
  maxBatchResponseBytes: number;
  /** Most open WebSocket connections. */
  maxWsConnections: number;
  /** Most subscriptions one WebSocket connection may hold. */
  maxSubscriptionsPerConnection: number;
  /** Bytes queued to a WebSocket client beyond which it is disconnected as too slow. */
  maxWsBufferedBytes: number;
  /** A filter not polled for this long is removed (geth: 5 minutes). */
  filterTimeoutMs: number;
  /** WebSocket clients are pinged this often; one that has not answered the previous ping is
   *  disconnected (a vanished peer would otherwise keep its subscriptions forever). */
  wsPingIntervalMs: number;
  /** Most installed filters. */
  maxFilters: number;
  /** Most undelivered changes a filter buffers before it is dropped. */
  maxFilterBufferedChanges: number;
}

export const DEFAULT_RPC_SERVER_LIMITS: RpcServerLimits = {
  maxRequestBytes: 5 * 1024 * 1024,
  maxBatchLength: 1000,
  maxBatchResponseBytes: 25 * 1000 * 1000,
  maxWsConnections: 1000,
  maxSubscriptionsPerConnection: 100,
  maxWsBufferedBytes: 16 * 1024 * 1024,
  filterTimeoutMs: 5 * 60 * 1000,
  wsPingIntervalMs: 30_000,
  maxFilters: 10_000,
  maxFilterBufferedChanges: 100_000,
};

export interface CreateRpcServerParameters {
  backend: RpcBackend;
  logger: Logger;
  /** Metrics to update; `/metrics` serves its registry. */
  metrics?: NodeMetrics;
  limits?: Partial<RpcServerLimits>;
  methodOptions?: Partial<RpcMethodOptions>;
  /** Value of Access-Control-Allow-Origin; `undefined` sends no CORS headers. Default `*`. */
  corsOrigin?: string | undefined;
}

export interface RpcServer {
  /** Starts listening; resolves the bound port (use 0 for an ephemeral one). */
  listen(port: number, host: string): Promise<{ port: number; host: string }>;
  /** Stops accepting, closes every connection and filter; resolves once closed. */
  close(): Promise<void>;
  readonly http: Server;
  /** The filters (tests and metrics read their count). */
  readonly filters: FilterRegistry;
}

/** Creates the HTTP + WebSocket JSON-RPC server over `backend`. */
export function createRpcServer(parameters: CreateRpcServerParameters): RpcServer {
  const { backend, metrics } = parameters;
  const logger = parameters.logger.child({ component: 'rpc' });
  const limits: RpcServerLimits = { ...DEFAULT_RPC_SERVER_LIMITS, ...parameters.limits };
  const options: RpcMethodOptions = { ...DEFAULT_RPC_METHOD_OPTIONS, ...parameters.methodOptions };
  const corsOrigin = 'corsOrigin' in parameters ? parameters.corsOrigin : '*';
  const filters = new FilterRegistry(backend.events, backend.txpool, {
    timeoutMs: limits.filterTimeoutMs,
    maxFilters: limits.maxFilters,
    maxBufferedChanges: limits.maxFilterBufferedChanges,
  });
  const logIndex = backend.logs ?? createLogIndexFromBlocks(backend.blocks, options.maxLogResults);
  const baseContext: Omit<RpcContext, 'connection'> = { backend, logIndex, options, filters };

  const observe =
    (transport: 'http' | 'ws') => (method: string, seconds: number, code: number | undefined) => {
      if (metrics === undefined) return;
      metrics.rpc.requestDuration.observe({ method, transport }, seconds);
      if (code !== undefined) metrics.rpc.errors.inc({ method, code: String(code) });
    };
  const httpDispatcher = new Dispatcher({
    methods: RPC_METHODS,
    maxBatchLength: limits.maxBatchLength,
    maxBatchResponseBytes: limits.maxBatchResponseBytes,
    logger,
    observe: observe('http'),
  });
  const wsDispatcher = new Dispatcher({
    methods: RPC_METHODS,
    maxBatchLength: limits.maxBatchLength,
    maxBatchResponseBytes: limits.maxBatchResponseBytes,
    logger,
    observe: observe('ws'),
  });

  const refuse = (reason: string) => metrics?.rpc.refused.inc({ reason });
  let subscriptionCount = 0;
  const updateGauges = () => {
    metrics?.rpc.subscriptions.set(subscriptionCount);
    metrics?.rpc.filters.set(filters.size);
  };

  const sweeper = setInterval(
    () => {
      filters.sweep();
      updateGauges();
    },
    Math.max(1000, Math.min(limits.filterTimeoutMs / 4, 60_000)),
  );
  sweeper.unref();

  // ---- HTTP ----

  const setCors = (response: ServerResponse) => {
    if (corsOrigin === undefined) return;
    response.setHeader('Access-Control-Allow-Origin', corsOrigin);
    response.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type');
  };

  const sendJSON = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    });
    response.end(body);
  };

  const tooLarge = (response: ServerResponse) => {
    refuse('too-large');
    const error = new RpcError(
      RpcErrorCode.invalidRequest,
      `request too large: limit ${limits.maxRequestBytes} bytes`,
    );
    response.setHeader('Connection', 'close');
    sendJSON(response, 413, JSON.stringify({ jsonrpc: '2.0', id: null, error: error.toJSON() }));
  };

  const handlePost = (request: IncomingMessage, response: ServerResponse) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > limits.maxRequestBytes) {
      tooLarge(response);
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    request.on('data', (chunk: Buffer) => {
      if (aborted) return;
      size += chunk.length;
      if (size > limits.maxRequestBytes) {
        aborted = true;
        chunks.length = 0;
        tooLarge(response);
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', () => {
      aborted = true;
    });
    request.on('end', () => {
      if (aborted) return;
      const text = Buffer.concat(chunks).toString('utf8');
      httpDispatcher
        .handleFrame(text, { ...baseContext, connection: undefined })
        .then(({ response: body, refused }) => {
          if (refused !== undefined) refuse(refused);
          updateGauges();
          if (body === undefined) {
            response.writeHead(200, { 'Content-Length': 0 });
            response.end();
          } else sendJSON(response, 200, body);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'http frame failed');
          if (!response.headersSent)
            sendJSON(
              response,
              500,
              '{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}}',
            );
        });
    });
  };

  const http = createServer((request, response) => {
    setCors(response);
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'OPTIONS') {
      response.writeHead(204);
      response.end();
      return;
    }
    if (request.method === 'POST') {
      handlePost(request, response);
      return;
    }
    if (request.method === 'GET' && path === '/health') {
      sendJSON(response, 200, JSON.stringify({ status: 'ok', head: backend.blocks.headNumber().toString() }));
      return;
    }
    if (request.method === 'GET' && path === '/metrics' && metrics !== undefined) {
      metrics.registry
        .metrics()
        .then((text) => {
          response.writeHead(200, { 'Content-Type': metrics.registry.contentType });
          response.end(text);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'metrics failed');
          response.writeHead(500);
          response.end();
        });
      return;
    }
    response.writeHead(405, { Allow: 'POST, GET, OPTIONS', 'Content-Type': 'text/plain' });
    response.end('method not allowed: POST JSON-RPC requests, or open a WebSocket\n');
  });
  // Slow or stalled clients cannot hold a connection forever.
  http.headersTimeout = 20_000;
  http.requestTimeout = 60_000;
  // Idle keep-alive connections stay open as long as geth keeps them (120 s): Node's default of
  // 5 s makes busy clients reconnect, and a request sent as the server closes the idle socket
  // fails on the client's side.
  http.keepAliveTimeout = 120_000;
  http.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  // ---- WebSocket ----

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxRequestBytes });
  const sockets = new Set<WebSocket>();

  http.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (sockets.size >= limits.maxWsConnections) {
      refuse('ws-connections');
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => serveWebSocket(ws));
  });

  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const ws of sockets) {
      if (alive.get(ws) === false) {
        logger.debug('closing a websocket client that stopped answering pings');
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, limits.wsPingIntervalMs);
  heartbeat.unref();

  const serveWebSocket = (ws: WebSocket) => {
    sockets.add(ws);
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    metrics?.rpc.wsConnections.set(sockets.size);
    const subscriptions = new Map<Hex, () => void>();
    // Notifications of a subscription whose id has not been answered yet wait for the answer
    // (geth's order): a client cannot route a notification for an id it does not know.
    let held: Map<Hex, string[]> | undefined;
    const send = (text: string) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > limits.maxWsBufferedBytes) {
        logger.warn({ buffered: ws.bufferedAmount }, 'closing a websocket client that does not read');
        ws.terminate();
        return;
      }
      ws.send(text);
    };
    const connection: RpcConnection = {
      addSubscription(unsubscribe) {
        if (subscriptions.size >= limits.maxSubscriptionsPerConnection) {
          unsubscribe();
          throw new RpcError(
            RpcErrorCode.limitExceeded,
            `too many subscriptions on this connection (limit ${limits.maxSubscriptionsPerConnection})`,
          );
        }
        const id = newSubscriptionId();
        subscriptions.set(id, unsubscribe);
        subscriptionCount++;
        held ??= new Map();
        held.set(id, []);
        return id;
      },
      notify(id, result) {
        const text = JSON.stringify({
          jsonrpc: '2.0',
          method: 'eth_subscription',
          params: { subscription: id, result },
        });
        const waiting = held?.get(id);
        if (waiting !== undefined) waiting.push(text);
        else send(text);
      },
      removeSubscription(id) {
        const unsubscribe = subscriptions.get(id);
        if (unsubscribe === undefined) return false;
        subscriptions.delete(id);
        subscriptionCount--;
        unsubscribe();
        return true;
      },
    };
    const context: RpcContext = { ...baseContext, connection };
    // Frames of one connection are answered in order.
    let queue: Promise<void> = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as Buffer).toString('utf8');
      void isBinary;
      queue = queue.then(async () => {
        const { response, refused } = await wsDispatcher.handleFrame(text, context);
        if (refused !== undefined) refuse(refused);
        updateGauges();
        if (response !== undefined) send(response);
        if (held !== undefined) {
          const release = held;
          held = undefined;
          for (const [id, texts] of release) {
            if (subscriptions.has(id)) for (const t of texts) send(t);
          }
        }
      });
      queue = queue.catch((error: unknown) => logger.error({ err: error }, 'websocket frame failed'));
    });
    ws.on('error', (error) => {
      // Oversized messages (1009) and protocol errors close the socket; the node stays up.
      refuse('ws-error');
      logger.debug({ err: error }, 'websocket error');
    });
    ws.on('close', () => {
      sockets.delete(ws);
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptionCount -= subscriptions.size;
      subscriptions.clear();
      metrics?.rpc.wsConnections.set(sockets.size);
      updateGauges();
    });
  };

  return {
    http,
    filters,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          const address = http.address() as AddressInfo;
          logger.info({ port: address.port, host: address.address }, 'rpc listening');
          resolve({ port: address.port, host: address.address });
        });
      });
    },
    close() {
      clearInterval(sweeper);
      clearInterval(heartbeat);
      filters.close();
      for (const ws of sockets) ws.terminate();
      wss.close();
      return new Promise((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
