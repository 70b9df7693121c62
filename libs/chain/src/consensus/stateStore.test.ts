import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createMemoryKV } from '../store/kv.js';
import { Tables } from '../store/tables.js';
import { createMessageDigester } from './codec.js';
import { type ConsensusCrypto, createConsensusCrypto } from './crypto.js';
import { isConsensusError } from './errors.js';
import { decodeEvidence, encodeEvidence, openConsensusStateStore } from './stateStore.js';
import type { EquivocationEvidence, Hash, PrepareMessage, Signer } from './types.js';

const hash = (b: number) => `0x${b.toString(16).padStart(2, '0').repeat(32)}` as Hash;

describe('[Consensus] state store (Kesque tables)', () => {
  let crypto: ConsensusCrypto;
  let signer: Signer;
  before(async () => {
    crypto = await createConsensusCrypto();
    signer = crypto.createSigner(new Uint8Array(32).fill(9));
  });

  function prepare(round: number, blockHash: Hash): PrepareMessage {
    const m: PrepareMessage = {
      type: 'prepare',
      chainId: 5n,
      height: 12,
      round,
      sender: signer.address,
      blockHash,
      signature: new Uint8Array(65),
    };
    return { ...m, signature: signer.sign(createMessageDigester(crypto.keccak256)(m)) };
  }

  it('keeps the round state and its lock (block and prepares) across a reopen', async () => {
    const kv = createMemoryKV();
    const store = openConsensusStateStore(kv);
    assert.equal(store.load(), null, 'nothing before the first round');
    await store.persistState({ height: 12, round: 0, prepared: null });
    assert.deepEqual(openConsensusStateStore(kv).load(), { height: 12, round: 0, prepared: null });
    const lock = {
      round: 2,
      blockHash: hash(7),
      block: new Uint8Array([1, 2, 3]),
      prepares: [prepare(2, hash(7))],
    };
    await store.persistState({ height: 12, round: 3, prepared: lock });
    const back = openConsensusStateStore(kv).load();
    assert.deepEqual(back, { height: 12, round: 3, prepared: lock });
  });

  it('refuses a corrupt round state with a typed error', async () => {
    const kv = createMemoryKV();
    await kv.batch([{ type: 'put', table: Tables.consensus, key: 0, value: new Uint8Array([0xff, 1]) }]);
    assert.throws(
      () => openConsensusStateStore(kv).load(),
      (e) => isConsensusError(e, 'MALFORMED'),
    );
  });

  it('stores evidence once per validator, height, round and step, and reads it back after a reopen', async () => {
    const kv = createMemoryKV();
    const store = openConsensusStateStore(kv);
    const vote = (b: number) => ({
      blockHash: hash(b),
      signedPart: new Uint8Array([b, 2, 3]),
      signature: new Uint8Array(65).fill(b),
      seal: b === 1 ? new Uint8Array(65).fill(3) : null,
    });
    const e: EquivocationEvidence = {
      chainId: 5n,
      height: 12,
      round: 1,
      validator: signer.address,
      step: 'commit',
      first: vote(1),
      second: vote(2),
    };
    assert.deepEqual(decodeEvidence(encodeEvidence(e)), e);
    assert.equal(await store.addEvidence(e), true);
    assert.equal(await store.addEvidence(e), false, 'the same equivocation once');
    await store.addEvidence({ ...e, height: 15, step: 'prepare' });
    const reopened = openConsensusStateStore(kv);
    assert.deepEqual(
      reopened.listEvidence().map((x) => [x.height, x.step]),
      [
        [12, 'commit'],
        [15, 'prepare'],
      ],
    );
    assert.equal(reopened.listEvidence({ fromHeight: 13 }).length, 1);
    assert.equal(reopened.listEvidence({ validator: `0x${'00'.repeat(20)}` }).length, 0);
  });
});
