// Log filters: parsing (eth_getLogs, eth_newFilter, eth_subscribe logs), matching, and a bloom
// scan over committed blocks for a core without a log index of its own.

import { initDietcoin, keccak256 } from '@khipu/dietcoin';
import type { Address, BlockReader, Hash, Hex, LogData, LogIndex, LogQuery } from './backend.js';
import { tagToNumber } from './blocks.js';
import type { RpcContext } from './context.js';
import { invalidParams, RpcError, RpcErrorCode, serverError } from './errors.js';
import { type BlockSpecifier, parseAddress, parseBlockNumberOrTag, parseHash } from './params.js';

/** Most addresses and topic alternatives a filter may list (bounds the work of one query). */
export const MAX_FILTER_ADDRESSES = 1000;
export const MAX_TOPIC_ALTERNATIVES = 1000;

/** A filter object as a request gives it, validated. */
export interface LogFilterCriteria {
  fromBlock?: BlockSpecifier;
  toBlock?: BlockSpecifier;
  blockHash?: Hash;
  addresses?: Address[];
  topics?: (Hash[] | null)[];
}

const FILTER_FIELDS: ReadonlySet<string> = new Set([
  'fromBlock',
  'toBlock',
  'blockHash',
  'address',
  'topics',
]);

/** Parses a filter object; throws -32602 naming the wrong field. */
export function parseLogFilter(value: unknown, name: string): LogFilterCriteria {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParams(`invalid argument ${name}: filter must be an object`);
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!FILTER_FIELDS.has(key))
      throw invalidParams(`invalid argument ${name}: unknown field "${key.slice(0, 32)}"`);
  }
  const criteria: LogFilterCriteria = {};
  if (object.blockHash !== undefined && object.blockHash !== null) {
    if (object.fromBlock != null || object.toBlock != null) {
      throw invalidParams(
        `invalid argument ${name}: cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other`,
      );
    }
    criteria.blockHash = parseHash(object.blockHash, name);
  }
  if (object.fromBlock != null) criteria.fromBlock = parseBlockNumberOrTag(object.fromBlock, name);
  if (object.toBlock != null) criteria.toBlock = parseBlockNumberOrTag(object.toBlock, name);
  if (object.address != null) {
    const list = Array.isArray(object.address) ? object.address : [object.address];
    if (list.length > MAX_FILTER_ADDRESSES) {
      throw invalidParams(`invalid argument ${name}: more than ${MAX_FILTER_ADDRESSES} addresses`);
    }
    criteria.addresses = list.map((a) => parseAddress(a, name));
  }
  if (object.topics != null) {
    if (!Array.isArray(object.topics))
      throw invalidParams(`invalid argument ${name}: topics must be an array`);
    if (object.topics.length > 4) throw invalidParams(`invalid argument ${name}: exceed max topics`);
    criteria.topics = object.topics.map((position) => {
      if (position === null) return null;
      const list = Array.isArray(position) ? position : [position];
      if (list.length > MAX_TOPIC_ALTERNATIVES) {
        throw invalidParams(
          `invalid argument ${name}: more than ${MAX_TOPIC_ALTERNATIVES} topic alternatives`,
        );
      }
      // geth: a null inside an alternatives list matches anything at that position.
      // geth: a null among the alternatives, or no alternative at all, matches anything.
      if (list.length === 0 || list.some((t) => t === null)) return null;
      return list.map((t) => parseHash(t, name));
    });
  }
  return criteria;
}

/** Whether a log matches addresses and topics (geth's semantics: `null` or an empty list of
 *  alternatives matches any topic; a log with fewer topics than positions fails). */
export function matchesLog(
  log: LogData,
  addresses: Address[] | undefined,
  topics: (Hash[] | null)[] | undefined,
) {
  if (addresses !== undefined && addresses.length > 0 && !addresses.includes(log.address)) return false;
  if (topics === undefined) return true;
  if (topics.length > log.topics.length) return false;
  for (let i = 0; i < topics.length; i++) {
    const alternatives = topics[i];
    if (alternatives === null || alternatives === undefined || alternatives.length === 0) continue;
    if (!alternatives.includes(log.topics[i] as Hash)) return false;
  }
  return true;
}

