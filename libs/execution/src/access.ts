// What one transaction read and wrote, per account field and per storage slot, and its compact
// binary form shipped from the workers to the coordinator.
//
// Wire layout of one transaction's result (RLP, every integer big-endian without leading zeros):
//   [ ok(0|1), error(utf8), totalGasSpent, blockGasSpent, receiptStatus(0|1), logs,
//     accountReads  [[address(20), fieldMask]...],
//     slotReads     [[address(20), slot(32)]...],
//     accountWrites [[address(20), flags, nonce, balance, code, storageRoot(32), codeHash(32)]...],
//     slotWrites    [[address(20), slot(32), value(unpadded)]...],
//     increments    [[address(20), delta]...],
//     gasLimit, txType ]
// `fieldMask` and `flags` are bit sets of the FIELD_* and WRITE_* constants below.

import type { Log } from '@ethereumjs/evm';
import { RLP } from '@ethereumjs/rlp';
import { bigIntToUnpaddedBytes, bytesToBigInt } from '@ethereumjs/util';
import { ExecutionError } from './errors.js';

/** Account fields tracked separately. */
export const FIELD_NONCE = 1;
export const FIELD_BALANCE = 2;
export const FIELD_CODE = 4;
export const FIELD_ALL = FIELD_NONCE | FIELD_BALANCE | FIELD_CODE;

/** Account write flags: which fields carry a new value, and whole-account events. */
export const WRITE_NONCE = 1;
export const WRITE_BALANCE = 2;
export const WRITE_CODE = 4;
/** The account did not exist before the transaction. */
export const WRITE_CREATED = 8;
/** The account does not exist after the transaction. */
export const WRITE_DELETED = 16;
/** All storage of the account was cleared before the slot writes. */
export const WRITE_STORAGE_CLEARED = 32;

export interface AccountRead {
  address: Uint8Array;
  fields: number;
}
export interface SlotRead {
  address: Uint8Array;
  slot: Uint8Array;
}
export interface AccountWrite {
  address: Uint8Array;
  flags: number;
  nonce: bigint;
  balance: bigint;
  /** New code when WRITE_CODE is set. */
  code: Uint8Array;
  /** The account's storage root and code hash as the transaction left them (the storage root is
   *  the one the block started from: storage is flushed at the state root). Lets the coordinator
   *  put the account without reading it when no earlier transaction touched it. */
  storageRoot: Uint8Array;
  codeHash: Uint8Array;
}
export interface SlotWrite {
  address: Uint8Array;
  slot: Uint8Array;
  /** Unpadded value; empty means zero (deleted). */
  value: Uint8Array;
}
export interface BalanceIncrement {
  address: Uint8Array;
  delta: bigint;
}

/** Everything a transaction read and changed, relative to the state it started from. */
export interface TxAccess {
  accountReads: AccountRead[];
  slotReads: SlotRead[];
  accountWrites: AccountWrite[];
  slotWrites: SlotWrite[];
  /** Commutative balance increments (fees to the coinbase, payments into commutative accounts). */
  increments: BalanceIncrement[];
}

/** A transaction run: its outcome (or the reason it was refused) and its access. */
export interface TxOutcome {
  ok: boolean;
  error: string;
  totalGasSpent: bigint;
  blockGasSpent: bigint;
  receiptStatus: 0 | 1;
  logs: Log[];
  access: TxAccess;
  /** The transaction's gas limit and type, so the coordinator need not decode it to merge it. */
  gasLimit: bigint;
  txType: number;
}

const EMPTY = new Uint8Array(0);

const SMALL: Uint8Array[] = Array.from({ length: 256 }, (_, i) => (i === 0 ? EMPTY : Uint8Array.of(i)));
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function uint(value: bigint | number): Uint8Array {
  if (typeof value === 'number') {
    if (value < 256) return SMALL[value] as Uint8Array;
    return bigIntToUnpaddedBytes(BigInt(value));
  }
  return value < 256n ? (SMALL[Number(value)] as Uint8Array) : bigIntToUnpaddedBytes(value);
}

function toBig(bytes: Uint8Array): bigint {
  if (bytes.length <= 6) return BigInt(toNum(bytes));
  return bytesToBigInt(bytes);
}

