// Parsing and validation of JSON-RPC parameters, with geth's rules: quantities are `0x` hex
// without leading zeros, data is `0x` hex of an even length, addresses 20 bytes, hashes 32.
// Every parser throws an `RpcError` -32602 naming the argument.

import type { AccessListEntry, Address, CallRequest, Hash, Hex } from './backend.js';
import { invalidParams } from './errors.js';

const HEX_DIGITS = /^[0-9a-fA-F]*$/;
const MAX_UINT256 = (1n << 256n) - 1n;

/** A block as a request names it: a tag, a number, or (EIP-1898) a hash. */
export type BlockTag = 'latest' | 'pending' | 'earliest' | 'safe' | 'finalized';
export type BlockSpecifier = { tag: BlockTag } | { number: bigint } | { hash: Hash };

const BLOCK_TAGS: ReadonlySet<string> = new Set(['latest', 'pending', 'earliest', 'safe', 'finalized']);

/** Names an argument in geth's words: `invalid argument 0: ...`. */
function fail(name: string, message: string): never {
  throw invalidParams(`invalid argument ${name}: ${message}`);
}

/** Parses a hex quantity (`0x0`, `0x1a`), refusing leading zeros and values above 2^256-1. */
export function parseQuantity(value: unknown, name: string, max: bigint = MAX_UINT256): bigint {
  if (typeof value !== 'string')
    fail(name, 'json: cannot unmarshal non-string into Go value of type hexutil.Big');
  if (!value.startsWith('0x') && !value.startsWith('0X')) fail(name, 'hex string without 0x prefix');
  const digits = value.slice(2);
  if (digits.length === 0) fail(name, 'hex string "0x"');
  if (!HEX_DIGITS.test(digits)) fail(name, 'invalid hex string');
  if (digits.length > 1 && digits[0] === '0') fail(name, 'hex number with leading zero digits');
  if (digits.length > 64) fail(name, 'hex number > 256 bits');
  const n = BigInt(value);
  if (n > max) fail(name, `hex number > ${max.toString(2).length} bits`);
  return n;
}

/** Parses a hex quantity that must fit in 64 bits (block numbers, gas, nonces). */
export function parseUint64(value: unknown, name: string): bigint {
  return parseQuantity(value, name, (1n << 64n) - 1n);
}

/** Parses hex data, optionally of an exact byte length; answers it lower-cased. */
export function parseData(value: unknown, name: string, byteLength?: number): Hex {
  if (typeof value !== 'string')
    fail(name, 'json: cannot unmarshal non-string into Go value of type hexutil.Bytes');
  if (!value.startsWith('0x') && !value.startsWith('0X')) fail(name, 'hex string without 0x prefix');
  const digits = value.slice(2);
  if (digits.length % 2 !== 0) fail(name, 'hex string of odd length');
  if (!HEX_DIGITS.test(digits)) fail(name, 'invalid hex string');
  if (byteLength !== undefined && digits.length !== byteLength * 2) {
    fail(name, `hex string has length ${digits.length}, want ${byteLength * 2}`);
  }
  return `0x${digits.toLowerCase()}`;
}

export function parseAddress(value: unknown, name: string): Address {
  return parseData(value, name, 20);
}

export function parseHash(value: unknown, name: string): Hash {
  return parseData(value, name, 32);
}

/** A storage slot: geth accepts any hex of up to 32 bytes (odd length included) and left-pads it. */
export function parseSlot(value: unknown, name: string): Hash {
  if (typeof value !== 'string')
    fail(name, 'json: cannot unmarshal non-string into Go value of type common.Hash');
  if (!value.startsWith('0x') && !value.startsWith('0X')) fail(name, 'hex string without 0x prefix');
  const digits = value.slice(2);
  if (!HEX_DIGITS.test(digits)) fail(name, 'invalid hex string');
  if (digits.length > 64) fail(name, 'hex string too long, want at most 32 bytes');
  return `0x${digits.toLowerCase().padStart(64, '0')}`;
}

export function parseBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') fail(name, 'json: cannot unmarshal into Go value of type bool');
  return value;
}

/** A block number or tag (`latest`, `pending`, `earliest`, `safe`, `finalized`). */
export function parseBlockNumberOrTag(value: unknown, name: string): BlockSpecifier {
  if (typeof value === 'string' && BLOCK_TAGS.has(value)) return { tag: value as BlockTag };
  if (typeof value === 'string' && !value.startsWith('0x')) {
    fail(name, `unknown block tag "${value.slice(0, 32)}"`);
  }
  return { number: parseUint64(value, name) };
}

/** A block number, tag, or EIP-1898 object `{ blockNumber }` / `{ blockHash }`. */
export function parseBlockSpecifier(value: unknown, name: string): BlockSpecifier {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const hasHash = object.blockHash !== undefined;
    const hasNumber = object.blockNumber !== undefined;
    if (hasHash && hasNumber)
      fail(name, 'cannot specify both BlockHash and BlockNumber, choose one or the other');
    if (hasHash) return { hash: parseHash(object.blockHash, name) };
    if (hasNumber) return parseBlockNumberOrTag(object.blockNumber, name);
    fail(name, 'block object needs blockHash or blockNumber');
  }
  return parseBlockNumberOrTag(value, name);
}

