import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFaultyTransport, type FaultyTransport } from '../p2p/faultyTransport.js';
import { createMemoryHub, type MemoryHub } from '../p2p/memoryTransport.js';
import { type ConsensusCrypto, createConsensusCrypto } from './crypto.js';
import { type ConsensusDriver, type ConsensusStore, createConsensusDriver } from './driver.js';
import { createConsensusEngine } from './engine.js';
import { bytesToHex } from './hex.js';
import { createPrng } from './simulator/prng.js';
import type { Address, Decision, PersistedConsensusState, Signer } from './types.js';

const CHAIN_ID = 31n;

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An in-memory store that records the order of writes. */
class MemoryStore implements ConsensusStore {
  state: PersistedConsensusState | null = null;
  chain: Decision[] = [];
  writes = 0;
  async persistState(state: PersistedConsensusState): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
    this.state = state;
    this.writes++;
  }
  async commitDecision(decision: Decision): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
    assert.equal(decision.height, this.chain.length + 1, 'decisions are stored in height order');
    this.chain.push(decision);
  }
}

describe('[Consensus] driver', () => {
  let crypto: ConsensusCrypto;
  let signers: Signer[];
  let validators: Address[];
  let hub: MemoryHub;
  const drivers: ConsensusDriver[] = [];
  const transports: FaultyTransport[] = [];

  before(async () => {
    crypto = await createConsensusCrypto();
    signers = Array.from({ length: 4 }, (_, i) => crypto.createSigner(new Uint8Array(32).fill(60 + i)));
    validators = signers.map((s) => s.address).sort();
    hub = createMemoryHub();
  });

  after(() => {
    for (const d of drivers) d.stop();
    for (const t of transports) t.close();
  });

  /** Per node: `decided` / `decisionStored` events with what the store held when each came. */
  const seen: string[][] = [];

  function run(i: number, store: MemoryStore, transport: FaultyTransport): ConsensusDriver {
    const signer = signers[i]!;
    const events: string[] = seen[i] ?? [];
    seen[i] = events;
    const hashBlock = (block: Uint8Array) => bytesToHex(crypto.keccak256(block));
    const driver = createConsensusDriver({
      engine: createConsensusEngine({
        chainId: CHAIN_ID,
        signer,
        verifier: crypto.verifier,
        keccak256: crypto.keccak256,
        hashBlock,
        timeouts: { baseMs: 100, maxMs: 400 },
        resume: store.state,
      }),
      transport,
      blocks: {
        buildBlock: async (height, round) => new TextEncoder().encode(`${height}/${round}/${signer.address}`),
        validateBlock: async (height, _hash, block) =>
          new TextDecoder().decode(block).startsWith(`${height}/`),
      },
      store,
      validatorsAt: () => ({ validators }),
      startHeight: store.chain.length + 1,
      recentDecisions: store.chain.slice(-8),
      onFatal: (e) => assert.fail(String(e)),
      onEvent: (e) => {
        if (e.kind === 'decided' || e.kind === 'decisionStored')
          events.push(`${e.kind}:${e.height}:stored=${store.chain.length}`);
      },
    });
    drivers.push(driver);
    driver.start();
    return driver;
  }

  it('runs four engines to agreement over a lossy transport, and one restarts from its store', async () => {
    const prng = createPrng(3);
    const stores = signers.map(() => new MemoryStore());
    const nets = signers.map((s) =>
      createFaultyTransport(hub.join(s.address), { dropRate: 0.1, random: prng.next }),
    );
    transports.push(...nets);
    const running = signers.map((_, i) => run(i, stores[i]!, nets[i]!));
    await waitFor('height 3', () => stores.every((s) => s.chain.length >= 3));

    running[2]!.stop();
    const stoppedAt = stores[2]!.chain.length;
    await waitFor('others go on', () => [0, 1, 3].every((i) => stores[i]!.chain.length >= stoppedAt + 2));
    run(2, stores[2]!, nets[2]!);
    const target = Math.max(...stores.map((s) => s.chain.length)) + 2;
    await waitFor('restarted one catches up', () => stores.every((s) => s.chain.length >= target));

    for (let h = 0; h < target; h++) {
      assert.equal(new Set(stores.map((s) => s.chain[h]!.blockHash)).size, 1, `one block at height ${h + 1}`);
    }
    assert.ok(
      stores.every((s) => s.writes > 0),
      'state was persisted',
    );
    // Final at the commit quorum (not yet written), then stored.
    assert.deepEqual(seen[0]?.slice(0, 4), [
      'decided:1:stored=0',
      'decisionStored:1:stored=1',
      'decided:2:stored=1',
      'decisionStored:2:stored=2',
    ]);
  });
});
