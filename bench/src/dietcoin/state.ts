// State proofs: an account proof from the state shards against an eth_getProof-style account proof
// (the Merkle-Patricia nodes from the state root to the account leaf, built with @ethereumjs/mpt)
// for the same accounts in the same state; and whole-shard downloads of a large state.
import { createMerkleProof, createMPT } from '@ethereumjs/mpt';
import {
  type Account,
  type AccountChange,
  createAccountProof,
  createStateShardProof,
  decodeAccountProof,
  decodeStateShardProof,
  EMPTY_TRIE_ROOT,
  encodeAccount,
  encodeAccountProof,
  encodeStateShardProof,
  keccak256,
  StateShards,
  verifyAccountProof,
  verifyStateShardProof,
} from '@khipu/dietcoin';
import { medianMicros, progress, seconds } from './timing.js';

/** keccak256 of empty code (computed after initDietcoin). */
let emptyCodeHash: Uint8Array | undefined;

function emptyCode(): Uint8Array {
  emptyCodeHash ??= keccak256(new Uint8Array(0));
  return emptyCodeHash;
}

export function benchAddress(i: number): Uint8Array {
  return keccak256(new Uint8Array([i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff, i >>> 24, 0xad])).slice(12);
}

export function benchAccount(i: number): Account {
  const contract = i % 10 === 0;
  return {
    nonce: BigInt(i % 1000),
    balance: BigInt(i) * 12_345_678_901_234n + 10n ** 17n,
    storageRoot: contract ? keccak256(new Uint8Array([i & 0xff, 1])) : EMPTY_TRIE_ROOT,
    codeHash: contract ? keccak256(new Uint8Array([i & 0xff, 2])) : emptyCode(),
  };
}

export interface AccountProofFigures {
  accounts: number;
  shards: number;
  /** Mean over the sampled accounts. */
  accountProofBytes: number;
  mptAccountProofBytes: number;
  mptNodes: number;
  accountVerifyMicros: number;
  mptBuildSeconds: number;
}

export async function measureAccountProofs(
  accounts: number,
  shardBits = 8,
  samples = 200,
): Promise<AccountProofFigures> {
  const state = new StateShards({ shardBits });
  const changes: AccountChange[] = [];
  for (let i = 0; i < accounts; i++) changes.push({ address: benchAddress(i), account: benchAccount(i) });
  state.update(changes);
  const t0 = performance.now();
  const trie = await createMPT({
    useKeyHashing: true,
    useKeyHashingFunction: (b: Uint8Array) => keccak256(b),
  });
  for (let i = 0; i < accounts; i++) {
    await trie.put(benchAddress(i), encodeAccount(benchAccount(i)));
    if (i > 0 && i % 20_000 === 0) progress(`MPT: ${i}/${accounts} accounts`);
  }
  const mptBuildSeconds = seconds(t0);
  let ours = 0;
  let mpt = 0;
  let nodes = 0;
  let sample: Uint8Array = new Uint8Array();
  for (let k = 0; k < samples; k++) {
    const i = Math.floor((k * accounts) / samples);
    const address = benchAddress(i);
    const bytes = encodeAccountProof(createAccountProof({ state, address }));
    verifyAccountProof({ proof: decodeAccountProof(bytes), address, shardRoot: state.root });
    ours += bytes.length;
    const proof = await createMerkleProof(trie, address);
    nodes += proof.length;
    mpt += proof.reduce((n, node) => n + node.length, 0);
    if (k === 0) sample = bytes;
  }
  const address0 = benchAddress(0);
  return {
    accounts,
    shards: 2 ** shardBits,
    accountProofBytes: ours / samples,
    mptAccountProofBytes: mpt / samples,
    mptNodes: nodes / samples,
    accountVerifyMicros: medianMicros(501, () => {
      verifyAccountProof({ proof: decodeAccountProof(sample), address: address0, shardRoot: state.root });
    }),
    mptBuildSeconds,
  };
}

export interface WholeShardFigures {
  accounts: number;
  shards: number;
  buildSeconds: number;
  /** Mean size of a whole-shard download (accounts and path). */
  shardBytes: number;
  shardVerifyMillis: number;
  accountProofBytes: number;
  /** Rehash of one block touching 1,000 accounts (updates and inserts) after the build. */
  blockUpdateMillis: number;
}

export function measureWholeShards(accounts: number, shardBits: number): WholeShardFigures {
  const t0 = performance.now();
  const state = new StateShards({ shardBits });
  const chunk = 100_000;
  for (let from = 0; from < accounts; from += chunk) {
    const changes: AccountChange[] = [];
    for (let i = from; i < Math.min(accounts, from + chunk); i++)
      changes.push({ address: benchAddress(i), account: benchAccount(i) });
    state.update(changes);
  }
  const buildSeconds = seconds(t0);
  const probe = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => Math.floor((k * state.shardCount) / 8));
  let bytes = 0;
  let verifyMs = 0;
  for (const shard of probe) {
    const enc = encodeStateShardProof(createStateShardProof({ state, shard }));
    bytes += enc.length;
    const t1 = performance.now();
    verifyStateShardProof({ proof: decodeStateShardProof(enc), shardRoot: state.root });
    verifyMs += performance.now() - t1;
  }
  let proofBytes = 0;
  for (let k = 0; k < 100; k++) {
    proofBytes += encodeAccountProof(
      createAccountProof({ state, address: benchAddress((k * 997) % accounts) }),
    ).length;
  }
  const update: AccountChange[] = [];
  for (let k = 0; k < 1000; k++) {
    const i = k % 2 === 0 ? (k * 613) % accounts : accounts + k;
    update.push({ address: benchAddress(i), account: { ...benchAccount(i), nonce: 5n } });
  }
  const t2 = performance.now();
  state.update(update);
  const blockUpdateMillis = performance.now() - t2;
  const figures = {
    accounts,
    shards: state.shardCount,
    buildSeconds,
    shardBytes: bytes / probe.length,
    shardVerifyMillis: verifyMs / probe.length,
    accountProofBytes: proofBytes / 100,
    blockUpdateMillis,
  };
  progress(
    `whole shards: ${accounts} accounts in ${state.shardCount} shards, ${figures.shardBytes.toFixed(0)} B each`,
  );
  return figures;
}