function parseObject(value: unknown, name: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(name, 'expected an object');
  }
  return value as Record<string, unknown>;
}

export function parseAccessList(value: unknown, name: string): AccessListEntry[] {
  if (!Array.isArray(value)) fail(name, 'accessList must be an array');
  return value.map((entry, i) => {
    const object = parseObject(entry, `${name}.accessList[${i}]`);
    const keys = object.storageKeys ?? [];
    if (!Array.isArray(keys)) fail(name, `accessList[${i}].storageKeys must be an array`);
    return {
      address: parseAddress(object.address, name),
      storageKeys: keys.map((key) => parseHash(key, name)),
    };
  });
}

const CALL_FIELDS: ReadonlySet<string> = new Set([
  'from',
  'to',
  'gas',
  'gasPrice',
  'maxFeePerGas',
  'maxPriorityFeePerGas',
  'value',
  'data',
  'input',
  'nonce',
  'accessList',
  'type',
  'chainId',
]);

/** A call object (eth_call, eth_estimateGas). Unknown fields are refused, `data` and `input`
 *  must agree when both are given (geth's rule), and `gasPrice` excludes the EIP-1559 fees. */
export function parseCallRequest(value: unknown, name: string): CallRequest {
  const object = parseObject(value, name);
  for (const key of Object.keys(object)) {
    if (!CALL_FIELDS.has(key)) fail(name, `unknown field "${key.slice(0, 32)}"`);
  }
  const request: CallRequest = {};
  const optional = <T>(key: string, parse: (v: unknown, n: string) => T): T | undefined =>
    object[key] === undefined || object[key] === null ? undefined : parse(object[key], name);
  const from = optional('from', parseAddress);
  if (from !== undefined) request.from = from;
  if (object.to !== undefined) request.to = object.to === null ? null : parseAddress(object.to, name);
  const gas = optional('gas', parseUint64);
  if (gas !== undefined) request.gas = gas;
  const gasPrice = optional('gasPrice', parseQuantity);
  const maxFeePerGas = optional('maxFeePerGas', parseQuantity);
  const maxPriorityFeePerGas = optional('maxPriorityFeePerGas', parseQuantity);
  if (gasPrice !== undefined && (maxFeePerGas !== undefined || maxPriorityFeePerGas !== undefined)) {
    fail(name, 'both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified');
  }
  if (
    maxFeePerGas !== undefined &&
    maxPriorityFeePerGas !== undefined &&
    maxPriorityFeePerGas > maxFeePerGas
  ) {
    fail(name, `maxFeePerGas (${maxFeePerGas}) < maxPriorityFeePerGas (${maxPriorityFeePerGas})`);
  }
  if (gasPrice !== undefined) request.gasPrice = gasPrice;
  if (maxFeePerGas !== undefined) request.maxFeePerGas = maxFeePerGas;
  if (maxPriorityFeePerGas !== undefined) request.maxPriorityFeePerGas = maxPriorityFeePerGas;
  const valueField = optional('value', parseQuantity);
  if (valueField !== undefined) request.value = valueField;
  const data = optional('data', parseData);
  const input = optional('input', parseData);
  if (data !== undefined && input !== undefined && data !== input) {
    fail(
      name,
      'both "data" and "input" are set and not equal. Please use "input" to pass transaction call data',
    );
  }
  const callData = input ?? data;
  if (callData !== undefined) request.input = callData;
  const nonce = optional('nonce', parseUint64);
  if (nonce !== undefined) request.nonce = nonce;
  const accessList = optional('accessList', parseAccessList);
  if (accessList !== undefined) request.accessList = accessList;
  return request;
}

/** The params of a request: absent, or an array (by-name objects are refused, as geth does). */
export function paramsArray(params: unknown): unknown[] {
  if (params === undefined || params === null) return [];
  if (!Array.isArray(params)) throw invalidParams('non-array args');
  return params;
}

/** Checks the count of arguments: at least `min` (the required ones), at most `max`. */
export function expectArity(params: unknown[], min: number, max: number): void {
  if (params.length > max) throw invalidParams(`too many arguments, want at most ${max}`);
  // Trailing nulls count as absent (geth: optional arguments may be null).
  let given = params.length;
  while (given > 0 && (params[given - 1] === null || params[given - 1] === undefined)) given--;
  if (given < min) throw invalidParams(`missing value for required argument ${given}`);
}

/** A filter or subscription id (`0x` and 1 to 64 hex digits, as geth makes them). */
export function parseId(value: unknown, name: string): Hex {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) fail(name, 'invalid id');
  return value.toLowerCase() as Hex;
}
