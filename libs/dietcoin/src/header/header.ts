// Khipu header codec: an Ethereum Prague header, RLP-encoded as Ethereum encodes it, whose hash is
// the ordinary keccak256 of that RLP (equal to @ethereumjs/block's `header.hash()`).
//
// RLP list of 21 items, in order (int = canonical big-endian integer, no leading zero):
//    0 parentHash 32        7 difficulty int (= 0)   14 nonce 8 (= 0)
//    1 uncleHash 32 (=      8 number int (< 2^53)     15 baseFeePerGas int
//      keccak(rlp([])))     9 gasLimit int (≤ 2^64)   16 withdrawalsRoot 32
//    2 coinbase 20         10 gasUsed int (≤ limit)   17 blobGasUsed int (= 0, no blobs)
//    3 stateRoot 32        11 timestamp int (< 2^53)  18 excessBlobGas int (= 0)
//    4 transactionsTrie 32 12 extraData (see extraData.ts)  19 parentBeaconBlockRoot 32
//    5 receiptTrie 32      13 mixHash 32              20 requestsHash 32
//    6 logsBloom 256
import { keccak256 } from '../crypto/keccak.js';
import { bigintToMinimalBytes, equalBytes } from '../encoding/bytes.js';
import { plainBytes } from '../encoding/reader.js';
import { encodeRLP, numberToRLPBytes, type RLPItem, type RLPSpan, rlpSpan } from '../encoding/rlp.js';
import { DietcoinError } from '../errors.js';
import { decodeExtraData, encodeExtraData, type KhipuExtraData, MAX_EXTRA_DATA_BYTES } from './extraData.js';

/** keccak256(rlp([])): the uncle hash of every block without uncles. */
export const EMPTY_UNCLE_HASH = new Uint8Array(
  Buffer.from('1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347', 'hex'),
);
/** keccak256(rlp('')): the root of an empty trie. */
export const EMPTY_TRIE_ROOT = new Uint8Array(
  Buffer.from('56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421', 'hex'),
);
/** sha256 of nothing: EIP-7685 requestsHash of a block without requests. */
export const EMPTY_REQUESTS_HASH = new Uint8Array(
  Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'),
);
/** Largest header accepted on decode. */
export const MAX_HEADER_BYTES = 1024 + MAX_EXTRA_DATA_BYTES;
const FIELD_COUNT = 21;

/** The fields of a Khipu header, extraData decoded. */
export interface KhipuHeader {
  parentHash: Uint8Array;
  uncleHash: Uint8Array;
  coinbase: Uint8Array;
  stateRoot: Uint8Array;
  transactionsTrie: Uint8Array;
  receiptTrie: Uint8Array;
  logsBloom: Uint8Array;
  difficulty: bigint;
  number: number;
  gasLimit: bigint;
  gasUsed: bigint;
  timestamp: number;
  extra: KhipuExtraData;
  mixHash: Uint8Array;
  nonce: Uint8Array;
  baseFeePerGas: bigint;
  withdrawalsRoot: Uint8Array;
  blobGasUsed: bigint;
  excessBlobGas: bigint;
  parentBeaconBlockRoot: Uint8Array;
  requestsHash: Uint8Array;
}

/** A decoded header with its RLP and hash. */
export interface DecodedHeader {
  header: KhipuHeader;
  rlp: Uint8Array;
  hash: Uint8Array;
}

/** Fields a caller must give; the rest default to an empty post-merge block. */
export type CreateHeaderParameters = Pick<KhipuHeader, 'parentHash' | 'number' | 'timestamp' | 'extra'> &
  Partial<Omit<KhipuHeader, 'parentHash' | 'number' | 'timestamp' | 'extra'>>;

/** A header with defaults for what was not given (empty block, zero roots, 1 gwei base fee). */
export function createHeader(p: CreateHeaderParameters): KhipuHeader {
  return {
    uncleHash: EMPTY_UNCLE_HASH,
    coinbase: new Uint8Array(20),
    stateRoot: EMPTY_TRIE_ROOT,
    transactionsTrie: EMPTY_TRIE_ROOT,
    receiptTrie: EMPTY_TRIE_ROOT,
    logsBloom: new Uint8Array(256),
    difficulty: 0n,
    gasLimit: 30_000_000n,
    gasUsed: 0n,
    mixHash: new Uint8Array(32),
    nonce: new Uint8Array(8),
    baseFeePerGas: 1_000_000_000n,
    withdrawalsRoot: EMPTY_TRIE_ROOT,
    blobGasUsed: 0n,
    excessBlobGas: 0n,
    parentBeaconBlockRoot: new Uint8Array(32),
    requestsHash: EMPTY_REQUESTS_HASH,
    ...p,
  };
}

