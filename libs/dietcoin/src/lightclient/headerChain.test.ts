import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initDietcoin } from '../crypto/backend.js';
import { isDietcoinError } from '../errors.js';
import { createHeader, decodeHeader, encodeHeader, type KhipuHeader } from '../header/header.js';
import { decodeSealedHeader, encodeSealedHeader, type SealedHeader } from '../header/sealedHeader.js';
import { verifyEvidence } from '../seal/evidence.js';
import { signSeal } from '../seal/seal.js';
import { flipEveryByte } from '../testing/flip.js';
import { derivePrivateKey, type GeneratedChain, generateChain } from '../testing/generateChain.js';
import { createHeaderChain, type HeaderChain, openHeaderChain, type SyncProgress } from './headerChain.js';
import { MemoryHeaderStore } from './memoryStore.js';
import {
  decodeHeaderRecord,
  encodeHeaderRecord,
  HEADER_RECORD_BYTES,
  HEADER_RECORD_MAX_BYTES,
} from './record.js';

const chainId = 7n;
const E = 10;
const START = 1_700_000_000;
let chain: GeneratedChain;

async function client(store = new MemoryHeaderStore(), now = START + 100): Promise<HeaderChain> {
  return createHeaderChain({
    chainId,
    quorum: 'count',
    epochLength: E,
    trustingPeriodSeconds: 3600,
    now: () => now,
    store,
    checkpoint: { header: chain.headers.get(0)!, validators: chain.setOf(0) },
  });
}

function sealed(n: number): SealedHeader {
  const s = chain.seals.get(n);
  assert.ok(s);
  return { header: decodeHeader(chain.headers.get(n)!), seals: s };
}

/** Block n rewritten by `edit` and sealed by `keys` (default: the epoch's quorum). */
function forge(
  n: number,
  edit: (h: KhipuHeader) => KhipuHeader,
  keys?: Uint8Array[],
  round = 0,
): SealedHeader {
  const h = decodeHeader(encodeHeader(edit(createHeader(decodeHeader(chain.headers.get(n)!).header))));
  const ks = keys ?? chain.keys[Math.floor(n / E)]!.slice(0, 3);
  return {
    header: h,
    seals: {
      round,
      seals: ks.map((privateKey) => signSeal({ privateKey, chainId, height: n, round, blockHash: h.hash })),
    },
  };
}

