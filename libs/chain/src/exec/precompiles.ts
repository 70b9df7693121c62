// The two verification precompiles of every Khipu EVM (DESIGN.md "System contracts and
// precompiles"), pure TypeScript over libs/dietcoin; they never touch state.
//
// 0x…0f01 verifySealedHeader
//   input  abi.encode(uint64 chainId, uint8 quorum, bytes validatorSet, bytes sealedHeader)
//          quorum 0 = by count (enterprise chains), 1 = by stake (hub); validatorSet and
//          sealedHeader in dietcoin's encodings
//   output abi.encode(bytes32 blockHash, uint64 number, uint64 timestamp, bytes32 stateRoot,
//                     bytes32 messageRoot, bytes32 shardRoot, bytes32 validatorsHash,
//                     bytes32 nextValidatorsHash)
//   fails  (all gas consumed) when the header does not decode, names another validator set, or
//          its seals do not reach a quorum of the set
// 0x…0f02 verifyShardProof
//   input  abi.encode(bytes32 messageRoot, uint64 sourceChainId, bytes shardProof)
//   output abi.encode(uint64 destinationChainId, bytes32[] messageIds)
//   fails  when the proof does not decode or does not lead to `messageRoot`
//
// Gas follows the work, priced as Ethereum prices the same primitives: each seal is one
// signature recovery (ECRECOVER: 3000), each hash a KECCAK256 (30 + 6 per word), plus 3 per input
// word for decoding. `precompiles.test.ts` measures time per gas against ECRECOVER.

import type { CustomPrecompile, ExecResult, PrecompileInput } from '@ethereumjs/evm';
import { EVMError } from '@ethereumjs/evm';
import {
  decodeSealedHeader,
  decodeShardProof,
  decodeValidatorSet,
  verifySeals,
  verifyShardProof,
} from '@khipu/dietcoin';

export const VERIFY_SEALED_HEADER_ADDRESS = '0x0000000000000000000000000000000000000f01';
export const VERIFY_SHARD_PROOF_ADDRESS = '0x0000000000000000000000000000000000000f02';

const WORD = 32;
export const GAS_BASE = 3000n;
export const GAS_PER_SEAL = 3000n;
export const GAS_PER_INPUT_WORD = 3n;
export const GAS_PER_HASH = 36n;

class InputError extends Error {}

function words(n: number): bigint {
  return BigInt(Math.ceil(n / WORD));
}

function readWord(data: Uint8Array, offset: number): bigint {
  if (offset + WORD > data.length) throw new InputError('input truncated');
  let v = 0n;
  for (let i = 0; i < WORD; i++) v = (v << 8n) | BigInt(data[offset + i] ?? 0);
  return v;
}

function readUint(data: Uint8Array, offset: number, bits: number): bigint {
  const v = readWord(data, offset);
  if (v >> BigInt(bits) !== 0n) throw new InputError(`uint${bits} out of range`);
  return v;
}

function readBytes(data: Uint8Array, headOffset: number): Uint8Array {
  const pointer = Number(readUint(data, headOffset, 32));
  const length = Number(readUint(data, pointer, 32));
  if (pointer + WORD + length > data.length) throw new InputError('bytes truncated');
  return data.subarray(pointer + WORD, pointer + WORD + length);
}

