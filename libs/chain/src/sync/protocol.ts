// Block sync's wire format (the `sync` channel): RLP lists, a request id echoed by the answer.
//
//   [0, id]                      status request
//   [1, id, head]                status: the sender's head number
//   [2, id, from, count]         blocks request: `count` (at most MAX_BLOCKS_PER_REQUEST) blocks from `from`
//   [3, id, [block, ...]]        blocks, ascending from `from`; fewer when the sender has fewer
//      block = [headerRLP, [tx, ...], [[validator(20), round, signature(65)], ...]]
import { RLP } from '@ethereumjs/rlp';
import { bigIntToUnpaddedBytes, bytesToBigInt, bytesToHex } from '@ethereumjs/util';
import type { BlockEnvelope } from '../importer/importer.js';
import type { Address, Hex } from '../rpc/backend.js';
import { SyncError } from './errors.js';

/** Most blocks one request asks for (bounded batches keep replies small and fair). */
export const MAX_BLOCKS_PER_REQUEST = 64;
/** Largest sync message accepted. */
export const MAX_SYNC_MESSAGE_BYTES = 16 * 1024 * 1024;

export type SyncMessage =
  | { type: 'statusRequest'; id: number }
  | { type: 'status'; id: number; head: bigint }
  | { type: 'blocksRequest'; id: number; from: bigint; count: number }
  | { type: 'blocks'; id: number; blocks: BlockEnvelope[] };

type Nested = Uint8Array | Nested[];
const TYPES = ['statusRequest', 'status', 'blocksRequest', 'blocks'] as const;
const num = (n: number | bigint) => bigIntToUnpaddedBytes(BigInt(n));

function malformed(why: string, cause?: unknown): never {
  throw new SyncError('MALFORMED', `sync message ${why}`, cause === undefined ? {} : { cause });
}
function int(v: Nested | undefined, what: string): bigint {
  if (!(v instanceof Uint8Array) || v.length > 8 || (v.length > 0 && v[0] === 0))
    malformed(`has a bad ${what}`);
  return bytesToBigInt(v);
}
function bytes(v: Nested | undefined, what: string): Uint8Array {
  if (!(v instanceof Uint8Array)) malformed(`has a bad ${what}`);
  return v;
}
function list(v: Nested | undefined, what: string): Nested[] {
  if (!Array.isArray(v)) malformed(`has a bad ${what}`);
  return v;
}

export function encodeSyncMessage(m: SyncMessage): Uint8Array {
  const type = num(TYPES.indexOf(m.type));
  switch (m.type) {
    case 'statusRequest':
      return RLP.encode([type, num(m.id)]);
    case 'status':
      return RLP.encode([type, num(m.id), num(m.head)]);
    case 'blocksRequest':
      return RLP.encode([type, num(m.id), num(m.from), num(m.count)]);
    case 'blocks':
      return RLP.encode([
        type,
        num(m.id),
        m.blocks.map((b) => [
          b.headerRLP,
          b.transactions,
          b.seals.map((s) => [
            Buffer.from(s.validator.slice(2), 'hex'),
            num(s.round),
            Buffer.from(s.signature.slice(2), 'hex'),
          ]),
        ]),
      ]);
  }
}

/**
 * The type of an encoded message from its first RLP item, without decoding the rest (a metrics
 * label); undefined when the bytes do not start like one.
 */
export function peekSyncMessageType(data: Uint8Array): SyncMessage['type'] | undefined {
  const prefix = data[0];
  if (prefix === undefined || prefix < 0xc0) return undefined;
  const first = data[prefix <= 0xf7 ? 1 : 1 + prefix - 0xf7];
  // The type index is a small integer: 0 encodes as the empty string (0x80), 1..127 as itself.
  if (first === 0x80) return TYPES[0];
  return first !== undefined && first < 0x80 ? TYPES[first] : undefined;
}

/** @throws SyncError MALFORMED or OVERSIZED */
export function decodeSyncMessage(data: Uint8Array): SyncMessage {
  if (data.length > MAX_SYNC_MESSAGE_BYTES)
    throw new SyncError('OVERSIZED', `sync message of ${data.length} bytes`);
  let f: Nested[];
  try {
    f = list(RLP.decode(data) as Nested, 'shape');
  } catch (cause) {
    if (cause instanceof SyncError) throw cause;
    malformed('is not RLP', cause);
  }
  const type = TYPES[Number(int(f[0], 'type'))];
  const id = Number(int(f[1], 'id'));
  const expect = (n: number) => {
    if (f.length !== n) malformed(`${type} has ${f.length} fields, not ${n}`);
  };
  switch (type) {
    case 'statusRequest':
      expect(2);
      return { type, id };
    case 'status':
      expect(3);
      return { type, id, head: int(f[2], 'head') };
    case 'blocksRequest': {
      expect(4);
      const count = Number(int(f[3], 'count'));
      if (count < 1 || count > MAX_BLOCKS_PER_REQUEST) malformed(`asks for ${count} blocks`);
      return { type, id, from: int(f[2], 'from'), count };
    }
    case 'blocks':
      expect(3);
      return {
        type,
        id,
        blocks: list(f[2], 'blocks').map((b) => {
          const parts = list(b, 'block');
          if (parts.length !== 3) malformed('has a block that is not [header, transactions, seals]');
          return {
            headerRLP: bytes(parts[0], 'header'),
            transactions: list(parts[1], 'transactions').map((t) => bytes(t, 'transaction')),
            seals: list(parts[2], 'seals').map((s) => {
              const seal = list(s, 'seal');
              const validator = bytes(seal[0], 'seal validator');
              const signature = bytes(seal[2], 'seal signature');
              if (validator.length !== 20 || signature.length !== 65) malformed('has a malformed seal');
              return {
                validator: bytesToHex(validator) as Address,
                round: int(seal[1], 'seal round'),
                signature: bytesToHex(signature) as Hex,
              };
            }),
          };
        }),
      };
    default:
      return malformed('has an unknown type');
  }
}
