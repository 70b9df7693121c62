// The transactions of a block from a peer, decoded for execution the way the pool decodes its own
// (txpool/decode.ts): the RLP read once, the sender recovered once with native libsecp256k1 and
// its address hashed with dietcoin's keccak, both cached on the transaction, and the public key
// handed to libs/execution so that it does not recover it again. @ethereumjs's
// createTxFromRLP + getSenderAddress did all of that in JS, and execution then recovered every
// sender a second time: most of the time a validator spent validating a proposal.
//
// The pool's stateless rules are consensus rules except two policies, opened up here: unprotected
// (pre-EIP-155) legacy transactions are valid in a block, and the size bound is the block's own.
// So a transaction the pool admitted (the same bytes: looked up by the keccak of the bytes
// received) passes every rule here but the block's gas limit, which is checked again: with the
// pool's decoding found by `KnownTransactions` (gossip puts nearly every transaction of a proposal
// there first), only the others are decoded and recovered.
import type { Common } from '@ethereumjs/common';
import type { TypedTransaction } from '@ethereumjs/tx';
import { hexToBytes } from '@ethereumjs/util';
import { keccak256 } from '@khipu/dietcoin';
import type { PendingTransaction } from '../exec/types.js';
import type { Hash } from '../rpc/backend.js';
import { createSharedTxCommon, type DecodeOptions, decodeTransaction } from '../txpool/decode.js';

/** Why a transaction of the block is invalid. */
export class InvalidBlockTransaction extends Error {
  override readonly name = 'InvalidBlockTransaction';
  constructor(
    readonly index: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`transaction ${index} is invalid: ${message}`, options);
  }
}

/** A transaction already decoded and checked by the pool's stateless rules, sender recovered. */
export interface KnownTransaction {
  tx: TypedTransaction;
  /** 0x-hex sender address. */
  from: string;
  senderPublicKey: Uint8Array;
}

/**
 * Decoded transactions by hash (the pool's `get`). Contract: a transaction returned for a hash was
 * decoded from the bytes with that keccak-256, for this chain id, by `decodeTransaction`'s rules
 * (txpool/decode.ts) with a Common of the same chain and hardfork; the caller never mutates it.
 */
export interface KnownTransactions {
  get(hash: Hash): KnownTransaction | undefined;
}

/** Counts of the last `decode`: transactions found in `KnownTransactions`, and decoded here. */
export interface BlockDecodeCounts {
  known: number;
  decoded: number;
}

export interface BlockTransactionDecoder {
  /** Decodes and recovers every transaction of a block whose gas limit is `blockGasLimit`, taking
   *  those `known` has as it has them.
   *  @throws InvalidBlockTransaction naming the first bad one. */
  decode(
    raws: readonly Uint8Array[],
    blockGasLimit: bigint,
    known?: KnownTransactions,
  ): Promise<PendingTransaction[]>;
  /** What the last `decode` found and decoded. */
  lastCounts(): BlockDecodeCounts;
}

function hex(bytes: Uint8Array): Hash {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}` as Hash;
}

export function createBlockTransactionDecoder(chainId: bigint, common: Common): BlockTransactionDecoder {
  // One Common shared by every transaction (createSharedTxCommon says why): built once.
  const shared = createSharedTxCommon(common);
  let counts: BlockDecodeCounts = { known: 0, decoded: 0 };
  return {
    lastCounts: () => counts,
    async decode(raws, blockGasLimit, known) {
      counts = { known: 0, decoded: 0 };
      const options: DecodeOptions = {
        chainId,
        common: shared,
        keccak256,
        allowUnprotected: true,
        maxTxBytes: Number.MAX_SAFE_INTEGER,
        blockGasLimit,
      };
      const out: PendingTransaction[] = [];
      for (let i = 0; i < raws.length; i++) {
        const raw = raws[i] as Uint8Array;
        try {
          // The bytes are hashed once: the lookup's key, the transaction's hash, and decodeTransaction's.
          const hash = keccak256(raw);
          const hashHex = hex(hash);
          const found = known?.get(hashHex);
          if (found !== undefined) {
            // The one rule of decodeTransaction that the pool checked against its own gas limit.
            if (found.tx.gasLimit > blockGasLimit) throw new Error('exceeds block gas limit');
            counts.known++;
            out.push({
              tx: found.tx,
              raw,
              sender: hexToBytes(found.from as Hash),
              senderPublicKey: found.senderPublicKey,
              hash,
            });
            continue;
          }
          const t = await decodeTransaction(raw, options, hashHex);
          counts.decoded++;
          out.push({
            tx: t.tx,
            raw,
            sender: hexToBytes(t.from),
            senderPublicKey: t.senderPublicKey,
            hash,
          });
        } catch (cause) {
          // TxPoolError names the rule; anything else thrown while decoding is a bad encoding too.
          throw new InvalidBlockTransaction(i, cause instanceof Error ? cause.message : String(cause), {
            cause,
          });
        }
      }
      return out;
    },
  };
}
