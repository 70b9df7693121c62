import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex } from '@ethereumjs/util';
import { addressOfPrivateKey, initDietcoin } from '@khipu/dietcoin';
import { isChainError } from '../errors.js';
import type { PendingTransaction } from '../exec/types.js';
import { validatorScheduleOf } from '../genesis/validatorSchedule.js';
import { type Chain, openChain } from '../node/chain.js';
import type { TransactionSource } from '../producer/types.js';
import { createMemoryKV, type KVStore } from '../store/kv.js';
import { SCHEDULE_CHECKPOINT_KEY, Tables } from '../store/tables.js';
import { ALICE_KEY } from '../testing/keys.js';
import { signFeeMarketTx } from '../testing/pendingTransaction.js';
import { fundedAlloc, openSoloChain, soloGenesis } from '../testing/soloChain.js';
import { steppingClock } from '../testing/steppingClock.js';
import { createConsensusCrypto } from './crypto.js';
import type { ConsensusError } from './errors.js';
import { followValidatorSchedule } from './scheduleFollower.js';
import type { Address } from './types.js';
import {
  approveSetChange,
  encodeSignedSetChange,
  VALIDATOR_SET_CHANGE_ADDRESS,
  type ValidatorSetChange,
} from './validatorSetChange.js';

const CHAIN_ID = 7401;
const EPOCH = 4;
const validatorKey = new Uint8Array(32).fill(0x41);
const joinerKey = new Uint8Array(32).fill(0x42);
const addressOf = (k: Uint8Array) => bytesToHex(addressOfPrivateKey(k)) as Address;

function genesis() {
  return soloGenesis({
    validatorKey,
    chainId: CHAIN_ID,
    epochLength: EPOCH,
    alloc: fundedAlloc([ALICE_KEY], 10n ** 21n),
    stateShardBits: 3,
  });
}

const now = steppingClock();
function open(kv: KVStore, source: TransactionSource, refused: string[]): Promise<Chain> {
  return openSoloChain(genesis(), {
    kv,
    validatorKey,
    source,
    now,
    onSetChangeRefused: (height, e: ConsensusError) => refused.push(`${height} ${e.code}`),
  });
}

/** Alice's transaction carrying governance call data `data` to the validator-set change address. */
function governanceTx(chain: Chain, nonce: bigint, data: Uint8Array): PendingTransaction {
  return signFeeMarketTx(chain.common, ALICE_KEY, {
    nonce,
    to: VALIDATOR_SET_CHANGE_ADDRESS,
    data,
    gasLimit: 300_000n,
  });
}

