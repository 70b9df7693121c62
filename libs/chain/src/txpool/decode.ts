// Decoding and stateless validation of a raw signed transaction: type, chain id, signature,
// sender, sizes, intrinsic gas, fee fields. State checks (nonce, balance) live in the pool.

import { type Common, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { RLP } from '@ethereumjs/rlp';
import {
  create1559FeeMarketTxFromBytesArray,
  createAccessList2930TxFromBytesArray,
  createLegacyTxFromBytesArray,
  paramsTx,
  type TypedTransaction,
} from '@ethereumjs/tx';
import { Address, bigIntToUnpaddedBytes } from '@ethereumjs/util';
import type { Address as AddressHex, Hash, TransactionData } from '../rpc/backend.js';
import { toTransactionData as transactionData } from '../store/transaction.js';
import { TxPoolError } from './errors.js';
import {
  inlineSenderRecovery,
  type RecoveryRequest,
  type SenderRecovery,
  SenderRecoveryError,
} from './senderRecovery.js';

/** secp256k1's group order halved: EIP-2 refuses signatures with a larger s. */
const SECP256K1_N_DIV_2 = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
/** geth's txMaxSize: 4 slots of 32 KiB. */
export const DEFAULT_MAX_TX_BYTES = 4 * 32 * 1024;
/** EIP-3860: twice EIP-170's code size. */
export const MAX_INIT_CODE_BYTES = 49_152;

/** A decoded, signature-checked transaction with what the pool keeps beside it. */
export interface PooledTransaction {
  /** The @ethereumjs object with its sender public key and hash cached (no second recovery). */
  tx: TypedTransaction;
  raw: Uint8Array;
  hash: Hash;
  from: AddressHex;
  type: 0 | 1 | 2;
  nonce: bigint;
  gasLimit: bigint;
  /** Most paid per gas: `gasPrice` (types 0, 1) or `maxFeePerGas` (type 2). */
  feeCap: bigint;
  /** Most paid per gas above the base fee: `gasPrice` (types 0, 1) or `maxPriorityFeePerGas`. */
  tipCap: bigint;
  /** Most the transaction can cost: gasLimit × feeCap + value. */
  cost: bigint;
  /** The sender's public key (64 bytes), recovered once here: execution does not recover it. */
  senderPublicKey: Uint8Array;
  /** Milliseconds since the epoch when the pool took it. */
  addedAt: number;
}

export interface DecodeOptions {
  chainId: bigint;
  common: Common;
  keccak256: (data: Uint8Array) => Uint8Array;
  /** Accept legacy transactions without EIP-155 protection. geth refuses them over RPC. */
  allowUnprotected: boolean;
  maxTxBytes: number;
  /** Current block gas limit: a transaction may not ask for more. */
  blockGasLimit: bigint;
  /** Where senders are recovered (default: on the calling thread). */
  recovery?: SenderRecovery;
}

/** A transaction decoded and checked up to its signature, waiting for its sender's key. */
interface UnrecoveredTransaction {
  tx: TypedTransaction;
  raw: Uint8Array;
  hash: Hash;
  type: 0 | 1 | 2;
  recovery: RecoveryRequest;
}

/** A Common that transactions can share. @ethereumjs's transaction constructors `copy()` their
 *  Common and merge the transaction parameters into the copy (JSON round trips and a cache
 *  rebuild): about a quarter of a millisecond and a Common object per transaction. This one has
 *  the parameters merged once, and `copy` / `updateParams` answer itself, so every transaction
 *  parsed with it shares it. Never change its hardfork: every transaction would see the change.
 *  Throws nothing. */
export function createSharedTxCommon(common: Common): Common {
  const shared = common.copy();
  shared.updateParams(paramsTx);
  Object.defineProperty(shared, 'copy', { value: () => shared });
  Object.defineProperty(shared, 'updateParams', { value: () => undefined });
  return shared;
}

/** A Common for parsing transactions of `chainId` (Mainnet's rules at `hardfork`). */
export function createTxCommon(chainId: bigint, hardfork: string = Hardfork.Prague): Common {
  return createCustomCommon({ chainId: Number(chainId), name: `khipu-${chainId}` }, Mainnet, { hardfork });
}

function hex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  // Chain ids, v and fees fit in 48 bits: summed as a number, no hex string on the way.
  if (bytes.length <= 6) {
    let n = 0;
    for (const b of bytes) n = n * 256 + b;
    return BigInt(n);
  }
  return BigInt(hex(bytes));
}

/** The bytes a transaction's signature signs, re-encoded from its received fields (the decoder
 *  refused non-canonical RLP, so they are what @ethereumjs's getMessageToSign would build, at a
 *  fraction of its cost: no field-by-field re-serialization). EIP-155 legacy transactions sign
 *  [nonce, gasPrice, gas, to, value, data, chainId, 0, 0]; typed ones their type byte and every
 *  field but the signature. */
