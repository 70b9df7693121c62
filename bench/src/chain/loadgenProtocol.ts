// What the load generator tells the bench besides its result line.

/** Written to stderr once every accepted transaction is mined (before the eth_call phase): the
 *  bench reads the node's CPU time then. */
export const MINED_MARKER = 'loadgen: all mined';
