// Cross-chain message codec, exactly as DESIGN.md fixes it:
//   message = abi.encode(uint8 version, uint64 nonce, uint64 sourceChainId, address sender,
//                        uint64 destinationChainId, address recipient, uint8 kind, uint256 amount, bytes body)
//   id      = keccak256(message)
//
// Layout (Solidity ABI, every word 32 bytes, big-endian, left-padded with zeros):
//   offset   0  version              uint8
//   offset  32  nonce                uint64
//   offset  64  sourceChainId        uint64
//   offset  96  sender               address (12 zero bytes + 20)
//   offset 128  destinationChainId   uint64
//   offset 160  recipient            address
//   offset 192  kind                 uint8 (0 DATA, 1 KIP_TRANSFER)
//   offset 224  amount               uint256
//   offset 256  offset of body = 288
//   offset 288  body length L
//   offset 320  body, right-padded with zeros to a multiple of 32
import { keccak256 } from '../crypto/keccak.js';
import { bigintToWord, bytesToBigint } from '../encoding/bytes.js';
import { plainBytes } from '../encoding/reader.js';
import { DietcoinError } from '../errors.js';

export const MESSAGE_VERSION = 1;
export const MessageKind = { DATA: 0, KIP_TRANSFER: 1 } as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];
/** Largest body accepted, so a decoder never allocates for a hostile length. */
export const MAX_MESSAGE_BODY_BYTES = 64 * 1024;

const WORD = 32;
const OFFSET_BODY_POINTER = 256;
const OFFSET_BODY_LENGTH = 288;
const OFFSET_BODY = 320;
const BODY_POINTER = 288;
const MAX_U64 = (1n << 64n) - 1n;

export interface Message {
  version: number;
  nonce: bigint;
  sourceChainId: bigint;
  sender: Uint8Array;
  destinationChainId: bigint;
  recipient: Uint8Array;
  kind: MessageKind;
  amount: bigint;
  body: Uint8Array;
}

function invalid(why: string): never {
  throw new DietcoinError('INVALID_MESSAGE', `message ${why}`);
}

function checkU64(v: bigint, name: string): void {
  if (v < 0n || v > MAX_U64) invalid(`${name} ${v} is out of uint64 range`);
}

/**
 * ABI-encodes a message.
 * @throws DietcoinError INVALID_MESSAGE on out-of-range fields, OVERSIZED on a body above 64 KiB.
 */
export function encodeMessage(m: Message): Uint8Array {
  if (!Number.isInteger(m.version) || m.version < 0 || m.version > 255)
    invalid(`version ${m.version} is not a uint8`);
  if (m.kind !== 0 && m.kind !== 1) invalid(`kind ${m.kind} is neither DATA nor KIP_TRANSFER`);
  checkU64(m.nonce, 'nonce');
  checkU64(m.sourceChainId, 'sourceChainId');
  checkU64(m.destinationChainId, 'destinationChainId');
  if (m.amount < 0n || m.amount >= 1n << 256n) invalid('amount is out of uint256 range');
  if (m.sender.length !== 20) invalid('sender is not 20 bytes');
  if (m.recipient.length !== 20) invalid('recipient is not 20 bytes');
  if (m.body.length > MAX_MESSAGE_BODY_BYTES) {
    throw new DietcoinError(
      'OVERSIZED',
      `message body of ${m.body.length} bytes is above ${MAX_MESSAGE_BODY_BYTES}`,
    );
  }
  const padded = Math.ceil(m.body.length / WORD) * WORD;
  const out = new Uint8Array(OFFSET_BODY + padded);
  const view = new DataView(out.buffer);
  out[31] = m.version;
  view.setBigUint64(56, m.nonce, false);
  view.setBigUint64(88, m.sourceChainId, false);
  out.set(m.sender, 108);
  view.setBigUint64(152, m.destinationChainId, false);
  out.set(m.recipient, 172);
  out[223] = m.kind;
  out.set(bigintToWord(m.amount), 224);
  view.setUint16(OFFSET_BODY_POINTER + 30, BODY_POINTER, false);
  view.setUint32(OFFSET_BODY_LENGTH + 28, m.body.length, false);
  out.set(m.body, OFFSET_BODY);
  return out;
}