function headerItems(h: KhipuHeader, extraData: Uint8Array): RLPItem[] {
  return [
    h.parentHash,
    h.uncleHash,
    h.coinbase,
    h.stateRoot,
    h.transactionsTrie,
    h.receiptTrie,
    h.logsBloom,
    bigintToMinimalBytes(h.difficulty),
    numberToRLPBytes(h.number),
    bigintToMinimalBytes(h.gasLimit),
    bigintToMinimalBytes(h.gasUsed),
    numberToRLPBytes(h.timestamp),
    extraData,
    h.mixHash,
    h.nonce,
    bigintToMinimalBytes(h.baseFeePerGas),
    h.withdrawalsRoot,
    bigintToMinimalBytes(h.blobGasUsed),
    bigintToMinimalBytes(h.excessBlobGas),
    h.parentBeaconBlockRoot,
    h.requestsHash,
  ];
}

/**
 * RLP of a header, byte-identical to @ethereumjs/block's `serialize()` under `createKhipuCommon`.
 * @throws DietcoinError INVALID_HEADER when the header breaks a chain rule (see `checkHeaderRules`).
 */
export function encodeHeader(h: KhipuHeader): Uint8Array {
  checkHeaderRules(h);
  return encodeRLP(headerItems(h, encodeExtraData(h.extra)));
}

/** The block hash: keccak256 of the header RLP. */
export function hashHeader(rlp: Uint8Array): Uint8Array {
  return keccak256(rlp);
}

function invalid(n: number | undefined, why: string): never {
  throw new DietcoinError('INVALID_HEADER', `header${n === undefined ? '' : ` ${n}`} ${why}`);
}

/**
 * Chain rules every Khipu header obeys beyond its format: post-merge constants (difficulty 0,
 * nonce 0, no uncles), no blobs, gas used within the limit.
 * @throws DietcoinError INVALID_HEADER naming the rule.
 */
export function checkHeaderRules(h: KhipuHeader): void {
  const fixed: [string, Uint8Array, number][] = [
    ['parentHash', h.parentHash, 32],
    ['uncleHash', h.uncleHash, 32],
    ['coinbase', h.coinbase, 20],
    ['stateRoot', h.stateRoot, 32],
    ['transactionsTrie', h.transactionsTrie, 32],
    ['receiptTrie', h.receiptTrie, 32],
    ['logsBloom', h.logsBloom, 256],
    ['mixHash', h.mixHash, 32],
    ['nonce', h.nonce, 8],
    ['withdrawalsRoot', h.withdrawalsRoot, 32],
    ['parentBeaconBlockRoot', h.parentBeaconBlockRoot, 32],
    ['requestsHash', h.requestsHash, 32],
  ];
  for (const [name, v, len] of fixed) if (v.length !== len) invalid(h.number, `${name} is not ${len} bytes`);
  checkChainRules(h);
}

/** The rules beyond field sizes (which the decoder has already checked). */
function checkChainRules(
  h: Pick<
    KhipuHeader,
    | 'number'
    | 'timestamp'
    | 'difficulty'
    | 'nonce'
    | 'uncleHash'
    | 'blobGasUsed'
    | 'excessBlobGas'
    | 'gasLimit'
    | 'gasUsed'
    | 'baseFeePerGas'
  >,
): void {
  if (!Number.isSafeInteger(h.number) || h.number < 0)
    invalid(undefined, `number ${h.number} is not a safe integer`);
  if (!Number.isSafeInteger(h.timestamp) || h.timestamp < 0) invalid(h.number, `timestamp ${h.timestamp}`);
  if (h.difficulty !== 0n) invalid(h.number, 'has a non-zero difficulty');
  for (let i = 0; i < 8; i++) if (h.nonce[i] !== 0) invalid(h.number, 'has a non-zero nonce');
  if (!equalBytes(h.uncleHash, EMPTY_UNCLE_HASH)) invalid(h.number, 'has uncles');
  if (h.blobGasUsed !== 0n || h.excessBlobGas !== 0n)
    invalid(h.number, 'has blob gas: Khipu chains carry no blobs');
  if (h.gasLimit >= 1n << 64n) invalid(h.number, 'has a gas limit above 2^64');
  if (h.gasUsed > h.gasLimit) invalid(h.number, 'uses more gas than its limit');
  if (h.baseFeePerGas >= 1n << 256n) invalid(h.number, 'has a base fee above 2^256');
}

