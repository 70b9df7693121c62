import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  createMessageDigester,
  decodeConsensusMessage,
  encodeConsensusMessage,
  type MessageDigester,
  type UnsignedMessage,
} from './codec.js';
import { type ConsensusCrypto, createConsensusCrypto } from './crypto.js';
import { isConsensusError } from './errors.js';
import { bytesToHex } from './hex.js';
import type {
  CertificateMessage,
  CommitMessage,
  ConsensusMessage,
  Hash,
  PrepareMessage,
  ProposalMessage,
  RoundChangeMessage,
  Signer,
} from './types.js';

const A = `0x${'11'.repeat(20)}` as const;
const H = `0x${'22'.repeat(32)}` as Hash;
const SIG = new Uint8Array(65).fill(0x33);

describe('[Consensus] codec', () => {
  let crypto: ConsensusCrypto;
  let signer: Signer;
  let digest: MessageDigester;
  const sign = <M extends ConsensusMessage>(u: UnsignedMessage<M>): M =>
    ({ ...u, signature: signer.sign(digest(u)) }) as unknown as M;

  before(async () => {
    crypto = await createConsensusCrypto();
    signer = crypto.createSigner(new Uint8Array(32).fill(7));
    digest = createMessageDigester(crypto.keccak256);
  });

  const envelope = () => ({ chainId: 1337n, height: 42, round: 3, sender: signer.address });
  const prepare = () => sign<PrepareMessage>({ ...envelope(), type: 'prepare', blockHash: H });
  const commit = () =>
    sign<CommitMessage>({ ...envelope(), type: 'commit', blockHash: H, seal: new Uint8Array(65).fill(9) });
  const roundChange = (prepared: boolean) =>
    sign<RoundChangeMessage>({
      ...envelope(),
      type: 'roundChange',
      prepared: prepared ? { round: 1, blockHash: H } : null,
      certificate: prepared
        ? { block: new Uint8Array([1, 2, 3]), prepares: [{ ...prepare(), round: 1 }] }
        : null,
    });
  const proposal = () =>
    sign<ProposalMessage>({
      ...envelope(),
      type: 'proposal',
      blockHash: H,
      block: new Uint8Array(100).fill(5),
      justification: {
        roundChanges: [roundChange(false), { ...roundChange(true), certificate: null }],
        prepares: [prepare()],
      },
    });
  const certificate = () =>
    sign<CertificateMessage>({
      ...envelope(),
      type: 'certificate',
      blockHash: H,
      block: new Uint8Array([4, 5]),
      seals: [{ validator: A, signature: SIG }],
    });

  it('round-trips every message type', () => {
    for (const m of [prepare(), commit(), roundChange(false), roundChange(true), proposal(), certificate()]) {
      assert.deepEqual(decodeConsensusMessage(encodeConsensusMessage(m)), m);
    }
  });

  it('encodes a prepare as the documented layout (fixed vector)', () => {
    const m: PrepareMessage = {
      type: 'prepare',
      chainId: 1337n,
      height: 42,
      round: 3,
      sender: A,
      blockHash: H,
      signature: SIG,
    };
    const expected =
      '01' + // version
      '02' + // type: prepare
      '0000000000000539' + // chainId 1337
      '000000000000002a' + // height 42
      '00000003' + // round 3
      '11'.repeat(20) + // sender
      '22'.repeat(32) + // blockHash
      '33'.repeat(65); // signature
    assert.equal(bytesToHex(encodeConsensusMessage(m)), `0x${expected}`);
  });

  it('refuses an unknown version, an unknown type, trailing bytes and oversize with typed errors', () => {
    const bytes = encodeConsensusMessage(prepare());
    const v2 = bytes.slice();
    v2[0] = 2;
    assert.throws(() => decodeConsensusMessage(v2), { code: 'UNKNOWN_VERSION' });
    const t9 = bytes.slice();
    t9[1] = 9;
    assert.throws(() => decodeConsensusMessage(t9), { code: 'UNKNOWN_MESSAGE_TYPE' });
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    assert.throws(() => decodeConsensusMessage(longer), { code: 'TRAILING_BYTES' });
    assert.throws(() => decodeConsensusMessage(bytes, { maxBytes: bytes.length - 1 }), { code: 'OVERSIZED' });
  });

  it('refuses every truncation of a proposal with a typed error', () => {
    const bytes = encodeConsensusMessage(proposal());
    for (let len = 0; len < bytes.length; len++) {
      assert.throws(
        () => decodeConsensusMessage(bytes.subarray(0, len)),
        (e: unknown) => isConsensusError(e) && ['TRUNCATED', 'MALFORMED', 'TRAILING_BYTES'].includes(e.code),
        `truncated to ${len} bytes`,
      );
    }
  });

  it('refuses a round change that claims a prepared round at or above its own round', () => {
    const bytes = encodeConsensusMessage(roundChange(false));
    // preparedRound sits right after the envelope (offset 42): claim round 3 of round 3.
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(42, 3, false);
    assert.throws(() => decodeConsensusMessage(bad), { code: 'MALFORMED' });
  });

  it('makes any flipped byte of a signed vote fail decoding or its signature', () => {
    for (const m of [prepare(), commit()]) {
      const bytes = encodeConsensusMessage(m);
      for (let i = 0; i < bytes.length; i++) {
        const flipped = bytes.slice();
        flipped[i] = flipped[i]! ^ 0x01;
        let decoded: ConsensusMessage;
        try {
          decoded = decodeConsensusMessage(flipped);
        } catch (e) {
          assert.ok(isConsensusError(e), `byte ${i}: ${String(e)}`);
          continue;
        }
        const ok = crypto.verifier.verify(digest(decoded), decoded.signature, decoded.sender);
        assert.equal(ok, false, `${m.type}: flipping byte ${i} still verifies`);
      }
    }
  });

  it('refuses to encode an out-of-range field', () => {
    assert.throws(() => encodeConsensusMessage({ ...prepare(), round: 0xffff_ffff }), { code: 'MALFORMED' });
    assert.throws(() => encodeConsensusMessage({ ...prepare(), height: -1 }), { code: 'MALFORMED' });
    assert.throws(() => encodeConsensusMessage({ ...prepare(), sender: '0x12' }), { code: 'MALFORMED' });
  });
});
