// A running RPC server over a fake chain and a real pool, for tests.

import type { TypedTxData } from '@ethereumjs/tx';
import pino, { type Logger } from 'pino';
import { createNodeMetrics, type NodeMetrics } from '../../metrics/metrics.js';
import { createTxCommon } from '../../txpool/decode.js';
import { type CreateTxPoolParameters, createTxPool, type TxPool } from '../../txpool/pool.js';
import type { Hex, RpcBackend } from '../backend.js';
import type { RpcMethodOptions } from '../context.js';
import { createRpcServer, type RpcServer, type RpcServerLimits } from '../server.js';
import { signTransaction, type TestAccount } from './accounts.js';
import { type CreateFakeChainParameters, createFakeChain, type FakeChain, fakeBackend } from './fakeChain.js';

export interface TestNode {
  chain: FakeChain;
  pool: TxPool;
  backend: RpcBackend;
  server: RpcServer;
  metrics: NodeMetrics;
  url: string;
  wsUrl: string;
  /** POSTs a raw body; answers the status and the parsed JSON body (or the text). */
  post(body: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  /** Calls one method; answers the whole response object. */
  call(
    method: string,
    params?: unknown[],
  ): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }>;
  /** Calls one method and answers its result; throws the error object if it failed. */
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Signs a transaction for this chain (EIP-1559 by default: 10 gwei cap, 1 gwei tip,
   *  21000 gas) and answers its raw hex. */
  sign(account: TestAccount, fields?: TypedTxData): Hex;
  close(): Promise<void>;
}

export interface StartTestNodeParameters {
  chain?: CreateFakeChainParameters;
  pool?: Partial<CreateTxPoolParameters>;
  limits?: Partial<RpcServerLimits>;
  methodOptions?: Partial<RpcMethodOptions>;
  logger?: Logger;
}

/** Starts a server on 127.0.0.1 at an ephemeral port. Close it in an `after` hook. */
export async function startTestNode(parameters: StartTestNodeParameters = {}): Promise<TestNode> {
  const chain = await createFakeChain(parameters.chain);
  const metrics = createNodeMetrics({ processMetrics: false });
  const pool = await createTxPool({
    chainId: chain.chainId,
    blockGasLimit: chain.gasLimit,
    state: {
      getNonce: (address) => chain.getNonce(address, chain.headNumber()),
      getBalance: (address) => chain.getBalance(address, chain.headNumber()),
    },
    metrics: metrics.txpool,
    ...parameters.pool,
  });
  const backend = fakeBackend(chain, pool);
  const logger = parameters.logger ?? pino({ level: 'silent' });
  const server = createRpcServer({
    backend,
    logger,
    metrics,
    ...(parameters.limits === undefined ? {} : { limits: parameters.limits }),
    ...(parameters.methodOptions === undefined ? {} : { methodOptions: parameters.methodOptions }),
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  };
  let id = 0;
  const call = async (method: string, params: unknown[] = []) => {
    const { body } = await post(JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }));
    return body as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  };
  return {
    chain,
    pool,
    backend,
    server,
    metrics,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    post,
    call,
    async request<T>(method: string, params: unknown[] = []) {
      const response = await call(method, params);
      if (response.error !== undefined)
        throw Object.assign(new Error(response.error.message), response.error);
      return response.result as T;
    },
    sign(account, fields = {}) {
      const common = createTxCommon(chain.chainId);
      const typed = fields.type === undefined || Number(fields.type) === 2;
      const fees = typed
        ? { maxFeePerGas: 10_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n }
        : { gasPrice: 10_000_000_000n };
      const data = {
        type: 2,
        chainId: chain.chainId,
        nonce: 0n,
        ...fees,
        gasLimit: 21_000n,
        to: `0x${'ee'.repeat(20)}`,
        value: 1n,
        ...fields,
      } as TypedTxData;
      return `0x${Buffer.from(signTransaction(data, account, common)).toString('hex')}`;
    },
    close: () => server.close(),
  };
}
