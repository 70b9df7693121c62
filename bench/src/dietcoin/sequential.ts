// Sequential header verification: decode each sealed header from its wire bytes, check its parent
// link, validator set, clock and seals, and record it (in memory, to time verification alone).
import {
  createHeaderChain,
  decodeSealedHeader,
  encodeSealedHeaderBytes,
  generateChain,
  MemoryHeaderStore,
} from '@khipu/dietcoin';
import { progress, seconds } from './timing.js';

export interface SequentialFigures {
  validators: number;
  seals: number;
  headers: number;
  headersPerSecond: number;
}

export async function measureSequential(validators: number, headers: number): Promise<SequentialFigures> {
  const epochLength = 1000;
  const start = 1_700_000_000;
  const chain = generateChain({
    chainId: 11n,
    length: headers,
    epochLength,
    validatorsPerSet: validators,
    startTimestamp: start,
  });
  const wire: Uint8Array[] = [];
  for (let n = 1; n <= headers; n++)
    wire.push(encodeSealedHeaderBytes(chain.headers.get(n)!, chain.seals.get(n)!));
  const hc = await createHeaderChain({
    chainId: 11n,
    quorum: 'count',
    epochLength,
    trustingPeriodSeconds: 14 * 86_400,
    now: () => start + headers + 1,
    store: new MemoryHeaderStore(),
    checkpoint: { header: chain.headers.get(0)!, validators: chain.setOf(0) },
  });
  const t0 = performance.now();
  for (let n = 1; n <= headers; n++) {
    const next = (n + 1) % epochLength === 0 ? chain.setOf((n + 1) / epochLength) : undefined;
    await hc.verifySequential(decodeSealedHeader(wire[n - 1]!), next);
  }
  const s = seconds(t0);
  if (hc.head.number !== headers) throw new Error('sequential verification did not reach the head');
  const figures = { validators, seals: chain.sealsPerHeader, headers, headersPerSecond: headers / s };
  progress(`sequential ${validators} validators: ${figures.headersPerSecond.toFixed(0)} headers/s`);
  return figures;
}
