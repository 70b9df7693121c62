import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { type ConsensusCrypto, createConsensusCrypto } from '../consensus/crypto.js';
import type { Signer } from '../consensus/types.js';
import { createAuth, decodeHello, encodeHello, PROTOCOL_VERSION, verifyAuth } from './handshake.js';

describe('[P2P] handshake', () => {
  let crypto: ConsensusCrypto;
  let alice: Signer;
  const initiatorNonce = new Uint8Array(32).fill(1);
  const responderNonce = new Uint8Array(32).fill(2);
  before(async () => {
    crypto = await createConsensusCrypto();
    alice = crypto.createSigner(new Uint8Array(32).fill(3));
  });
  const params = () => ({ keccak256: crypto.keccak256, chainId: 5n, initiatorNonce, responderNonce });

  it('verifies an AUTH over both nonces, the chain and the side', () => {
    const payload = createAuth(alice, { ...params(), side: 'initiator' });
    assert.equal(
      verifyAuth({ ...params(), side: 'initiator', verifier: crypto.verifier, payload }),
      alice.address,
    );
  });

  it('refuses an AUTH reflected to the other side, replayed on other nonces or another chain', () => {
    const payload = createAuth(alice, { ...params(), side: 'initiator' });
    const v = crypto.verifier;
    assert.throws(() => verifyAuth({ ...params(), side: 'responder', verifier: v, payload }), {
      code: 'BAD_SIGNATURE',
    });
    assert.throws(
      () =>
        verifyAuth({
          ...params(),
          responderNonce: new Uint8Array(32).fill(9),
          side: 'initiator',
          verifier: v,
          payload,
        }),
      { code: 'BAD_SIGNATURE' },
    );
    assert.throws(() => verifyAuth({ ...params(), chainId: 6n, side: 'initiator', verifier: v, payload }), {
      code: 'BAD_SIGNATURE',
    });
    assert.throws(
      () => verifyAuth({ ...params(), side: 'initiator', verifier: v, payload: payload.subarray(1) }),
      {
        code: 'MALFORMED_FRAME',
      },
    );
  });

  it('checks HELLO version and chain', () => {
    const hello = {
      version: PROTOCOL_VERSION,
      chainId: 5n,
      role: 'follower' as const,
      nonce: initiatorNonce,
    };
    assert.deepEqual(decodeHello(encodeHello(hello), { chainId: 5n }), hello);
    assert.throws(() => decodeHello(encodeHello(hello), { chainId: 6n }), { code: 'WRONG_CHAIN' });
    assert.throws(() => decodeHello(encodeHello({ ...hello, version: 9 }), { chainId: 5n }), {
      code: 'WRONG_VERSION',
    });
  });
});
