import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeConsensusMessage, encodeConsensusMessage } from '../consensus/codec.js';
import { type ConsensusCrypto, createConsensusCrypto } from '../consensus/crypto.js';
import { type ConsensusEngine, createConsensusEngine } from '../consensus/engine.js';
import { bytesToHex } from '../consensus/hex.js';
import type { Address, ConsensusInput, Decision, Signer } from '../consensus/types.js';
import { createConsensusMessageValidator } from './consensusValidator.js';
import { createFaultyTransport, type FaultyTransport } from './faultyTransport.js';
import { createPeerNetwork, type PeerNetwork } from './network.js';
import type { PeerTransportKind, StaticPeer } from './types.js';

const CHAIN_ID = 4242n;
const HOST = '127.0.0.1';

/** One validator as a node would run it: engine ↔ socket transport (TCP or WebSocket), real timers, instant blocks. */
interface Validator {
  signer: Signer;
  engine: ConsensusEngine;
  network: PeerNetwork;
  transport: FaultyTransport;
  port: number;
  chain: Decision[];
  timer: NodeJS.Timeout | null;
  stopped: boolean;
  feed: (input: ConsensusInput) => void;
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const transport of ['tcp', 'ws'] as const) describeConsensusOver(transport);

function describeConsensusOver(transport: PeerTransportKind): void {
  describe(`[P2P] consensus over ${transport}`, () => {
    let crypto: ConsensusCrypto;
    const running: Validator[] = [];

    before(async () => {
      crypto = await createConsensusCrypto();
    });

    after(async () => {
      for (const v of running) {
        v.stopped = true;
        if (v.timer) clearTimeout(v.timer);
        v.transport.close();
      }
      await Promise.all(running.map((v) => v.network.close()));
      running.length = 0;
    });

    async function startValidators(n: number): Promise<Validator[]> {
      const signers = Array.from({ length: n }, (_, i) =>
        crypto.createSigner(new Uint8Array(32).fill(40 + i)),
      );
      const validators = signers.map((s) => s.address).sort();
      const hashBlock = (block: Uint8Array) => bytesToHex(crypto.keccak256(block));
      const list: Validator[] = [];
      // Start from the last so that each validator dials the ones already listening (a full mesh).
      for (let i = n - 1; i >= 0; i--) {
        const signer = signers[i]!;
        const peers: StaticPeer[] = list.map((v) => ({
          address: v.signer.address,
          host: HOST,
          port: v.port,
          transport,
        }));
        const network = createPeerNetwork({
          chainId: CHAIN_ID,
          signer,
          verifier: crypto.verifier,
          keccak256: crypto.keccak256,
          listen: { host: HOST, port: 0, transport },
          peers,
          validators: () => validators,
          validateMessage: createConsensusMessageValidator({
            chainId: CHAIN_ID,
            keccak256: crypto.keccak256,
            verifier: crypto.verifier,
            validators: () => validators,
          }),
          gossip: false,
        });
        const { port } = await network.start();
        const v: Validator = {
          signer,
          engine: createConsensusEngine({
            chainId: CHAIN_ID,
            signer,
            verifier: crypto.verifier,
            keccak256: crypto.keccak256,
            hashBlock,
            timeouts: { baseMs: 300, maxMs: 1200 },
          }),
          network,
          transport: createFaultyTransport(network),
          port: port!,
          chain: [],
          timer: null,
          stopped: false,
          feed: () => {},
        };
        const feed = (input: ConsensusInput) => {
          if (v.stopped) return;
          for (const o of v.engine.step(input).outputs) {
            switch (o.kind) {
              case 'broadcast':
                v.transport.broadcast(encodeConsensusMessage(o.message));
                break;
              case 'send':
                v.transport.send(o.to, encodeConsensusMessage(o.message));
                break;
              case 'setTimer':
                if (v.timer) clearTimeout(v.timer);
                v.timer = setTimeout(() => feed({ kind: 'timeout', timerId: o.timerId }), o.afterMs);
                break;
              case 'buildBlock': {
                const block = new TextEncoder().encode(`block ${o.height}/${o.round} by ${signer.address}`);
                setImmediate(() => feed({ kind: 'blockBuilt', height: o.height, round: o.round, block }));
                break;
              }
              case 'validateBlock':
                setImmediate(() =>
                  feed({ kind: 'blockValidated', height: o.height, blockHash: o.blockHash, valid: true }),
                );
                break;
              case 'decide':
                v.chain.push(o.decision);
                setImmediate(() =>
                  feed({ kind: 'startHeight', height: o.decision.height + 1, validators: { validators } }),
                );
                break;
              default:
                break;
            }
          }
        };
        v.transport.onMessage((_from, bytes) =>
          feed({ kind: 'message', message: decodeConsensusMessage(bytes) }),
        );
        list.unshift(v);
        running.push(v);
        v.feed = feed;
      }
      await waitFor('full mesh', () => list.every((v) => v.network.connectedPeers().length === n - 1));
      for (const v of list) {
        v.feed({ kind: 'startHeight', height: 1, validators: { validators } });
      }
      return list;
    }

    const agree = (vs: Validator[], height: number) => {
      const hashes = new Set(vs.map((v) => v.chain[height - 1]?.blockHash));
      assert.equal(hashes.size, 1, `one block at height ${height}`);
    };

    it('four validators on sockets finalize blocks, and one cut off catches up when its links heal', async () => {
      const vs = await startValidators(4);
      await waitFor('height 3 everywhere', () => vs.every((v) => v.chain.length >= 3));
      for (let h = 1; h <= 3; h++) agree(vs, h);

      // Cut one validator off (links cut by the fault-injecting transport): the other three go on.
      const [lonely, ...rest] = vs as [Validator, ...Validator[]];
      const others: Address[] = rest.map((v) => v.signer.address);
      for (const a of others) lonely.transport.cut(a);
      const from = Math.max(...rest.map((v) => v.chain.length));
      await waitFor('three go on', () => rest.every((v) => v.chain.length >= from + 3));
      const lonelyHeight = lonely.chain.length;
      assert.ok(lonelyHeight <= from + 1, 'the cut-off validator cannot finalize alone');

      lonely.transport.healAll();
      const target = Math.max(...rest.map((v) => v.chain.length)) + 1;
      await waitFor('healed validator catches up', () => vs.every((v) => v.chain.length >= target));
      for (let h = 1; h <= target; h++) agree(vs, h);
    });
  });
}
