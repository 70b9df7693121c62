// Wire format of consensus messages. All integers big-endian.
//
// A message is its signed part, the sender's signature, and an unsigned attachment:
//
//   offset  0  version              u8 = 1
//   offset  1  type                 u8  1 proposal | 2 prepare | 3 commit | 4 round change | 5 certificate
//   offset  2  chainId              u64
//   offset 10  height               u64 (at most 2^53 - 1)
//   offset 18  round                u32
//   offset 22  sender               20 bytes
//   offset 42  payload              fixed size per type:
//                proposal     blockHash 32
//                prepare      blockHash 32
//                commit       blockHash 32, seal 65
//                round change preparedRound u32 (0xffffffff = none), preparedBlockHash 32 (zero if none)
//                certificate  blockHash 32
//   then       signature            65 bytes (r ‖ s ‖ v) over messageDigest = keccak256(MESSAGE_DOMAIN ‖ signed part)
//   then       attachment           per type, checked by its own content, not signed:
//                proposal     block (u32 length ‖ bytes), round changes (u16 count ‖ count × (u32 length ‖ message)),
//                             prepares (u16 count ‖ count × (u32 length ‖ message))
//                round change u8 flag; when 1: block (u32 length ‖ bytes), prepares (u16 count ‖ …)
//                certificate  block (u32 length ‖ bytes), seals (u16 count ‖ count × (address 20 ‖ seal 65))
//                prepare, commit: empty
//
// Embedded messages (round changes and prepares inside a proposal or a round change) are whole
// messages of the right type; an embedded round change carries no certificate (flag 0). Decoding
// is strict: unknown version or type, truncation, trailing bytes, oversize and any out-of-range
// field are typed errors.
import { ConsensusError } from './errors.js';
import { bytesToHex, hexBytesView } from './hex.js';
import type {
  CertificateMessage,
  CommitMessage,
  ConsensusMessage,
  ConsensusMessageType,
  Keccak256,
  PrepareMessage,
  ProposalMessage,
  RoundChangeMessage,
  Seal,
} from './types.js';

export const CODEC_VERSION = 1;
export const SIGNATURE_BYTES = 65;
/** Default bound of one encoded message; a block of 4 MiB plus justification fits. */
export const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Bound of embedded lists (round changes, prepares, seals): the largest validator set. */
export const MAX_LIST_ENTRIES = 1024;
/** Marks "not prepared" in a round change's preparedRound. */
export const NOT_PREPARED = 0xffff_ffff;

const OFFSET_VERSION = 0;
const OFFSET_TYPE = 1;
const OFFSET_CHAIN_ID = 2;
const OFFSET_HEIGHT = 10;
const OFFSET_ROUND = 18;
const OFFSET_SENDER = 22;
const OFFSET_PAYLOAD = 42;
const HASH_BYTES = 32;
const ADDRESS_BYTES = 20;
const SEAL_BYTES = 65;
const ZERO_HASH = new Uint8Array(HASH_BYTES);
const MAX_U64 = (1n << 64n) - 1n;

const TYPE_IDS: Record<ConsensusMessageType, number> = {
  proposal: 1,
  prepare: 2,
  commit: 3,
  roundChange: 4,
  certificate: 5,
};
const TYPE_BY_ID: Record<number, ConsensusMessageType> = {
  1: 'proposal',
  2: 'prepare',
  3: 'commit',
  4: 'roundChange',
  5: 'certificate',
};
const PAYLOAD_BYTES: Record<ConsensusMessageType, number> = {
  proposal: HASH_BYTES,
  prepare: HASH_BYTES,
  commit: HASH_BYTES + SEAL_BYTES,
  roundChange: 4 + HASH_BYTES,
  certificate: HASH_BYTES,
};

/** Length of the signed part of a message of `type`. */
export function signedPartLength(type: ConsensusMessageType): number {
  return OFFSET_PAYLOAD + PAYLOAD_BYTES[type];
}

/** A message before it is signed: everything but the signature. */
export type UnsignedMessage<M extends ConsensusMessage = ConsensusMessage> = M extends ConsensusMessage
  ? Omit<M, 'signature'>
  : never;

// ---------------------------------------------------------------------------------------------
// encoding

