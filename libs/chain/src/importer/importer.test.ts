import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { bytesToHex, hexToBytes, privateToAddress } from '@ethereumjs/util';
import {
  addressOfPrivateKey,
  decodeHeader,
  encodeHeader,
  initDietcoin,
  keccak256,
  signSeal,
} from '@khipu/dietcoin';
import { isChainError } from '../errors.js';
import type { PendingTransaction } from '../exec/types.js';
import { parseGenesisConfig } from '../genesis/config.js';
import { type Chain, openChain } from '../node/chain.js';
import type { TransactionSource } from '../producer/types.js';
import type { Hex } from '../rpc/backend.js';
import { createMemoryKV } from '../store/kv.js';
import { blockEnvelopeOf } from './importer.js';

const validatorKey = hexToBytes('0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba');
const alice = hexToBytes('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const stranger = hexToBytes('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');

function genesis() {
  return parseGenesisConfig({
    chainId: 7003,
    timestamp: 1_700_000_000,
    validators: [bytesToHex(addressOfPrivateKey(validatorKey))],
    alloc: { [bytesToHex(privateToAddress(alice))]: { balance: (10n ** 21n).toString() } },
    stateShardBits: 3,
  });
}

let clock = 1_700_000_000_000;
const now = () => (clock += 1000);

describe('[chain] importer', () => {
  let producer: Chain;
  let follower: Chain;
  before(async () => {
    await initDietcoin();
    let queue: PendingTransaction[] = [];
    const source: TransactionSource = {
      take: () => {
        const out = queue;
        queue = [];
        return out;
      },
      onBlockCommitted: () => {},
    };
    producer = await openChain({ kv: createMemoryKV(), genesis: genesis(), validatorKey, source, now });
    follower = await openChain({ kv: createMemoryKV(), genesis: genesis(), now });
    for (let i = 0; i < 3; i++) {
      const tx = createFeeMarket1559Tx(
        {
          nonce: BigInt(i),
          to: `0x${'ab'.repeat(20)}`,
          value: 1000n + BigInt(i),
          gasLimit: 21_000n,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 7n,
        },
        { common: producer.common },
      ).sign(alice);
      const raw = tx.serialize();
      queue.push({ tx, raw, sender: tx.getSenderAddress().bytes, hash: keccak256(raw) });
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
      validator: bytesToHex(privateToAddress(stranger)) as Hex,
      round: 0n,
      signature: bytesToHex(
        signSeal({
          privateKey: stranger,
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
      validator: bytesToHex(addressOfPrivateKey(validatorKey)) as Hex,
      round: 0n,
      signature: bytesToHex(
        signSeal({
          privateKey: validatorKey,
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
    const tx = createFeeMarket1559Tx(
      {
        nonce: 3n,
        to: `0x${'ab'.repeat(20)}`,
        value: 1n,
        gasLimit: 21_000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 7n,
      },
      { common: producer.common },
    ).sign(alice);
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
