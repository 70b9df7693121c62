// Transaction gossip between pools, over the peer network's transactions channel
// (../p2p/transactionBatch.ts). What this node's pool admits from its own RPC goes to every peer
// in batches (gathered for a few ms, bounded in count and bytes); what comes from a peer is
// admitted through the pool's normal rules (decode, recovery, chain id, nonce, balance, limits,
// journal). So a validator has decoded and recovered, off the critical path, nearly every
// transaction of a proposal before it arrives, and the importer finds them in the pool.
//
// Forwarding: a transaction first seen from a peer is forwarded at most once more (the batch says
// hops = 1; such a one is never forwarded again). Validators are fully meshed by their static
// peers, so a validator's own transaction reached every validator in one hop: one received from a
// validator is forwarded only to followers; one received from a follower goes to every other peer,
// so that a follower's transaction reaches every validator.
//
// Peer hygiene: a batch that does not decode is rejected by the peer layer (its validator); a
// transaction that no honest node could have admitted (undecodable, bad signature, another chain,
// below intrinsic gas) penalizes the peer; refusals that are races or local policy (already known,
// nonce too low, underpriced, insufficient funds, pool full) do not.
import type { Logger } from 'pino';
import type { Address as PeerAddress } from '../consensus/types.js';
import type { PeerRole } from '../p2p/handshake.js';
import {
  DEFAULT_TRANSACTION_BATCH_LIMITS,
  decodeTransactionBatch,
  encodeTransactionBatch,
  type TransactionBatchLimits,
} from '../p2p/transactionBatch.js';
import type { Transport } from '../p2p/types.js';
import type { Hash, Unsubscribe } from '../rpc/backend.js';
import { isTxPoolError, type TxPoolErrorCode } from './errors.js';

/** What the gossip needs of the pool (TxPool provides it). */
export interface GossipPool {
  submitRawTransaction(raw: Uint8Array): Promise<Hash>;
  get(hash: Hash): { raw: Uint8Array } | undefined;
  /** Called synchronously for every admission, before `submitRawTransaction` resolves. */
  subscribePending(listener: (hash: Hash) => void): Unsubscribe;
}

/** Refusals that no honest peer causes: the transaction is invalid wherever it is checked. */
export const PEER_FAULT_CODES: ReadonlySet<TxPoolErrorCode> = new Set<TxPoolErrorCode>([
  'MALFORMED',
  'TX_TYPE_NOT_SUPPORTED',
  'INVALID_CHAIN_ID',
  'INVALID_SENDER',
  'TIP_ABOVE_FEE_CAP',
  'INTRINSIC_GAS_TOO_LOW',
  'INIT_CODE_TOO_LARGE',
]);

export interface CreateTransactionGossipParameters {
  pool: GossipPool;
  /** The transactions channel. */
  transport: Transport;
  keccak256: (data: Uint8Array) => Uint8Array;
  /** How a connected peer was admitted (null: gone). */
  roleOf(peer: PeerAddress): PeerRole | null;
  /** Lowers a peer's score (the peer network's `penalize`). */
  penalize(peer: PeerAddress, code: string): void;
  /** How long the first transaction of a batch waits for others, in ms (default 5). */
  gatherMs?: number;
  limits?: Partial<TransactionBatchLimits>;
  /** Transaction hashes remembered as seen (default 32,768). */
  seenCacheSize?: number;
  /** Transactions from peers waiting for admission; beyond, new ones are dropped (default 4,096). */
  maxInbound?: number;
  /** Peer transactions handed to the pool per event-loop turn (default 32): each costs a decode
   *  on this thread, and consensus messages are handled between turns. */
  admitPerTurn?: number;
  logger?: Logger;
}

export interface TransactionGossip {
  /** Transactions sent, received (before de-duplication), admitted from peers, refused. */
  counts(): { sent: number; received: number; admitted: number; refused: number; penalized: number };
  /** Stops sending and admitting (pending batches are dropped); resolves once the admissions in
   *  flight have answered, so that the pool may be closed after it. */
  close(): Promise<void>;
}

interface Outbound {
  raw: Uint8Array;
  hops: number;
  /** The peer it came from (not sent back), null for our own. */
  from: PeerAddress | null;
  /** Forwarded from a validator: to followers only. */
  followersOnly: boolean;
}

interface Inbound {
  raw: Uint8Array;
  hash: Hash;
  from: PeerAddress;
  hops: number;
}