function checkEnvelope(m: UnsignedMessage): void {
  if (m.chainId < 0n || m.chainId > MAX_U64)
    throw new ConsensusError('MALFORMED', `chain id ${m.chainId} is not a uint64`);
  if (!Number.isSafeInteger(m.height) || m.height < 0)
    throw new ConsensusError('MALFORMED', `height ${m.height} is not a uint53`);
  if (!Number.isInteger(m.round) || m.round < 0 || m.round >= NOT_PREPARED) {
    throw new ConsensusError('MALFORMED', `round ${m.round} is out of range`);
  }
}

/** Writes the signed part of `m` at `offset` of `out`; returns the next offset. */
export function writeSignedPart(m: UnsignedMessage, out: Uint8Array, offset: number): number {
  checkEnvelope(m);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint8(offset + OFFSET_VERSION, CODEC_VERSION);
  view.setUint8(offset + OFFSET_TYPE, TYPE_IDS[m.type]);
  view.setBigUint64(offset + OFFSET_CHAIN_ID, m.chainId, false);
  view.setBigUint64(offset + OFFSET_HEIGHT, BigInt(m.height), false);
  view.setUint32(offset + OFFSET_ROUND, m.round, false);
  out.set(hexBytesView(m.sender, ADDRESS_BYTES), offset + OFFSET_SENDER);
  let at = offset + OFFSET_PAYLOAD;
  switch (m.type) {
    case 'proposal':
    case 'prepare':
    case 'certificate':
      out.set(hexBytesView(m.blockHash, HASH_BYTES), at);
      return at + HASH_BYTES;
    case 'commit':
      if (m.seal.length !== SEAL_BYTES)
        throw new ConsensusError('MALFORMED', `commit seal is ${m.seal.length} bytes`);
      out.set(hexBytesView(m.blockHash, HASH_BYTES), at);
      out.set(m.seal, at + HASH_BYTES);
      return at + HASH_BYTES + SEAL_BYTES;
    case 'roundChange':
      if (m.prepared && (m.prepared.round >= m.round || m.prepared.round < 0)) {
        throw new ConsensusError(
          'MALFORMED',
          `round change to ${m.round} prepared in round ${m.prepared.round}`,
        );
      }
      view.setUint32(at, m.prepared ? m.prepared.round : NOT_PREPARED, false);
      at += 4;
      out.set(m.prepared ? hexBytesView(m.prepared.blockHash, HASH_BYTES) : ZERO_HASH, at);
      return at + HASH_BYTES;
  }
}

/** The signed part of `m` as its own bytes. */
export function encodeSignedPart(m: UnsignedMessage): Uint8Array {
  const out = new Uint8Array(signedPartLength(m.type));
  writeSignedPart(m, out, 0);
  return out;
}

function attachmentLength(m: ConsensusMessage): number {
  switch (m.type) {
    case 'prepare':
    case 'commit':
      return 0;
    case 'proposal':
      return (
        4 +
        m.block.length +
        2 +
        m.justification.roundChanges.reduce((n, rc) => n + 4 + encodedLength(rc), 0) +
        2 +
        m.justification.prepares.reduce((n, p) => n + 4 + encodedLength(p), 0)
      );
    case 'roundChange':
      return m.certificate
        ? 1 +
            4 +
            m.certificate.block.length +
            2 +
            m.certificate.prepares.reduce((n, p) => n + 4 + encodedLength(p), 0)
        : 1;
    case 'certificate':
      return 4 + m.block.length + 2 + m.seals.length * (ADDRESS_BYTES + SEAL_BYTES);
  }
}

/** Length of the encoding of `m`. */
export function encodedLength(m: ConsensusMessage): number {
  return signedPartLength(m.type) + SIGNATURE_BYTES + attachmentLength(m);
}

function writeBytes(out: Uint8Array, view: DataView, at: number, bytes: Uint8Array): number {
  view.setUint32(at, bytes.length, false);
  out.set(bytes, at + 4);
  return at + 4 + bytes.length;
}

function writeList(out: Uint8Array, view: DataView, at: number, list: readonly ConsensusMessage[]): number {
  if (list.length > MAX_LIST_ENTRIES)
    throw new ConsensusError('OVERSIZED', `list of ${list.length} messages`);
  view.setUint16(at, list.length, false);
  let next = at + 2;
  for (const m of list) {
    const len = encodedLength(m);
    view.setUint32(next, len, false);
    next = writeMessage(m, out, next + 4);
  }
  return next;
}

