// The producer's view of the pool: executable transactions by price, each sender's in nonce
// order (geth's TransactionsByPriceAndNonce).

import type { PooledTransaction } from './decode.js';

/** The tip a transaction pays at `baseFee`: min(tip cap, fee cap − base fee). */
export function effectiveTipAt(tx: PooledTransaction, baseFee: bigint): bigint {
  const headroom = tx.feeCap - baseFee;
  // bigint: Math.min does not apply.
  if (tx.tipCap < headroom) return tx.tipCap;
  return headroom;
}

interface Head {
  queue: PooledTransaction[];
  index: number;
  tip: bigint;
}

/** Better first: higher tip, then earlier arrival. */
function better(a: Head, b: Head): boolean {
  if (a.tip !== b.tip) return a.tip > b.tip;
  const ta = a.queue[a.index]?.addedAt ?? 0;
  const tb = b.queue[b.index]?.addedAt ?? 0;
  return ta < tb;
}

/** Executable transactions for one block, highest tip first, never a sender's nonce out of
 *  order. A snapshot: later pool changes do not show. Use `peek` to see the next one, `shift`
 *  once it was included (the sender's next becomes a candidate), `pop` when it could not be
 *  (the sender's later ones are dropped for this block, since they would leave a nonce gap). */
export class PendingTransactions implements Iterable<PooledTransaction> {
  readonly baseFee: bigint;
  readonly #heap: Head[] = [];
  readonly #gasLimit: bigint;

  /** `queues`: each sender's executable transactions in nonce order, starting at its nonce. */
  constructor(queues: Iterable<PooledTransaction[]>, baseFee: bigint, gasLimit: bigint) {
    this.baseFee = baseFee;
    this.#gasLimit = gasLimit;
    for (const queue of queues) {
      const head: Head = { queue, index: 0, tip: 0n };
      if (this.#ready(head)) this.#push(head);
    }
  }

  /** The best executable transaction left, or `undefined`. */
  peek(): PooledTransaction | undefined {
    const top = this.#heap[0];
    return top?.queue[top.index];
  }

  /** Marks the peeked transaction as included and moves on to its sender's next. */
  shift(): void {
    const top = this.#heap[0];
    if (top === undefined) return;
    top.index++;
    if (this.#ready(top)) this.#siftDown(0);
    else this.#removeTop();
  }

  /** Drops the peeked transaction's sender for the rest of this block. */
  pop(): void {
    if (this.#heap.length > 0) this.#removeTop();
  }

  *[Symbol.iterator](): Iterator<PooledTransaction> {
    for (let tx = this.peek(); tx !== undefined; tx = this.peek()) {
      yield tx;
      this.shift();
    }
  }

  /** Whether the head's current transaction can go in a block at this base fee and gas limit;
   *  updates its tip. */
  #ready(head: Head): boolean {
    const tx = head.queue[head.index];
    if (tx === undefined || tx.feeCap < this.baseFee || tx.gasLimit > this.#gasLimit) return false;
    head.tip = effectiveTipAt(tx, this.baseFee);
    return true;
  }

  #push(head: Head): void {
    this.#heap.push(head);
    let i = this.#heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!better(this.#heap[i]!, this.#heap[parent]!)) break;
      [this.#heap[i], this.#heap[parent]] = [this.#heap[parent]!, this.#heap[i]!];
      i = parent;
    }
  }

  #removeTop(): void {
    const last = this.#heap.pop();
    if (last === undefined || this.#heap.length === 0) return;
    this.#heap[0] = last;
    this.#siftDown(0);
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < heap.length && better(heap[left]!, heap[best]!)) best = left;
      if (right < heap.length && better(heap[right]!, heap[best]!)) best = right;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best]!, heap[i]!];
      i = best;
    }
  }
}
