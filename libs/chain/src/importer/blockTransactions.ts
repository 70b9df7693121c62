// The transactions of a block from a peer, decoded for execution the way the pool decodes its own
// (txpool/decode.ts): the RLP read once, the sender recovered once with native libsecp256k1 and
// its address hashed with dietcoin's keccak, both cached on the transaction, and the public key
// handed to libs/execution so that it does not recover it again. @ethereumjs's
// createTxFromRLP + getSenderAddress did all of that in JS, and execution then recovered every
// sender a second time: most of the time a validator spent validating a proposal.
//
// The pool's stateless rules are consensus rules except two policies, opened up here: unprotected
// (pre-EIP-155) legacy transactions are valid in a block, and the size bound is the block's own.
import type { Common } from '@ethereumjs/common';
import { hexToBytes } from '@ethereumjs/util';
import { keccak256 } from '@khipu/dietcoin';
import type { PendingTransaction } from '../exec/types.js';
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

export interface BlockTransactionDecoder {
  /** Decodes and recovers every transaction of a block whose gas limit is `blockGasLimit`.
   *  @throws InvalidBlockTransaction naming the first bad one. */
  decode(raws: readonly Uint8Array[], blockGasLimit: bigint): Promise<PendingTransaction[]>;
}

export function createBlockTransactionDecoder(chainId: bigint, common: Common): BlockTransactionDecoder {
  // One Common shared by every transaction (createSharedTxCommon says why): built once.
  const shared = createSharedTxCommon(common);
  return {
    async decode(raws, blockGasLimit) {
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
          const t = await decodeTransaction(raw, options);
          out.push({
            tx: t.tx,
            raw,
            sender: hexToBytes(t.from),
            senderPublicKey: t.senderPublicKey,
            hash: hexToBytes(t.hash),
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
