import assert from 'node:assert/strict';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createWebSocketStream, WebSocket } from 'ws';
import { createMessageDigester, encodeConsensusMessage } from '../consensus/codec.js';
import { type ConsensusCrypto, createConsensusCrypto } from '../consensus/crypto.js';
import { hexToBytes } from '../consensus/hex.js';
import type { Address, Hash, PrepareMessage, Signer } from '../consensus/types.js';
import { createConsensusMessageValidator } from './consensusValidator.js';
import { encodeFrame, FrameDecoder, FrameType } from './frame.js';
import { createAuth, decodeHello, encodeHello, PROTOCOL_VERSION } from './handshake.js';
import { createPeerNetwork, type PeerLimits, type PeerNetwork } from './network.js';
import { parsePeerUrl } from './sockets.js';
import type { MessageValidator, PeerEvent, PeerTransportKind, StaticPeer } from './types.js';

const CHAIN_ID = 99n;
const HOST = '127.0.0.1';

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Accepts bytes that start with 1, rejects anything else (a stand-in for consensus checks). */
const acceptOnes: MessageValidator = (bytes) =>
  bytes[0] === 1 ? { verdict: 'accept' } : { verdict: 'reject', code: 'GARBAGE' };

interface TestPeer {
  network: PeerNetwork;
  signer: Signer;
  port: number | null;
  events: PeerEvent[];
  received: { from: Address; bytes: Uint8Array }[];
}

for (const transport of ['tcp', 'ws'] as const) describeNetwork(transport);

describe('[P2P] peer URLs', () => {
  it('picks the transport from the scheme and refuses anything else', () => {
    const address = `0x${'Ab'.repeat(20)}`;
    assert.deepEqual(parsePeerUrl(`ws://${address}@10.0.0.2:30303`), {
      address: address.toLowerCase(),
      host: '10.0.0.2',
      port: 30303,
      transport: 'ws',
    });
    assert.deepEqual(parsePeerUrl(`tcp://${address}@[::1]:1`), {
      address: address.toLowerCase(),
      host: '::1',
      port: 1,
      transport: 'tcp',
    });
    for (const bad of [
      `http://${address}@h:1`,
      `ws://h:1`,
      `ws://0x12@h:1`,
      `ws://${address}@h:70000`,
      `ws://${address}@h`,
    ]) {
      assert.throws(
        () => parsePeerUrl(bad),
        (e) =>
          e instanceof Error && e.name === 'PeerError' && (e as { code?: string }).code === 'INVALID_CONFIG',
        bad,
      );
    }
  });
});

