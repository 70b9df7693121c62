import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { bytesToHex } from '@ethereumjs/util';
import {
  addressOfPrivateKey,
  decodeHeader,
  encodeHeader,
  initDietcoin,
  keccak256,
  signSeal,
} from '@khipu/dietcoin';
import { isChainError } from '../errors.js';
import { type Chain, openChain } from '../node/chain.js';
import type { Hex } from '../rpc/backend.js';
import { createMemoryKV } from '../store/kv.js';
import { ALICE_KEY, addressOfKey, STRANGER_KEY, VALIDATOR_KEY } from '../testing/keys.js';
import { signFeeMarketTx } from '../testing/pendingTransaction.js';
import { createQueueSource } from '../testing/queueSource.js';
import { openSoloChain, soloGenesis } from '../testing/soloChain.js';
import { steppingClock } from '../testing/steppingClock.js';
import { blockEnvelopeOf } from './importer.js';

const genesis = () =>
  soloGenesis({
    chainId: 7003,
    alloc: { [addressOfKey(ALICE_KEY)]: { balance: (10n ** 21n).toString() } },
    stateShardBits: 3,
  });
const now = steppingClock();
/** Alice's transfer of nonce `nonce` to 0xabab..ab. */
const transfer = (chain: Chain, nonce: bigint, value: bigint) =>
  signFeeMarketTx(chain.common, ALICE_KEY, {
    nonce,
    to: `0x${'ab'.repeat(20)}`,
    value,
    gasLimit: 21_000n,
    maxPriorityFeePerGas: 7n,
  });

describe('[chain] importer', () => {
  let producer: Chain;
  let follower: Chain;
  before(async () => {
    await initDietcoin();
    const source = createQueueSource();
    producer = await openSoloChain(genesis(), { source, now });
    follower = await openChain({ kv: createMemoryKV(), genesis: genesis(), now });
    for (let i = 0; i < 3; i++) {
      source.push(transfer(producer, BigInt(i), 1000n + BigInt(i)));
      await producer.producer?.produceBlock();
    }
  });

  it('imports blocks sealed by the validator and reaches the same hashes and state', async () => {
    for (let n = 1n; n <= producer.store.headNumber(); n++) {
      const envelope = blockEnvelopeOf(producer.store, n);
      assert.ok(envelope);
      const header = await follower.importer.importBlock(envelope);
      assert.equal(header.hash, producer.store.getHeaderByNumber(n)?.hash);
    }
    assert.equal(follower.store.headHeader().stateRoot, producer.store.headHeader().stateRoot);
    assert.deepEqual(await follower.khipu.getSupply(3n), await producer.khipu.getSupply(3n));
    assert.equal(bytesToHex(follower.shards().root), bytesToHex(producer.shards().root));
  });

  it('refuses a block sealed by a non-validator, with a wrong state root, or with a transaction dropped', async () => {
    await producer.producer?.produceBlock();
    const envelope = blockEnvelopeOf(producer.store, 4n);
    assert.ok(envelope);
    const headBefore = follower.store.headNumber();
    const strangerSeal = {
      validator: addressOfKey(STRANGER_KEY),
      round: 0n,
      signature: bytesToHex(
        signSeal({
          privateKey: STRANGER_KEY,
          chainId: 7003n,
          height: 4,
          round: 0,
          blockHash: keccak256(envelope.headerRLP),
        }),
      ) as Hex,
    };
    await assert.rejects(follower.importer.importBlock({ ...envelope, seals: [strangerSeal] }), (e) =>
      isChainError(e, 'INVALID_BLOCK'),
    );

    const { header } = decodeHeader(envelope.headerRLP);
    const forged = encodeHeader({ ...header, stateRoot: new Uint8Array(32).fill(7) });
    const forgedSeal = {
      validator: bytesToHex(addressOfPrivateKey(VALIDATOR_KEY)) as Hex,
      round: 0n,
      signature: bytesToHex(
        signSeal({
          privateKey: VALIDATOR_KEY,
          chainId: 7003n,
          height: 4,
          round: 0,
          blockHash: keccak256(forged),
        }),
      ) as Hex,
    };
    await assert.rejects(
      follower.importer.importBlock({
        headerRLP: forged,
        transactions: envelope.transactions,
        seals: [forgedSeal],
      }),
      (e) => isChainError(e, 'INVALID_BLOCK') && /stateRoot/.test(e.message),
    );
    assert.equal(follower.store.headNumber(), headBefore);
    // The genuine block still imports after the refusals.
    const ok = await follower.importer.importBlock(envelope);
    assert.equal(ok.number, 4n);
  });

  it('refuses a block whose transactions do not match its header', async () => {
    const { tx } = transfer(producer, 3n, 1n);
    const envelope = blockEnvelopeOf(producer.store, 4n);
    assert.ok(envelope);
    // Block 5 of the producer is empty; offered with a transaction it becomes invalid.
    await producer.producer?.produceBlock();
    const five = blockEnvelopeOf(producer.store, 5n);
    assert.ok(five);
    await assert.rejects(follower.importer.importBlock({ ...five, transactions: [tx.serialize()] }), (e) =>
      isChainError(e, 'INVALID_BLOCK'),
    );
    assert.equal((await follower.importer.importBlock(five)).number, 5n);
  });
});
