// Names what a message on a node's peer connection is, for the traffic counters: its channel
// (the one-byte tag of sync/channels.ts) and the protocol's own message type, read from a header
// byte or two without decoding the message. Labels stay bounded: unknown bytes are 'unknown'.
import { peekConsensusMessageType } from '../consensus/codec.js';
import { Channel } from '../sync/channels.js';
import { peekSyncMessageType } from '../sync/protocol.js';

/** A message's labels on the khipu_chain_p2p_* traffic counters. */
export interface MessageKind {
  channel: 'consensus' | 'sync' | 'transactions' | 'unknown';
  type: string;
}

/** Classifies a message as the peer network sends or receives it. */
export type MessageClassifier = (bytes: Uint8Array) => MessageKind;

/** The node's layout: channel tag, then a consensus (consensus/codec.ts), sync (sync/protocol.ts)
 *  or transactions (transactionBatch.ts: one type, 'batch') message. */
export const nodeMessageKind: MessageClassifier = (bytes) => {
  const body = bytes.subarray(1);
  switch (bytes[0]) {
    case Channel.consensus:
      return { channel: 'consensus', type: peekConsensusMessageType(body) ?? 'unknown' };
    case Channel.sync:
      return { channel: 'sync', type: peekSyncMessageType(body) ?? 'unknown' };
    case Channel.transactions:
      return { channel: 'transactions', type: 'batch' };
    default:
      return { channel: 'unknown', type: 'unknown' };
  }
};

/** Which of a peer's inbound messages wait in its bulk queue (see network.ts): transaction
 *  gossip, so that a flood of it never delays consensus or sync. */
export const nodeMessageIsBulk = (bytes: Uint8Array): boolean => bytes[0] === Channel.transactions;
