import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeAbiParameters, encodeAbiParameters, toHex } from 'viem';
import { initDietcoin } from '../crypto/backend.js';
import { hexToBytes } from '../encoding/bytes.js';
import { isDietcoinError } from '../errors.js';
import { flipEveryByte } from '../testing/flip.js';
import { decodeMessage, encodeMessage, MAX_MESSAGE_BODY_BYTES, type Message } from './message.js';
import {
  createMessageProof,
  decodeMessageProof,
  encodeMessageProof,
  verifyMessageProof,
} from './messageProof.js';
import { createShardProof, decodeShardProof, encodeShardProof, verifyShardProof } from './shardProof.js';
import { buildMessageShards } from './shards.js';

const MESSAGE_ABI = [
  { type: 'uint8' },
  { type: 'uint64' },
  { type: 'uint64' },
  { type: 'address' },
  { type: 'uint64' },
  { type: 'address' },
  { type: 'uint8' },
  { type: 'uint256' },
  { type: 'bytes' },
] as const;

export function sampleMessage(i: number, destinationChainId = 2n, bodyBytes = 32): Message {
  return {
    version: 1,
    nonce: BigInt(i),
    sourceChainId: 1n,
    sender: new Uint8Array(20).fill(0x11),
    destinationChainId,
    recipient: new Uint8Array(20).fill(0x22 + (i % 5)),
    kind: i % 2 === 0 ? 0 : 1,
    amount: BigInt(i) * 10n ** 18n,
    body: new Uint8Array(bodyBytes).map((_, j) => (i + j) & 0xff),
  };
}

