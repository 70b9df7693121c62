import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openKesque } from '@khipu/kesque';
import { initDietcoin } from '../crypto/backend.js';
import { decodeHeader } from '../header/header.js';
import { type GeneratedChain, generateChain } from '../testing/generateChain.js';
import { createHeaderChain, openHeaderChain } from './headerChain.js';
import { createKesqueHeaderStore } from './kesqueStore.js';
import { DIETCOIN_TABLES } from './tables.js';

describe('[Dietcoin] Kesque header store', () => {
  let dir: string;
  let chain: GeneratedChain;
  const rules = {
    chainId: 5n,
    quorum: 'count' as const,
    epochLength: 16,
    trustingPeriodSeconds: 86_400,
    now: () => 1_700_000_500,
  };

  before(async () => {
    await initDietcoin();
    dir = mkdtempSync(join(tmpdir(), 'dietcoin-kesque-'));
    chain = generateChain({
      chainId: 5n,
      length: 70,
      epochLength: 16,
      validatorsPerSet: 4,
      seal: 'setChangesAndHead',
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('persists verified header records, sets and state, and reopens where it stopped', async () => {
    let kesque = await openKesque({ dir, tables: { ...DIETCOIN_TABLES } });
    const hc = await createHeaderChain({
      ...rules,
      store: createKesqueHeaderStore({ kesque }),
      checkpoint: { header: chain.headers.get(0)!, validators: chain.setOf(0) },
    });
    await hc.sync({ source: chain.source(), mode: 'fullChain', target: 47 });
    await kesque.close();

    kesque = await openKesque({ dir, tables: { ...DIETCOIN_TABLES } });
    const store = createKesqueHeaderStore({ kesque });
    const reopened = openHeaderChain({ ...rules, store });
    assert.equal(reopened.head.number, 47);
    for (const n of [0, 1, 30, 47])
      assert.deepEqual(store.getRecord(n)?.hash, decodeHeader(chain.headers.get(n)!).hash);
    assert.equal(store.getRecord(48), undefined);
    assert.deepEqual(store.getValidatorSet(chain.setOf(2).hash)?.hash, chain.setOf(2).hash);
    await reopened.sync({ source: chain.source(), mode: 'fullChain' });
    assert.equal(reopened.head.number, 70);
    assert.equal(store.readState()?.head, 70);
    await kesque.close();
  });
});
