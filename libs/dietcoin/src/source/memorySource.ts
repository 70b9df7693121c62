// In-memory HeaderSource (test double and benchmark feed) over a chain held in memory.
import { bytesToHex } from '../encoding/bytes.js';
import { ByteWriter } from '../encoding/writer.js';
import type { Seals } from '../header/extraData.js';
import { createMessageProof, encodeMessageProof } from '../message/messageProof.js';
import { createShardProof, encodeShardProof } from '../message/shardProof.js';
import type { MessageShards } from '../message/shards.js';
import { encodeValidatorSet, type ValidatorSet } from '../seal/validatorSet.js';
import { createAccountProof, encodeAccountProof } from '../state/accountProof.js';
import { createStateShardProof, encodeStateShardProof } from '../state/stateShardProof.js';
import type { StateShards } from '../state/stateShards.js';
import type { PackedHeaderList } from './headerList.js';
import type { HeaderSource } from './headerSource.js';

/** What a block offers for proofs, when the chain keeps it. */
export interface BlockProofMaterial {
  messages?: MessageShards;
  /** State after the block. */
  state?: StateShards;
}

export interface MemoryChain {
  chainId: bigint;
  /** Header RLP of block i at index i (genesis at 0). */
  headers: PackedHeaderList;
  /** Seals of the blocks that have them. */
  seals: Map<number, Seals>;
  validatorSets: readonly ValidatorSet[];
  blocks?: Map<number, BlockProofMaterial>;
}

/** `encodeSealedHeader` from a header RLP and its seals, without decoding the header. */
export function encodeSealedHeaderBytes(rlp: Uint8Array, seals: Seals): Uint8Array {
  const w = new ByteWriter(rlp.length + 16 + 65 * seals.seals.length);
  w.u8(1).u32(rlp.length).bytes(rlp).u32(seals.round).u16(seals.seals.length);
  for (const s of seals.seals) w.bytes(s);
  return w.finish();
}

/** A HeaderSource over a MemoryChain. Counts what it served, for benchmarks. */
export class MemoryHeaderSource implements HeaderSource {
  readonly chainId: bigint;
  private readonly sets = new Map<string, Uint8Array>();
  served = { sealedHeaders: 0, headers: 0, bytes: 0 };

  constructor(private readonly chain: MemoryChain) {
    this.chainId = chain.chainId;
    for (const s of chain.validatorSets) this.sets.set(bytesToHex(s.hash), encodeValidatorSet(s));
  }

  async headNumber(): Promise<number> {
    let head = this.chain.headers.count - 1;
    while (head > 0 && !this.chain.seals.has(head)) head--;
    return head;
  }

  async getSealedHeader(number: number): Promise<Uint8Array | undefined> {
    const rlp = this.chain.headers.get(number);
    const seals = this.chain.seals.get(number);
    if (!rlp || !seals) return undefined;
    const out = encodeSealedHeaderBytes(rlp, seals);
    this.served.sealedHeaders++;
    this.served.bytes += out.length;
    return out;
  }

  async getHeaders(from: number, count: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let i = from; i < from + count; i++) {
      const rlp = this.chain.headers.get(i);
      if (!rlp) break;
      out.push(rlp);
      this.served.bytes += rlp.length;
    }
    this.served.headers += out.length;
    return out;
  }

  async getValidatorSet(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.sets.get(bytesToHex(hash));
  }

  async getShardProof(number: number, destinationChainId: bigint): Promise<Uint8Array | undefined> {
    const shards = this.chain.blocks?.get(number)?.messages;
    if (!shards?.shards.some((s) => s.destinationChainId === destinationChainId)) return undefined;
    return encodeShardProof(createShardProof({ shards, destinationChainId }));
  }

  async getMessageProof(number: number, id: Uint8Array): Promise<Uint8Array | undefined> {
    const shards = this.chain.blocks?.get(number)?.messages;
    if (!shards) return undefined;
    try {
      return encodeMessageProof(createMessageProof({ shards, id }));
    } catch {
      return undefined;
    }
  }

  async getAccountProof(number: number, address: Uint8Array): Promise<Uint8Array | undefined> {
    const state = this.chain.blocks?.get(number)?.state;
    if (!state?.locate(address)) return undefined;
    return encodeAccountProof(createAccountProof({ state, address }));
  }

  async getStateShard(number: number, shard: number): Promise<Uint8Array | undefined> {
    const state = this.chain.blocks?.get(number)?.state;
    if (!state || shard < 0 || shard >= state.shardCount) return undefined;
    return encodeStateShardProof(createStateShardProof({ state, shard }));
  }
}
