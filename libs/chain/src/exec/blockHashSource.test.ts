import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import { createCanonicalBlockHashes } from './blockHashSource.js';

describe('[chain] canonical block hashes', () => {
  before(async () => {
    await initDietcoin();
  });

  const headerOf = (n: bigint) => new TextEncoder().encode(`header ${n}`);

  it('hashes the stored header RLP, and nothing for a block the store lacks', () => {
    const source = createCanonicalBlockHashes((n) => (n <= 10n ? headerOf(n) : null), keccak256);
    assert.deepEqual(source.blockHash(3n), keccak256(headerOf(3n)));
    assert.equal(source.blockHash(11n), undefined);
  });

  it('reads each header once while it stays in the window, and again after it left it', () => {
    const reads = new Map<bigint, number>();
    const source = createCanonicalBlockHashes((n) => {
      reads.set(n, (reads.get(n) ?? 0) + 1);
      return headerOf(n);
    }, keccak256);
    for (let block = 1n; block <= 1000n; block++) {
      const first = block > 256n ? block - 256n : 0n;
      for (let n = first; n < block; n++) source.blockHash(n);
    }
    assert.ok([...reads.values()].every((count) => count === 1));
    assert.deepEqual(source.blockHash(0n), keccak256(headerOf(0n)));
    assert.equal(reads.get(0n), 2);
  });
});
