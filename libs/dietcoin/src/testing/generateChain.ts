// Generates a Khipu chain with real seals by real keys: the test double and benchmark feed for the
// light client. Keys are derived deterministically from a seed, so runs are reproducible.
import { secp256k1 } from '../crypto/backend.js';
import { keccak256 } from '../crypto/keccak.js';
import type { Seals } from '../header/extraData.js';
import { createHeader, encodeHeader, hashHeader, type KhipuHeader } from '../header/header.js';
import { ZERO_ROOT } from '../merkle/tree.js';
import { addressOfPrivateKey, signSeal } from '../seal/seal.js';
import { createValidatorSet, type QuorumRule, type ValidatorSet } from '../seal/validatorSet.js';
import { PackedHeaderList } from '../source/headerList.js';
import { type BlockProofMaterial, type MemoryChain, MemoryHeaderSource } from '../source/memorySource.js';

export interface GenerateChainParameters {
  chainId: bigint;
  /** Blocks after genesis: the head is block `length`. */
  length: number;
  /** A new validator set takes over every `epochLength` blocks (announced one block ahead). */
  epochLength: number;
  validatorsPerSet: number;
  quorum?: QuorumRule;
  /** `every` block is sealed (default), or only the blocks a light client checks by seal: the last
   *  block of each epoch (which announces the next set) and the head. Parent seals of unsealed
   *  parents then repeat the last real seal set, so headers keep their realistic size. */
  seal?: 'every' | 'setChangesAndHead';
  /** Seconds; block i has timestamp `startTimestamp + i × blockTime`. */
  startTimestamp?: number;
  blockTime?: number;
  seed?: string;
  /** Round in which blocks are sealed. */
  round?: number;
  /** Stakes of the set members on the hub (`quorum: 'stake'`), by position; default 1 each. */
  stakes?: (epoch: number, index: number) => bigint;
  /** Proof material and roots of block i, when the caller wants messages or state in it. */
  block?: (
    number: number,
  ) => (BlockProofMaterial & { messageRoot?: Uint8Array; shardRoot?: Uint8Array }) | undefined;
  onProgress?: (generated: number) => void;
}

export interface GeneratedChain extends MemoryChain {
  /** Private keys of each epoch's validators, in set order. */
  keys: Uint8Array[][];
  setOf(epoch: number): ValidatorSet;
  quorum: QuorumRule;
  epochLength: number;
  /** Number of seals each sealed header carries. */
  sealsPerHeader: number;
  source(): MemoryHeaderSource;
}

/** Deterministic private key number `index` of epoch `epoch`. */
export function derivePrivateKey(seed: string, epoch: number, index: number): Uint8Array {
  for (let attempt = 0; ; attempt++) {
    const k = keccak256(new TextEncoder().encode(`${seed}/${epoch}/${index}/${attempt}`));
    if (secp256k1().privateKeyVerify(k)) return k;
  }
}

/** Smallest number of equal-weight validators strictly above 2/3 of n. */
export function quorumSize(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}

/**
 * Generates headers 0..length with real parent links and real hashes, and real seals by the
 * epoch's keys on the blocks chosen by `seal`.
 */
export function generateChain(p: GenerateChainParameters): GeneratedChain {
  const seed = p.seed ?? 'khipu';
  const quorum = p.quorum ?? 'count';
  const blockTime = p.blockTime ?? 1;
  const start = p.startTimestamp ?? 1_700_000_000;
  const round = p.round ?? 0;
  const epochs = Math.floor(p.length / p.epochLength) + 2;
  const keys: Uint8Array[][] = [];
  const sets: ValidatorSet[] = [];
  for (let e = 0; e < epochs; e++) {
    const ks = Array.from({ length: p.validatorsPerSet }, (_, i) => derivePrivateKey(seed, e, i));
    const set = createValidatorSet({
      validators: ks.map((k, i) => ({ address: addressOfPrivateKey(k), stake: p.stakes?.(e, i) ?? 1n })),
    });
    // order keys as the set orders validators
    const byAddr = new Map(ks.map((k) => [Buffer.from(addressOfPrivateKey(k)).toString('hex'), k]));
    keys.push(set.validators.map((v) => byAddr.get(Buffer.from(v.address).toString('hex'))!));
    sets.push(set);
  }
  const signers = quorum === 'count' ? quorumSize(p.validatorsPerSet) : p.validatorsPerSet;
  const headers = new PackedHeaderList();
  const seals = new Map<number, Seals>();
  const blocks = new Map<number, BlockProofMaterial>();
  const sealEvery = (p.seal ?? 'every') === 'every';
  let parentHash: Uint8Array = new Uint8Array(32);
  let lastSeals: Seals = { round: 0, seals: [] };
  const epochOf = (n: number) => Math.floor(n / p.epochLength);
  for (let n = 0; n <= p.length; n++) {
    const extra = p.block?.(n);
    if (extra?.messages || extra?.state) blocks.set(n, { messages: extra.messages, state: extra.state });
    const header: KhipuHeader = createHeader({
      parentHash,
      number: n,
      timestamp: start + n * blockTime,
      stateRoot: keccak256(new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24])),
      extra: {
        validatorsHash: sets[epochOf(n)]!.hash,
        nextValidatorsHash: sets[epochOf(n + 1)]!.hash,
        messageRoot: extra?.messageRoot ?? extra?.messages?.root ?? ZERO_ROOT,
        shardRoot: extra?.shardRoot ?? extra?.state?.root ?? ZERO_ROOT,
        parentSeals: n === 0 ? { round: 0, seals: [] } : (seals.get(n - 1) ?? lastSeals),
      },
    });
    const rlp = encodeHeader(header);
    const hash = hashHeader(rlp);
    headers.push(rlp);
    const sealIt = n > 0 && (sealEvery || (n + 1) % p.epochLength === 0 || n === p.length);
    if (sealIt) {
      const ks = keys[epochOf(n)]!.slice(0, signers);
      const s: Seals = {
        round,
        seals: ks.map((privateKey) =>
          signSeal({ privateKey, chainId: p.chainId, height: n, round, blockHash: hash }),
        ),
      };
      seals.set(n, s);
      lastSeals = s;
    }
    parentHash = hash;
    if (p.onProgress && n % 100_000 === 0) p.onProgress(n);
  }
  const chain: GeneratedChain = {
    chainId: p.chainId,
    headers,
    seals,
    validatorSets: sets,
    blocks,
    keys,
    setOf: (e) => sets[e]!,
    quorum,
    epochLength: p.epochLength,
    sealsPerHeader: signers,
    source: () => new MemoryHeaderSource(chain),
  };
  return chain;
}
