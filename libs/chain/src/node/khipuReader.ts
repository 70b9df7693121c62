// The khipu_* sources: sealed headers, message shards with their ShardProof, account proofs in
// the state shards, execution stats, validators and supply, all over the chain store and
// libs/dietcoin's encodings.
import type { Common } from '@ethereumjs/common';
import { bytesToHex, hexToBytes } from '@ethereumjs/util';
import {
  buildMessageShards,
  createAccountProof,
  createShardProof,
  decodeAccount,
  decodeHeader as decodeKhipuHeader,
  decodeMessage,
  encodeAccountProof,
  encodeSealedHeader,
  encodeShardProof,
  messageId,
  recoverSealSigner,
  type StateShards,
  sealDigest,
  type ValidatorSet,
} from '@khipu/dietcoin';
import type { ValidatorSchedule } from '../consensus/validatorSchedule.js';
import { replayStateShards } from '../exec/stateShards.js';
import type {
  AccountShardProofData,
  Address,
  Hash,
  Hex,
  KhipuReader,
  MessageData,
  SealData,
  ValidatorSetData,
} from '../rpc/backend.js';
import type { ChainStore } from '../store/chainStore.js';
import type { OverlayStateDB } from '../store/stateDB.js';

const hex = (b: Uint8Array) => bytesToHex(b) as Hex;

export interface ChainKhipuReaderOptions {
  chainId: bigint;
  store: ChainStore;
  db: OverlayStateDB;
  common: Common;
  validators: ValidatorSet;
  /** The set of every height; without it, `validators` for ever. */
  schedule?: Pick<ValidatorSchedule, 'dietcoinSetAt'>;
  /** The live state shards (at the head). */
  shards: () => StateShards;
  shardBits: number;
}

/** Creates the node's `KhipuReader`. */
export function createChainKhipuReader(o: ChainKhipuReaderOptions): KhipuReader {
  const { store } = o;
  let pastShards: { number: bigint; shards: StateShards } | undefined;

  function parentSealsOf(
    number: bigint,
    seals: { round: number; seals: Uint8Array[] },
    parentHash: Uint8Array,
  ): SealData[] {
    if (number === 0n) return [];
    const digest = sealDigest({
      chainId: o.chainId,
      height: Number(number - 1n),
      round: seals.round,
      blockHash: parentHash,
    });
    return seals.seals.map((s) => ({
      validator: hex(recoverSealSigner(digest, s)) as Address,
      round: BigInt(seals.round),
      signature: hex(s),
    }));
  }

  async function shardsAt(number: bigint): Promise<StateShards | null> {
    const rlp = store.getHeaderRLP(number);
    const header = store.getHeaderByNumber(number);
    if (!rlp || !header) return null;
    // The live shards are the head's, except while the producer is applying the next block.
    const live = o.shards();
    const want = decodeKhipuHeader(rlp).header.extra.shardRoot;
    if (Buffer.from(live.root).equals(Buffer.from(want))) return live;
    if (pastShards?.number === number) return pastShards.shards;
    const shards = await replayStateShards({
      db: o.db,
      kv: store.kv,
      blocks: store,
      upTo: number,
      shardBits: o.shardBits,
      common: o.common,
    });
    pastShards = { number, shards };
    return shards;
  }

  const setAt = (n: bigint) => o.schedule?.dietcoinSetAt(Number(n)) ?? o.validators;
  const validatorsData = (set: ValidatorSet): ValidatorData[] =>
    set.validators.map((v) => ({ address: hex(v.address) as Address }));

  return {
    getSealedHeader(number) {
      const rlp = store.getHeaderRLP(number);
      const header = store.getHeaderByNumber(number);
      if (!rlp || !header) return null;
      const decoded = decodeKhipuHeader(rlp);
      const seals = store.getSeals(number) ?? [];
      const round = Number(seals[0]?.round ?? 0n);
      const e = decoded.header.extra;
      return {
        header,
        rlp: hex(rlp),
        extra: {
          validatorsHash: hex(e.validatorsHash) as Hash,
          nextValidatorsHash: hex(e.nextValidatorsHash) as Hash,
          messageRoot: hex(e.messageRoot) as Hash,
          shardRoot: hex(e.shardRoot) as Hash,
          parentSeals: parentSealsOf(number, e.parentSeals, decoded.header.parentHash),
        },
        seals,
        encoded: hex(
          encodeSealedHeader({
            header: decoded,
            seals: { round, seals: seals.map((s) => hexToBytes(s.signature)) },
          }),
        ),
      };
    },

    getMessageShard(number, destinationChainId) {
      const header = store.getHeaderByNumber(number);
      const stored = store.getMessages(number);
      if (!header || !stored) return null;
      const mine = stored.filter((m) => decodeMessage(m.encoded).destinationChainId === destinationChainId);
      if (mine.length === 0) return null;
      const shards = buildMessageShards({ messages: stored.map((m) => m.encoded), sourceChainId: o.chainId });
      const proof = createShardProof({ shards, destinationChainId });
      const shard = shards.shards.find((s) => s.destinationChainId === destinationChainId);
      const messages: MessageData[] = mine.map((m) => {
        const d = decodeMessage(m.encoded);
        return {
          id: hex(messageId(m.encoded)) as Hash,
          encoded: hex(m.encoded),
          version: d.version,
          nonce: d.nonce,
          sourceChainId: d.sourceChainId,
          sender: hex(d.sender) as Address,
          destinationChainId: d.destinationChainId,
          recipient: hex(d.recipient) as Address,
          kind: d.kind,
          amount: d.amount,
          body: hex(d.body),
          transactionHash: hex(m.transactionHash) as Hash,
          logIndex: m.logIndex,
        };
      });
      return {
        blockNumber: number,
        blockHash: header.hash,
        destinationChainId,
        messages,
        shardDigest: hex(shard?.digest ?? new Uint8Array(32)) as Hash,
        messageRoot: hex(shards.root) as Hash,
        proof: hex(encodeShardProof(proof)),
      };
    },

    async getAccountShardProof(address, number): Promise<AccountShardProofData | null> {
      const header = store.getHeaderByNumber(number);
      if (!header) return null;
      const shards = await shardsAt(number);
      if (!shards) return null;
      const at = shards.locate(hexToBytes(address));
      if (!at) return null;
      const proof = createAccountProof({ state: shards, address: hexToBytes(address) });
      const account = decodeAccount(proof.account);
      return {
        address,
        blockNumber: number,
        blockHash: header.hash,
        shardIndex: at.shard,
        shardRoot: hex(shards.root) as Hash,
        nonce: account.nonce,
        balance: account.balance,
        storageRoot: hex(account.storageRoot) as Hash,
        codeHash: hex(account.codeHash) as Hash,
        proof: hex(encodeAccountProof(proof)),
      };
    },

    getBlockStats(number) {
      return store.getStats(number);
    },

    getValidators(number): ValidatorSetData | null {
      if (!store.getHeaderByNumber(number)) return null;
      return {
        blockNumber: number,
        validators: validatorsData(setAt(number)),
        validatorsHash: hex(setAt(number).hash) as Hash,
        nextValidators: validatorsData(setAt(number + 1n)),
        nextValidatorsHash: hex(setAt(number + 1n).hash) as Hash,
      };
    },

    getSupply(number) {
      return store.getSupply(number);
    },
  };
}

type ValidatorData = ValidatorSetData['validators'][number];
