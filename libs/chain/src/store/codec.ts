// Encodings of what the chain store keeps beside headers (layouts in store/tables.ts). Every value
// is RLP; integers are minimal big-endian bytes (RLP's own rule), byte strings as they are.
import { RLP } from '@ethereumjs/rlp';
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex } from '@ethereumjs/util';
import { keccak256 } from '@khipu/dietcoin';
import { ChainError } from '../errors.js';
import type { BlockStatsData, Hash, HeaderData, Hex, SealData, SupplyData } from '../rpc/backend.js';
import { encodeRLP } from './rlp.js';

type Nested = Uint8Array | Nested[];

function corrupt(what: string, cause?: unknown): never {
  throw new ChainError('CORRUPT_STORE', `stored ${what} does not decode`, { cause });
}

function list(value: Nested | undefined, what: string): Nested[] {
  if (!Array.isArray(value)) corrupt(what);
  return value;
}

function bytes(value: Nested | undefined, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) corrupt(what);
  return value;
}

function int(value: Nested | undefined, what: string): bigint {
  return bytesToBigInt(bytes(value, what));
}

function decode(data: Uint8Array, what: string): Nested[] {
  try {
    return list(RLP.decode(data) as Nested, what);
  } catch (cause) {
    return corrupt(what, cause);
  }
}

const u = (n: bigint | number) => bigIntToUnpaddedBytes(BigInt(n));
const hex = (b: Uint8Array) => bytesToHex(b) as Hex;
const fromHex = (h: string) => Buffer.from(h.slice(2), 'hex');

// ---------------------------------------------------------------------------------------------
// Headers: decoded positionally from the RLP that was hashed.
// ---------------------------------------------------------------------------------------------

/** Decodes a header RLP into the RPC's `HeaderData`, with `hash = keccak(rlp)`. */
export function decodeHeader(rlp: Uint8Array): HeaderData {
  const f = decode(rlp, 'header');
  if (f.length < 15) corrupt('header');
  const b = (i: number) => bytes(f[i], 'header');
  const n = (i: number) => int(f[i], 'header');
  const header: HeaderData = {
    parentHash: hex(b(0)),
    ommersHash: hex(b(1)),
    coinbase: hex(b(2)),
    stateRoot: hex(b(3)),
    transactionsRoot: hex(b(4)),
    receiptsRoot: hex(b(5)),
    logsBloom: hex(b(6)),
    difficulty: n(7),
    number: n(8),
    gasLimit: n(9),
    gasUsed: n(10),
    timestamp: n(11),
    extraData: hex(b(12)),
    mixHash: hex(b(13)),
    nonce: hex(b(14)),
    hash: hex(keccak256(rlp)),
  };
  if (f.length > 15) header.baseFeePerGas = n(15);
  if (f.length > 16) header.withdrawalsRoot = hex(b(16));
  if (f.length > 17) header.blobGasUsed = n(17);
  if (f.length > 18) header.excessBlobGas = n(18);
  if (f.length > 19) header.parentBeaconBlockRoot = hex(b(19));
  if (f.length > 20) header.requestsHash = hex(b(20));
  return header;
}

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

/** A transaction as stored: its serialization (typed envelope or legacy RLP) and its sender. */
export interface StoredTransaction {
  raw: Uint8Array;
  sender: Uint8Array;
}

export function encodeBody(txs: readonly StoredTransaction[]): Uint8Array {
  return encodeRLP(txs.map((t) => [t.raw, t.sender]));
}

export function decodeBody(data: Uint8Array): StoredTransaction[] {
  return decode(data, 'body').map((item) => {
    const [raw, sender] = list(item, 'body');
    return { raw: bytes(raw, 'body'), sender: bytes(sender, 'body') };
  });
}

// ---------------------------------------------------------------------------------------------
// Receipts
// ---------------------------------------------------------------------------------------------

/** A log as stored: `[address, topics, data]`. */
export type StoredLog = [address: Uint8Array, topics: Uint8Array[], data: Uint8Array];

/** A receipt as stored; `from`, `to` and `type` come from the transaction itself. */
export interface StoredReceipt {
  status: 0 | 1;
  cumulativeGasUsed: bigint;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  /** Empty when the transaction created no contract. */
  contractAddress: Uint8Array;
  logs: StoredLog[];
  /** 256 bytes. */
  logsBloom: Uint8Array;
}

