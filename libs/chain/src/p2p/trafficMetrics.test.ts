import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { encodeConsensusMessage } from '../consensus/codec.js';
import { createConsensusCrypto } from '../consensus/crypto.js';
import type { Address, CommitMessage, Hash, PrepareMessage } from '../consensus/types.js';
import { createConsensusMetrics } from '../metrics/consensusMetrics.js';
import { Channel } from '../sync/channels.js';
import { encodeSyncMessage, type SyncMessage } from '../sync/protocol.js';
import { FRAME_HEADER_BYTES } from './frame.js';
import { nodeMessageKind } from './messageTypes.js';
import { createPeerNetwork, type PeerNetwork } from './network.js';
import { TRAFFIC_METRICS } from './trafficMetrics.js';

const CHAIN_ID = 99n;
const tagged = (tag: number, bytes: Uint8Array) => new Uint8Array([tag, ...bytes]);
const envelope = {
  chainId: CHAIN_ID,
  height: 7,
  round: 1,
  sender: `0x${'11'.repeat(20)}` as Address,
  blockHash: `0x${'ab'.repeat(32)}` as Hash,
  signature: new Uint8Array(65),
};
const prepare: PrepareMessage = { ...envelope, type: 'prepare' };
const commit: CommitMessage = { ...envelope, type: 'commit', seal: new Uint8Array(65) };

/** The value of a counter series with these labels in the registry (0 when absent). */
async function seriesValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = (metric?.values as { labels: Record<string, string>; value: number }[] | undefined)?.find(
    (v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return value?.value ?? 0;
}

describe('[P2P] traffic counters', () => {
  const open: PeerNetwork[] = [];
  after(async () => {
    await Promise.all(open.map((n) => n.close()));
  });

  it('names the channel and type of consensus and sync messages from their first bytes', () => {
    assert.deepEqual(nodeMessageKind(tagged(Channel.consensus, encodeConsensusMessage(prepare))), {
      channel: 'consensus',
      type: 'prepare',
    });
    assert.deepEqual(nodeMessageKind(tagged(Channel.consensus, encodeConsensusMessage(commit))), {
      channel: 'consensus',
      type: 'commit',
    });
    const sync: SyncMessage[] = [
      { type: 'statusRequest', id: 0 },
      { type: 'status', id: 300, head: 12345n },
      { type: 'blocksRequest', id: 1, from: 1n, count: 64 },
      { type: 'blocks', id: 2, blocks: [] },
    ];
    for (const m of sync) {
      assert.deepEqual(nodeMessageKind(tagged(Channel.sync, encodeSyncMessage(m))), {
        channel: 'sync',
        type: m.type,
      });
    }
    assert.deepEqual(nodeMessageKind(tagged(Channel.consensus, new Uint8Array([1, 99]))), {
      channel: 'consensus',
      type: 'unknown',
    });
    assert.deepEqual(nodeMessageKind(tagged(Channel.sync, new Uint8Array([0x05]))), {
      channel: 'sync',
      type: 'unknown',
    });
    assert.deepEqual(nodeMessageKind(new Uint8Array([7, 1, 2])), { channel: 'unknown', type: 'unknown' });
    assert.deepEqual(nodeMessageKind(new Uint8Array()), { channel: 'unknown', type: 'unknown' });
  });

  it("counts messages and frame bytes sent and received, per channel and type, on the node's registry", async () => {
    const crypto = await createConsensusCrypto();
    const signers = [1, 2].map((i) => crypto.createSigner(new Uint8Array(32).fill(i)));
    const validators = signers.map((s) => s.address);
    const [sent, got] = [new Registry(), new Registry()];
    const received: Uint8Array[] = [];
    const network = (
      i: number,
      registry: Registry,
      more: Partial<Parameters<typeof createPeerNetwork>[0]>,
    ) => {
      const n = createPeerNetwork({
        chainId: CHAIN_ID,
        signer: signers[i]!,
        verifier: crypto.verifier,
        keccak256: crypto.keccak256,
        validators: () => validators,
        validateMessage: () => ({ verdict: 'accept' }),
        gossip: false,
        // The node's wiring: the peer events feed its consensus and p2p metrics.
        onEvent: createConsensusMetrics({ registry }).onPeerEvent,
        ...more,
      });
      open.push(n);
      return n;
    };
    const listener = network(1, got, { listen: { host: '127.0.0.1', port: 0 } });
    listener.onMessage((_, bytes) => received.push(bytes));
    const { port } = await listener.start();
    // Only one side dials, so that one connection carries everything.
    const dialer = network(0, sent, {
      peers: [{ address: signers[1]!.address, host: '127.0.0.1', port: port! }],
    });
    await dialer.start();
    const deadline = Date.now() + 5_000;
    while (!dialer.connectedPeers().includes(signers[1]!.address)) {
      assert.ok(Date.now() < deadline, 'connected');
      await new Promise((r) => setTimeout(r, 5));
    }
    const prepareBytes = tagged(Channel.consensus, encodeConsensusMessage(prepare));
    const commitBytes = tagged(Channel.consensus, encodeConsensusMessage(commit));
    const statusBytes = tagged(Channel.sync, encodeSyncMessage({ type: 'status', id: 1, head: 5n }));
    for (let i = 0; i < 3; i++) dialer.broadcast(prepareBytes);
    assert.ok(dialer.send(signers[1]!.address, commitBytes));
    dialer.broadcast(statusBytes);
    while (received.length < 5) {
      assert.ok(Date.now() < deadline, 'delivered');
      await new Promise((r) => setTimeout(r, 5));
    }
    const expect = [
      {
        channel: 'consensus',
        type: 'prepare',
        count: 3,
        bytes: 3 * (FRAME_HEADER_BYTES + prepareBytes.length),
      },
      { channel: 'consensus', type: 'commit', count: 1, bytes: FRAME_HEADER_BYTES + commitBytes.length },
      { channel: 'sync', type: 'status', count: 1, bytes: FRAME_HEADER_BYTES + statusBytes.length },
    ];
    for (const e of expect) {
      const labels = { channel: e.channel, type: e.type };
      assert.equal(await seriesValue(sent, TRAFFIC_METRICS.messagesSent, labels), e.count, `${e.type} sent`);
      assert.equal(
        await seriesValue(sent, TRAFFIC_METRICS.bytesSent, labels),
        e.bytes,
        `${e.type} bytes sent`,
      );
      assert.equal(
        await seriesValue(got, TRAFFIC_METRICS.messagesReceived, labels),
        e.count,
        `${e.type} received`,
      );
      assert.equal(
        await seriesValue(got, TRAFFIC_METRICS.bytesReceived, labels),
        e.bytes,
        `${e.type} bytes received`,
      );
    }
    assert.equal(
      await seriesValue(got, TRAFFIC_METRICS.messagesSent, { channel: 'consensus' }),
      0,
      'b sent nothing',
    );
    const text = await got.metrics();
    for (const name of Object.values(TRAFFIC_METRICS))
      assert.ok(text.includes(`# TYPE ${name} counter`), name);
  });
});
