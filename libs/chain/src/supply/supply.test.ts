import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isChainError } from '../errors.js';
import { nextSupply } from './supply.js';

describe('[chain] supply', () => {
  it('carries genesis supply, counts the Outbox balance as burned and the fee pool as supply', () => {
    const g = nextSupply({
      parent: null,
      blockNumber: 0n,
      genesisSupply: 1000n,
      outboxBalance: 0n,
      feePoolBalance: 0n,
      feesToPool: 0n,
    });
    assert.equal(g.supply, 1000n);
    const b1 = nextSupply({
      parent: g,
      blockNumber: 1n,
      outboxBalance: 30n,
      feePoolBalance: 7n,
      feesToPool: 7n,
    });
    assert.deepEqual(b1, {
      blockNumber: 1n,
      supply: 970n,
      genesisSupply: 1000n,
      minted: 0n,
      burned: 30n,
      feePool: 7n,
      block: { minted: 0n, burned: 30n, feesToPool: 7n },
    });
    const b2 = nextSupply({
      parent: b1,
      blockNumber: 2n,
      outboxBalance: 30n,
      feePoolBalance: 9n,
      feesToPool: 2n,
      minted: 5n,
    });
    assert.equal(b2.supply, 975n);
    assert.equal(b2.block.burned, 0n);
    assert.equal(b2.minted, 5n);
  });

  it('refuses an Outbox balance that went down', () => {
    const g = nextSupply({
      parent: null,
      blockNumber: 0n,
      genesisSupply: 10n,
      outboxBalance: 0n,
      feePoolBalance: 0n,
      feesToPool: 0n,
    });
    const b1 = nextSupply({
      parent: g,
      blockNumber: 1n,
      outboxBalance: 5n,
      feePoolBalance: 0n,
      feesToPool: 0n,
    });
    assert.throws(
      () =>
        nextSupply({ parent: b1, blockNumber: 2n, outboxBalance: 4n, feePoolBalance: 0n, feesToPool: 0n }),
      (e) => isChainError(e, 'INVALID_BLOCK'),
    );
  });
});
