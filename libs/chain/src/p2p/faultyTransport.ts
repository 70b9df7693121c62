// A fault-injecting wrapper around any Transport, for tests: drops, delays (which reorder) and cut
// links (partitions), in both directions. Randomness comes from the caller, so a test is repeatable.
import type { Address } from '../consensus/types.js';
import type { MessageHandler, Transport } from './types.js';

export interface FaultyTransportOptions {
  /** Probability that a message is lost (each direction, each peer). */
  dropRate?: number;
  /** Each delivered message waits uniformly in [min, max] ms. */
  delayMs?: { min: number; max: number };
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
}

/** A Transport whose faults can be changed while it runs. */
export interface FaultyTransport extends Transport {
  /** Cuts the link to `peer` (both ways) until `heal`. */
  cut(peer: Address): void;
  heal(peer: Address): void;
  /** Heals every link. */
  healAll(): void;
  setDropRate(rate: number): void;
  setDelay(delay: { min: number; max: number } | null): void;
  /** Cancels pending delayed messages. */
  close(): void;
}

/** Wraps `inner` with injected faults. */
export function createFaultyTransport(
  inner: Transport,
  options: FaultyTransportOptions = {},
): FaultyTransport {
  const random = options.random ?? Math.random;
  let dropRate = options.dropRate ?? 0;
  let delay = options.delayMs ?? null;
  const cutLinks = new Set<Address>();
  const pending = new Set<NodeJS.Timeout>();
  let handler: MessageHandler = () => {};
  const later = (fn: () => void) => {
    if (!delay) {
      fn();
      return;
    }
    const t = setTimeout(
      () => {
        pending.delete(t);
        fn();
      },
      delay.min + Math.floor(random() * (delay.max - delay.min + 1)),
    );
    pending.add(t);
  };
  const passes = (peer: Address) => !cutLinks.has(peer) && !(dropRate > 0 && random() < dropRate);
  inner.onMessage((from, bytes) => {
    if (passes(from)) later(() => (cutLinks.has(from) ? undefined : handler(from, bytes)));
  });
  return {
    broadcast(bytes) {
      for (const peer of inner.connectedPeers()) if (passes(peer)) later(() => inner.send(peer, bytes));
    },
    send(to, bytes) {
      if (!inner.connectedPeers().includes(to)) return false;
      if (passes(to)) later(() => inner.send(to, bytes));
      return true;
    },
    onMessage(h) {
      handler = h;
    },
    connectedPeers: () => inner.connectedPeers().filter((p) => !cutLinks.has(p)),
    cut: (peer) => cutLinks.add(peer),
    heal: (peer) => cutLinks.delete(peer),
    healAll: () => cutLinks.clear(),
    setDropRate(rate) {
      dropRate = rate;
    },
    setDelay(d) {
      delay = d;
    },
    close() {
      for (const t of pending) clearTimeout(t);
      pending.clear();
    },
  };
}
