import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { bytesToHex, hexToBytes } from '@ethereumjs/util';
import { addressOfPrivateKey, initDietcoin } from '@khipu/dietcoin';
import { parseGenesisConfig } from '../genesis/config.js';
import { type Chain, openChain } from '../node/chain.js';
import { createMemoryHub } from '../p2p/memoryTransport.js';
import { createMemoryKV, type KVStore } from '../store/kv.js';
import { ALICE_KEY } from '../testing/keys.js';
import { signFeeMarketTx } from '../testing/pendingTransaction.js';
import { createQueueSource, type QueueSource } from '../testing/queueSource.js';
import { fundedAlloc } from '../testing/soloChain.js';
import { decodeConsensusBlock, encodeConsensusBlock, hashConsensusBlock } from './blockCodec.js';
import { type ChainBlocks, createChainBlocks, decisionOf } from './chainBlocks.js';
import { createConsensusCrypto } from './crypto.js';
import { validatorSetViewOf } from './dietcoin.js';
import { type ConsensusDriver, createConsensusDriver } from './driver.js';
import { createConsensusEngine } from './engine.js';
import { isConsensusError } from './errors.js';
import { openConsensusStateStore } from './stateStore.js';

const keys = [1, 2, 3, 4].map((i) => new Uint8Array(32).fill(0x20 + i));

function genesis() {
  return parseGenesisConfig({
    chainId: 7010,
    timestamp: 1_700_000_000,
    blockTimeMs: 50,
    validators: keys.map((k) => bytesToHex(addressOfPrivateKey(k))),
    alloc: fundedAlloc([ALICE_KEY], 10n ** 21n),
    stateShardBits: 3,
  });
}

