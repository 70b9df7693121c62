// What the load generator tells the bench besides its result line.

/** Written to stderr once every accepted transaction is mined (before the eth_call phase): the
 *  bench reads the node's CPU time then. */
export const MINED_MARKER = 'loadgen: all mined';

/** Written to stderr once every transaction was sent and answered (before waiting for them to be
 *  mined): the bench reads CPU times then, to tell admission's cost from inclusion's. */
export const ACCEPTED_MARKER = 'loadgen: all answered';

/** Written to stderr when the first transaction is sent (after pre-signing). */
export const SENDING_MARKER = 'loadgen: sending';