describe('[Dietcoin] HeaderChain light client', () => {
  before(async () => {
    await initDietcoin();
    chain = generateChain({
      chainId,
      length: 45,
      epochLength: E,
      validatorsPerSet: 4,
      startTimestamp: START,
    });
  });

  it('syncs sequentially, by skipping and as a full header chain across four set changes', async () => {
    const expectStored = { sequential: 46, skipping: 6, fullChain: 46 } as const;
    for (const mode of ['sequential', 'skipping', 'fullChain'] as const) {
      const store = new MemoryHeaderStore();
      const hc = await client(store);
      const progress: SyncProgress[] = [];
      const report = await hc.sync({
        source: chain.source(),
        mode,
        batchSize: 8,
        onProgress: (p) => progress.push(p),
      });
      assert.equal(hc.head.number, 45, mode);
      assert.deepEqual(hc.head.hash, decodeHeader(chain.headers.get(45)!).hash);
      assert.deepEqual(hc.nextValidators.hash, chain.setOf(4).hash);
      assert.equal(store.size, expectStored[mode], mode);
      assert.equal(report.sealChecks, mode === 'sequential' ? 45 : 5);
      assert.ok(progress.length > 0 && progress[progress.length - 1]!.height === 45);
      // every stored record is the header's, linked records flagged as such
      const r30 = store.getRecord(29);
      assert.ok(r30?.sealed);
      if (mode === 'fullChain') assert.equal(store.getRecord(12)?.sealed, false);
      if (mode === 'skipping') assert.equal(store.getRecord(12), undefined);
    }
  });

  it('keeps at most 256 bytes per verified header and round-trips the record', () => {
    const r = { ...decodeHeaderRecord(encodeHeaderRecord({ ...sealedRecord(), sealed: true })) };
    assert.equal(encodeHeaderRecord(r).length, HEADER_RECORD_BYTES);
    assert.ok(HEADER_RECORD_BYTES <= 256 && HEADER_RECORD_MAX_BYTES <= 256);
    const change = { ...r, nextValidatorsHash: chain.setOf(1).hash };
    assert.equal(encodeHeaderRecord(change).length, HEADER_RECORD_MAX_BYTES);
    assert.deepEqual(decodeHeaderRecord(encodeHeaderRecord(change)), change);
    assert.deepEqual(decodeHeaderRecord(encodeHeaderRecord(r)), r);
    assert.throws(
      () => decodeHeaderRecord(encodeHeaderRecord(r).subarray(1)),
      (e) => isDietcoinError(e),
    );
  });

  it('refuses a wrong parent, a forged or missing seal, a duplicate signer and a wrong set', async () => {
    const hc = await client();
    const other = [0, 1, 2].map((i) => derivePrivateKey('someone-else', 0, i));
    const cases: [SealedHeader, string][] = [
      [forge(1, (h) => ({ ...h, parentHash: new Uint8Array(32).fill(9) })), 'WRONG_PARENT'],
      [forge(1, (h) => h, other), 'NON_MEMBER_SIGNER'],
      [{ ...sealed(1), seals: { round: 0, seals: sealed(1).seals.seals.slice(0, 2) } }, 'NO_QUORUM'],
      [{ ...sealed(1), seals: { round: 0, seals: [] } }, 'NO_QUORUM'],
      [{ ...sealed(1), seals: { round: 1, seals: sealed(1).seals.seals } }, 'NON_MEMBER_SIGNER'],
      [
        {
          ...sealed(1),
          seals: { round: 0, seals: [sealed(1).seals.seals[0]!, ...sealed(1).seals.seals.slice(0, 2)] },
        },
        'DUPLICATE_SIGNER',
      ],
      [
        forge(
          1,
          (h) => ({
            ...h,
            extra: {
              ...h.extra,
              validatorsHash: chain.setOf(1).hash,
              nextValidatorsHash: chain.setOf(1).hash,
            },
          }),
          chain.keys[1]!.slice(0, 3),
        ),
        'WRONG_VALIDATOR_SET',
      ],
      [
        forge(1, (h) => ({ ...h, extra: { ...h.extra, nextValidatorsHash: chain.setOf(1).hash } })),
        'WRONG_VALIDATOR_SET',
      ],
      [forge(1, (h) => ({ ...h, timestamp: START })), 'NOT_MONOTONIC'],
      [forge(1, (h) => ({ ...h, timestamp: START + 10_000 })), 'FROM_THE_FUTURE'],
      [sealed(2), 'WRONG_HEIGHT'],
    ];
    for (const [s, code] of cases) {
      await assert.rejects(hc.verifySequential(s), (e) => isDietcoinError(e) && e.code === code, code);
    }
    assert.equal(hc.head.number, 0);
    await hc.verifySequential(sealed(1));
    assert.equal(hc.head.number, 1);
  });

  it('refuses every single flipped byte of a sealed header', async () => {
    const hc = await client();
    const wire = encodeSealedHeader(sealed(1));
    // decoding is synchronous: collect what decodes, then verify each (async) against the client
    const decodable: SealedHeader[] = [];
    const r = flipEveryByte(wire, (t) => {
      decodable.push(decodeSealedHeader(t));
      throw new Error('verified below');
    });
    assert.equal(r.positions, wire.length);
    let accepted = 0;
    for (const s of decodable) {
      try {
        await hc.verifySequential(s);
        accepted++;
      } catch (e) {
        assert.ok(isDietcoinError(e), String(e));
      }
    }
    assert.equal(accepted, 0, 'a tampered sealed header was accepted');
    assert.ok(decodable.length > wire.length / 2, 'most flips decode and are refused by verification');
    assert.equal(hc.head.number, 0);
  });

  it('follows a set change only when the announced set is supplied and hashes right', async () => {
    const hc = await client();
    await hc.sync({ source: chain.source(), mode: 'sequential', target: 8 });
    await hc.verifySequential(sealed(9), chain.setOf(1));
    assert.deepEqual(hc.nextValidators.hash, chain.setOf(1).hash);
    const hc2 = await client();
    await hc2.sync({ source: chain.source(), mode: 'sequential', target: 8 });
    await assert.rejects(hc2.verifySequential(sealed(9)), (e) => isDietcoinError(e, 'WRONG_VALIDATOR_SET'));
    await assert.rejects(hc2.verifySequential(sealed(9), chain.setOf(2)), (e) =>
      isDietcoinError(e, 'WRONG_VALIDATOR_SET'),
    );
    // the old set cannot seal the new epoch
    await hc.verifySequential(sealed(10));
    await assert.rejects(hc.verifySequential(forge(11, (h) => h, chain.keys[0]!.slice(0, 3))), (e) =>
      isDietcoinError(e, 'NON_MEMBER_SIGNER'),
    );
  });

  it('skips within an epoch only, and refuses to skip across a possible set change', async () => {
    const hc = await client();
    await assert.rejects(hc.verifySkipping(sealed(15)), (e) => isDietcoinError(e, 'CANNOT_SKIP'));
    await hc.verifySkipping(sealed(7));
    assert.equal(hc.head.number, 7);
    await assert.rejects(hc.checkConflict(sealed(4)), (e) => isDietcoinError(e, 'UNKNOWN_HEADER'));
  });

  it('refuses a linked segment with a tampered header in the middle', async () => {
    const hc = await client();
    const rlps = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => chain.headers.get(n)!);
    const bad = rlps.slice();
    bad[3] = encodeHeader({ ...decodeHeader(rlps[3]!).header, gasUsed: 1n });
    await assert.rejects(hc.verifyLinked(bad, sealed(9), chain.setOf(1)), (e) =>
      isDietcoinError(e, 'WRONG_PARENT'),
    );
    await assert.rejects(hc.verifyLinked(rlps.slice(1), sealed(9), chain.setOf(1)), (e) =>
      isDietcoinError(e, 'WRONG_HEIGHT'),
    );
    assert.equal(hc.head.number, 0);
    await hc.verifyLinked(rlps, sealed(9), chain.setOf(1));
    assert.equal(hc.head.number, 9);
  });

  it('refuses to extend a head older than the trusting period', async () => {
    await assert.rejects(client(new MemoryHeaderStore(), START + 3600), (e) =>
      isDietcoinError(e, 'TRUST_EXPIRED'),
    );
  });

  it('turns two quorum-sealed headers at one height into evidence and freezes', async () => {
    const store = new MemoryHeaderStore();
    const hc = await client(store);
    await hc.sync({ source: chain.source(), mode: 'sequential', target: 5 });
    const twin = forge(4, (h) => ({ ...h, gasUsed: 7n }), chain.keys[0]!.slice(1, 4));
    await assert.rejects(
      hc.checkConflict(forge(4, (h) => ({ ...h, gasUsed: 8n }), chain.keys[0]!.slice(0, 2))),
      (e) => isDietcoinError(e, 'NO_QUORUM'),
    );
    assert.equal(hc.frozen, false, 'a header without a quorum is not misbehaviour');
    await assert.rejects(
      hc.verifySequential(twin),
      (e) => isDietcoinError(e, 'CONFLICTING_HEADER') && /height 4/.test(e.message),
    );
    assert.equal(hc.frozen, true);
    const m = hc.misbehaviour;
    assert.ok(m);
    assert.equal(m.evidence.length, 2, 'two validators sealed both');
    for (const e of m.evidence) verifyEvidence({ evidence: e, validators: chain.setOf(0) });
    await assert.rejects(hc.verifySequential(sealed(6)), (e) => isDietcoinError(e, 'FROZEN'));
    await assert.rejects(hc.sync({ source: chain.source(), mode: 'skipping' }), (e) =>
      isDietcoinError(e, 'FROZEN'),
    );
    const reopened = openHeaderChain({
      chainId,
      quorum: 'count',
      epochLength: E,
      trustingPeriodSeconds: 3600,
      now: () => START + 100,
      store,
    });
    assert.equal(reopened.frozen, true);
  });

  it('reopens from its store and continues where it stopped', async () => {
    const store = new MemoryHeaderStore();
    const hc = await client(store);
    await hc.sync({ source: chain.source(), mode: 'fullChain', target: 19 });
    const reopened = openHeaderChain({
      chainId,
      quorum: 'count',
      epochLength: E,
      trustingPeriodSeconds: 3600,
      now: () => START + 100,
      store,
    });
    assert.equal(reopened.head.number, 19);
    await reopened.sync({ source: chain.source(), mode: 'skipping' });
    assert.equal(reopened.head.number, 45);
  });

  it('reports a source that lacks a sealed header as SOURCE_FAILED', async () => {
    const hc = await client();
    const source = chain.source();
    source.getSealedHeader = async () => undefined;
    await assert.rejects(hc.sync({ source, mode: 'skipping' }), (e) => isDietcoinError(e, 'SOURCE_FAILED'));
  });
});

function sealedRecord() {
  const d = decodeHeader(chain.headers.get(3)!);
  return {
    number: 3,
    timestamp: d.header.timestamp,
    hash: d.hash,
    stateRoot: d.header.stateRoot,
    messageRoot: d.header.extra.messageRoot,
    shardRoot: d.header.extra.shardRoot,
    validatorsHash: d.header.extra.validatorsHash,
    nextValidatorsHash: d.header.extra.nextValidatorsHash,
  };
}