/** Writes the whole encoding of `m` at `offset` of `out`; returns the next offset. */
export function writeMessage(m: ConsensusMessage, out: Uint8Array, offset: number): number {
  if (m.signature.length !== SIGNATURE_BYTES) {
    throw new ConsensusError('MALFORMED', `${m.type} signature is ${m.signature.length} bytes`);
  }
  let at = writeSignedPart(m, out, offset);
  out.set(m.signature, at);
  at += SIGNATURE_BYTES;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  switch (m.type) {
    case 'prepare':
    case 'commit':
      return at;
    case 'proposal':
      at = writeBytes(out, view, at, m.block);
      at = writeList(out, view, at, m.justification.roundChanges);
      return writeList(out, view, at, m.justification.prepares);
    case 'roundChange':
      if (!m.certificate) {
        view.setUint8(at, 0);
        return at + 1;
      }
      view.setUint8(at, 1);
      at = writeBytes(out, view, at + 1, m.certificate.block);
      return writeList(out, view, at, m.certificate.prepares);
    case 'certificate':
      at = writeBytes(out, view, at, m.block);
      if (m.seals.length > MAX_LIST_ENTRIES) throw new ConsensusError('OVERSIZED', `${m.seals.length} seals`);
      view.setUint16(at, m.seals.length, false);
      at += 2;
      for (const s of m.seals) {
        if (s.signature.length !== SEAL_BYTES)
          throw new ConsensusError('MALFORMED', `seal of ${s.validator} is not 65 bytes`);
        out.set(hexBytesView(s.validator, ADDRESS_BYTES), at);
        out.set(s.signature, at + ADDRESS_BYTES);
        at += ADDRESS_BYTES + SEAL_BYTES;
      }
      return at;
  }
}

/** The type an encoded message's header names, read without decoding it (a metrics label); undefined when none. */
export function peekConsensusMessageType(bytes: Uint8Array): ConsensusMessageType | undefined {
  return TYPE_BY_ID[bytes[1] ?? 0];
}

/**
 * Encodes a signed message.
 * @throws ConsensusError MALFORMED on a field out of range, OVERSIZED on a list above MAX_LIST_ENTRIES.
 */