function word(v: bigint | Uint8Array): Uint8Array {
  const out = new Uint8Array(WORD);
  if (v instanceof Uint8Array) out.set(v, WORD - v.length);
  else for (let i = 0, x = v; i < WORD; i++, x >>= 8n) out[WORD - 1 - i] = Number(x & 0xffn);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function fail(gasLimit: bigint, error: string): ExecResult {
  return {
    returnValue: new Uint8Array(0),
    executionGasUsed: gasLimit,
    exceptionError: new EVMError(error as never),
  };
}

/** Gas of 0x…0f01 for an input (known before the work: seals are counted from the encoding). */
export function verifySealedHeaderGas(data: Uint8Array, seals: number): bigint {
  return (
    GAS_BASE + GAS_PER_INPUT_WORD * words(data.length) + GAS_PER_SEAL * BigInt(seals) + GAS_PER_HASH * 2n
  );
}

/** 0x…0f01: verifies a sealed header against a validator set. */
export function verifySealedHeaderPrecompile(opts: PrecompileInput): ExecResult {
  const { data, gasLimit } = opts;
  // A cheap floor before any decoding.
  if (gasLimit < GAS_BASE) return fail(gasLimit, EVMError.errorMessages.OUT_OF_GAS);
  try {
    const chainId = readUint(data, 0, 64);
    const quorum = readUint(data, WORD, 8);
    if (quorum > 1n) throw new InputError('quorum must be 0 (count) or 1 (stake)');
    const set = decodeValidatorSet(readBytes(data, 2 * WORD));
    const sealed = decodeSealedHeader(readBytes(data, 3 * WORD));
    const gas = verifySealedHeaderGas(data, sealed.seals.seals.length);
    if (gas > gasLimit) return fail(gasLimit, EVMError.errorMessages.OUT_OF_GAS);
    const h = sealed.header.header;
    if (!Buffer.from(h.extra.validatorsHash).equals(Buffer.from(set.hash))) {
      throw new InputError('header names another validator set');
    }
    verifySeals({
      chainId,
      height: h.number,
      round: sealed.seals.round,
      blockHash: sealed.header.hash,
      validators: set,
      quorum: quorum === 0n ? 'count' : 'stake',
      seals: sealed.seals.seals,
    });
    return {
      executionGasUsed: gas,
      returnValue: concat([
        word(sealed.header.hash),
        word(BigInt(h.number)),
        word(BigInt(h.timestamp)),
        word(h.stateRoot),
        word(h.extra.messageRoot),
        word(h.extra.shardRoot),
        word(h.extra.validatorsHash),
        word(h.extra.nextValidatorsHash),
      ]),
    };
  } catch {
    return fail(gasLimit, EVMError.errorMessages.REVERT);
  }
}

/** Gas of 0x…0f02: decoding, one hash per message id and per Merkle node. */
export function verifyShardProofGas(data: Uint8Array, messages: number, siblings: number): bigint {
  return (
    GAS_BASE / 3n +
    GAS_PER_INPUT_WORD * words(data.length) +
    GAS_PER_HASH * BigInt(2 * messages + siblings + 2)
  );
}

/** 0x…0f02: verifies a message shard proof against a messageRoot. */
export function verifyShardProofPrecompile(opts: PrecompileInput): ExecResult {
  const { data, gasLimit } = opts;
  if (gasLimit < GAS_BASE / 3n) return fail(gasLimit, EVMError.errorMessages.OUT_OF_GAS);
  try {
    const root = readWord(data, 0);
    const sourceChainId = readUint(data, WORD, 64);
    const proof = decodeShardProof(readBytes(data, 2 * WORD));
    const gas = verifyShardProofGas(data, proof.messages.length, proof.shardPath.siblings.length);
    if (gas > gasLimit) return fail(gasLimit, EVMError.errorMessages.OUT_OF_GAS);
    const { ids } = verifyShardProof({ proof, messageRoot: word(root), sourceChainId });
    return {
      executionGasUsed: gas,
      returnValue: concat([
        word(proof.destinationChainId),
        word(64n),
        word(BigInt(ids.length)),
        ...ids.map((id) => word(id)),
      ]),
    };
  } catch {
    return fail(gasLimit, EVMError.errorMessages.REVERT);
  }
}

/** Both precompiles, for `customPrecompiles` of every EVM the node creates. */
export function khipuPrecompiles(): CustomPrecompile[] {
  return [
    { address: VERIFY_SEALED_HEADER_ADDRESS, function: verifySealedHeaderPrecompile },
    { address: VERIFY_SHARD_PROOF_ADDRESS, function: verifyShardProofPrecompile },
  ];
}