/** Resolves a filter's range to numbers and checks it against the limits: -32000 "invalid block
 *  range params" when reversed, -32005 when wider than `maxLogBlockRange`. `null` when the range
 *  starts beyond the head (nothing to find). */
export async function resolveLogQuery(
  context: RpcContext,
  criteria: LogFilterCriteria,
): Promise<LogQuery | null> {
  const blocks = context.backend.blocks;
  const head = blocks.headNumber();
  let fromBlock: bigint;
  let toBlock: bigint;
  if (criteria.blockHash !== undefined) {
    const block = await blocks.getBlockByHash(criteria.blockHash);
    if (block === null) throw serverError('unknown block');
    fromBlock = toBlock = block.header.number;
  } else {
    const toNumber = (spec: BlockSpecifier | undefined): bigint => {
      if (spec === undefined) return head;
      if ('tag' in spec) return tagToNumber(blocks, spec.tag);
      if ('number' in spec) return spec.number;
      throw invalidParams('block hash in a range');
    };
    fromBlock = toNumber(criteria.fromBlock);
    toBlock = toNumber(criteria.toBlock);
    if (fromBlock > toBlock) throw serverError('invalid block range params');
    if (fromBlock > head) return null;
    if (toBlock > head) toBlock = head;
    if (toBlock - fromBlock + 1n > context.options.maxLogBlockRange) {
      throw new RpcError(
        RpcErrorCode.limitExceeded,
        `query exceeds max block range ${context.options.maxLogBlockRange}`,
      );
    }
  }
  const query: LogQuery = { fromBlock, toBlock };
  if (criteria.addresses !== undefined) query.addresses = criteria.addresses;
  if (criteria.topics !== undefined) query.topics = criteria.topics;
  return query;
}

/** Bloom bits of a value (address or topic): three 11-bit indexes of its keccak. */
function bloomBits(value: Hex): [number, number][] {
  const hash = keccak256(Buffer.from(value.slice(2), 'hex'));
  const bits: [number, number][] = [];
  for (let i = 0; i < 6; i += 2) {
    const bit = ((hash[i]! << 8) | hash[i + 1]!) & 2047;
    bits.push([255 - (bit >> 3), 1 << (bit & 7)]);
  }
  return bits;
}

function bloomHas(bloom: Uint8Array, bits: [number, number][]): boolean {
  return bits.every(([byte, mask]) => ((bloom[byte] ?? 0) & mask) !== 0);
}

/** A `LogIndex` that scans headers' blooms and reads the receipts of the blocks that may match.
 *  Answers in chain order and stops with -32005 once more than `maxResults` logs match. */
export function createLogIndexFromBlocks(blocks: BlockReader, maxResults = 10_000): LogIndex {
  return {
    async getLogs(query) {
      await initDietcoin();
      const addressBits = (query.addresses ?? []).map((a) => bloomBits(a));
      const topicBits = (query.topics ?? []).map((alternatives) =>
        alternatives === null ? null : alternatives.map((t) => bloomBits(t)),
      );
      const out: LogData[] = [];
      for (let n = query.fromBlock; n <= query.toBlock; n++) {
        const header = await blocks.getHeaderByNumber(n);
        if (header === null) break;
        const bloom = Buffer.from(header.logsBloom.slice(2), 'hex');
        if (addressBits.length > 0 && !addressBits.some((bits) => bloomHas(bloom, bits))) continue;
        if (
          topicBits.some(
            (alts) => alts !== null && alts.length > 0 && !alts.some((bits) => bloomHas(bloom, bits)),
          )
        ) {
          continue;
        }
        const receipts = await blocks.getBlockReceipts(n);
        for (const receipt of receipts ?? []) {
          for (const log of receipt.logs) {
            if (!matchesLog(log, query.addresses, query.topics)) continue;
            out.push(log);
            if (out.length > maxResults) {
              throw new RpcError(
                RpcErrorCode.limitExceeded,
                `query returned more than ${maxResults} results`,
              );
            }
          }
        }
      }
      return out;
    },
  };
}