function signingMessage(type: 0 | 1 | 2, fields: Uint8Array[], eip155: boolean): Uint8Array {
  if (type === 0) {
    const unsigned = fields.slice(0, 6);
    if (!eip155) return RLP.encode(unsigned);
    // v = chainId * 2 + 35 + parity: the chain id checked above, unpadded as RLP wants it.
    const v = bytesToBigInt(fields[6] as Uint8Array);
    const chainId = bigIntToUnpaddedBytes((v - 35n) / 2n);
    return RLP.encode([...unsigned, chainId, new Uint8Array(0), new Uint8Array(0)]);
  }
  const body = RLP.encode(fields.slice(0, type === 2 ? 9 : 8));
  const message = new Uint8Array(body.length + 1);
  message[0] = type;
  message.set(body, 1);
  return message;
}

/** Decodes and checks `raw`, its sender recovered by `options.recovery`; `hash` is the 0x-hex
 *  keccak-256 of `raw` when the caller has it already. Rejects with a `TxPoolError` naming the
 *  first problem, in geth's order. */
export async function decodeTransaction(
  raw: Uint8Array,
  options: DecodeOptions,
  hash?: Hash,
): Promise<PooledTransaction> {
  const decoded = decodeUnrecovered(raw, options, hash);
  let publicKey: Uint8Array;
  try {
    publicKey = await (options.recovery ?? inlineSenderRecovery).recover(decoded.recovery);
  } catch (cause) {
    if (!(cause instanceof SenderRecoveryError)) throw cause;
    throw new TxPoolError('INVALID_SENDER', 'invalid sender: signature does not recover', {
      cause,
      hash: decoded.hash,
    });
  }
  return withSender(decoded, publicKey, options);
}

/** An unsigned big-endian field of at most 32 bytes (r or s), copied right-aligned into the word of `out` at `at`. */
function putWord(out: Uint8Array, at: number, field: Uint8Array): void {
  out.set(field, at + 32 - field.length);
}

/** Everything `decodeTransaction` checks before the sender is known. */
function decodeUnrecovered(
  raw: Uint8Array,
  options: DecodeOptions,
  knownHash?: Hash,
): UnrecoveredTransaction {
  if (raw.length === 0) throw new TxPoolError('MALFORMED', 'typed transaction too short');
  if (raw.length > options.maxTxBytes) {
    throw new TxPoolError(
      'OVERSIZED_DATA',
      `oversized data: transaction size ${raw.length}, limit ${options.maxTxBytes}`,
    );
  }
  const first = raw[0] ?? 0;
  let type: 0 | 1 | 2;
  if (first >= 0xc0) type = 0;
  else if (first === 1 || first === 2) type = first;
  else throw new TxPoolError('TX_TYPE_NOT_SUPPORTED', 'transaction type not supported');

  // Check the chain id from the raw fields first, to refuse with the right reason.
  let fields: Uint8Array[];
  try {
    const decoded = RLP.decode(type === 0 ? raw : raw.subarray(1));
    if (!Array.isArray(decoded)) throw new Error('not a list');
    fields = decoded as Uint8Array[];
  } catch (cause) {
    throw new TxPoolError(
      'MALFORMED',
      `rlp: ${type === 0 ? 'expected input list for types.LegacyTx' : 'invalid typed transaction'}`,
      { cause },
    );
  }
  if (type === 0) {
    const v = fields[6] instanceof Uint8Array ? bytesToBigInt(fields[6]) : undefined;
    if (v === 27n || v === 28n) {
      if (!options.allowUnprotected) {
        throw new TxPoolError('UNPROTECTED', 'only replay-protected (EIP-155) transactions allowed over RPC');
      }
    } else if (v !== undefined && v >= 35n) {
      const chainId = (v - 35n) / 2n;
      if (chainId !== options.chainId) {
        throw new TxPoolError(
          'INVALID_CHAIN_ID',
          `invalid sender: invalid chain id for signer: have ${chainId} want ${options.chainId}`,
        );
      }
    }
  } else {
    const chainId = fields[0] instanceof Uint8Array ? bytesToBigInt(fields[0]) : undefined;
    if (chainId !== options.chainId) {
      throw new TxPoolError(
        'INVALID_CHAIN_ID',
        `invalid sender: invalid chain id for signer: have ${chainId} want ${options.chainId}`,
      );
    }
    // @ethereumjs refuses to build such a transaction: say why in geth's words first.
    if (type === 2 && fields[2] instanceof Uint8Array && fields[3] instanceof Uint8Array) {
      const tip = bytesToBigInt(fields[2]);
      const cap = bytesToBigInt(fields[3]);
      if (tip > cap) {
        throw new TxPoolError(
          'TIP_ABOVE_FEE_CAP',
          `max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: ${tip}, maxFeePerGas: ${cap}`,
        );
      }
    }
  }

  let tx: TypedTransaction;
  try {
    // From the fields decoded above: the RLP is read once.
    const values = fields as never;
    // Not frozen: the sender's address is attached below (see there).
    const opts = { common: options.common, freeze: false };
    if (type === 0) tx = createLegacyTxFromBytesArray(values, opts);
    else if (type === 1) tx = createAccessList2930TxFromBytesArray(values, opts);
    else tx = create1559FeeMarketTxFromBytesArray(values, opts);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.split(' (')[0] : 'undecodable';
    throw new TxPoolError('MALFORMED', `invalid transaction: ${message}`, { cause });
  }
  // keccak of the bytes received, as the store hashes mined ones: the decoder refuses
  // non-canonical RLP and padded integers, so they are the transaction's serialization.
  const hash = knownHash ?? hex(options.keccak256(raw));
  if (tx.v === undefined || tx.r === undefined || tx.s === undefined) {
    throw new TxPoolError('INVALID_SENDER', 'invalid sender: transaction is not signed', { hash });
  }
  if (tx.s > SECP256K1_N_DIV_2 || tx.s === 0n || tx.r === 0n) {
    throw new TxPoolError('INVALID_SENDER', 'invalid sender: invalid transaction v, r, s values', { hash });
  }

  // Recover the sender with native libsecp256k1 and cache it in the tx object, so that the
  // producer and the EVM never recover it again.
  let recoveryId: bigint;
  if (type === 0) recoveryId = tx.v >= 35n ? tx.v - 35n - 2n * options.chainId : tx.v - 27n;
  else recoveryId = tx.v;
  if (recoveryId !== 0n && recoveryId !== 1n) {
    throw new TxPoolError('INVALID_SENDER', 'invalid sender: invalid transaction v, r, s values', { hash });
  }
  // r and s as received (unpadded big-endian): at most 32 bytes each for a valid signature.
  const rIndex = type === 0 ? 7 : type === 1 ? 9 : 10;
  const r = fields[rIndex] as Uint8Array;
  const s = fields[rIndex + 1] as Uint8Array;
  if (r.length > 32 || s.length > 32) {
    throw new TxPoolError('INVALID_SENDER', 'invalid sender: invalid transaction v, r, s values', { hash });
  }
  const signature = new Uint8Array(64);
  putWord(signature, 0, r);
  putWord(signature, 32, s);
  const digest = options.keccak256(signingMessage(type, fields, tx.v >= 35n && type === 0));
  return { tx, raw, hash, type, recovery: { digest, signature, recoveryId: Number(recoveryId) } };
}