/** Cursor over the items of one RLP list, without allocating the decoded tree. */
class ListCursor {
  offset: number;
  /** Reused for every item: callers read it before the next call. */
  private readonly span: RLPSpan = { list: false, start: 0, end: 0 };
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly what: string,
  ) {
    this.offset = start;
  }

  next(name: string): RLPSpan {
    if (this.offset >= this.end) {
      throw new DietcoinError(
        'MALFORMED',
        `${this.what} must be a list of ${FIELD_COUNT} fields (Prague): ${name} is missing`,
      );
    }
    const s = rlpSpan(this.bytes, this.offset, this.end, this.what, this.span);
    this.offset = s.end;
    return s;
  }

  /** Checks a fixed-size string without making a view of it. */
  skipFixed(name: string, len: number): void {
    const s = this.next(name);
    if (s.list || s.end - s.start !== len) {
      throw new DietcoinError('MALFORMED', `${this.what} ${name} must be a ${len}-byte string`);
    }
  }

  fixed(name: string, len: number): Uint8Array {
    const s = this.next(name);
    if (s.list || s.end - s.start !== len) {
      throw new DietcoinError('MALFORMED', `${this.what} ${name} must be a ${len}-byte string`);
    }
    return this.bytes.subarray(s.start, s.end);
  }

  /** A canonical integer of at most `maxBytes` bytes. */
  bigint(name: string, maxBytes: number): bigint {
    const s = this.next(name);
    const len = s.end - s.start;
    if (s.list) throw new DietcoinError('MALFORMED', `${this.what} ${name} must be an integer, not a list`);
    if (len > maxBytes)
      throw new DietcoinError('OVERSIZED', `${this.what} ${name} is ${len} bytes, above ${maxBytes}`);
    if (len === 0) return 0n;
    if (this.bytes[s.start] === 0)
      throw new DietcoinError('NON_CANONICAL', `${this.what} ${name} has a leading zero byte`);
    if (len <= 6) {
      let v = 0;
      for (let i = s.start; i < s.end; i++) v = v * 256 + this.bytes[i]!;
      return BigInt(v);
    }
    let v = 0n;
    for (let i = s.start; i < s.end; i++) v = (v << 8n) | BigInt(this.bytes[i]!);
    return v;
  }

  /** A canonical integer below 2^53. */
  number(name: string): number {
    const v = this.bigint(name, 7);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new DietcoinError('OVERSIZED', `${this.what} ${name} is above 2^53`);
    return Number(v);
  }

  done(): void {
    if (this.offset !== this.end) {
      throw new DietcoinError('MALFORMED', `${this.what} has more than ${FIELD_COUNT} fields`);
    }
  }
}

/** Checks a header's outer RLP (size, a list, no trailing bytes) and opens a cursor on its fields;
 *  the shared start of `decodeHeader` and `scanHeader`. */
function openHeaderList(input: Uint8Array): { rlp: Uint8Array; c: ListCursor } {
  const rlp = plainBytes(input);
  if (rlp.length > MAX_HEADER_BYTES) {
    throw new DietcoinError('OVERSIZED', `header of ${rlp.length} bytes is above ${MAX_HEADER_BYTES}`);
  }
  const list = rlpSpan(rlp, 0, rlp.length, 'header');
  if (!list.list)
    throw new DietcoinError('MALFORMED', `header must be a list of ${FIELD_COUNT} fields (Prague)`);
  if (list.end !== rlp.length) {
    throw new DietcoinError('TRAILING_BYTES', `header has ${rlp.length - list.end} trailing bytes`);
  }
  const c = new ListCursor(rlp, list.start, list.end, 'header');
  return { rlp, c };
}

/**
 * Decodes a header strictly (canonical RLP, exactly 21 fields, sizes, chain rules) and hashes it.
 * Walks the RLP in place: this is the hot path of a full-header-chain bootstrap.
 * @throws DietcoinError OVERSIZED, MALFORMED, TRUNCATED, TRAILING_BYTES, NON_CANONICAL or INVALID_HEADER.
 */