export function encodeReceipts(receipts: readonly StoredReceipt[]): Uint8Array {
  return encodeRLP(
    receipts.map((r) => [
      u(r.status),
      u(r.cumulativeGasUsed),
      u(r.gasUsed),
      u(r.effectiveGasPrice),
      r.contractAddress,
      r.logs.map(([a, t, d]) => [a, t, d]),
      r.logsBloom,
    ]),
  );
}

export function decodeReceipts(data: Uint8Array): StoredReceipt[] {
  return decode(data, 'receipts').map((item) => {
    const f = list(item, 'receipt');
    const status = Number(int(f[0], 'receipt'));
    if (status !== 0 && status !== 1) corrupt('receipt status');
    return {
      status,
      cumulativeGasUsed: int(f[1], 'receipt'),
      gasUsed: int(f[2], 'receipt'),
      effectiveGasPrice: int(f[3], 'receipt'),
      contractAddress: bytes(f[4], 'receipt'),
      logs: list(f[5], 'receipt').map((l) => {
        const [a, t, d] = list(l, 'log');
        return [bytes(a, 'log'), list(t, 'log').map((x) => bytes(x, 'log')), bytes(d, 'log')] as StoredLog;
      }),
      logsBloom: bytes(f[6], 'receipt'),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Seals, messages, stats, supply, positions
// ---------------------------------------------------------------------------------------------

export function encodeSeals(seals: readonly SealData[]): Uint8Array {
  return RLP.encode(seals.map((s) => [fromHex(s.validator), u(s.round), fromHex(s.signature)]));
}

export function decodeSeals(data: Uint8Array): SealData[] {
  return decode(data, 'seals').map((item) => {
    const [v, r, s] = list(item, 'seal');
    return { validator: hex(bytes(v, 'seal')), round: int(r, 'seal'), signature: hex(bytes(s, 'seal')) };
  });
}

/** An Outbox message as stored: its ABI encoding and where it was emitted. */
export interface StoredMessage {
  encoded: Uint8Array;
  transactionHash: Uint8Array;
  logIndex: number;
}

export function encodeMessages(messages: readonly StoredMessage[]): Uint8Array {
  return RLP.encode(messages.map((m) => [m.encoded, m.transactionHash, u(m.logIndex)]));
}

export function decodeMessages(data: Uint8Array): StoredMessage[] {
  return decode(data, 'messages').map((item) => {
    const [e, t, i] = list(item, 'message');
    return {
      encoded: bytes(e, 'message'),
      transactionHash: bytes(t, 'message'),
      logIndex: Number(int(i, 'message')),
    };
  });
}

export function encodeStats(stats: BlockStatsData): Uint8Array {
  return Buffer.from(
    JSON.stringify(stats, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)),
    'utf8',
  );
}

export function decodeStats(data: Uint8Array): BlockStatsData {
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'), (_k, v) =>
      typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
    ) as BlockStatsData;
  } catch (cause) {
    return corrupt('stats', cause);
  }
}

export function encodeSupply(s: SupplyData): Uint8Array {
  return RLP.encode([
    u(s.blockNumber),
    u(s.supply),
    u(s.genesisSupply),
    u(s.minted),
    u(s.burned),
    u(s.feePool),
    u(s.block.minted),
    u(s.block.burned),
    u(s.block.feesToPool),
  ]);
}

export function decodeSupply(data: Uint8Array): SupplyData {
  const f = decode(data, 'supply');
  const n = (i: number) => int(f[i], 'supply');
  return {
    blockNumber: n(0),
    supply: n(1),
    genesisSupply: n(2),
    minted: n(3),
    burned: n(4),
    feePool: n(5),
    block: { minted: n(6), burned: n(7), feesToPool: n(8) },
  };
}

export function encodeNumber(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

export function decodeNumber(data: Uint8Array): bigint {
  if (data.length !== 8) corrupt('block number');
  return new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0);
}

export function encodeTxLocation(blockNumber: bigint, index: number): Uint8Array {
  return RLP.encode([u(blockNumber), u(index)]);
}

export function decodeTxLocation(data: Uint8Array): { blockNumber: bigint; index: number } {
  const [b, i] = decode(data, 'tx location');
  return { blockNumber: int(b, 'tx location'), index: Number(int(i, 'tx location')) };
}

export function encodeBlockList(numbers: readonly bigint[]): Uint8Array {
  return RLP.encode(numbers.map(u));
}

export function decodeBlockList(data: Uint8Array): bigint[] {
  return decode(data, 'log index').map((x) => int(x, 'log index'));
}

export type { Hash };
