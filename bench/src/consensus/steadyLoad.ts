// The load: ETH transfers pre-signed from many senders, sent over JSON-RPC at a steady rate.
// Each sender always talks to the same validator, as a wallet talks to one RPC endpoint; the pools
// gossip what they admit (libs/chain/src/txpool/gossip.ts), so every validator's pool holds nearly
// every transaction, whoever proposes includes it, and a validator finds a proposal's
// transactions already decoded in its pool. Each sender sends about once a second, so no
// sender's nonces serialize the load.
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

export interface SignTransfersParameters {
  keys: readonly Hex[];
  chainId: number;
  /** Transfers per sender, nonces 0 … perSender − 1 (a fresh chain). */
  perSender: number;
  gasPrice: bigint;
}

/** Raw transactions by sender, in nonce order; each pays 1 wei to the next sender. */
export async function signTransfers(p: SignTransfersParameters): Promise<Hex[][]> {
  const accounts = p.keys.map((k) => privateKeyToAccount(k));
  return Promise.all(
    accounts.map(async (a, i) => {
      const to = accounts[(i + 1) % accounts.length]?.address ?? a.address;
      const raws: Hex[] = [];
      for (let nonce = 0; nonce < p.perSender; nonce++) {
        raws.push(
          await a.signTransaction({
            chainId: p.chainId,
            nonce,
            to,
            value: 1n,
            gas: 21_000n,
            maxFeePerGas: p.gasPrice,
            maxPriorityFeePerGas: 1_000_000_000n,
            type: 'eip1559',
          }),
        );
      }
      return raws;
    }),
  );
}

export interface LoadStats {
  sent: number;
  accepted: number;
  /** Not sent: the sender's validator was down, the sender ran out of transfers, or too many in flight. */
  skipped: number;
  errors: string[];
}

export interface SteadyLoad {
  stats(): LoadStats;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<LoadStats>;
}

export interface StartSteadyLoadParameters {
  /** Raw transactions by sender (signTransfers). */
  transactions: readonly (readonly Hex[])[];
  perSecond: number;
  /** The RPC URL of the validator a sender talks to; null while it is down. */
  urlOf(sender: number): string | null;
  /** Requests in flight beyond which a due transfer is skipped (the node is not keeping up). */
  maxInFlight?: number;
}

const TICK_MS = 20;

/** Sends transfer k (sender k mod senders, its next nonce) at time k / perSecond. */
export function startSteadyLoad(p: StartSteadyLoadParameters): SteadyLoad {
  const senders = p.transactions.length;
  const maxInFlight = p.maxInFlight ?? 1024;
  const next = new Array<number>(senders).fill(0);
  const stats: LoadStats = { sent: 0, accepted: 0, skipped: 0, errors: [] };
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let due = 0;
  const send = (url: string, raw: Hex) => {
    stats.sent++;
    const req = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: stats.sent,
        method: 'eth_sendRawTransaction',
        params: [raw],
      }),
    })
      .then(async (res) => {
        const body = (await res.json()) as { error?: { message: string } };
        if (body.error) throw new Error(body.error.message);
        stats.accepted++;
      })
      .catch((e: unknown) => {
        if (stats.errors.length < 5) stats.errors.push(e instanceof Error ? e.message : String(e));
      })
      .finally(() => inFlight.delete(req));
    inFlight.add(req);
  };
  const timer = setInterval(() => {
    const target = Math.floor(((performance.now() - start) / 1000) * p.perSecond);
    for (; due < target; due++) {
      const sender = due % senders;
      const raw = p.transactions[sender]?.[next[sender] ?? 0];
      const url = p.urlOf(sender);
      if (raw === undefined || url === null || inFlight.size >= maxInFlight) {
        stats.skipped++;
        continue;
      }
      next[sender] = (next[sender] ?? 0) + 1;
      send(url, raw);
    }
  }, TICK_MS);
  return {
    stats: () => ({ ...stats, errors: [...stats.errors] }),
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return { ...stats, errors: [...stats.errors] };
    },
  };
}
