import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isChainError } from '../errors.js';
import {
  decodeBody,
  decodeMessages,
  decodeNumber,
  decodeReceipts,
  decodeSeals,
  decodeStats,
  decodeSupply,
  decodeTxLocation,
  encodeBody,
  encodeMessages,
  encodeNumber,
  encodeReceipts,
  encodeSeals,
  encodeStats,
  encodeSupply,
  encodeTxLocation,
  type StoredReceipt,
} from './codec.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('[chain] store codec', () => {
  it('round-trips bodies, receipts, seals, messages, stats, supply and positions', () => {
    const body = [{ raw: bytes(100, 1), sender: bytes(20, 2) }];
    assert.deepEqual(decodeBody(encodeBody(body)), body);
    const receipts: StoredReceipt[] = [
      {
        status: 1,
        cumulativeGasUsed: 21000n,
        gasUsed: 21000n,
        effectiveGasPrice: 1_000_000_007n,
        contractAddress: new Uint8Array(0),
        logs: [[bytes(20, 3), [bytes(32, 4), bytes(32, 5)], bytes(7, 6)]],
        logsBloom: bytes(256, 0),
      },
      {
        status: 0,
        cumulativeGasUsed: 50000n,
        gasUsed: 29000n,
        effectiveGasPrice: 0n,
        contractAddress: bytes(20, 9),
        logs: [],
        logsBloom: bytes(256, 1),
      },
    ];
    assert.deepEqual(decodeReceipts(encodeReceipts(receipts)), receipts);
    const seals = [
      { validator: `0x${'ab'.repeat(20)}`, round: 3n, signature: `0x${'cd'.repeat(65)}` },
    ] as const;
    assert.deepEqual(decodeSeals(encodeSeals([...seals])), seals);
    const messages = [{ encoded: bytes(320, 7), transactionHash: bytes(32, 8), logIndex: 4 }];
    assert.deepEqual(decodeMessages(encodeMessages(messages)), messages);
    const stats = {
      blockNumber: 7n,
      transactions: 3,
      gasUsed: 63000n,
      executionSeconds: 0.25,
      parallelism: 1,
      reRuns: 0,
      fallbacks: 0,
    };
    assert.deepEqual(decodeStats(encodeStats(stats)), stats);
    const supply = {
      blockNumber: 9n,
      supply: 10n ** 24n,
      genesisSupply: 10n ** 24n + 5n,
      minted: 0n,
      burned: 5n,
      feePool: 42n,
      block: { minted: 0n, burned: 5n, feesToPool: 21n },
    };
    assert.deepEqual(decodeSupply(encodeSupply(supply)), supply);
    assert.equal(decodeNumber(encodeNumber(2n ** 40n + 3n)), 2n ** 40n + 3n);
    assert.deepEqual(decodeTxLocation(encodeTxLocation(12n, 3)), { blockNumber: 12n, index: 3 });
  });

  it('refuses corrupt records with CORRUPT_STORE', () => {
    assert.throws(
      () => decodeReceipts(new Uint8Array([0xff, 0x01])),
      (e) => isChainError(e, 'CORRUPT_STORE'),
    );
    assert.throws(
      () => decodeNumber(new Uint8Array(7)),
      (e) => isChainError(e, 'CORRUPT_STORE'),
    );
    assert.throws(
      () => decodeStats(new Uint8Array([0x7b])),
      (e) => isChainError(e, 'CORRUPT_STORE'),
    );
  });
});
