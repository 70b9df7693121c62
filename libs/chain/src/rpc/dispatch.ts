// JSON-RPC 2.0 framing: parsing, batches, validation of request objects, dispatch to the method
// table, and mapping of every failure to an error object. Nothing a client sends can make this
// throw: the worst it gets is an error answer.

import type { Logger } from 'pino';
import { isTxPoolError } from '../txpool/errors.js';
import { StateUnavailableError } from './backend.js';
import type { RpcContext, RpcMethod } from './context.js';
import { methodNotFound, RpcError, RpcErrorCode } from './errors.js';
import { paramsArray } from './params.js';

export type RpcId = string | number | null;

export interface RpcResponse {
  jsonrpc: '2.0';
  id: RpcId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** Observes each call (for metrics); `code` is set when it answered an error. */
export type CallObserver = (method: string, seconds: number, code: number | undefined) => void;

export interface DispatcherOptions {
  methods: Readonly<Record<string, RpcMethod>>;
  /** Most requests in one batch (geth: 1000). */
  maxBatchLength: number;
  /** Once a batch's answers reach this many bytes, its remaining requests are answered -32003
   *  "response too large" instead of run (geth: 25 MB). */
  maxBatchResponseBytes: number;
  logger: Logger;
  observe?: CallObserver;
}

/** What a request frame produced: `response` (a JSON text, absent when the frame held only
 *  notifications) and `refused` (the reason when the frame was refused whole). */
export interface FrameResult {
  response: string | undefined;
  refused?: 'parse' | 'empty-batch' | 'batch-too-long';
}

function errorResponse(id: RpcId, error: RpcError): RpcResponse {
  return { jsonrpc: '2.0', id, error: error.toJSON() };
}

/** Maps anything a method threw to the error the client sees. Unknown errors are logged and
 *  answered -32603 without their message (it may hold internals). */
export function toRpcError(error: unknown, method: string, logger: Logger): RpcError {
  if (error instanceof RpcError) return error;
  if (isTxPoolError(error)) return new RpcError(RpcErrorCode.server, error.message);
  if (error instanceof StateUnavailableError) {
    return new RpcError(RpcErrorCode.server, `historical state not available for block ${error.blockNumber}`);
  }
  logger.error({ err: error, method }, 'rpc method failed');
  return new RpcError(RpcErrorCode.internalError, 'internal error');
}

function isValidId(id: unknown): id is RpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

export class Dispatcher {
  readonly #options: DispatcherOptions;

  constructor(options: DispatcherOptions) {
    this.#options = options;
  }

  /** Handles one frame (an HTTP body or a WebSocket message). */
  async handleFrame(text: string, context: RpcContext): Promise<FrameResult> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return {
        response: JSON.stringify(errorResponse(null, new RpcError(RpcErrorCode.parseError, 'parse error'))),
        refused: 'parse',
      };
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) {
        const error = new RpcError(RpcErrorCode.invalidRequest, 'empty batch');
        return { response: JSON.stringify(errorResponse(null, error)), refused: 'empty-batch' };
      }
      if (parsed.length > this.#options.maxBatchLength) {
        const error = new RpcError(
          RpcErrorCode.invalidRequest,
          `batch too large: ${parsed.length} requests, limit ${this.#options.maxBatchLength}`,
        );
        return { response: JSON.stringify(errorResponse(null, error)), refused: 'batch-too-long' };
      }
      const parts: string[] = [];
      let bytes = 0;
      // In order, one at a time, as geth does: a batch of transactions keeps its order.
      for (const request of parsed) {
        if (bytes >= this.#options.maxBatchResponseBytes) {
          const id =
            request !== null && typeof request === 'object' && isValidId((request as { id?: unknown }).id)
              ? (request as { id: RpcId }).id
              : null;
          parts.push(
            JSON.stringify(
              errorResponse(id, new RpcError(RpcErrorCode.responseTooLarge, 'response too large')),
            ),
          );
          continue;
        }
        const response = await this.handleRequest(request, context);
        if (response === undefined) continue;
        const text = JSON.stringify(response);
        bytes += text.length;
        parts.push(text);
      }
      return { response: parts.length === 0 ? undefined : `[${parts.join(',')}]` };
    }
    const response = await this.handleRequest(parsed, context);
    return { response: response === undefined ? undefined : JSON.stringify(response) };
  }

  /** Handles one request object; `undefined` for a notification (no id). */
  async handleRequest(request: unknown, context: RpcContext): Promise<RpcResponse | undefined> {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) {
      return errorResponse(null, new RpcError(RpcErrorCode.invalidRequest, 'invalid request'));
    }
    const object = request as Record<string, unknown>;
    const hasId = 'id' in object;
    const id = isValidId(object.id) ? object.id : null;
    if (hasId && !isValidId(object.id)) {
      return errorResponse(null, new RpcError(RpcErrorCode.invalidRequest, 'invalid request: bad id'));
    }
    if (object.jsonrpc !== '2.0') {
      return errorResponse(
        id,
        new RpcError(RpcErrorCode.invalidRequest, 'invalid request: jsonrpc must be "2.0"'),
      );
    }
    if (typeof object.method !== 'string') {
      return errorResponse(
        id,
        new RpcError(RpcErrorCode.invalidRequest, 'invalid request: method must be a string'),
      );
    }
    const name = object.method;
    const started = process.hrtime.bigint();
    let response: RpcResponse;
    let code: number | undefined;
    const method = Object.hasOwn(this.#options.methods, name) ? this.#options.methods[name] : undefined;
    try {
      if (method === undefined) throw methodNotFound(name.slice(0, 64));
      const params = paramsArray(object.params);
      const result = await method(params, context);
      response = { jsonrpc: '2.0', id, result: result === undefined ? null : result };
    } catch (error) {
      const rpcError = toRpcError(error, name, this.#options.logger);
      code = rpcError.code;
      response = errorResponse(id, rpcError);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.#options.observe?.(method === undefined ? 'other' : name, seconds, code);
    return hasId ? response : undefined;
  }
}
