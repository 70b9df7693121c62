// What every RPC method receives.

import type { Hex, LogIndex, RpcBackend } from './backend.js';
import type { FilterRegistry } from './filters.js';

/** Limits and knobs of the RPC methods (validated by `config/`). */
export interface RpcMethodOptions {
  /** Gas cap of eth_call and eth_estimateGas (geth's --rpc.gascap, default 50,000,000). */
  gasCap: bigint;
  /** Widest block range eth_getLogs accepts. */
  maxLogBlockRange: bigint;
  /** Most logs eth_getLogs answers before refusing the query. */
  maxLogResults: number;
  /** Most blocks eth_feeHistory reports. */
  maxFeeHistoryBlocks: number;
  /** Floor of the suggested priority fee (eth_maxPriorityFeePerGas), in wei. */
  minSuggestedPriorityFee: bigint;
  /** Ceiling of the suggested priority fee, in wei. */
  maxSuggestedPriorityFee: bigint;
  /** web3_clientVersion. */
  clientVersion: string;
}

export const DEFAULT_RPC_METHOD_OPTIONS: RpcMethodOptions = {
  gasCap: 50_000_000n,
  maxLogBlockRange: 10_000n,
  maxLogResults: 10_000,
  maxFeeHistoryBlocks: 1024,
  minSuggestedPriorityFee: 1_000_000n,
  maxSuggestedPriorityFee: 500_000_000_000n,
  clientVersion: 'khipu-chain/v0.1.0',
};

/** A WebSocket connection's side of eth_subscribe. */
export interface RpcConnection {
  /** Registers a subscription; answers its id. Throws when the connection has too many. */
  addSubscription(unsubscribe: () => void): Hex;
  /** Sends a notification of subscription `id`. */
  notify(id: Hex, result: unknown): void;
  /** Removes a subscription of this connection; false when it has no such id. */
  removeSubscription(id: Hex): boolean;
}

export interface RpcContext {
  backend: RpcBackend;
  /** `backend.logs`, or the bloom scan over `backend.blocks`. */
  logIndex: LogIndex;
  options: RpcMethodOptions;
  filters: FilterRegistry;
  /** Set for WebSocket requests only. */
  connection: RpcConnection | undefined;
}

/** A JSON-RPC method: validates its params (throwing -32602) and answers a JSON value. */
export type RpcMethod = (params: unknown[], context: RpcContext) => unknown;
