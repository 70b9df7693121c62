// Block sync: a node that is new, restarted or behind asks its peers for their heads, then fetches
// the blocks it lacks in bounded batches from the highest peer and imports them one by one (the
// importer verifies each block's seals with dietcoin's rules, executes it and compares every root,
// the state root included). It also answers its peers' requests from its own store.

import type { Address } from '../consensus/types.js';
import { type BlockEnvelope, blockEnvelopeOf } from '../importer/importer.js';
import type { Transport } from '../p2p/types.js';
import type { ChainStore } from '../store/chainStore.js';
import { SyncError } from './errors.js';
import {
  decodeSyncMessage,
  encodeSyncMessage,
  MAX_BLOCKS_PER_REQUEST,
  type SyncMessage,
} from './protocol.js';

export interface CreateBlockSyncParameters {
  /** The `sync` channel. */
  transport: Transport;
  store: ChainStore;
  /** Imports one block on the head (seals, execution, roots). @throws on an invalid block. */
  importBlock: (block: BlockEnvelope) => Promise<void>;
  /** Blocks per request (at most MAX_BLOCKS_PER_REQUEST). */
  batchSize?: number;
  requestTimeoutMs?: number;
  /** A peer served a block that does not import (the caller may penalize it). */
  onBadPeer?: (peer: Address, error: unknown) => void;
}

export interface BlockSync {
  /** Heads of the connected peers that answered within the timeout. */
  peerHeads(): Promise<Map<Address, bigint>>;
  /**
   * Fetches and imports blocks until the head reaches the highest peer head seen at the start
   * (or `target`); resolves with the number of blocks imported.
   * @throws SyncError NO_PEER when peers are ahead but none served importable blocks.
   */
  catchUp(target?: bigint): Promise<number>;
  /** Stops answering and fails pending requests. */
  close(): void;
}

interface Pending {
  from: Address;
  resolve: (m: SyncMessage) => void;
  timer: NodeJS.Timeout;
}

export function createBlockSync(p: CreateBlockSyncParameters): BlockSync {
  const batch = Math.min(p.batchSize ?? MAX_BLOCKS_PER_REQUEST, MAX_BLOCKS_PER_REQUEST);
  const timeoutMs = p.requestTimeoutMs ?? 2_000;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;

  const answer = (to: Address, m: SyncMessage) => p.transport.send(to, encodeSyncMessage(m));

  p.transport.onMessage((from, bytes) => {
    let m: SyncMessage;
    try {
      m = decodeSyncMessage(bytes);
    } catch {
      return; // the channel validator already penalized undecodable bytes
    }
    switch (m.type) {
      case 'statusRequest':
        answer(from, { type: 'status', id: m.id, head: p.store.headNumber() });
        return;
      case 'blocksRequest': {
        const blocks: BlockEnvelope[] = [];
        const head = p.store.headNumber();
        for (let n = m.from; n <= head && blocks.length < m.count; n++) {
          const b = blockEnvelopeOf(p.store, n);
          if (!b) break;
          blocks.push(b);
        }
        answer(from, { type: 'blocks', id: m.id, blocks });
        return;
      }
      default: {
        const waiting = pending.get(m.id);
        if (!waiting || waiting.from !== from) return;
        pending.delete(m.id);
        clearTimeout(waiting.timer);
        waiting.resolve(m);
      }
    }
  });

  /** Sends a request; resolves with the answer, or null on timeout or when the peer is gone. */
  const request = (to: Address, make: (id: number) => SyncMessage): Promise<SyncMessage | null> => {
    if (closed) return Promise.resolve(null);
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(null);
      }, timeoutMs);
      pending.set(id, { from: to, resolve, timer });
      if (!p.transport.send(to, encodeSyncMessage(make(id)))) {
        clearTimeout(timer);
        pending.delete(id);
        resolve(null);
      }
    });
  };

  const peerHeads = async () => {
    const heads = new Map<Address, bigint>();
    await Promise.all(
      p.transport.connectedPeers().map(async (peer) => {
        const m = await request(peer, (id) => ({ type: 'statusRequest', id }));
        if (m?.type === 'status') heads.set(peer, m.head);
      }),
    );
    return heads;
  };

  /** Imports blocks from `peer` up to `target`; false when the peer stopped serving good blocks. */
  const fetchFrom = async (peer: Address, target: bigint): Promise<boolean> => {
    while (!closed && p.store.headNumber() < target) {
      const from = p.store.headNumber() + 1n;
      const remaining = target - from + 1n;
      const count = remaining < BigInt(batch) ? Number(remaining) : batch;
      const m = await request(peer, (id) => ({ type: 'blocksRequest', id, from, count }));
      if (m?.type !== 'blocks' || m.blocks.length === 0) return false;
      for (const block of m.blocks) {
        if (closed) return true;
        try {
          await p.importBlock(block);
        } catch (error) {
          // Another path (consensus) may have stored it meanwhile; otherwise the peer is bad.
          if (p.store.headNumber() >= from + BigInt(m.blocks.indexOf(block))) continue;
          p.onBadPeer?.(peer, error);
          return false;
        }
      }
    }
    return true;
  };

  return {
    peerHeads,
    async catchUp(target) {
      const start = p.store.headNumber();
      const heads = await peerHeads();
      const ahead = [...heads].filter(([, h]) => h > start).sort((a, b) => (b[1] > a[1] ? 1 : -1));
      const goal = target ?? ahead[0]?.[1] ?? start;
      for (const [peer, head] of ahead) {
        if (p.store.headNumber() >= goal) break;
        await fetchFrom(peer, head < goal ? head : goal);
      }
      if (ahead.length > 0 && p.store.headNumber() === start && !closed) {
        throw new SyncError('NO_PEER', `peers are ahead of ${start} but none served a block that imports`);
      }
      return Number(p.store.headNumber() - start);
    },
    close() {
      closed = true;
      for (const [id, w] of pending) {
        clearTimeout(w.timer);
        w.resolve({ type: 'statusRequest', id });
      }
      pending.clear();
      p.transport.onMessage(() => {});
    },
  };
}
