import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createMessageDigester, encodeConsensusMessage } from '../consensus/codec.js';
import { type ConsensusCrypto, createConsensusCrypto } from '../consensus/crypto.js';
import type { Address, Hash, PrepareMessage, Signer } from '../consensus/types.js';
import { createConsensusMessageValidator } from './consensusValidator.js';

const CHAIN_ID = 5n;

describe('[P2P] consensus message validator', () => {
  let crypto: ConsensusCrypto;
  let signers: Signer[];
  before(async () => {
    crypto = await createConsensusCrypto();
    signers = [1, 2].map((i) => crypto.createSigner(new Uint8Array(32).fill(i)));
  });

  const prepare = (signer: Signer, height: number): Uint8Array => {
    const unsigned = {
      type: 'prepare' as const,
      chainId: CHAIN_ID,
      height,
      round: 0,
      sender: signer.address,
      blockHash: `0x${'cd'.repeat(32)}` as Hash,
    };
    const m: PrepareMessage = {
      ...unsigned,
      signature: signer.sign(createMessageDigester(crypto.keccak256)(unsigned)),
    };
    return encodeConsensusMessage(m);
  };

  it('checks membership against the set of the message height when the schedule knows it', () => {
    const [current, joining] = signers as [Signer, Signer];
    // The joining validator seals from height 10 on.
    const setAt = (h: number): Address[] => (h < 10 ? [current.address] : [current.address, joining.address]);
    const withSchedule = createConsensusMessageValidator({
      chainId: CHAIN_ID,
      keccak256: crypto.keccak256,
      verifier: crypto.verifier,
      validators: () => setAt(9),
      validatorsAt: setAt,
    });
    assert.deepEqual(withSchedule(prepare(joining, 10), joining.address), { verdict: 'accept' });
    assert.deepEqual(withSchedule(prepare(joining, 9), joining.address), { verdict: 'ignore' });
    const currentOnly = createConsensusMessageValidator({
      chainId: CHAIN_ID,
      keccak256: crypto.keccak256,
      verifier: crypto.verifier,
      validators: () => setAt(9),
    });
    assert.deepEqual(currentOnly(prepare(joining, 10), joining.address), { verdict: 'ignore' });
  });

  it('rejects oversized, malformed and badly signed messages with their codes', () => {
    const [v] = signers as [Signer];
    const validate = createConsensusMessageValidator({
      chainId: CHAIN_ID,
      keccak256: crypto.keccak256,
      verifier: crypto.verifier,
      validators: () => [v.address],
      maxMessageBytes: 1024,
    });
    const good = prepare(v, 1);
    const forged = good.slice();
    forged[forged.length - 10]! ^= 1;
    assert.deepEqual(validate(forged, v.address), { verdict: 'reject', code: 'BAD_SIGNATURE' });
    assert.deepEqual(validate(new Uint8Array(2048), v.address), { verdict: 'reject', code: 'OVERSIZED' });
    assert.deepEqual(validate(good.subarray(0, 30), v.address), { verdict: 'reject', code: 'TRUNCATED' });
    assert.deepEqual(validate(new Uint8Array([...good, 0]), v.address), {
      verdict: 'reject',
      code: 'TRAILING_BYTES',
    });
  });
});
