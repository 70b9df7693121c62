// Three protocols share one peer connection: consensus messages, block sync and transaction
// gossip (../txpool/gossip.ts). Each message gets a one-byte channel tag in front;
// `createChannelMux` gives each protocol its own `Transport`, and `createChannelValidator` routes
// the peer layer's check to the protocol's own validator.
import type { Address } from '../consensus/types.js';
import type { MessageHandler, MessageValidator, Transport } from '../p2p/types.js';

/** Channel tags (first byte of every message). */
export const Channel = { consensus: 0, sync: 1, transactions: 2 } as const;
export type ChannelTag = (typeof Channel)[keyof typeof Channel];

function tagged(tag: ChannelTag, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out[0] = tag;
  out.set(bytes, 1);
  return out;
}

/** One transport per channel over `base` (which must deliver only validated, tagged messages). */
export function createChannelMux(base: Transport): (tag: ChannelTag) => Transport {
  const handlers = new Map<number, MessageHandler>();
  base.onMessage((from: Address, bytes: Uint8Array) => {
    const handler = handlers.get(bytes[0] ?? -1);
    handler?.(from, bytes.subarray(1));
  });
  return (tag) => ({
    broadcast: (bytes) => base.broadcast(tagged(tag, bytes)),
    send: (to, bytes) => base.send(to, tagged(tag, bytes)),
    onMessage: (handler) => {
      handlers.set(tag, handler);
    },
    connectedPeers: () => base.connectedPeers(),
  });
}

/** Checks a tagged message with its channel's validator; an unknown or missing tag, or a channel
 *  without a validator, is rejected. */
export function createChannelValidator(
  byChannel: Partial<Record<ChannelTag, MessageValidator>>,
): MessageValidator {
  return (bytes, from) => {
    const validator = byChannel[bytes[0] as ChannelTag] as MessageValidator | undefined;
    if (bytes.length < 1 || !validator) return { verdict: 'reject', code: 'UNKNOWN_CHANNEL' };
    return validator(bytes.subarray(1), from);
  };
}
