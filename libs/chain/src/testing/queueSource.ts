import type { PendingTransaction } from '../exec/types.js';
import type { TransactionSource } from '../producer/types.js';

/** A transaction source the test fills by hand; the next block takes all that is queued. */
export interface QueueSource extends TransactionSource {
  /** What the next block takes, in order. */
  queue: PendingTransaction[];
  push(...transactions: PendingTransaction[]): void;
  /** One line per committed block: `number:included:skip reasons joined by |`. */
  commits: string[];
}

/** A source with an empty queue; `take` honours `maxCount` as the pool does. */
export function createQueueSource(): QueueSource {
  const source: QueueSource = {
    queue: [],
    commits: [],
    push: (...transactions) => {
      source.queue.push(...transactions);
    },
    take: (_maxGas, _baseFee, maxCount) => source.queue.splice(0, maxCount ?? source.queue.length),
    onBlockCommitted: ({ number, included, skipped }) => {
      source.commits.push(`${number}:${included.length}:${skipped.map((s) => s.reason).join('|')}`);
    },
  };
  return source;
}
