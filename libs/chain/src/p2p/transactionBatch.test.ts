import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerError } from './errors.js';
import {
  createTransactionBatchValidator,
  decodeTransactionBatch,
  encodeTransactionBatch,
  transactionBatchBytes,
} from './transactionBatch.js';

const tx = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const limits = { maxCount: 4, maxBytes: 200, maxTxBytes: 100 };

function refuses(bytes: Uint8Array, code: string, pattern: RegExp): void {
  assert.throws(
    () => decodeTransactionBatch(bytes, limits),
    (e) => e instanceof PeerError && e.code === code && pattern.test(e.message),
  );
}

describe('[P2P] transaction batch', () => {
  it('round-trips transactions and hops, and encodes the documented layout', () => {
    const batch = { hops: 1, transactions: [tx(3, 0xaa), tx(1, 0xbb)] };
    const bytes = encodeTransactionBatch(batch);
    assert.equal(bytes.length, transactionBatchBytes(batch.transactions));
    assert.deepEqual(
      [...bytes],
      [1, 1, 0, 2, 0, 0, 0, 3, 0xaa, 0xaa, 0xaa, 0, 0, 0, 1, 0xbb],
      'version, hops, count u16, then length u32 and bytes per transaction',
    );
    const back = decodeTransactionBatch(bytes, limits);
    assert.equal(back.hops, 1);
    assert.deepEqual(
      back.transactions.map((t) => [...t]),
      batch.transactions.map((t) => [...t]),
    );
  });

  it('refuses an unknown version, too many hops, an empty batch or transaction, truncation and trailing bytes', () => {
    const good = encodeTransactionBatch({ hops: 0, transactions: [tx(3, 1)] });
    refuses(Uint8Array.of(2, ...good.subarray(1)), 'MALFORMED_MESSAGE', /unknown version 2/);
    refuses(Uint8Array.of(1, 2, ...good.subarray(2)), 'MALFORMED_MESSAGE', /2 hops/);
    refuses(Uint8Array.of(1, 0, 0, 0), 'MALFORMED_MESSAGE', /no transactions/);
    refuses(Uint8Array.of(1, 0, 0, 1, 0, 0, 0, 0), 'MALFORMED_MESSAGE', /transaction 0 is empty/);
    refuses(Uint8Array.of(1, 0), 'MALFORMED_MESSAGE', /shorter than its header/);
    for (let cut = 4; cut < good.length; cut++) {
      refuses(good.subarray(0, cut), 'MALFORMED_MESSAGE', /truncated/);
    }
    refuses(Uint8Array.of(...good, 0), 'MALFORMED_MESSAGE', /1 trailing bytes/);
  });

  it('refuses a batch above its limits: bytes, count, one transaction', () => {
    refuses(new Uint8Array(201), 'OVERSIZED_MESSAGE', /201 bytes, limit 200/);
    const five = encodeTransactionBatch({ hops: 0, transactions: Array.from({ length: 5 }, () => tx(1, 1)) });
    refuses(five, 'OVERSIZED_MESSAGE', /5 transactions, limit 4/);
    refuses(
      encodeTransactionBatch({ hops: 0, transactions: [tx(101, 1)] }),
      'OVERSIZED_MESSAGE',
      /101 bytes, limit 100/,
    );
    assert.throws(() => encodeTransactionBatch({ hops: 0, transactions: [] }), PeerError);
  });

  it('the validator accepts a good batch and rejects a bad one with its code', () => {
    const validate = createTransactionBatchValidator(limits);
    const from = `0x${'11'.repeat(20)}` as const;
    assert.deepEqual(validate(encodeTransactionBatch({ hops: 0, transactions: [tx(2, 1)] }), from), {
      verdict: 'accept',
    });
    assert.deepEqual(validate(Uint8Array.of(9, 0, 0, 1), from), {
      verdict: 'reject',
      code: 'MALFORMED_MESSAGE',
    });
    assert.deepEqual(validate(new Uint8Array(300), from), { verdict: 'reject', code: 'OVERSIZED_MESSAGE' });
  });
});