describe('[Consensus] the node schedule follows governance changes in committed blocks', () => {
  it('applies a change as its block commits, announces it one block ahead, and replays it on reopen', async () => {
    await initDietcoin();
    const crypto = await createConsensusCrypto();
    const queue: PendingTransaction[] = [];
    const source: TransactionSource = { take: () => queue.splice(0), onBlockCommitted: () => {} };
    const kv = createMemoryKV();
    const refused: string[] = [];
    const chain = await open(kv, source, refused);
    const next = [addressOf(validatorKey), addressOf(joinerKey)].sort() as Address[];
    const change: ValidatorSetChange = {
      chainId: BigInt(CHAIN_ID),
      epoch: 1,
      validators: { validators: next },
    };
    const approved = encodeSignedSetChange({
      change,
      approvals: [approveSetChange(crypto.createSigner(validatorKey), crypto.keccak256, change)],
    });
    // Signed by the joiner, who is not in epoch 0's set: refused, and the chain goes on.
    const forged = encodeSignedSetChange({
      change,
      approvals: [approveSetChange(crypto.createSigner(joinerKey), crypto.keccak256, change)],
    });
    const producer = chain.producer!;
    await producer.produceBlock(); // 1
    queue.push(governanceTx(chain, 0n, forged), governanceTx(chain, 1n, approved));
    const withChange = await producer.produceBlock(); // 2
    assert.equal(withChange.transactions, 2);
    assert.deepEqual(refused, ['2 INVALID_SET_CHANGE']);
    assert.deepEqual(chain.schedule.setAt(EPOCH).validators, next);
    assert.deepEqual(chain.schedule.setAt(EPOCH - 1).validators, [addressOf(validatorKey)]);
    await producer.produceBlock(); // 3: announces epoch 1's set
    const announcing = await chain.khipu.getSealedHeader(3n);
    assert.equal(announcing?.extra.nextValidatorsHash, bytesToHex(chain.schedule.dietcoinSetAt(EPOCH).hash));
    assert.notEqual(announcing?.extra.nextValidatorsHash, announcing?.extra.validatorsHash);
    const inside = await chain.khipu.getSealedHeader(2n);
    assert.equal(inside?.extra.nextValidatorsHash, inside?.extra.validatorsHash);
    const answered = await chain.khipu.getValidators(3n);
    assert.deepEqual(
      answered?.nextValidators.map((v) => v.address),
      next,
    );
    await chain.stop();

    const reopened = await open(kv, source, []);
    assert.deepEqual(reopened.schedule.setAt(EPOCH).validators, next, 'replayed from the stored blocks');
    assert.equal(
      bytesToHex(reopened.schedule.hashesAt(EPOCH - 1).nextValidatorsHash),
      announcing?.extra.nextValidatorsHash,
    );
    await reopened.stop();
  });

  it('a lone validator the schedule removes builds nothing from the epoch that leaves it out', async () => {
    await initDietcoin();
    let taken = 0;
    const source: TransactionSource = {
      take: () => {
        taken++;
        return [];
      },
      onBlockCommitted: () => {},
    };
    const errors: unknown[] = [];
    const chain = await openChain({
      kv: createMemoryKV(),
      genesis: soloGenesis({
        validatorKey,
        chainId: CHAIN_ID,
        blockTimeMs: 50,
        epochLength: EPOCH,
        validatorSchedule: [{ epoch: 1, validators: [addressOf(joinerKey)] }],
        stateShardBits: 3,
      }),
      validatorKey,
      source,
      onError: (e) => errors.push(e),
    });
    const producer = chain.producer!;
    for (let n = 1; n < EPOCH; n++) await producer.produceBlock();
    assert.equal(chain.store.headNumber(), BigInt(EPOCH - 1));
    const takenBefore = taken;
    await assert.rejects(producer.produceBlock(), (e) => isChainError(e, 'NOT_A_VALIDATOR'));
    await assert.rejects(producer.build(), (e) => isChainError(e, 'NOT_A_VALIDATOR'));
    assert.equal(taken, takenBefore, 'nothing taken from the pool for a block it may not build');
    // On its timer it stops at the first refusal instead of failing every interval.
    producer.start();
    await new Promise((r) => setTimeout(r, 400));
    await producer.stop();
    assert.equal(chain.store.headNumber(), BigInt(EPOCH - 1), 'no block at or after the epoch');
    assert.equal(errors.length, 1);
    assert.ok(isChainError(errors[0], 'NOT_A_VALIDATOR'));
    await chain.stop();
  });

  it('restarts from its checkpoint: the same schedule, and only the blocks after it read', async () => {
    await initDietcoin();
    const crypto = await createConsensusCrypto();
    const queue: PendingTransaction[] = [];
    const source: TransactionSource = { take: () => queue.splice(0), onBlockCommitted: () => {} };
    const chain = await open(createMemoryKV(), source, []);
    const v = addressOf(validatorKey);
    const j = addressOf(joinerKey);
    const changeTx = (nonce: bigint, epoch: number, validators: Address[], approvers: Uint8Array[]) => {
      const change: ValidatorSetChange = { chainId: BigInt(CHAIN_ID), epoch, validators: { validators } };
      const data = encodeSignedSetChange({
        change,
        approvals: approvers.map((k) => approveSetChange(crypto.createSigner(k), crypto.keccak256, change)),
      });
      return governanceTx(chain, nonce, data);
    };
    // Epoch 1 adds the joiner (approved by epoch 0's set), epoch 2 drops it again (approved by both,
    // epoch 1's set): the second change verifies only against the first.
    const producer = chain.producer!;
    for (let n = 1; n <= 10; n++) {
      if (n === 2) queue.push(changeTx(0n, 1, [v, j].sort() as Address[], [validatorKey]));
      if (n === 5) queue.push(changeTx(1n, 2, [v], [validatorKey, joinerKey]));
      await producer.produceBlock();
    }
    const reads: bigint[] = [];
    const getRawTransactions = chain.store.getRawTransactions.bind(chain.store);
    chain.store.getRawTransactions = (n) => {
      reads.push(n);
      return getRawTransactions(n);
    };
    const follow = (checkpointEvery = 4) => {
      reads.length = 0;
      const schedule = validatorScheduleOf(chain.genesis, crypto);
      const stop = followValidatorSchedule({
        store: chain.store,
        schedule,
        common: chain.common,
        checkpointEvery,
      });
      return { schedule, stop, reads: [...reads] };
    };
    const setsOf = (s: ReturnType<typeof follow>['schedule']) =>
      Array.from({ length: 4 * EPOCH }, (_, h) => [
        s.setAt(h).validators,
        bytesToHex(s.hashesAt(h).nextValidatorsHash),
      ]);

    const scanned = follow();
    scanned.stop();
    assert.equal(scanned.reads.length, 10, 'no checkpoint yet: every block is read');
    assert.deepEqual(scanned.schedule.setAt(EPOCH).validators, [v, j].sort());
    assert.deepEqual(scanned.schedule.setAt(2 * EPOCH).validators, [v]);
    await new Promise((r) => setImmediate(r));

    const restored = follow();
    assert.deepEqual(restored.reads, [], 'the checkpoint covers the head');
    assert.deepEqual(setsOf(restored.schedule), setsOf(scanned.schedule));
    // Following on: a checkpoint at block 12 (every 4), so a restart at 13 reads block 13 only.
    for (let n = 11; n <= 13; n++) await producer.produceBlock();
    restored.stop();
    await new Promise((r) => setImmediate(r));
    const resumed = follow();
    resumed.stop();
    assert.deepEqual(resumed.reads, [13n]);
    assert.deepEqual(setsOf(resumed.schedule), setsOf(scanned.schedule));

    // An unreadable checkpoint is ignored: everything is scanned again, to the same schedule.
    await chain.store.kv.batch([
      { type: 'put', table: Tables.meta, key: SCHEDULE_CHECKPOINT_KEY, value: new Uint8Array([1, 2, 3]) },
    ]);
    const rescanned = follow();
    rescanned.stop();
    assert.equal(rescanned.reads.length, 13);
    assert.deepEqual(setsOf(rescanned.schedule), setsOf(scanned.schedule));
    await chain.stop();
  });
});
