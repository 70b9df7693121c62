// JSON-RPC 2.0 and EIP-1474 errors, as the server answers them.

import type { Hex } from './backend.js';

/** JSON-RPC 2.0 / EIP-1474 codes the server answers with. */
export const RpcErrorCode = {
  /** Invalid JSON. */
  parseError: -32700,
  /** Not a JSON-RPC 2.0 request object (or an empty batch). */
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** EIP-1474 "invalid input" / geth's generic server error: transaction refusals, missing
   *  state, limits. */
  server: -32000,
  /** EIP-1474 "limit exceeded": ranges, result counts, filters, subscriptions. */
  limitExceeded: -32005,
  /** geth: a batch's answers exceeded the response size limit. */
  responseTooLarge: -32003,
  /** geth's code for `execution reverted` (eth_call, eth_estimateGas). */
  executionReverted: 3,
} as const;

export type RpcErrorCodeValue = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

/** An error answered to the client as a JSON-RPC error object. Anything else thrown by a method
 *  is logged and answered as -32603 "internal error" without its message. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** -32602: a parameter is missing or malformed; the message names it. */
export function invalidParams(message: string): RpcError {
  return new RpcError(RpcErrorCode.invalidParams, message);
}

/** -32601, in geth's words. */
export function methodNotFound(method: string): RpcError {
  return new RpcError(RpcErrorCode.methodNotFound, `the method ${method} does not exist/is not available`);
}

/** -32000 with a message. */
export function serverError(message: string, data?: unknown): RpcError {
  return new RpcError(RpcErrorCode.server, message, data);
}

// Selectors of Solidity's Error(string) and Panic(uint256).
const ERROR_SELECTOR = '08c379a0';
const PANIC_SELECTOR = '4e487b71';

// geth's accounts/abi panicReasons.
const PANIC_REASONS: Record<number, string> = {
  0: 'generic panic',
  1: 'assert(false)',
  17: 'arithmetic underflow or overflow',
  18: 'division or modulo by zero',
  33: 'enum overflow',
  34: 'invalid encoded storage byte array accessed',
  49: 'out-of-bounds array access; popping on an empty array',
  50: 'out-of-bounds access of an array or bytesN',
  65: 'out of memory',
  81: 'uninitialized function',
};

/** Decodes a revert reason as geth's `abi.UnpackRevert` does: Error(string) gives the string,
 *  Panic(uint256) the panic's description; anything else (custom errors, empty data) `undefined`. */
export function decodeRevertReason(data: Hex): string | undefined {
  const hex = data.slice(2).toLowerCase();
  const selector = hex.slice(0, 8);
  const body = hex.slice(8);
  if (selector === PANIC_SELECTOR && body.length === 64) {
    const code = BigInt(`0x${body}`);
    const reason = code < 0x100n ? PANIC_REASONS[Number(code)] : undefined;
    return reason ?? `unknown panic code: 0x${code.toString(16)}`;
  }
  if (selector !== ERROR_SELECTOR || body.length < 128) return undefined;
  const offset = BigInt(`0x${body.slice(0, 64)}`);
  if (offset + 32n > BigInt(body.length / 2)) return undefined;
  const at = Number(offset) * 2;
  const length = BigInt(`0x${body.slice(at, at + 64)}`);
  const start = at + 64;
  if (BigInt(start) + length * 2n > BigInt(body.length)) return undefined;
  const bytes = Buffer.from(body.slice(start, start + Number(length) * 2), 'hex');
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** geth's answer to a reverted call: code 3, "execution reverted[: reason]", data the revert
 *  data as hex. */
export function executionReverted(data: Hex): RpcError {
  const reason = decodeRevertReason(data);
  const message = reason === undefined ? 'execution reverted' : `execution reverted: ${reason}`;
  return new RpcError(RpcErrorCode.executionReverted, message, data);
}
