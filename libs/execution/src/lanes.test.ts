import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIELD_BALANCE, FIELD_NONCE, type TxAccess, WRITE_BALANCE, WRITE_NONCE } from './access.js';
import { computeLanes, decodeLanes, encodeLanes } from './lanes.js';

const addr = (n: number) => Uint8Array.from({ length: 20 }, () => n);
const slot = (n: number) => Uint8Array.from({ length: 32 }, () => n);

function transfer(from: number, to: number): TxAccess {
  return {
    accountReads: [
      { address: addr(from), fields: FIELD_NONCE | FIELD_BALANCE },
      { address: addr(to), fields: FIELD_BALANCE },
    ],
    slotReads: [],
    accountWrites: [
      {
        address: addr(from),
        flags: WRITE_NONCE | WRITE_BALANCE,
        nonce: 1n,
        balance: 1n,
        code: new Uint8Array(),
        storageRoot: new Uint8Array(32),
        codeHash: new Uint8Array(32),
      },
      {
        address: addr(to),
        flags: WRITE_BALANCE,
        nonce: 0n,
        balance: 1n,
        code: new Uint8Array(),
        storageRoot: new Uint8Array(32),
        codeHash: new Uint8Array(32),
      },
    ],
    slotWrites: [],
    increments: [{ address: addr(0xcb), delta: 5n }],
  };
}

function tokenTransfer(from: number, hot: number): TxAccess {
  return {
    accountReads: [{ address: addr(from), fields: FIELD_NONCE | FIELD_BALANCE }],
    slotReads: [
      { address: addr(0xaa), slot: slot(from) },
      { address: addr(0xaa), slot: slot(hot) },
    ],
    accountWrites: [
      {
        address: addr(from),
        flags: WRITE_NONCE | WRITE_BALANCE,
        nonce: 1n,
        balance: 1n,
        code: new Uint8Array(),
        storageRoot: new Uint8Array(32),
        codeHash: new Uint8Array(32),
      },
    ],
    slotWrites: [
      { address: addr(0xaa), slot: slot(from), value: Uint8Array.of(1) },
      { address: addr(0xaa), slot: slot(hot), value: Uint8Array.of(2) },
    ],
    increments: [{ address: addr(0xcb), delta: 5n }],
  };
}

describe('[execution] lanes', () => {
  it('keeps independent transfers apart: fee increments to the coinbase never link them', () => {
    assert.deepEqual(computeLanes([transfer(1, 2), transfer(3, 4), transfer(5, 6)]), [[0], [1], [2]]);
  });

  it('puts a transaction in the lane of the earlier writer of what it reads', () => {
    // 1 pays 2, then 2 spends: the second reads the balance the first wrote.
    assert.deepEqual(computeLanes([transfer(1, 2), transfer(3, 4), transfer(2, 5)]), [[0, 2], [1]]);
  });

  it('groups transfers to one hot token recipient', () => {
    const lanes = computeLanes([
      tokenTransfer(1, 9),
      tokenTransfer(2, 8),
      tokenTransfer(3, 9),
      tokenTransfer(4, 7),
      tokenTransfer(5, 9),
    ]);
    assert.deepEqual(lanes, [[0, 2, 4], [1], [3]]);
  });

  it('round-trips the lanes encoding', () => {
    const lanes = [[0, 2, 300], [1], [70000]];
    assert.deepEqual(decodeLanes(encodeLanes(lanes)), lanes);
  });

  it('refuses non-canonical lane indices', () => {
    assert.throws(() => decodeLanes(Uint8Array.of(0xc3, 0xc2, 0x00, 0x01)), /canonical/);
  });
});