function hex(bytes: Uint8Array): Hash {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}` as Hash;
}

/**
 * Starts gossiping `pool`'s admissions over `transport` and admitting peers' transactions.
 * Transactions the pool held before (journal replay) are not announced.
 */
export function createTransactionGossip(p: CreateTransactionGossipParameters): TransactionGossip {
  const limits = { ...DEFAULT_TRANSACTION_BATCH_LIMITS, ...p.limits };
  const gatherMs = p.gatherMs ?? 5;
  const seenCacheSize = p.seenCacheSize ?? 32_768;
  const maxInbound = p.maxInbound ?? 4_096;
  const admitPerTurn = p.admitPerTurn ?? 32;
  const log = p.logger?.child({ component: 'txgossip' });
  const stats = { sent: 0, received: 0, admitted: 0, refused: 0, penalized: 0 };
  // Insertion-ordered: the oldest hash is forgotten first.
  const seen = new Set<Hash>();
  /** Peer transactions handed to the pool and not yet answered, by hash. */
  const admitting = new Map<Hash, Inbound>();
  /** Those admissions' promises (settled ones leave). */
  const inFlight = new Set<Promise<unknown>>();
  let inbound: Inbound[] = [];
  let outbound: Outbound[] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  let draining = false;
  let closed = false;

  const remember = (hash: Hash) => {
    seen.add(hash);
    if (seen.size > seenCacheSize) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  };

  const queueOut = (o: Outbound) => {
    outbound.push(o);
    if (flushTimer === null) {
      flushTimer = setTimeout(flush, gatherMs);
      flushTimer.unref();
    }
  };

  /** Sends `raws` to `peer` in batches within the limits. */
  const sendBatches = (peer: PeerAddress, hops: number, raws: Uint8Array[]) => {
    let start = 0;
    while (start < raws.length) {
      let end = start;
      let bytes = 4;
      while (end < raws.length && end - start < limits.maxCount) {
        const next = bytes + 4 + (raws[end] as Uint8Array).length;
        if (next > limits.maxBytes && end > start) break;
        bytes = next;
        end++;
      }
      const chunk = raws.slice(start, end);
      if (p.transport.send(peer, encodeTransactionBatch({ hops, transactions: chunk })))
        stats.sent += chunk.length;
      start = end;
    }
  };

  function flush(): void {
    flushTimer = null;
    const batch = outbound;
    outbound = [];
    if (closed || batch.length === 0) return;
    for (const peer of p.transport.connectedPeers()) {
      const follower = p.roleOf(peer) === 'follower';
      const byHops: Uint8Array[][] = [[], []];
      for (const o of batch) {
        if (o.from === peer || (o.followersOnly && !follower)) continue;
        byHops[o.hops]?.push(o.raw);
      }
      for (const [hops, raws] of byHops.entries()) if (raws.length > 0) sendBatches(peer, hops, raws);
    }
  }

  const unsubscribe = p.pool.subscribePending((hash) => {
    if (closed) return;
    const from = admitting.get(hash);
    if (from === undefined) {
      // Our own admission (RPC): to every peer.
      remember(hash);
      const raw = p.pool.get(hash)?.raw;
      if (raw) queueOut({ raw, hops: 0, from: null, followersOnly: false });
      return;
    }
    stats.admitted++;
    if (from.hops >= 1) return;
    queueOut({ raw: from.raw, hops: 1, from: from.from, followersOnly: p.roleOf(from.from) !== 'follower' });
  });

  const refused = (t: Inbound, error: unknown) => {
    stats.refused++;
    if (!isTxPoolError(error)) {
      log?.warn({ err: error, hash: t.hash, peer: t.from }, 'transaction from a peer not admitted');
      return;
    }
    if (PEER_FAULT_CODES.has(error.code)) {
      stats.penalized++;
      log?.debug({ peer: t.from, hash: t.hash, code: error.code }, 'peer sent an invalid transaction');
      p.penalize(t.from, error.code);
    }
  };

  const drain = () => {
    draining = false;
    if (closed) return;
    const turn = inbound.slice(0, admitPerTurn);
    inbound = inbound.slice(turn.length);
    for (const t of turn) {
      admitting.set(t.hash, t);
      const admission = p.pool.submitRawTransaction(t.raw).then(
        () => admitting.delete(t.hash),
        (error: unknown) => {
          admitting.delete(t.hash);
          refused(t, error);
        },
      );
      inFlight.add(admission);
      void admission.finally(() => inFlight.delete(admission));
    }
    if (inbound.length > 0) scheduleDrain();
  };
  const scheduleDrain = () => {
    if (draining || closed) return;
    draining = true;
    setImmediate(drain);
  };

  p.transport.onMessage((from, bytes) => {
    if (closed) return;
    let batch: ReturnType<typeof decodeTransactionBatch>;
    try {
      batch = decodeTransactionBatch(bytes, limits);
    } catch {
      // The peer layer's validator already rejected (and penalized) such a batch.
      return;
    }
    stats.received += batch.transactions.length;
    for (const view of batch.transactions) {
      const hash = hex(p.keccak256(view));
      if (seen.has(hash) || p.pool.get(hash) !== undefined) continue;
      if (inbound.length >= maxInbound) break;
      remember(hash);
      // A copy: the view keeps the whole received frame alive, and the pool keeps the raw bytes.
      inbound.push({ raw: view.slice(), hash, from, hops: batch.hops });
    }
    scheduleDrain();
  });

  return {
    counts: () => ({ ...stats }),
    async close() {
      closed = true;
      unsubscribe();
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      outbound = [];
      inbound = [];
      await Promise.allSettled([...inFlight]);
    },
  };
}