function describeNetwork(transport: PeerTransportKind): void {
  describe(`[P2P] peer network over ${transport}`, () => {
    let crypto: ConsensusCrypto;
    let signers: Signer[];
    let validators: Address[];
    const open: PeerNetwork[] = [];
    const sockets: Duplex[] = [];

    before(async () => {
      crypto = await createConsensusCrypto();
      signers = Array.from({ length: 4 }, (_, i) => crypto.createSigner(new Uint8Array(32).fill(i + 1)));
      validators = signers.map((s) => s.address).sort();
    });

    after(async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(open.map((n) => n.close()));
    });

    async function peer(
      i: number,
      options: {
        listen?: boolean;
        peers?: StaticPeer[];
        validateMessage?: MessageValidator;
        followers?: Address[];
        signer?: Signer;
        limits?: Partial<PeerLimits>;
        gossip?: boolean;
        port?: number;
      } = {},
    ): Promise<TestPeer> {
      const signer = options.signer ?? signers[i]!;
      const events: PeerEvent[] = [];
      const received: TestPeer['received'] = [];
      const network = createPeerNetwork({
        chainId: CHAIN_ID,
        signer,
        verifier: crypto.verifier,
        keccak256: crypto.keccak256,
        role: validators.includes(signer.address) ? 'validator' : 'follower',
        ...(options.listen === false ? {} : { listen: { host: HOST, port: options.port ?? 0, transport } }),
        peers: options.peers ?? [],
        validators: () => validators,
        followers: options.followers ?? [],
        validateMessage: options.validateMessage ?? acceptOnes,
        gossip: options.gossip ?? false,
        limits: { reconnectMinMs: 20, reconnectMaxMs: 200, ...options.limits },
        onEvent: (e) => events.push(e),
      });
      network.onMessage((from, bytes) => received.push({ from, bytes }));
      open.push(network);
      const { port } = await network.start();
      return { network, signer, port, events, received };
    }

    const staticPeer = (p: TestPeer): StaticPeer => ({
      address: p.signer.address,
      host: HOST,
      port: p.port!,
      transport,
    });
    const connected = (p: TestPeer, to: Address) => p.network.connectedPeers().includes(to);
    const linked = (x: TestPeer, y: TestPeer) =>
      connected(x, y.signer.address) && connected(y, x.signer.address);

    /** A raw client that does the handshake by hand (or badly, on purpose). */
    async function rawClient(port: number) {
      let socket: Duplex;
      let ws: WebSocket | null = null;
      if (transport === 'tcp') {
        const tcp = net.connect({ host: HOST, port });
        socket = tcp;
        await new Promise<void>((r) => tcp.once('connect', () => r()));
      } else {
        ws = new WebSocket(`ws://${HOST}:${port}/`);
        socket = createWebSocketStream(ws);
        await new Promise<void>((r) => ws!.once('open', () => r()));
      }
      sockets.push(socket);
      const decoder = new FrameDecoder();
      const frames: { type: number; payload: Uint8Array }[] = [];
      let closed = false;
      socket.on('data', (chunk) => frames.push(...decoder.push(chunk)));
      socket.on('close', () => {
        closed = true;
      });
      socket.on('end', () => {
        closed = true;
      });
      socket.on('error', () => {});
      const nonce = new Uint8Array(32).fill(0x5a);
      await waitFor('server HELLO', () => frames.length > 0);
      const hello = decodeHello(frames[0]!.payload, { chainId: CHAIN_ID });
      return {
        socket,
        ws,
        frames,
        isClosed: () => closed,
        sendHello(chainId = CHAIN_ID) {
          socket.write(
            encodeFrame(
              FrameType.HELLO,
              encodeHello({ version: PROTOCOL_VERSION, chainId, role: 'validator', nonce }),
            ),
          );
        },
        auth(signer: Signer) {
          return createAuth(signer, {
            keccak256: crypto.keccak256,
            chainId: CHAIN_ID,
            side: 'initiator',
            initiatorNonce: nonce,
            responderNonce: hello.nonce,
          });
        },
        send(type: (typeof FrameType)[keyof typeof FrameType], payload: Uint8Array) {
          socket.write(encodeFrame(type, payload));
        },
      };
    }

    it('authenticates both ends of a handshake and carries messages both ways', async () => {
      const b = await peer(1);
      const a = await peer(0, { listen: false, peers: [staticPeer(b)] });
      await waitFor(
        'both ends connected',
        () => connected(a, b.signer.address) && connected(b, a.signer.address),
      );
      a.network.broadcast(new Uint8Array([1, 2, 3]));
      assert.equal(b.network.send(a.signer.address, new Uint8Array([1, 9])), true);
      await waitFor('messages', () => a.received.length === 1 && b.received.length === 1);
      assert.deepEqual(b.received[0], { from: a.signer.address, bytes: new Uint8Array([1, 2, 3]) });
      assert.deepEqual(a.received[0], { from: b.signer.address, bytes: new Uint8Array([1, 9]) });
      const ev = b.events.find((e) => e.kind === 'peerConnected');
      assert.deepEqual(ev && ev.kind === 'peerConnected' && [ev.address, ev.role, ev.side], [
        a.signer.address,
        'validator',
        'responder',
      ]);
    });

    it('keeps exactly one connection when two peers dial each other', async () => {
      const freePort = async () => {
        const server = net.createServer();
        await new Promise<void>((r) => server.listen(0, HOST, () => r()));
        const address = server.address();
        await new Promise<void>((r) => server.close(() => r()));
        return typeof address === 'object' && address ? address.port : 0;
      };
      const [pa, pb] = [await freePort(), await freePort()];
      const a = await peer(0, {
        port: pa,
        peers: [{ address: signers[1]!.address, host: HOST, port: pb, transport }],
      });
      const b = await peer(1, {
        port: pb,
        peers: [{ address: signers[0]!.address, host: HOST, port: pa, transport }],
      });
      await waitFor('linked', () => linked(a, b));
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(a.network.connectedPeers(), [b.signer.address]);
      assert.deepEqual(b.network.connectedPeers(), [a.signer.address]);
      b.network.broadcast(new Uint8Array([1, 5]));
      a.network.broadcast(new Uint8Array([1, 6]));
      await waitFor('delivered', () => a.received.length === 1 && b.received.length === 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(a.received.length + b.received.length, 2, 'each message once');
    });

    it('refuses a forged handshake, an unknown key and another chain', async () => {
      const b = await peer(1);
      const stranger = crypto.createSigner(new Uint8Array(32).fill(77));

      // Claims validator 0's address but signs with another key.
      const forged = await rawClient(b.port!);
      forged.sendHello();
      const auth = forged.auth(stranger);
      auth.set(hexToBytes(signers[0]!.address, 20), 0);
      forged.send(FrameType.AUTH, auth);
      await waitFor('forged connection closed', forged.isClosed);

      // A valid signature by a key that is neither a validator nor an allowed follower.
      const unknown = await rawClient(b.port!);
      unknown.sendHello();
      unknown.send(FrameType.AUTH, unknown.auth(stranger));
      await waitFor('unknown peer closed', unknown.isClosed);

      const otherChain = await rawClient(b.port!);
      otherChain.sendHello(CHAIN_ID + 1n);
      await waitFor('other chain closed', otherChain.isClosed);

      const codes = b.events
        .filter((e) => e.kind === 'handshakeFailed')
        .map((e) => (e.kind === 'handshakeFailed' ? e.code : ''));
      assert.deepEqual(codes, ['BAD_SIGNATURE', 'UNKNOWN_PEER', 'WRONG_CHAIN']);
      assert.equal(b.network.connectedPeers().length, 0);
    });

    it('admits a follower only when it is allowed', async () => {
      const follower = crypto.createSigner(new Uint8Array(32).fill(50));
      const open1 = await peer(1, { followers: [follower.address] });
      const closed1 = await peer(2);
      const f = await peer(0, {
        signer: follower,
        listen: false,
        peers: [staticPeer(open1), staticPeer(closed1)],
      });
      await waitFor('follower admitted', () => linked(open1, f));
      await waitFor('follower refused', () =>
        closed1.events.some((e) => e.kind === 'handshakeFailed' && e.code === 'UNKNOWN_PEER'),
      );
      assert.equal(connected(closed1, follower.address), false);
      assert.equal(connected(f, open1.signer.address), true);
    });

    it('does not let a flood from one peer starve another', async () => {
      // Validation costs something (as a signature check does), so the flood cannot drain at once.
      const slow: MessageValidator = (bytes) => {
        crypto.keccak256(bytes);
        return acceptOnes(bytes, signers[0]!.address);
      };
      const d = await peer(3, { validateMessage: slow, limits: { queuePerPeer: 64, batchPerTick: 32 } });
      const flooder = await peer(0, { listen: false, peers: [staticPeer(d)] });
      const quiet = await peer(1, { listen: false, peers: [staticPeer(d)] });
      await waitFor('connected', () => linked(d, flooder) && linked(d, quiet));
      const FLOOD = 20_000;
      const big = new Uint8Array(2048).fill(1);
      for (let i = 0; i < FLOOD; i++) flooder.network.broadcast(big);
      await waitFor('flood arriving', () => d.received.length > 100);
      for (let i = 0; i < 20; i++) quiet.network.broadcast(new Uint8Array([1, i]));
      await waitFor(
        'quiet peer served',
        () => d.received.filter((r) => r.from === quiet.signer.address).length === 20,
        20_000,
      );
      const fromFlooder = d.received.filter((r) => r.from === flooder.signer.address).length;
      assert.ok(
        fromFlooder < FLOOD / 2,
        `the quiet peer waited for ${fromFlooder} of ${FLOOD} flood messages`,
      );
      const firstQuiet = d.received.findIndex((r) => r.from === quiet.signer.address);
      const lastQuiet = d.received.findLastIndex((r) => r.from === quiet.signer.address);
      assert.ok(
        lastQuiet - firstQuiet < 200,
        `quiet messages spread over ${lastQuiet - firstQuiet} deliveries`,
      );
    });

    it('delivers a peer’s consensus messages ahead of its bulk flood, dropping bulk beyond its queue', async () => {
      // Tag 2 (the node's transactions channel) is bulk; tag 1 is not.
      const acceptTags: MessageValidator = (bytes) =>
        bytes[0] === 1 || bytes[0] === 2 ? { verdict: 'accept' } : { verdict: 'reject', code: 'GARBAGE' };
      const d = await peer(3, {
        validateMessage: acceptTags,
        limits: { bulkQueuePerPeer: 32, bulkPerTick: 4 },
      });
      const flooder = await peer(0, { listen: false, peers: [staticPeer(d)] });
      await waitFor('connected', () => linked(d, flooder));
      const FLOOD = 2_000;
      for (let i = 0; i < FLOOD; i++) flooder.network.broadcast(new Uint8Array([2, i & 0xff, 0, 0]));
      for (let i = 0; i < 20; i++) flooder.network.broadcast(new Uint8Array([1, i]));
      await waitFor(
        'consensus messages delivered',
        () => d.received.filter((r) => r.bytes[0] === 1).length === 20,
      );
      const bulkBefore = d.received.findLastIndex((r) => r.bytes[0] === 1) - 19;
      const dropped = d.events.filter((e) => e.kind === 'messageDropped' && e.reason === 'queueFull').length;
      assert.ok(dropped > 0, 'bulk beyond the queue is dropped');
      assert.ok(
        bulkBefore < FLOOD / 4,
        `the consensus messages, sent after ${FLOOD} bulk ones, waited for ${bulkBefore} of them`,
      );
      assert.equal(
        d.events.some((e) => e.kind === 'peerPenalized'),
        false,
        'a full bulk queue costs the peer nothing',
      );
      // What was queued still arrives.
      await waitFor('bulk drained', () => d.received.length === 20 + FLOOD - dropped);
    });

    it('penalizes on request, and names a connected peer’s role', async () => {
      const d = await peer(3);
      const p = await peer(0, { listen: false, peers: [staticPeer(d)] });
      await waitFor('connected', () => linked(d, p));
      assert.equal(d.network.roleOf(p.signer.address), 'validator');
      assert.equal(d.network.roleOf(signers[2]!.address), null);
      d.network.penalize(p.signer.address, 'INVALID_SENDER');
      assert.equal(d.network.scoreOf(p.signer.address), -10);
      assert.ok(
        d.events.some((e) => e.kind === 'peerPenalized' && e.code === 'INVALID_SENDER' && e.score === -10),
      );
    });

    it('penalizes, disconnects and bans a peer that sends garbage or badly signed messages', async () => {
      const validate = createConsensusMessageValidator({
        chainId: CHAIN_ID,
        keccak256: crypto.keccak256,
        verifier: crypto.verifier,
        validators: () => validators,
        maxMessageBytes: 4096,
      });
      const d = await peer(3, { validateMessage: validate });
      const bad = await peer(2, { listen: false, peers: [staticPeer(d)] });
      const good = await peer(1, { listen: false, peers: [staticPeer(d)] });
      await waitFor('connected', () => linked(d, bad) && linked(d, good));

      // A well-formed prepare from the good peer is accepted.
      const digest = createMessageDigester(crypto.keccak256);
      const unsigned = {
        type: 'prepare' as const,
        chainId: CHAIN_ID,
        height: 1,
        round: 0,
        sender: good.signer.address,
        blockHash: `0x${'ab'.repeat(32)}` as Hash,
      };
      const prepare: PrepareMessage = { ...unsigned, signature: good.signer.sign(digest(unsigned)) };
      good.network.broadcast(encodeConsensusMessage(prepare));
      await waitFor('prepare delivered', () => d.received.length === 1);

      // The bad peer relays it with a broken signature, then sends noise.
      const broken = { ...prepare, signature: prepare.signature.map((b, i) => (i === 5 ? b ^ 1 : b)) };
      bad.network.broadcast(encodeConsensusMessage(broken));
      // An oversized consensus message (within the frame bound), then malformed ones.
      bad.network.broadcast(new Uint8Array(5000).fill(1));
      for (let i = 0; i < 12; i++) bad.network.broadcast(new Uint8Array([1, 7, i]));
      await waitFor('bad peer banned', () =>
        d.events.some((e) => e.kind === 'peerBanned' && e.address === bad.signer.address),
      );
      await waitFor('bad peer gone', () => !connected(d, bad.signer.address));
      const penalties = d.events.flatMap((e) =>
        e.kind === 'peerPenalized' && e.address === bad.signer.address ? [e.code] : [],
      );
      assert.deepEqual(penalties.slice(0, 3), ['BAD_SIGNATURE', 'OVERSIZED', 'UNKNOWN_MESSAGE_TYPE']);
      assert.ok(penalties.length >= 10, 'banned after repeated rejections, not at the first');
      assert.ok(
        d.events.some(
          (e) =>
            e.kind === 'peerDisconnected' && e.address === bad.signer.address && e.reason === 'penalized',
        ),
      );
      assert.equal(connected(d, good.signer.address), true, 'the good peer stays');
      assert.equal(d.received.length, 1, 'nothing from the bad peer was delivered');
    });

    it('drops a peer that sends an oversized frame', async () => {
      const d = await peer(3, { limits: { maxFrameBytes: 1024 } });
      const client = await rawClient(d.port!);
      client.sendHello();
      client.send(FrameType.AUTH, client.auth(signers[0]!));
      await waitFor('admitted', () => connected(d, signers[0]!.address));
      const header = new Uint8Array(5);
      new DataView(header.buffer).setUint32(0, 1_000_000, false);
      header[4] = FrameType.MESSAGE;
      client.socket.write(header);
      await waitFor('closed', client.isClosed);
      assert.ok(d.events.some((e) => e.kind === 'peerDisconnected' && e.reason === 'protocolError'));
    });

    if (transport === 'ws') {
      it('drops and penalizes a peer whose WebSocket message exceeds the frame bound', async () => {
        const d = await peer(3, { limits: { maxFrameBytes: 1024 } });
        const client = await rawClient(d.port!);
        client.sendHello();
        client.send(FrameType.AUTH, client.auth(signers[0]!));
        await waitFor('admitted', () => connected(d, signers[0]!.address));
        client.ws!.send(new Uint8Array(4096));
        await waitFor('closed', client.isClosed);
        await waitFor('disconnected', () =>
          d.events.some((e) => e.kind === 'peerDisconnected' && e.reason === 'protocolError'),
        );
        assert.ok(
          d.events.some(
            (e) =>
              e.kind === 'peerPenalized' && e.address === signers[0]!.address && e.code === 'OVERSIZED_FRAME',
          ),
        );
      });
    }

    it('re-dials a static peer that went away', async () => {
      const b = await peer(1);
      const port = b.port!;
      const a = await peer(0, {
        listen: false,
        peers: [{ address: b.signer.address, host: HOST, port, transport }],
      });
      await waitFor('connected', () => linked(a, b));
      await b.network.close();
      await waitFor('noticed', () => !connected(a, b.signer.address));
      const b2 = await peer(1, { port });
      await waitFor('reconnected', () => connected(a, b2.signer.address) && connected(b2, a.signer.address));
      assert.equal(a.events.filter((e) => e.kind === 'peerConnected').length, 2);
    });

    it('gossips a message across a line of peers exactly once', async () => {
      const b = await peer(1, { gossip: true });
      const a = await peer(0, { listen: false, peers: [staticPeer(b)], gossip: true });
      const c = await peer(2, { listen: false, peers: [staticPeer(b)], gossip: true });
      await waitFor('line connected', () => linked(a, b) && linked(c, b));
      a.network.broadcast(new Uint8Array([1, 42]));
      await waitFor('relayed to c', () => c.received.length === 1);
      assert.deepEqual(c.received[0], { from: b.signer.address, bytes: new Uint8Array([1, 42]) });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(b.received.length, 1);
      assert.equal(a.received.length, 0, 'the echo back to the origin is dropped as a duplicate');
      assert.equal(c.received.length, 1);
    });
  });
}