export function decodeHeader(input: Uint8Array): DecodedHeader {
  const { rlp, c } = openHeaderList(input);
  const parentHash = c.fixed('parentHash', 32);
  const uncleHash = c.fixed('uncleHash', 32);
  const coinbase = c.fixed('coinbase', 20);
  const stateRoot = c.fixed('stateRoot', 32);
  const transactionsTrie = c.fixed('transactionsTrie', 32);
  const receiptTrie = c.fixed('receiptTrie', 32);
  const logsBloom = c.fixed('logsBloom', 256);
  const difficulty = c.bigint('difficulty', 32);
  const number = c.number('number');
  const gasLimit = c.bigint('gasLimit', 8);
  const gasUsed = c.bigint('gasUsed', 8);
  const timestamp = c.number('timestamp');
  const extraSpan = c.next('extraData');
  if (extraSpan.list) throw new DietcoinError('MALFORMED', 'header extraData must be a string');
  const extra = decodeExtraData(rlp.subarray(extraSpan.start, extraSpan.end));
  const header: KhipuHeader = {
    parentHash,
    uncleHash,
    coinbase,
    stateRoot,
    transactionsTrie,
    receiptTrie,
    logsBloom,
    difficulty,
    number,
    gasLimit,
    gasUsed,
    timestamp,
    extra,
    mixHash: c.fixed('mixHash', 32),
    nonce: c.fixed('nonce', 8),
    baseFeePerGas: c.bigint('baseFeePerGas', 32),
    withdrawalsRoot: c.fixed('withdrawalsRoot', 32),
    blobGasUsed: c.bigint('blobGasUsed', 8),
    excessBlobGas: c.bigint('excessBlobGas', 8),
    parentBeaconBlockRoot: c.fixed('parentBeaconBlockRoot', 32),
    requestsHash: c.fixed('requestsHash', 32),
  };
  c.done();
  checkChainRules(header);
  return { header, rlp, hash: keccak256(rlp) };
}

/** What a linked header contributes to the light client: its hash and the fields of its record. */
export interface HeaderLink {
  hash: Uint8Array;
  number: number;
  timestamp: number;
  parentHash: Uint8Array;
  stateRoot: Uint8Array;
  validatorsHash: Uint8Array;
  nextValidatorsHash: Uint8Array;
  messageRoot: Uint8Array;
  shardRoot: Uint8Array;
}

/**
 * Checks a header exactly as `decodeHeader` does (format and chain rules) but keeps only what the
 * light client records, without building the whole header: the hot path of a full-header-chain
 * bootstrap.
 * @throws as `decodeHeader`.
 */
export function scanHeader(input: Uint8Array): HeaderLink {
  const { rlp, c } = openHeaderList(input);
  const parentHash = c.fixed('parentHash', 32);
  const uncleHash = c.fixed('uncleHash', 32);
  c.skipFixed('coinbase', 20);
  const stateRoot = c.fixed('stateRoot', 32);
  c.skipFixed('transactionsTrie', 32);
  c.skipFixed('receiptTrie', 32);
  c.skipFixed('logsBloom', 256);
  const difficulty = c.bigint('difficulty', 32);
  const number = c.number('number');
  const gasLimit = c.bigint('gasLimit', 8);
  const gasUsed = c.bigint('gasUsed', 8);
  const timestamp = c.number('timestamp');
  const extraSpan = c.next('extraData');
  if (extraSpan.list) throw new DietcoinError('MALFORMED', 'header extraData must be a string');
  const extra = decodeExtraData(rlp.subarray(extraSpan.start, extraSpan.end));
  c.skipFixed('mixHash', 32);
  const nonce = c.fixed('nonce', 8);
  const baseFeePerGas = c.bigint('baseFeePerGas', 32);
  c.skipFixed('withdrawalsRoot', 32);
  const blobGasUsed = c.bigint('blobGasUsed', 8);
  const excessBlobGas = c.bigint('excessBlobGas', 8);
  c.skipFixed('parentBeaconBlockRoot', 32);
  c.skipFixed('requestsHash', 32);
  c.done();
  // the same rules as checkChainRules, on the fields kept
  const rules = {
    number,
    timestamp,
    difficulty,
    nonce,
    uncleHash,
    blobGasUsed,
    excessBlobGas,
    gasLimit,
    gasUsed,
    baseFeePerGas,
  };
  checkChainRules(rules);
  return {
    hash: keccak256(rlp),
    number,
    timestamp,
    parentHash,
    stateRoot,
    validatorsHash: extra.validatorsHash,
    nextValidatorsHash: extra.nextValidatorsHash,
    messageRoot: extra.messageRoot,
    shardRoot: extra.shardRoot,
  };
}