export function encodeConsensusMessage(m: ConsensusMessage): Uint8Array {
  const out = new Uint8Array(encodedLength(m));
  const end = writeMessage(m, out, 0);
  if (end !== out.length) throw new ConsensusError('MALFORMED', `encoded ${end} of ${out.length} bytes`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// decoding

class Reader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
    readonly end: number,
    readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, field: string): void {
    if (this.at + n > this.end) {
      throw new ConsensusError(
        'TRUNCATED',
        `${this.what} is truncated at ${field} (offset ${this.at}, needs ${n} bytes)`,
      );
    }
  }
  u8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.at++);
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.at, false);
    this.at += 2;
    return v;
  }
  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.at, false);
    this.at += 4;
    return v;
  }
  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.at, false);
    this.at += 8;
    return v;
  }
  take(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.slice(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

export interface DecodeConsensusMessageOptions {
  /** Refuse encodings above this many bytes (default DEFAULT_MAX_MESSAGE_BYTES). */
  maxBytes?: number;
}

function readEnvelopeAndPayload(r: Reader): UnsignedMessage {
  const start = r.at;
  const version = r.u8('version');
  if (version !== CODEC_VERSION) {
    throw new ConsensusError(
      'UNKNOWN_VERSION',
      `${r.what} has codec version ${version}, expected ${CODEC_VERSION}`,
    );
  }
  const typeId = r.u8('type');
  const type = TYPE_BY_ID[typeId];
  if (!type) throw new ConsensusError('UNKNOWN_MESSAGE_TYPE', `${r.what} has unknown message type ${typeId}`);
  const chainId = r.u64('chainId');
  const height64 = r.u64('height');
  if (height64 > BigInt(Number.MAX_SAFE_INTEGER))
    throw new ConsensusError('MALFORMED', `${r.what} height ${height64} is too large`);
  const height = Number(height64);
  const round = r.u32('round');
  if (round === NOT_PREPARED)
    throw new ConsensusError('MALFORMED', `${r.what} round ${round} is out of range`);
  const sender = bytesToHex(r.take(ADDRESS_BYTES, 'sender'));
  const env = { chainId, height, round, sender };
  if (r.at - start !== OFFSET_PAYLOAD) throw new ConsensusError('MALFORMED', 'envelope layout');
  switch (type) {
    case 'proposal':
    case 'prepare':
    case 'certificate':
      return { ...env, type, blockHash: bytesToHex(r.take(HASH_BYTES, 'blockHash')) } as UnsignedMessage;
    case 'commit': {
      const blockHash = bytesToHex(r.take(HASH_BYTES, 'blockHash'));
      return { ...env, type, blockHash, seal: r.take(SEAL_BYTES, 'seal') };
    }
    case 'roundChange': {
      const preparedRound = r.u32('preparedRound');
      const preparedHash = r.take(HASH_BYTES, 'preparedBlockHash');
      if (preparedRound === NOT_PREPARED) {
        if (preparedHash.some((b) => b !== 0)) {
          throw new ConsensusError('MALFORMED', `${r.what} is not prepared but names a prepared block`);
        }
        return { ...env, type, prepared: null, certificate: null } as UnsignedMessage;
      }
      if (preparedRound >= round) {
        throw new ConsensusError(
          'MALFORMED',
          `${r.what} to round ${round} claims prepared round ${preparedRound}`,
        );
      }
      return {
        ...env,
        type,
        prepared: { round: preparedRound, blockHash: bytesToHex(preparedHash) },
        certificate: null,
      } as UnsignedMessage;
    }
  }
}

function readBlock(r: Reader): Uint8Array {
  const len = r.u32('block length');
  return r.take(len, 'block');
}

function readList<T extends ConsensusMessage['type']>(
  r: Reader,
  type: T,
  field: string,
): Extract<ConsensusMessage, { type: T }>[] {
  const count = r.u16(`${field} count`);
  if (count > MAX_LIST_ENTRIES) throw new ConsensusError('OVERSIZED', `${r.what} has ${count} ${field}`);
  const out: Extract<ConsensusMessage, { type: T }>[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.u32(`${field}[${i}] length`);
    r.need(len, `${field}[${i}]`);
    const inner = new Reader(r.bytes, r.at, r.at + len, `${field}[${i}] of ${r.what}`);
    const m = readMessage(inner, true);
    if (inner.at !== inner.end) {
      throw new ConsensusError('TRAILING_BYTES', `${inner.what} has ${inner.end - inner.at} trailing bytes`);
    }
    if (m.type !== type)
      throw new ConsensusError('MALFORMED', `${inner.what} is a ${m.type}, expected ${type}`);
    r.at += len;
    out.push(m as Extract<ConsensusMessage, { type: T }>);
  }
  return out;
}

function readMessage(r: Reader, embedded: boolean): ConsensusMessage {
  const unsigned = readEnvelopeAndPayload(r);
  const signature = r.take(SIGNATURE_BYTES, 'signature');
  switch (unsigned.type) {
    case 'prepare':
    case 'commit':
      return { ...unsigned, signature } as PrepareMessage | CommitMessage;
    case 'proposal': {
      if (embedded) throw new ConsensusError('MALFORMED', `${r.what} embeds a proposal`);
      const block = readBlock(r);
      const roundChanges = readList(r, 'roundChange', 'round changes');
      const prepares = readList(r, 'prepare', 'prepares');
      return { ...unsigned, signature, block, justification: { roundChanges, prepares } } as ProposalMessage;
    }
    case 'roundChange': {
      const flag = r.u8('certificate flag');
      if (flag === 0) return { ...unsigned, signature, certificate: null } as RoundChangeMessage;
      if (flag !== 1) throw new ConsensusError('MALFORMED', `${r.what} has certificate flag ${flag}`);
      if (embedded) throw new ConsensusError('MALFORMED', `${r.what} embeds a certificate`);
      if (!unsigned.prepared)
        throw new ConsensusError('MALFORMED', `${r.what} is not prepared but carries a certificate`);
      const block = readBlock(r);
      const prepares = readList(r, 'prepare', 'prepares');
      return { ...unsigned, signature, certificate: { block, prepares } } as RoundChangeMessage;
    }
    case 'certificate': {
      if (embedded) throw new ConsensusError('MALFORMED', `${r.what} embeds a certificate`);
      const block = readBlock(r);
      const count = r.u16('seal count');
      if (count > MAX_LIST_ENTRIES) throw new ConsensusError('OVERSIZED', `${r.what} has ${count} seals`);
      const seals: Seal[] = [];
      for (let i = 0; i < count; i++) {
        const validator = bytesToHex(r.take(ADDRESS_BYTES, `seal[${i}] validator`));
        seals.push({ validator, signature: r.take(SEAL_BYTES, `seal[${i}]`) });
      }
      return { ...unsigned, signature, block, seals } as CertificateMessage;
    }
  }
}

/**
 * Decodes one message, strictly.
 * @throws ConsensusError OVERSIZED (above `maxBytes`), UNKNOWN_VERSION, UNKNOWN_MESSAGE_TYPE,
 * TRUNCATED, TRAILING_BYTES or MALFORMED. It does not check signatures: see `verifyMessage`.
 */
export function decodeConsensusMessage(
  bytes: Uint8Array,
  { maxBytes = DEFAULT_MAX_MESSAGE_BYTES }: DecodeConsensusMessageOptions = {},
): ConsensusMessage {
  if (bytes.length > maxBytes) {
    throw new ConsensusError('OVERSIZED', `consensus message of ${bytes.length} bytes exceeds ${maxBytes}`);
  }
  const r = new Reader(bytes, 0, bytes.length, 'consensus message');
  const m = readMessage(r, false);
  if (r.at !== r.end) {
    throw new ConsensusError('TRAILING_BYTES', `${m.type} message has ${r.end - r.at} trailing bytes`);
  }
  for (const inner of embeddedMessages(m)) {
    if (inner.chainId !== m.chainId || inner.height !== m.height) {
      throw new ConsensusError('MALFORMED', `${m.type} embeds a ${inner.type} of another chain or height`);
    }
  }
  return m;
}

/** The messages embedded in `m` (justification and certificates). */
export function embeddedMessages(m: ConsensusMessage): ConsensusMessage[] {
  switch (m.type) {
    case 'proposal':
      return [...m.justification.roundChanges, ...m.justification.prepares];
    case 'roundChange':
      return m.certificate ? [...m.certificate.prepares] : [];
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// signing

const MESSAGE_DOMAIN_TAG = 'khipu.qbft.message.v1';

/** Computes `messageDigest(m) = keccak256(keccak256("khipu.qbft.message.v1") ‖ signed part)`. */
export interface MessageDigester {
  (m: UnsignedMessage): Uint8Array;
  /** Records the digest of a message just signed (its signature does not change the digest). */
  remember(m: UnsignedMessage, digest: Uint8Array): void;
}

/** The message digest over an already encoded signed part (evidence carries signed parts). */
export type SignedPartDigester = (signedPart: Uint8Array) => Uint8Array;

/** Creates the digest of encoded signed parts. */
export function createSignedPartDigester(keccak256: Keccak256): SignedPartDigester {
  const domain = keccak256(new TextEncoder().encode(MESSAGE_DOMAIN_TAG));
  return (part) => {
    const buf = new Uint8Array(HASH_BYTES + part.length);
    buf.set(domain, 0);
    buf.set(part, HASH_BYTES);
    return keccak256(buf);
  };
}

const digestCaches = new WeakMap<Keccak256, WeakMap<object, Uint8Array>>();

/** Creates the message digest function; messages and seals use distinct domains, so a vote is never a seal. */
export function createMessageDigester(keccak256: Keccak256): MessageDigester {
  const domain = keccak256(new TextEncoder().encode(MESSAGE_DOMAIN_TAG));
  // Decoded messages are immutable: a message checked by several parts (or by several engines
  // sharing one keccak, as in the simulator) is hashed once.
  let cache = digestCaches.get(keccak256);
  if (!cache) {
    cache = new WeakMap();
    digestCaches.set(keccak256, cache);
  }
  const known = cache;
  const digester = (m: UnsignedMessage): Uint8Array => {
    const cached = known.get(m);
    if (cached) return cached;
    const buf = new Uint8Array(HASH_BYTES + signedPartLength(m.type));
    buf.set(domain, 0);
    writeSignedPart(m, buf, HASH_BYTES);
    const digest = keccak256(buf);
    known.set(m, digest);
    return digest;
  };
  digester.remember = (m: UnsignedMessage, digest: Uint8Array) => {
    known.set(m, digest);
  };
  return digester;
}
