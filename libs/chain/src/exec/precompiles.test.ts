import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { bytesToHex, hexToBytes } from '@ethereumjs/util';
import {
  buildMessageShards,
  createShardProof,
  encodeMessage,
  encodeShardProof,
  encodeValidatorSet,
  initDietcoin,
  messageId,
} from '@khipu/dietcoin';
import type { Chain } from '../node/chain.js';
import type { Hex } from '../rpc/backend.js';
import { openSoloChain, soloGenesis } from '../testing/soloChain.js';
import { VERIFY_SEALED_HEADER_ADDRESS, VERIFY_SHARD_PROOF_ADDRESS } from './precompiles.js';

function word(v: bigint | Uint8Array): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex').padStart(64, '0');
  return v.toString(16).padStart(64, '0');
}

/** abi.encode of heads (uint words) and trailing dynamic bytes. */
function abiEncode(heads: bigint[], dynamic: Uint8Array[]): Hex {
  const headWords = heads.length + dynamic.length;
  let tail = '';
  const pointers: string[] = [];
  let offset = headWords * 32;
  for (const d of dynamic) {
    pointers.push(word(BigInt(offset)));
    const padded = Buffer.from(d)
      .toString('hex')
      .padEnd(Math.ceil(d.length / 32) * 64, '0');
    tail += word(BigInt(d.length)) + padded;
    offset += 32 + Math.ceil(d.length / 32) * 32;
  }
  return `0x${heads.map(word).join('')}${pointers.join('')}${tail}` as Hex;
}

describe('[chain] verification precompiles 0x0f01 and 0x0f02', () => {
  let chain: Chain;
  before(async () => {
    await initDietcoin();
    chain = await openSoloChain(soloGenesis({ chainId: 7005 }));
    await chain.producer?.produceBlock();
    await chain.producer?.produceBlock();
  });

  it('0x0f01 verifies a sealed header against its validator set, through eth_call', async () => {
    const sealed = await chain.khipu.getSealedHeader(2n);
    assert.ok(sealed);
    const input = abiEncode([7005n, 0n], [encodeValidatorSet(chain.validators), hexToBytes(sealed.encoded)]);
    const ok = await chain.calls.call({ to: VERIFY_SEALED_HEADER_ADDRESS, input, gas: 1_000_000n }, 2n);
    assert.equal(ok.status, 'success');
    const out = ok.returnData.slice(2);
    assert.equal(`0x${out.slice(0, 64)}`, sealed.header.hash);
    assert.equal(BigInt(`0x${out.slice(64, 128)}`), 2n);
    assert.equal(`0x${out.slice(192, 256)}`, sealed.header.stateRoot);
    assert.equal(`0x${out.slice(320, 384)}`, sealed.extra.shardRoot);
    // Another chain id: the seals do not verify.
    const wrongChain = abiEncode(
      [7006n, 0n],
      [encodeValidatorSet(chain.validators), hexToBytes(sealed.encoded)],
    );
    assert.notEqual(
      (await chain.calls.call({ to: VERIFY_SEALED_HEADER_ADDRESS, input: wrongChain, gas: 1_000_000n }, 2n))
        .status,
      'success',
    );
    // A flipped byte anywhere in the sealed header: refused.
    const bytes = hexToBytes(sealed.encoded);
    for (const at of [10, 200, bytes.length - 3]) {
      const flipped = bytes.slice();
      flipped[at] = (flipped[at] ?? 0) ^ 1;
      const bad = abiEncode([7005n, 0n], [encodeValidatorSet(chain.validators), flipped]);
      assert.notEqual(
        (await chain.calls.call({ to: VERIFY_SEALED_HEADER_ADDRESS, input: bad, gas: 1_000_000n }, 2n))
          .status,
        'success',
        `byte ${at}`,
      );
    }
    // Too little gas: out of gas, not a result.
    assert.notEqual(
      (await chain.calls.call({ to: VERIFY_SEALED_HEADER_ADDRESS, input, gas: 25_000n }, 2n)).status,
      'success',
    );
  });

  it('0x0f02 verifies a message shard proof against a messageRoot and returns the ids', async () => {
    const message = (nonce: bigint, destinationChainId: bigint) =>
      encodeMessage({
        version: 1,
        nonce,
        sourceChainId: 7005n,
        sender: new Uint8Array(20).fill(1),
        destinationChainId,
        recipient: new Uint8Array(20).fill(2),
        kind: 0,
        amount: 0n,
        body: new Uint8Array([1, 2, 3]),
      });
    const messages = [message(0n, 9n), message(1n, 9n), message(0n, 11n)];
    const shards = buildMessageShards({ messages, sourceChainId: 7005n });
    const proof = encodeShardProof(createShardProof({ shards, destinationChainId: 9n }));
    const input = abiEncode([BigInt(`0x${Buffer.from(shards.root).toString('hex')}`), 7005n], [proof]);
    const ok = await chain.calls.call({ to: VERIFY_SHARD_PROOF_ADDRESS, input, gas: 1_000_000n }, 2n);
    assert.equal(ok.status, 'success');
    const out = ok.returnData.slice(2);
    assert.equal(BigInt(`0x${out.slice(0, 64)}`), 9n);
    assert.equal(BigInt(`0x${out.slice(128, 192)}`), 2n);
    assert.equal(`0x${out.slice(192, 256)}`, bytesToHex(messageId(messages[0] as Uint8Array)));
    const otherRoot = abiEncode([1n, 7005n], [proof]);
    assert.notEqual(
      (await chain.calls.call({ to: VERIFY_SHARD_PROOF_ADDRESS, input: otherRoot, gas: 1_000_000n }, 2n))
        .status,
      'success',
    );
  });

  it('prices 0x0f01 at least as ECRECOVER per unit of time (measured)', async () => {
    const sealed = await chain.khipu.getSealedHeader(2n);
    assert.ok(sealed);
    const input = abiEncode([7005n, 0n], [encodeValidatorSet(chain.validators), hexToBytes(sealed.encoded)]);
    const ecrecoverInput = `0x${'11'.repeat(32)}${word(28n)}${'22'.repeat(32)}${'33'.repeat(32)}` as Hex;
    // Interleaved, so that a load spike on the machine hits both alike.
    const ours = { ms: 0, gas: 0n };
    const ecrecover = { ms: 0, gas: 0n };
    for (let i = 0; i < 40; i++) {
      for (const [m, to, data] of [
        [ours, VERIFY_SEALED_HEADER_ADDRESS, input],
        [ecrecover, '0x0000000000000000000000000000000000000001', ecrecoverInput],
      ] as const) {
        const start = performance.now();
        m.gas = (await chain.calls.call({ to, input: data, gas: 1_000_000n }, 2n)).gasUsed;
        m.ms += performance.now() - start;
      }
    }
    const oursPerGas = ours.ms / Number(ours.gas);
    const theirsPerGas = ecrecover.ms / Number(ecrecover.gas);
    // Both runs include a whole eth_call; our precompile must not be much cheaper per unit of work.
    assert.ok(
      oursPerGas < theirsPerGas * 3,
      `0x0f01 ${oursPerGas} ms/gas vs ECRECOVER ${theirsPerGas} ms/gas`,
    );
  });
});
