// A test double: an in-memory hub of transports (synchronous delivery on a microtask), for tests
// of code that sits on a `Transport` without sockets.
import type { Address } from '../consensus/types.js';
import type { MessageHandler, Transport } from './types.js';

export interface MemoryHub {
  /** A transport for `address`, connected to every other joined address. */
  join(address: Address): Transport;
}

/** Creates an in-memory hub. */
export function createMemoryHub(): MemoryHub {
  const handlers = new Map<Address, MessageHandler>();
  const deliver = (from: Address, to: Address, bytes: Uint8Array) =>
    queueMicrotask(() => handlers.get(to)?.(from, bytes));
  return {
    join(address) {
      handlers.set(address, () => {});
      return {
        broadcast(bytes) {
          for (const to of handlers.keys()) if (to !== address) deliver(address, to, bytes);
        },
        send(to, bytes) {
          if (!handlers.has(to)) return false;
          deliver(address, to, bytes);
          return true;
        },
        onMessage(handler) {
          handlers.set(address, handler);
        },
        connectedPeers() {
          return [...handlers.keys()].filter((a) => a !== address);
        },
      };
    },
  };
}