function zeros(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * Decodes a message strictly: canonical padding, body pointer 288, no trailing bytes.
 * @throws DietcoinError TRUNCATED, TRAILING_BYTES, OVERSIZED, NON_CANONICAL or INVALID_MESSAGE.
 */
export function decodeMessage(input: Uint8Array): Message {
  const bytes = plainBytes(input);
  if (bytes.length < OFFSET_BODY) {
    throw new DietcoinError(
      'TRUNCATED',
      `message of ${bytes.length} bytes is shorter than its ${OFFSET_BODY}-byte head`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const paddingOk =
    zeros(bytes, 0, 31) &&
    zeros(bytes, 32, 56) &&
    zeros(bytes, 64, 88) &&
    zeros(bytes, 96, 108) &&
    zeros(bytes, 128, 152) &&
    zeros(bytes, 160, 172) &&
    zeros(bytes, 192, 223) &&
    zeros(bytes, OFFSET_BODY_POINTER, OFFSET_BODY_POINTER + 30) &&
    zeros(bytes, OFFSET_BODY_LENGTH, OFFSET_BODY_LENGTH + 28);
  if (!paddingOk)
    throw new DietcoinError('NON_CANONICAL', 'message has non-zero bits in the padding of a word');
  if (view.getUint16(OFFSET_BODY_POINTER + 30, false) !== BODY_POINTER) {
    throw new DietcoinError('NON_CANONICAL', `message body pointer is not ${BODY_POINTER}`);
  }
  const length = view.getUint32(OFFSET_BODY_LENGTH + 28, false);
  if (length > MAX_MESSAGE_BODY_BYTES) {
    throw new DietcoinError(
      'OVERSIZED',
      `message body of ${length} bytes is above ${MAX_MESSAGE_BODY_BYTES}`,
    );
  }
  const padded = Math.ceil(length / WORD) * WORD;
  if (bytes.length < OFFSET_BODY + padded) {
    throw new DietcoinError('TRUNCATED', `message body of ${length} bytes is truncated`);
  }
  if (bytes.length > OFFSET_BODY + padded) {
    throw new DietcoinError(
      'TRAILING_BYTES',
      `message has ${bytes.length - OFFSET_BODY - padded} trailing bytes`,
    );
  }
  if (!zeros(bytes, OFFSET_BODY + length, OFFSET_BODY + padded)) {
    throw new DietcoinError('NON_CANONICAL', 'message body padding is not zero');
  }
  const kind = bytes[223]!;
  if (kind !== 0 && kind !== 1) invalid(`kind ${kind} is neither DATA nor KIP_TRANSFER`);
  return {
    version: bytes[31]!,
    nonce: view.getBigUint64(56, false),
    sourceChainId: view.getBigUint64(88, false),
    sender: bytes.slice(108, 128),
    destinationChainId: view.getBigUint64(152, false),
    recipient: bytes.slice(172, 192),
    kind,
    amount: bytesToBigint(bytes.subarray(224, 256)),
    body: bytes.slice(OFFSET_BODY, OFFSET_BODY + length),
  };
}

/** Message id: keccak256 of its ABI encoding. */
export function messageId(encoded: Uint8Array): Uint8Array {
  return keccak256(encoded);
}

/** Destination chain of an encoded message without decoding the rest (checks the head is there). */
export function messageDestination(encoded: Uint8Array): bigint {
  if (encoded.length < OFFSET_BODY) throw new DietcoinError('TRUNCATED', 'message is shorter than its head');
  return new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength).getBigUint64(152, false);
}
