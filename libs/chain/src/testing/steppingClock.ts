/**
 * A producer clock for tests (`openChain`'s `now`): each read is `stepMs` later than the last,
 * so every block gets a later timestamp however fast the test produces them. Share one clock
 * between the chains a test reopens on the same store: a new one would go back in time.
 */
export function steppingClock(startMs = 1_700_000_000_000, stepMs = 1000): () => number {
  let clock = startMs;
  return () => (clock += stepMs);
}
