#!/usr/bin/env node
// Starts the devnet. The chain node (libs/chain, apps/chain) is not in the tree yet, so there is
// no process to start: say so plainly rather than pretend.
console.log(
  [
    'Khipu devnet: nothing to start yet.',
    'The libraries (libs/kesque, libs/execution, libs/dietcoin) are built and tested by `npm test`;',
    'the chain node that the devnet runs (apps/chain) is not in the tree yet.',
  ].join('\n'),
);