/** Completes a decoded transaction with its sender's public key and checks what is left. */
function withSender(
  decoded: UnrecoveredTransaction,
  publicKey: Uint8Array,
  options: DecodeOptions,
): PooledTransaction {
  const { tx, raw, hash, type } = decoded;
  const cache = (tx as unknown as { cache: { senderPubKey?: Uint8Array; hash?: Uint8Array } }).cache;
  cache.senderPubKey = publicKey;
  cache.hash = Buffer.from(hash.slice(2), 'hex');
  const senderAddress = new Address(options.keccak256(publicKey).subarray(12));
  // @ethereumjs derives the address again, with a pure-JS keccak, on every getSenderAddress
  // (buildBlock and runTx each ask): answer the one derived here.
  (tx as { getSenderAddress: () => Address }).getSenderAddress = () => senderAddress;
  const from = hex(senderAddress.bytes);

  const feeCap = 'maxFeePerGas' in tx ? tx.maxFeePerGas : tx.gasPrice;
  const tipCap = 'maxPriorityFeePerGas' in tx ? tx.maxPriorityFeePerGas : tx.gasPrice;
  if (tipCap > feeCap) {
    throw new TxPoolError(
      'TIP_ABOVE_FEE_CAP',
      `max priority fee per gas higher than max fee per gas: address ${from}, maxPriorityFeePerGas: ${tipCap}, maxFeePerGas: ${feeCap}`,
      { hash },
    );
  }
  if (tx.gasLimit > options.blockGasLimit) {
    throw new TxPoolError('GAS_LIMIT_EXCEEDED', 'exceeds block gas limit', { hash });
  }
  if (tx.to === undefined && tx.data.length > MAX_INIT_CODE_BYTES) {
    throw new TxPoolError(
      'INIT_CODE_TOO_LARGE',
      `max initcode size exceeded: code size ${tx.data.length} limit ${MAX_INIT_CODE_BYTES}`,
      { hash },
    );
  }
  const intrinsic = tx.getIntrinsicGas();
  if (tx.gasLimit < intrinsic) {
    throw new TxPoolError(
      'INTRINSIC_GAS_TOO_LOW',
      `intrinsic gas too low: gas ${tx.gasLimit}, minimum needed ${intrinsic}`,
      { hash },
    );
  }
  return {
    tx,
    raw,
    hash,
    from,
    type,
    nonce: tx.nonce,
    gasLimit: tx.gasLimit,
    feeCap,
    tipCap,
    cost: tx.gasLimit * feeCap + tx.value,
    senderPublicKey: publicKey,
    addedAt: Date.now(),
  };
}

/** The RPC's view of a pooled transaction (store/transaction.ts's mapping, which mined ones share). */
export function toTransactionData(pooled: Pick<PooledTransaction, 'tx' | 'hash' | 'from'>): TransactionData {
  return transactionData(pooled.tx, pooled.hash, pooled.from);
}