describe('[Dietcoin] messages', () => {
  before(async () => {
    await initDietcoin();
  });

  it('encodes exactly as abi.encode does (viem), for bodies of 0 to 100 bytes', () => {
    for (const len of [0, 1, 31, 32, 33, 64, 100]) {
      const m = sampleMessage(len, 77n, len);
      const ours = encodeMessage(m);
      const viem = encodeAbiParameters(MESSAGE_ABI, [
        m.version,
        m.nonce,
        m.sourceChainId,
        toHex(m.sender),
        m.destinationChainId,
        toHex(m.recipient),
        m.kind,
        m.amount,
        toHex(m.body),
      ]);
      assert.equal(toHex(ours), viem);
      assert.deepEqual(decodeMessage(hexToBytes(viem)), m);
      assert.equal(decodeAbiParameters(MESSAGE_ABI, viem)[8], toHex(m.body));
    }
  });

  it('refuses non-canonical padding, a wrong body pointer, truncation, trailing bytes and an oversized body', () => {
    const enc = encodeMessage(sampleMessage(3));
    const dirty = enc.slice();
    dirty[0] = 1;
    assert.throws(
      () => decodeMessage(dirty),
      (e) => isDietcoinError(e, 'NON_CANONICAL'),
    );
    const pointer = enc.slice();
    pointer[287] = 0x40; // 0x140 instead of 0x120
    assert.throws(
      () => decodeMessage(pointer),
      (e) => isDietcoinError(e, 'NON_CANONICAL'),
    );
    assert.throws(
      () => decodeMessage(enc.subarray(0, enc.length - 32)),
      (e) => isDietcoinError(e, 'TRUNCATED'),
    );
    assert.throws(
      () => decodeMessage(new Uint8Array([...enc, ...new Uint8Array(32)])),
      (e) => isDietcoinError(e, 'TRAILING_BYTES'),
    );
    const padded = encodeMessage(sampleMessage(3, 2n, 5));
    padded[padded.length - 1] = 9;
    assert.throws(
      () => decodeMessage(padded),
      (e) => isDietcoinError(e, 'NON_CANONICAL'),
    );
    const long = enc.slice();
    new DataView(long.buffer).setUint32(316, MAX_MESSAGE_BODY_BYTES + 1, false);
    assert.throws(
      () => decodeMessage(long),
      (e) => isDietcoinError(e, 'OVERSIZED'),
    );
    const kind = enc.slice();
    kind[223] = 2;
    assert.throws(
      () => decodeMessage(kind),
      (e) => isDietcoinError(e, 'INVALID_MESSAGE'),
    );
    assert.throws(
      () => encodeMessage({ ...sampleMessage(1), nonce: 1n << 64n }),
      (e) => isDietcoinError(e, 'INVALID_MESSAGE'),
    );
  });

  it('groups a block by destination and proves every shard and every message against messageRoot', () => {
    const msgs = Array.from({ length: 30 }, (_, i) =>
      encodeMessage(sampleMessage(i, BigInt(1 + (i % 4)) * 10n)),
    );
    const shards = buildMessageShards({ messages: msgs, sourceChainId: 1n });
    assert.deepEqual(
      shards.shards.map((s) => s.destinationChainId),
      [10n, 20n, 30n, 40n],
    );
    assert.equal(
      buildMessageShards({ messages: [] }).root.every((b) => b === 0),
      true,
    );
    for (const s of shards.shards) {
      const proof = decodeShardProof(
        encodeShardProof(createShardProof({ shards, destinationChainId: s.destinationChainId })),
      );
      const r = verifyShardProof({ proof, messageRoot: shards.root, sourceChainId: 1n });
      assert.deepEqual(r.ids, s.ids);
      for (const id of s.ids) {
        const mp = decodeMessageProof(encodeMessageProof(createMessageProof({ shards, id })));
        assert.deepEqual(verifyMessageProof({ proof: mp, messageRoot: shards.root }).id, id);
      }
    }
    assert.throws(
      () => createShardProof({ shards, destinationChainId: 99n }),
      (e) => isDietcoinError(e, 'WRONG_SHARD'),
    );
    assert.throws(
      () => buildMessageShards({ messages: msgs, sourceChainId: 5n }),
      (e) => isDietcoinError(e, 'INVALID_MESSAGE'),
    );
  });

  it('refuses a shard proof with a message dropped, added or swapped, or against another root', () => {
    const msgs = Array.from({ length: 6 }, (_, i) => encodeMessage(sampleMessage(i, i < 4 ? 2n : 3n)));
    const shards = buildMessageShards({ messages: msgs });
    const proof = createShardProof({ shards, destinationChainId: 2n });
    const wrongRoot = (e: unknown) =>
      isDietcoinError(e, 'WRONG_ROOT') && /shard proof for chain 2 of block 12/.test(e.message);
    const check = (p: typeof proof, root = shards.root) =>
      verifyShardProof({ proof: p, messageRoot: root, blockNumber: 12 });
    assert.throws(() => check({ ...proof, messages: proof.messages.slice(1) }), wrongRoot);
    assert.throws(
      () => check({ ...proof, messages: [...proof.messages, encodeMessage(sampleMessage(9))] }),
      wrongRoot,
    );
    assert.throws(
      () =>
        check({ ...proof, messages: [proof.messages[1]!, proof.messages[0]!, ...proof.messages.slice(2)] }),
      wrongRoot,
    );
    assert.throws(() => check(proof, new Uint8Array(32).fill(1)), wrongRoot);
    assert.throws(
      () => check({ ...proof, destinationChainId: 3n }),
      (e) => isDietcoinError(e, 'INVALID_MESSAGE'),
    );
  });

  it('refuses every single flipped byte of a shard proof and of a message proof', () => {
    const msgs = Array.from({ length: 5 }, (_, i) => encodeMessage(sampleMessage(i, i < 3 ? 2n : 3n, 8)));
    const shards = buildMessageShards({ messages: msgs });
    const shardBytes = encodeShardProof(createShardProof({ shards, destinationChainId: 2n }));
    const r1 = flipEveryByte(shardBytes, (t) =>
      verifyShardProof({ proof: decodeShardProof(t), messageRoot: shards.root }),
    );
    assert.equal(r1.positions, shardBytes.length);
    assert.deepEqual(r1.accepted, []);
    const msgBytes = encodeMessageProof(createMessageProof({ shards, id: shards.shards[0]!.ids[1]! }));
    const r2 = flipEveryByte(msgBytes, (t) =>
      verifyMessageProof({ proof: decodeMessageProof(t), messageRoot: shards.root }),
    );
    assert.deepEqual(r2.accepted, []);
    assert.throws(
      () => decodeShardProof(shardBytes.subarray(0, shardBytes.length - 1)),
      (e) => isDietcoinError(e, 'TRUNCATED'),
    );
    assert.throws(
      () => decodeMessageProof(new Uint8Array([...msgBytes, 0])),
      (e) => isDietcoinError(e, 'TRAILING_BYTES'),
    );
  });

  it('keeps a single-message proof in a 10,000-message shard under 1 KB', () => {
    const msgs = Array.from({ length: 10_000 }, (_, i) => encodeMessage(sampleMessage(i, 2n)));
    const shards = buildMessageShards({ messages: msgs });
    const bytes = encodeMessageProof(createMessageProof({ shards, id: shards.shards[0]!.ids[4321]! }));
    assert.ok(bytes.length <= 1024, `${bytes.length} bytes`);
    verifyMessageProof({ proof: decodeMessageProof(bytes), messageRoot: shards.root });
  });
});
