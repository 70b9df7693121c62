// Messages a block dispatched: the Outbox's MessageDispatched logs, in block order.
//
//   event MessageDispatched(bytes32 indexed id, uint64 indexed destinationChainId,
//                           address indexed sender, uint64 nonce, bytes message)
//   log data = abi.encode(uint64 nonce, bytes message):
//     offset  0  nonce (word)
//     offset 32  offset of message = 64
//     offset 64  message length L
//     offset 96  message, right-padded to a multiple of 32
import { keccak256 } from '@khipu/dietcoin';
import { ChainError } from '../errors.js';
import type { StoredMessage, StoredReceipt } from '../store/codec.js';

/** keccak256("MessageDispatched(bytes32,uint64,address,uint64,bytes)"). */
export function messageDispatchedTopic(): Uint8Array {
  return keccak256(new TextEncoder().encode('MessageDispatched(bytes32,uint64,address,uint64,bytes)'));
}

const WORD = 32;
const OFFSET_POINTER = 32;
const OFFSET_LENGTH = 64;
const OFFSET_MESSAGE = 96;

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function word(data: Uint8Array, offset: number): bigint {
  return BigInt(`0x${Buffer.from(data.subarray(offset, offset + WORD)).toString('hex') || '0'}`);
}

/**
 * Extracts the Outbox messages of a block from its receipts, in block order (log index order).
 * Only logs of `outbox` with the MessageDispatched topic count; a failed transaction has no logs.
 * @throws ChainError INVALID_BLOCK when such a log is malformed or its id is not keccak(message).
 */
export function extractMessages(options: {
  outbox: Uint8Array;
  receipts: readonly StoredReceipt[];
  transactionHashes: readonly Uint8Array[];
}): StoredMessage[] {
  const topic = messageDispatchedTopic();
  const out: StoredMessage[] = [];
  let logIndex = 0;
  options.receipts.forEach((r, i) => {
    for (const [address, topics, data] of r.logs) {
      const index = logIndex++;
      if (!equal(address, options.outbox) || !topics[0] || !equal(topics[0], topic)) continue;
      if (data.length < OFFSET_MESSAGE || word(data, OFFSET_POINTER) !== BigInt(OFFSET_LENGTH)) {
        throw new ChainError('INVALID_BLOCK', `Outbox log ${index} has malformed data`);
      }
      const length = Number(word(data, OFFSET_LENGTH));
      if (OFFSET_MESSAGE + length > data.length) {
        throw new ChainError('INVALID_BLOCK', `Outbox log ${index} message is truncated`);
      }
      const encoded = data.slice(OFFSET_MESSAGE, OFFSET_MESSAGE + length);
      if (!topics[1] || !equal(topics[1], keccak256(encoded))) {
        throw new ChainError('INVALID_BLOCK', `Outbox log ${index}: id topic is not keccak256(message)`);
      }
      out.push({ encoded, transactionHash: options.transactionHashes[i] as Uint8Array, logIndex: index });
    }
  });
  return out;
}