async function waitFor(what: string, predicate: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Node {
  chain: Chain;
  kv: KVStore;
  blocks: ChainBlocks;
  driver: ConsensusDriver;
  source: QueueSource;
}

describe('[Consensus] over the chain (producer, importer, Kesque tables)', () => {
  const nodes: Node[] = [];

  before(async () => {
    await initDietcoin();
    const crypto = await createConsensusCrypto();
    const hub = createMemoryHub();
    for (const key of keys) {
      const kv = createMemoryKV();
      const source = createQueueSource();
      const chain = await openChain({ kv, genesis: genesis(), validatorKey: key, source });
      const blocks = createChainBlocks({
        store: chain.store,
        importer: chain.importer,
        ...(chain.producer ? { producer: chain.producer } : {}),
      });
      const state = openConsensusStateStore(kv);
      const signer = crypto.createSigner(key);
      const view = validatorSetViewOf(chain.validators);
      const driver = createConsensusDriver({
        engine: createConsensusEngine({
          chainId: chain.chainId,
          signer,
          verifier: crypto.verifier,
          keccak256: crypto.keccak256,
          hashBlock: hashConsensusBlock,
          timeouts: { baseMs: 2000, maxMs: 8000 },
          resume: state.load(),
        }),
        transport: hub.join(signer.address),
        blocks,
        store: {
          persistState: (s) => state.persistState(s),
          commitDecision: (d) => blocks.commitDecision(d),
        },
        validatorsAt: () => view,
        startHeight: 1,
        blockTimeMs: 50,
        onFatal: (e) => assert.fail(String(e)),
      });
      nodes.push({ chain, kv, blocks, driver, source });
    }
    // Every validator's pool holds the same transaction: whoever proposes includes it.
    const transfer = signFeeMarketTx(nodes[0]!.chain.common, ALICE_KEY, {
      nonce: 0n,
      to: `0x${'ab'.repeat(20)}`,
      value: 1234n,
      gasLimit: 21_000n,
      maxPriorityFeePerGas: 7n,
    });
    for (const n of nodes) n.source.push(transfer);
    for (const n of nodes) n.driver.start();
    await waitFor('height 4 everywhere', () => nodes.every((n) => n.chain.store.headNumber() >= 4n));
    for (const n of nodes) n.driver.stop();
    await Promise.all(nodes.map((n) => n.driver.idle()));
  });

  it('decides one chain on four validators: same hashes and state roots, a quorum of seals in each block', () => {
    const top = Math.min(...nodes.map((n) => Number(n.chain.store.headNumber())));
    for (let h = 1n; h <= BigInt(top); h++) {
      const headers = nodes.map((n) => n.chain.store.getHeaderByNumber(h));
      assert.equal(new Set(headers.map((x) => x?.hash)).size, 1, `one block at ${h}`);
      assert.equal(new Set(headers.map((x) => x?.stateRoot)).size, 1, `one state root at ${h}`);
      for (const n of nodes) assert.ok((n.chain.store.getSeals(h)?.length ?? 0) >= 3, 'a quorum of seals');
    }
    const withTx = [1n, 2n, 3n, 4n].filter(
      (h) => (nodes[0]!.chain.store.getRawTransactions(h)?.length ?? 0) > 0,
    );
    assert.equal(withTx.length, 1, 'the transaction is in exactly one block');
  });

  it('persists the round state in the consensus table', () => {
    for (const n of nodes) {
      const s = openConsensusStateStore(n.kv).load();
      assert.ok(s && s.height >= 1, 'a validator that signed has its round state stored');
    }
  });

  it('validates a proposal by executing it: a wrong state root is refused, the right block accepted', async () => {
    const [a, b] = nodes as [Node, Node];
    const next = Number(a.chain.store.headNumber()) + 1;
    await waitFor('b at a head', () => b.chain.store.headNumber() >= a.chain.store.headNumber());
    const proposal = await a.blocks.buildBlock(next, 0);
    const parts = decodeConsensusBlock(proposal);
    const hash = hashConsensusBlock(proposal);
    // Another header over the same transactions: flip a byte of the state root (offset found by value).
    const header = new Uint8Array(parts.headerRLP);
    const root = hexToBytes(a.chain.store.headHeader().stateRoot as `0x${string}`);
    const at = Buffer.from(header).indexOf(Buffer.from(root));
    assert.ok(at > 0);
    header[at] = header[at]! ^ 1;
    const forged = encodeConsensusBlock({ headerRLP: header, transactions: parts.transactions });
    // b's chain may stand one block behind a's when a's own block is staged: bring it level first.
    assert.equal(await b.blocks.validateBlock(next, hashConsensusBlock(forged), forged), false);
    assert.equal(await b.blocks.validateBlock(next, hash, proposal), true);
    assert.equal(await b.blocks.validateBlock(next, hash, new Uint8Array([1, 2, 3])), true, 'staged by hash');
    assert.equal(await b.blocks.validateBlock(next + 1, hash, proposal), false, 'not the next height');
  });

  it('commits a decision whose block is not the staged one, and refuses a conflicting one', async () => {
    const [a, , c] = nodes as [Node, Node, Node];
    const next = Number(a.chain.store.headNumber()) + 1;
    const decision = decisionOf(a.chain.store, a.chain.store.headNumber());
    assert.ok(decision);
    // c stages its own block at the next height, then a decision for a stored height arrives.
    await c.blocks.buildBlock(Number(c.chain.store.headNumber()) + 1, 0);
    await c.blocks.commitDecision(decision); // the same block: a no-op
    const other = { ...decision, blockHash: `0x${'11'.repeat(32)}` as const };
    await assert.rejects(c.blocks.commitDecision(other), (e) => isConsensusError(e, 'CONFLICTING_DECISION'));
    await assert.rejects(c.blocks.commitDecision({ ...decision, height: next + 5 }), (e) =>
      isConsensusError(e, 'WRONG_HEIGHT'),
    );
    await c.blocks.release();
  });

  it('refuses a proposal stamped too far ahead of its clock, and says why', async () => {
    // A proposer whose clock runs a minute ahead builds block 1 on a fresh chain.
    const ahead = await openChain({
      kv: createMemoryKV(),
      genesis: genesis(),
      validatorKey: keys[0]!,
      now: () => Date.now() + 60_000,
    });
    const built = await ahead.producer!.build();
    const proposal = encodeConsensusBlock({
      headerRLP: built.headerRLP,
      transactions: built.commit.transactions.map((t) => t.raw),
    });
    const judge = await openChain({ kv: createMemoryKV(), genesis: genesis(), validatorKey: keys[1]! });
    const reasons: string[] = [];
    const blocks = createChainBlocks({
      store: judge.store,
      importer: judge.importer,
      onProposalRefused: (height, reason) => reasons.push(`${height}: ${reason}`),
    });
    assert.equal(await blocks.validateBlock(1, hashConsensusBlock(proposal), proposal), false);
    assert.equal(reasons.length, 1);
    assert.match(reasons[0]!, /^1: timestamp \d+ is more than 15 s ahead/);
    await blocks.release();
    await ahead.stop();
    await judge.stop();
  });
});
