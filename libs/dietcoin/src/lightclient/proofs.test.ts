import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initDietcoin } from '../crypto/backend.js';
import { keccak256 } from '../crypto/keccak.js';
import { isDietcoinError } from '../errors.js';
import { EMPTY_TRIE_ROOT } from '../header/header.js';
import { encodeMessage, type Message } from '../message/message.js';
import { buildMessageShards, type MessageShards } from '../message/shards.js';
import { StateShards, shardOf } from '../state/stateShards.js';
import { type GeneratedChain, generateChain } from '../testing/generateChain.js';
import { createHeaderChain } from './headerChain.js';
import { MemoryHeaderStore } from './memoryStore.js';

const chainId = 4n;
const address = (i: number) => keccak256(new Uint8Array([i, 0xaa])).slice(12);
const message = (i: number, dest: bigint): Message => ({
  version: 1,
  nonce: BigInt(i),
  sourceChainId: chainId,
  sender: address(i),
  destinationChainId: dest,
  recipient: address(i + 1),
  kind: 0,
  amount: 0n,
  body: new Uint8Array([i]),
});

describe('[Dietcoin] proofs against headers the light client accepted', () => {
  let chain: GeneratedChain;
  const shardsOf = new Map<number, MessageShards>();
  let state: StateShards;

  before(async () => {
    await initDietcoin();
    state = new StateShards({ shardBits: 3 });
    chain = generateChain({
      chainId,
      length: 12,
      epochLength: 5,
      validatorsPerSet: 4,
      block: (n) => {
        if (n === 0) return undefined;
        const shards = buildMessageShards({
          messages: [1, 2, 3, 4, 5].map((i) => encodeMessage(message(n * 10 + i, BigInt(100 + (i % 2))))),
        });
        shardsOf.set(n, shards);
        if (n !== 7) return { messages: shards };
        // block 7 also carries state, kept as it was after block 7
        state.update(
          Array.from({ length: 40 }, (_, i) => ({
            address: address(i),
            account: {
              nonce: BigInt(i),
              balance: 1000n * BigInt(i),
              storageRoot: EMPTY_TRIE_ROOT,
              codeHash: keccak256(new Uint8Array()),
            },
          })),
        );
        return { messages: shards, state };
      },
    });
  });

  it('verifies shards, messages, accounts and whole state shards fetched from the source', async () => {
    const hc = await createHeaderChain({
      chainId,
      quorum: 'count',
      epochLength: 5,
      trustingPeriodSeconds: 3600,
      now: () => 1_700_000_100,
      store: new MemoryHeaderStore(),
      checkpoint: { header: chain.headers.get(0)!, validators: chain.setOf(0) },
    });
    const source = chain.source();
    await hc.sync({ source, mode: 'fullChain' });
    const shard = await source.getShardProof(7, 101n);
    assert.ok(shard);
    assert.equal(hc.verifyShardProof(7, shard).messages.length, 3);
    assert.throws(
      () => hc.verifyShardProof(8, shard),
      (e) => isDietcoinError(e, 'WRONG_ROOT') && /block 8/.test(e.message),
    );
    assert.throws(
      () => hc.verifyShardProof(7, shard, 99n),
      (e) => isDietcoinError(e, 'INVALID_MESSAGE'),
    );
    const id = shardsOf.get(7)!.shards[0]!.ids[1]!;
    const mp = await source.getMessageProof(7, id);
    assert.ok(mp);
    assert.deepEqual(hc.verifyMessageProof(7, mp).id, id);
    const ap = await source.getAccountProof(7, address(9));
    assert.ok(ap);
    assert.equal(hc.verifyAccountProof(7, address(9), ap).balance, 9000n);
    assert.throws(
      () => hc.verifyAccountProof(7, address(10), ap),
      (e) => isDietcoinError(e, 'WRONG_ROOT'),
    );
    const s = shardOf(keccak256(address(9)), 3);
    const whole = await source.getStateShard(7, s);
    assert.ok(whole);
    assert.ok(hc.verifyStateShard(7, whole).length > 0);
    assert.throws(
      () => hc.verifyShardProof(99, shard),
      (e) => isDietcoinError(e, 'UNKNOWN_HEADER'),
    );
  });
});
