import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EvidenceData, EvidenceReader } from '../backend.js';
import type { RpcContext } from '../context.js';
import { RpcError } from '../errors.js';
import { getEvidence } from './getEvidence.js';

const V = `0x${'ab'.repeat(20)}` as const;
const vote = {
  blockHash: `0x${'11'.repeat(32)}`,
  signedPart: '0x01',
  signature: '0x02',
  seal: null,
} as const;
const ENTRY: EvidenceData = {
  chainId: 7n,
  height: 42n,
  round: 1n,
  validator: V,
  step: 'prepare',
  votes: [vote, { ...vote, blockHash: `0x${'22'.repeat(32)}` }],
  encoded: null,
};

function contextWith(evidence: EvidenceReader | undefined, seen: unknown[] = []): RpcContext {
  const reader = evidence && {
    list: (q: Parameters<EvidenceReader['list']>[0]) => {
      seen.push(q);
      return evidence.list(q);
    },
  };
  return { backend: reader ? { evidence: reader } : {} } as unknown as RpcContext;
}

describe('[Consensus] khipu_getEvidence', () => {
  it('answers the stored evidence as quantities and hex, passing the filter on', async () => {
    const seen: unknown[] = [];
    const out = await getEvidence(
      [{ validator: V, fromBlock: '0x2a', toBlock: '0x30' }],
      contextWith({ list: () => [ENTRY] }, seen),
    );
    assert.deepEqual(out, [
      {
        chainId: '0x7',
        height: '0x2a',
        round: '0x1',
        validator: V,
        step: 'prepare',
        votes: ENTRY.votes,
        encoded: null,
      },
    ]);
    assert.deepEqual(seen, [{ validator: V, fromHeight: 42n, toHeight: 48n }]);
  });

  it('answers [] without consensus, and refuses a bad filter with -32602', async () => {
    assert.deepEqual(await getEvidence([], contextWith(undefined)), []);
    const bad = (e: unknown) => e instanceof RpcError && e.code === -32602;
    await assert.rejects(getEvidence(['0x1'], contextWith(undefined)), bad);
    await assert.rejects(getEvidence([{ validator: '0x12' }], contextWith(undefined)), bad);
    await assert.rejects(getEvidence([{ from: '0x1' }], contextWith(undefined)), bad);
    await assert.rejects(getEvidence([{}, {}], contextWith(undefined)), bad);
  });
});