function toNum(bytes: Uint8Array): number {
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

/** Encodes one outcome for the wire (see the layout at the top of the file). */
export function encodeTxOutcome(outcome: TxOutcome): Uint8Array {
  const a = outcome.access;
  return RLP.encode([
    uint(outcome.ok ? 1 : 0),
    outcome.error === '' ? EMPTY : textEncoder.encode(outcome.error),
    uint(outcome.totalGasSpent),
    uint(outcome.blockGasSpent),
    uint(outcome.receiptStatus),
    outcome.logs,
    a.accountReads.map((r) => [r.address, uint(r.fields)]),
    a.slotReads.map((r) => [r.address, r.slot]),
    a.accountWrites.map((w) => [
      w.address,
      uint(w.flags),
      uint(w.nonce),
      uint(w.balance),
      w.code,
      w.storageRoot,
      w.codeHash,
    ]),
    a.slotWrites.map((w) => [w.address, w.slot, w.value]),
    a.increments.map((i) => [i.address, uint(i.delta)]),
    uint(outcome.gasLimit),
    uint(outcome.txType),
  ]);
}

type Nested = Uint8Array | Nested[];

function list(value: Nested | undefined, what: string): Nested[] {
  if (!Array.isArray(value))
    throw new ExecutionError('WORKER_FAILED', `malformed outcome: ${what} is not a list`);
  return value;
}
function bytes(value: Nested | undefined, what: string): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new ExecutionError('WORKER_FAILED', `malformed outcome: ${what} is not bytes`);
  return value;
}

/**
 * Decodes {@link encodeTxOutcome}'s output.
 * @throws ExecutionError `WORKER_FAILED` on a malformed or truncated record.
 */
export function decodeTxOutcome(encoded: Uint8Array): TxOutcome {
  const top = list(RLP.decode(encoded) as Nested, 'outcome');
  if (top.length !== 13) throw new ExecutionError('WORKER_FAILED', `malformed outcome: ${top.length} fields`);
  const logs = list(top[5], 'logs').map((l) => {
    const [address, topics, data] = list(l, 'log');
    return [
      bytes(address, 'log address'),
      list(topics, 'topics').map((t) => bytes(t, 'topic')),
      bytes(data, 'data'),
    ] as Log;
  });
  return {
    ok: toNum(bytes(top[0], 'ok')) === 1,
    error: textDecoder.decode(bytes(top[1], 'error')),
    totalGasSpent: toBig(bytes(top[2], 'gas')),
    blockGasSpent: toBig(bytes(top[3], 'gas')),
    receiptStatus: toNum(bytes(top[4], 'status')) === 1 ? 1 : 0,
    logs,
    access: {
      accountReads: list(top[6], 'reads').map((r) => {
        const [address, fields] = list(r, 'read');
        return { address: bytes(address, 'address'), fields: toNum(bytes(fields, 'fields')) };
      }),
      slotReads: list(top[7], 'slot reads').map((r) => {
        const [address, slot] = list(r, 'slot read');
        return { address: bytes(address, 'address'), slot: bytes(slot, 'slot') };
      }),
      accountWrites: list(top[8], 'writes').map((w) => {
        const [address, flags, nonce, balance, code, storageRoot, codeHash] = list(w, 'write');
        return {
          address: bytes(address, 'address'),
          flags: toNum(bytes(flags, 'flags')),
          nonce: toBig(bytes(nonce, 'nonce')),
          balance: toBig(bytes(balance, 'balance')),
          code: bytes(code, 'code'),
          storageRoot: bytes(storageRoot, 'storage root'),
          codeHash: bytes(codeHash, 'code hash'),
        };
      }),
      slotWrites: list(top[9], 'slot writes').map((w) => {
        const [address, slot, value] = list(w, 'slot write');
        return {
          address: bytes(address, 'address'),
          slot: bytes(slot, 'slot'),
          value: bytes(value, 'value'),
        };
      }),
      increments: list(top[10], 'increments').map((i) => {
        const [address, delta] = list(i, 'increment');
        return { address: bytes(address, 'address'), delta: toBig(bytes(delta, 'delta')) };
      }),
    },
    gasLimit: toBig(bytes(top[11], 'gas limit')),
    txType: toNum(bytes(top[12], 'type')),
  };
}
