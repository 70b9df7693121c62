import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RLP } from '@ethereumjs/rlp';
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import type { Address as PeerAddress } from '../consensus/types.js';
import type { PeerRole } from '../p2p/handshake.js';
import { createMemoryHub } from '../p2p/memoryTransport.js';
import { decodeTransactionBatch, encodeTransactionBatch } from '../p2p/transactionBatch.js';
import type { Transport } from '../p2p/types.js';
import type { Address, Hash } from '../rpc/backend.js';
import { signTransaction, testAccount } from '../rpc/testing/accounts.js';
import { createTxCommon } from './decode.js';
import { createTransactionGossip, type TransactionGossip } from './gossip.js';
import { createTxPool, type TxPool } from './pool.js';

const CHAIN_ID = 7778n;
const common = createTxCommon(CHAIN_ID);
const alice = testAccount(1);
const bob = testAccount(2);
const GWEI = 1_000_000_000n;
const peer = (n: number) => `0x${String(n).repeat(40)}` as PeerAddress;
const A = peer(1);
const B = peer(2);
const F = peer(7);
const ROLES: Record<PeerAddress, PeerRole> = { [A]: 'validator', [B]: 'validator', [F]: 'follower' };

function transfer(account = alice, nonce = 0n): Uint8Array {
  return signTransaction(
    {
      type: 2,
      chainId: CHAIN_ID,
      nonce,
      maxFeePerGas: 10n * GWEI,
      maxPriorityFeePerGas: GWEI,
      gasLimit: 21_000n,
      to: testAccount(9).address,
      value: 1n,
    },
    account,
    common,
  );
}
const hashOf = (raw: Uint8Array) => `0x${Buffer.from(keccak256(raw)).toString('hex')}` as Hash;

/** A state where alice and bob are funded and `nonces` have been used. */
function state(nonces: Partial<Record<Address, bigint>> = {}) {
  return {
    getNonce: (a: Address) => nonces[a] ?? 0n,
    getBalance: (a: Address) => (a === alice.address || a === bob.address ? 10n ** 24n : 0n),
  };
}

interface GossipNode {
  address: PeerAddress;
  pool: TxPool;
  gossip: TransactionGossip;
  /** Batches this node received: sender and hops. */
  received: { from: PeerAddress; hops: number; count: number }[];
  penalties: { peer: PeerAddress; code: string }[];
  /** Sends raw bytes on the channel, as a faulty or hostile peer would. */
  sendRaw(to: PeerAddress, bytes: Uint8Array): void;
}

/** Nodes on one in-memory hub; `links` lists who is connected (default: everyone). */
async function gossipNet(
  addresses: PeerAddress[],
  options: { links?: [PeerAddress, PeerAddress][]; nonces?: Partial<Record<Address, bigint>> } = {},
): Promise<GossipNode[]> {
  await initDietcoin();
  const hub = createMemoryHub();
  const linked = (x: PeerAddress, y: PeerAddress) =>
    !options.links || options.links.some(([p, q]) => (p === x && q === y) || (p === y && q === x));
  const nodes: GossipNode[] = [];
  for (const address of addresses) {
    const base = hub.join(address);
    const received: GossipNode['received'] = [];
    // Only the links given: sends to others fail, and messages from them are not seen.
    const transport: Transport = {
      broadcast: (bytes) => {
        for (const to of base.connectedPeers()) if (linked(address, to)) base.send(to, bytes);
      },
      send: (to, bytes) => linked(address, to) && base.send(to, bytes),
      onMessage: (handler) =>
        base.onMessage((from, bytes) => {
          const batch = decodeTransactionBatch(bytes);
          received.push({ from, hops: batch.hops, count: batch.transactions.length });
          handler(from, bytes);
        }),
      connectedPeers: () => base.connectedPeers().filter((to) => linked(address, to)),
    };
    const pool = await createTxPool({
      chainId: CHAIN_ID,
      state: state(options.nonces),
      blockGasLimit: 30_000_000n,
    });
    const penalties: GossipNode['penalties'] = [];
    const gossip = createTransactionGossip({
      pool,
      transport,
      keccak256,
      roleOf: (p) => ROLES[p] ?? null,
      penalize: (p, code) => penalties.push({ peer: p, code }),
      gatherMs: 2,
    });
    nodes.push({ address, pool, gossip, received, penalties, sendRaw: (to, bytes) => base.send(to, bytes) });
  }
  return nodes;
}

