import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeTxOutcome,
  encodeTxOutcome,
  OutcomeBatch,
  type TxOutcome,
  WRITE_BALANCE,
  WRITE_CREATED,
} from './access.js';
import { unpackList } from './protocol.js';

const a = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const slot = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);

const outcome: TxOutcome = {
  ok: true,
  error: '',
  totalGasSpent: 51234n,
  blockGasSpent: 51234n,
  receiptStatus: 1,
  logs: [[a, [slot], Uint8Array.of(1, 2, 3)]],
  access: {
    accountReads: [{ address: a, fields: 7 }],
    slotReads: [{ address: a, slot }],
    accountWrites: [
      {
        address: a,
        flags: WRITE_CREATED | WRITE_BALANCE,
        nonce: 1n,
        balance: 10n ** 24n,
        code: Uint8Array.of(0x60),
        storageRoot: slot,
        codeHash: slot,
      },
    ],
    slotWrites: [{ address: a, slot, value: Uint8Array.of(9) }],
    increments: [{ address: a, delta: 21000n * 10n ** 9n }],
  },
  gasLimit: 80_000n,
  txType: 2,
};

describe('[execution] outcome wire format', () => {
  it('round-trips an outcome with reads, writes, increments and logs', () => {
    assert.deepEqual(decodeTxOutcome(encodeTxOutcome(outcome)), outcome);
  });

  it('round-trips integers of every byte length, around the 48-bit and 53-bit boundaries', () => {
    const values = [0n, 1n, 255n, 256n, 2n ** 48n - 1n, 2n ** 48n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n];
    for (let bits = 8n; bits <= 256n; bits += 8n)
      values.push(2n ** bits - 1n, 2n ** bits, 2n ** bits + 12345n);
    values.push(2n ** 256n - 1n, 0x0123456789abcdef0123456789abcdefn);
    for (const balance of values) {
      const write = {
        ...(outcome.access.accountWrites[0] as TxOutcome['access']['accountWrites'][0]),
        balance,
      };
      const x = { ...outcome, totalGasSpent: balance, access: { ...outcome.access, accountWrites: [write] } };
      assert.deepEqual(decodeTxOutcome(encodeTxOutcome(x)), x, `value ${balance}`);
    }
  });

  it('batches outcomes back to back, each decoding as encoded alone', () => {
    const batch = new OutcomeBatch();
    const refused: TxOutcome = { ...outcome, ok: false, error: 'nonce too low', logs: [] };
    for (const o of [outcome, refused, outcome]) batch.add(o);
    assert.equal(batch.count, 3);
    const taken = batch.take();
    assert.equal(batch.count, 0);
    const parts = unpackList(taken);
    assert.deepEqual(parts[1], encodeTxOutcome(refused));
    assert.deepEqual(parts.map(decodeTxOutcome), [outcome, refused, outcome]);
    batch.add(refused);
    assert.deepEqual(decodeTxOutcome(unpackList(batch.take())[0] as Uint8Array), refused);
  });

  it('round-trips a refused transaction with its reason', () => {
    const refused: TxOutcome = {
      ...outcome,
      ok: false,
      error: 'invalid nonce',
      totalGasSpent: 0n,
      blockGasSpent: 0n,
      receiptStatus: 0,
      logs: [],
    };
    assert.deepEqual(decodeTxOutcome(encodeTxOutcome(refused)), refused);
  });

  it('refuses a truncated record', () => {
    const bytes = encodeTxOutcome(outcome);
    assert.throws(() => decodeTxOutcome(bytes.subarray(0, bytes.length - 5)), { code: 'WORKER_FAILED' });
  });

  it('refuses a count larger than the record', () => {
    const refused = { ...outcome, error: '', logs: [] };
    const bytes = encodeTxOutcome(refused);
    // The logs count follows three flag bytes, three ints and the empty error's length.
    const at = 3 + (1 + 2) + (1 + 2) + (1 + 3) + 4;
    bytes.set([0xff, 0xff, 0xff, 0xff], at);
    assert.throws(() => decodeTxOutcome(bytes), { code: 'WORKER_FAILED', message: /logs count/ });
  });

  it('refuses to encode an address or slot of the wrong width', () => {
    const short = {
      ...outcome,
      access: { ...outcome.access, slotReads: [{ address: a, slot: Uint8Array.of(1) }] },
    };
    assert.throws(() => encodeTxOutcome(short), {
      code: 'WORKER_FAILED',
      message: /slot of 1 bytes, not 32/,
    });
  });

  it('refuses a record with trailing bytes', () => {
    const bytes = encodeTxOutcome(outcome);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    assert.throws(() => decodeTxOutcome(longer), { code: 'WORKER_FAILED', message: /1 trailing bytes/ });
  });
});
