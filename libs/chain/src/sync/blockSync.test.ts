import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { bytesToHex } from '@ethereumjs/util';
import { addressOfPrivateKey, initDietcoin } from '@khipu/dietcoin';
import type { Address } from '../consensus/types.js';
import { parseGenesisConfig } from '../genesis/config.js';
import { blockEnvelopeOf } from '../importer/importer.js';
import { type Chain, openChain } from '../node/chain.js';
import { createMemoryHub } from '../p2p/memoryTransport.js';
import type { Transport } from '../p2p/types.js';
import { createMemoryKV } from '../store/kv.js';
import { createBlockSync } from './blockSync.js';
import { SyncError } from './errors.js';
import { decodeSyncMessage, encodeSyncMessage } from './protocol.js';

const key = new Uint8Array(32).fill(0x42);
const genesis = () =>
  parseGenesisConfig({
    chainId: 7020,
    timestamp: 1_700_000_000,
    validators: [bytesToHex(addressOfPrivateKey(key))],
    stateShardBits: 3,
  });
const SOURCE = `0x${'0a'.repeat(20)}` as Address;
const FOLLOWER = `0x${'0b'.repeat(20)}` as Address;
const LIAR = `0x${'0c'.repeat(20)}` as Address;

describe('[Sync] block sync', () => {
  let source: Chain;
  before(async () => {
    await initDietcoin();
    source = await openChain({ kv: createMemoryKV(), genesis: genesis(), validatorKey: key });
    for (let i = 0; i < 150; i++) await source.producer!.produceBlock();
  });

  it('fetches every block in bounded batches from the highest peer and reaches its head and state', async () => {
    const hub = createMemoryHub();
    const served: number[] = [];
    const serving = hub.join(SOURCE);
    const counting: Transport = {
      ...serving,
      onMessage: (h) =>
        serving.onMessage((from, bytes) => {
          const m = decodeSyncMessage(bytes);
          if (m.type === 'blocksRequest') served.push(m.count);
          h(from, bytes);
        }),
    };
    createBlockSync({ transport: counting, store: source.store, importBlock: async () => {} });
    const follower = await openChain({ kv: createMemoryKV(), genesis: genesis() });
    const sync = createBlockSync({
      transport: hub.join(FOLLOWER),
      store: follower.store,
      importBlock: async (b) => {
        await follower.importer.importBlock(b);
      },
      batchSize: 40,
    });
    assert.deepEqual([...(await sync.peerHeads())], [[SOURCE, 150n]]);
    assert.equal(await sync.catchUp(), 150);
    assert.equal(follower.store.headHeader().hash, source.store.headHeader().hash);
    assert.equal(follower.store.headHeader().stateRoot, source.store.headHeader().stateRoot);
    assert.deepEqual(served, [40, 40, 40, 30]);
    assert.equal(await sync.catchUp(), 0, 'nothing to do at the head');
    sync.close();
  });

  it('refuses blocks whose seals do not verify, names the peer, and imports nothing', async () => {
    const hub = createMemoryHub();
    // A peer claiming a longer chain and serving blocks without their seals.
    const liar = hub.join(LIAR);
    liar.onMessage((from, bytes) => {
      const m = decodeSyncMessage(bytes);
      if (m.type === 'statusRequest')
        liar.send(from, encodeSyncMessage({ type: 'status', id: m.id, head: 150n }));
      if (m.type === 'blocksRequest') {
        const block = blockEnvelopeOf(source.store, m.from);
        assert.ok(block);
        liar.send(from, encodeSyncMessage({ type: 'blocks', id: m.id, blocks: [{ ...block, seals: [] }] }));
      }
    });
    const follower = await openChain({ kv: createMemoryKV(), genesis: genesis() });
    const bad: Address[] = [];
    const sync = createBlockSync({
      transport: hub.join(FOLLOWER),
      store: follower.store,
      importBlock: async (b) => {
        await follower.importer.importBlock(b);
      },
      onBadPeer: (peer) => bad.push(peer),
    });
    await assert.rejects(sync.catchUp(), (e) => e instanceof SyncError && e.code === 'NO_PEER');
    assert.deepEqual(bad, [LIAR]);
    assert.equal(follower.store.headNumber(), 0n);
    sync.close();
  });

  it('gives up on a silent peer after the request timeout', async () => {
    const hub = createMemoryHub();
    hub.join(LIAR); // connected, never answers
    const follower = await openChain({ kv: createMemoryKV(), genesis: genesis() });
    const sync = createBlockSync({
      transport: hub.join(FOLLOWER),
      store: follower.store,
      importBlock: async () => assert.fail('nothing to import'),
      requestTimeoutMs: 50,
    });
    assert.equal((await sync.peerHeads()).size, 0);
    assert.equal(await sync.catchUp(), 0);
    sync.close();
  });
});