async function eventually(what: string, predicate: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('[txpool] gossip', () => {
  it('sends what the pool admitted from RPC to every peer in one batch, and the peers admit it', async () => {
    const [a, b, f] = (await gossipNet([A, B, F])) as [GossipNode, GossipNode, GossipNode];
    const raws = [transfer(alice, 0n), transfer(alice, 1n), transfer(bob, 0n)];
    await Promise.all(raws.map((r) => a.pool.submitRawTransaction(r)));
    for (const n of [b, f]) {
      await eventually('admitted', () => raws.every((r) => n.pool.get(hashOf(r)) !== undefined));
      assert.deepEqual(n.pool.counts(), { pending: 3, queued: 0 });
      assert.equal(n.pool.get(hashOf(raws[0]!))?.from, alice.address);
    }
    await settle();
    assert.deepEqual(
      b.received.filter((r) => r.from === A),
      [{ from: A, hops: 0, count: 3 }],
    );
    // b got them from a validator: it forwards them to the follower only, which already has them.
    assert.deepEqual(
      f.received.filter((r) => r.from === B),
      [{ from: B, hops: 1, count: 3 }],
    );
    assert.deepEqual(a.received, [], 'nothing comes back to the origin');
    await Promise.all([a, b, f].map((n) => n.gossip.close()));
  });

  it("forwards a follower's transaction once, to the validators it does not peer with", async () => {
    // F peers with A only; A and B are linked.
    const [a, b, f] = (await gossipNet([A, B, F], {
      links: [
        [A, B],
        [A, F],
      ],
    })) as [GossipNode, GossipNode, GossipNode];
    const raw = transfer(bob, 0n);
    await f.pool.submitRawTransaction(raw);
    await eventually('b admitted the follower transaction', () => b.pool.get(hashOf(raw)) !== undefined);
    await settle();
    assert.deepEqual(a.received, [{ from: F, hops: 0, count: 1 }]);
    assert.deepEqual(b.received, [{ from: A, hops: 1, count: 1 }]);
    assert.deepEqual(f.received, [], 'b does not forward a forwarded transaction');
    assert.deepEqual(a.gossip.counts(), { sent: 1, received: 1, admitted: 1, refused: 0, penalized: 0 });

    // A validator's own transaction reaches the follower through A.
    const own = transfer(alice, 0n);
    await b.pool.submitRawTransaction(own);
    await eventually('the follower admitted it', () => f.pool.get(hashOf(own)) !== undefined);
    await Promise.all([a, b, f].map((n) => n.gossip.close()));
  });

  it('penalizes a peer for a bad signature or another chain, not for already known or nonce too low', async () => {
    const [a, b] = (await gossipNet([A, B], { nonces: { [bob.address]: 1n } })) as [GossipNode, GossipNode];
    // r = 2^256 - 1 is no x coordinate on the curve: the signature recovers nothing.
    const fields = RLP.decode(transfer(alice, 5n).subarray(1)) as Uint8Array[];
    fields[10] = new Uint8Array(32).fill(0xff);
    const unrecoverable = Uint8Array.from([2, ...RLP.encode(fields)]);
    const foreign = signTransaction(
      {
        type: 2,
        chainId: CHAIN_ID + 1n,
        nonce: 0n,
        maxFeePerGas: GWEI,
        gasLimit: 21_000n,
        to: alice.address,
      },
      alice,
      createTxCommon(CHAIN_ID + 1n),
    );
    const known = transfer(alice, 0n);
    await b.pool.submitRawTransaction(known);
    const stale = transfer(bob, 0n);
    a.sendRaw(B, encodeTransactionBatch({ hops: 1, transactions: [unrecoverable, foreign, known, stale] }));
    await eventually('three refused', () => b.gossip.counts().refused >= 3);
    await settle();
    assert.deepEqual(b.penalties.map((p) => [p.peer, p.code]).sort(), [
      [A, 'INVALID_CHAIN_ID'],
      [A, 'INVALID_SENDER'],
    ]);
    // The known one was skipped before the pool; the stale one refused without penalty; sent:
    // b's own admission of the known one, to a.
    assert.deepEqual(b.gossip.counts(), { sent: 1, received: 4, admitted: 0, refused: 3, penalized: 2 });
    await Promise.all([a, b].map((n) => n.gossip.close()));
  });

  it('closes once the admissions in flight have answered (the node closes the pool after it)', async () => {
    await initDietcoin();
    const hub = createMemoryHub();
    const peerTransport = hub.join(A);
    const events: string[] = [];
    const pool = {
      submitRawTransaction: async (raw: Uint8Array) => {
        events.push('submitted');
        await new Promise((r) => setTimeout(r, 50));
        events.push('answered');
        return hashOf(raw);
      },
      get: () => undefined,
      subscribePending: () => () => true,
    };
    const gossip = createTransactionGossip({
      pool,
      transport: hub.join(B),
      keccak256,
      roleOf: () => 'validator',
      penalize: () => {},
    });
    peerTransport.send(B, encodeTransactionBatch({ hops: 1, transactions: [transfer(alice, 0n)] }));
    await eventually('submitted', () => events.includes('submitted'));
    await gossip.close();
    events.push('closed');
    assert.deepEqual(events, ['submitted', 'answered', 'closed']);
  });
});
