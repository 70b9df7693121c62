// Block 0: the allocation and the system contracts written into a fresh state trie, and the
// header that commits to it (extraData with the validator set hash, an empty messageRoot and the
// state shards' root). Deterministic: every node with the same config computes the same hash.
import type { Common } from '@ethereumjs/common';
import { Account, Address, hexToBytes } from '@ethereumjs/util';
import {
  createHeader,
  createValidatorSet,
  encodeHeader,
  StateShards,
  type ValidatorSet,
} from '@khipu/dietcoin';
import { createStateManagerAt } from '../exec/state.js';
import { preimageOps, readAccountChanges } from '../exec/stateShards.js';
import type { SupplyData } from '../rpc/backend.js';
import type { BlockCommit } from '../store/chainStore.js';
import type { KVReader } from '../store/kv.js';
import type { OverlayStateDB } from '../store/stateDB.js';
import { nextSupply } from '../supply/supply.js';
import { FEE_POOL_ADDRESS, type GenesisConfig, OUTBOX_ADDRESS } from './config.js';

/** keccak256(RLP([])): the root of an empty trie. */
const EMPTY_TRIE_ROOT = hexToBytes('0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421');

/** The validator set of a config (count-based: every validator has stake 1). */
export function validatorSetOf(config: GenesisConfig): ValidatorSet {
  return createValidatorSet({
    validators: config.validators.map((a) => ({ address: hexToBytes(a), stake: 1n })),
  });
}

export interface BuildGenesisReturnType {
  commit: BlockCommit;
  headerRLP: Uint8Array;
  shards: StateShards;
  supply: SupplyData;
}

/** Builds block 0. Its state writes wait in `db` (as `commit.stateOps`) until the store commits. */
export async function buildGenesis(options: {
  config: GenesisConfig;
  db: OverlayStateDB;
  kv: KVReader;
  common: Common;
}): Promise<BuildGenesisReturnType> {
  const { config, db, common } = options;
  const sm = createStateManagerAt(db, EMPTY_TRIE_ROOT, common);
  const touched: Uint8Array[] = [];
  let genesisSupply = 0n;
  for (const [hex, acc] of Object.entries(config.alloc)) {
    const address = new Address(hexToBytes(hex as `0x${string}`));
    await sm.putAccount(address, new Account(acc.nonce ?? 0n, acc.balance));
    if (acc.code && acc.code !== '0x') await sm.putCode(address, hexToBytes(acc.code));
    for (const [slot, value] of Object.entries(acc.storage ?? {})) {
      await sm.putStorage(address, hexToBytes(slot as `0x${string}`), hexToBytes(value as `0x${string}`));
    }
    genesisSupply += acc.balance;
    touched.push(address.bytes);
  }
  for (const s of config.systemContracts) {
    const address = new Address(hexToBytes(s.address));
    // Nonce 1 as EIP-161 gives deployed contracts.
    await sm.putAccount(address, new Account(1n, 0n));
    await sm.putCode(address, hexToBytes(s.code));
    touched.push(address.bytes);
  }
  await sm.checkpoint();
  await sm.commit();
  const stateRoot = await sm.getStateRoot();
  const changes = await readAccountChanges(createStateManagerAt(db, stateRoot, common), touched);
  const shards = new StateShards({ shardBits: config.stateShardBits });
  const shardRoot = shards.update(changes);
  const set = validatorSetOf(config);
  const header = createHeader({
    parentHash: new Uint8Array(32),
    number: 0,
    timestamp: Number(config.timestamp),
    stateRoot,
    gasLimit: config.gasLimit,
    baseFeePerGas: config.baseFeePerGas,
    extra: {
      validatorsHash: set.hash,
      nextValidatorsHash: set.hash,
      messageRoot: new Uint8Array(32),
      shardRoot,
      parentSeals: { round: 0, seals: [] },
    },
  });
  const headerRLP = encodeHeader(header);
  const feePool = config.alloc[FEE_POOL_ADDRESS]?.balance ?? 0n;
  const supply = nextSupply({
    parent: null,
    blockNumber: 0n,
    genesisSupply,
    outboxBalance: config.alloc[OUTBOX_ADDRESS]?.balance ?? 0n,
    feePoolBalance: feePool,
    feesToPool: 0n,
  });
  const commit: BlockCommit = {
    headerRLP,
    transactions: [],
    receipts: [],
    seals: [],
    messages: [],
    stats: {
      blockNumber: 0n,
      transactions: 0,
      gasUsed: 0n,
      executionSeconds: 0,
      parallelism: 1,
      reRuns: 0,
      fallbacks: 0,
    },
    supply,
    stateOps: [...db.pendingOps(), ...preimageOps(options.kv, touched)],
  };
  return { commit, headerRLP, shards, supply };
}
