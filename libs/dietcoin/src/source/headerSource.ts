// Where a light client gets headers and proofs: the node's JSON-RPC in production, an in-memory
// chain in tests and benchmarks. Everything crosses this boundary as bytes in the library's wire
// encodings, so the client decodes and checks all of it; a source is never trusted.

/**
 * A source of headers, validator sets and proofs for one chain.
 * Contract: methods resolve `undefined` (or a shorter array) for what the source does not have;
 * they reject only on transport failure. Nothing returned is trusted: the HeaderChain verifies it.
 */
export interface HeaderSource {
  readonly chainId: bigint;
  /** Number of the newest header the source can serve with its seals. */
  headNumber(): Promise<number>;
  /** `encodeSealedHeader` bytes of block `number`, or undefined when its seals are not available. */
  getSealedHeader(number: number): Promise<Uint8Array | undefined>;
  /** Header RLPs of blocks `from`, `from + 1`, … (at most `count`, fewer past the head). */
  getHeaders(from: number, count: number): Promise<Uint8Array[]>;
  /** `encodeValidatorSet` bytes of the set with that hash. */
  getValidatorSet(hash: Uint8Array): Promise<Uint8Array | undefined>;
  /** `encodeShardProof` bytes: the `destinationChainId` shard of block `number`. */
  getShardProof(number: number, destinationChainId: bigint): Promise<Uint8Array | undefined>;
  /** `encodeMessageProof` bytes of the message with that id in block `number`. */
  getMessageProof(number: number, id: Uint8Array): Promise<Uint8Array | undefined>;
  /** `encodeAccountProof` bytes of an account in the state after block `number`. */
  getAccountProof(number: number, address: Uint8Array): Promise<Uint8Array | undefined>;
  /** `encodeStateShardProof` bytes of a whole state shard after block `number`. */
  getStateShard(number: number, shard: number): Promise<Uint8Array | undefined>;
}
