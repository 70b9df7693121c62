import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createValidatorSet, initDietcoin, verifyEvidence, verifySeals } from '@khipu/dietcoin';
import { createMessageDigester, type MessageDigester, type UnsignedMessage } from './codec.js';
import { type ConsensusCrypto, createConsensusCrypto } from './crypto.js';
import { evidenceToDietcoin, sealsOfDecision, validatorSetViewOf } from './dietcoin.js';
import { type ConsensusEngine, createConsensusEngine } from './engine.js';
import { createEvidencePool, verifyEquivocationEvidence } from './evidence.js';
import { bytesToHex, hexToBytes } from './hex.js';
import { proposerOf } from './proposer.js';
import { sealDigest } from './seal.js';
import type {
  Address,
  ConsensusInput,
  ConsensusMessage,
  ConsensusOutput,
  Decision,
  Hash,
  PersistedConsensusState,
  PrepareMessage,
  RoundChangeMessage,
  Signer,
} from './types.js';

const CHAIN_ID = 7n;

interface Net {
  engines: ConsensusEngine[];
  signers: Signer[];
  validators: Address[];
  decisions: Decision[][];
  persisted: (PersistedConsensusState | null)[];
  outputs: ConsensusOutput[][];
  /** Delivers queued work until nothing is left; timers fire only when `fireTimers`. */
  run(options?: {
    untilHeight?: number;
    fireTimers?: boolean;
    drop?: (to: number, m: ConsensusMessage) => boolean;
  }): void;
  input(node: number, input: ConsensusInput): ConsensusOutput[];
}

describe('[Consensus] engine', () => {
  let crypto: ConsensusCrypto;
  let digest: MessageDigester;
  const hashBlock = (block: Uint8Array): Hash => bytesToHex(crypto.keccak256(block));

  before(async () => {
    crypto = await createConsensusCrypto();
    await initDietcoin();
    digest = createMessageDigester(crypto.keccak256);
  });

  function network(n: number): Net {
    const signers = Array.from({ length: n }, (_, i) => crypto.createSigner(new Uint8Array(32).fill(i + 1)));
    const validators = signers.map((s) => s.address).sort();
    const queue: { to: number; input: ConsensusInput }[] = [];
    const timers = new Map<number, number>();
    const net: Net = {
      signers,
      validators,
      engines: signers.map((signer) =>
        createConsensusEngine({
          chainId: CHAIN_ID,
          signer,
          verifier: crypto.verifier,
          keccak256: crypto.keccak256,
          hashBlock,
        }),
      ),
      decisions: signers.map(() => []),
      persisted: signers.map(() => null),
      outputs: signers.map(() => []),
      input(node, input) {
        const { outputs } = net.engines[node]!.step(input);
        net.outputs[node]!.push(...outputs);
        for (const o of outputs) {
          switch (o.kind) {
            case 'broadcast':
              for (let j = 0; j < n; j++)
                if (j !== node) queue.push({ to: j, input: { kind: 'message', message: o.message } });
              break;
            case 'send':
              queue.push({
                to: signers.findIndex((s) => s.address === o.to),
                input: { kind: 'message', message: o.message },
              });
              break;
            case 'setTimer':
              timers.set(node, o.timerId);
              break;
            case 'buildBlock': {
              const block = new Uint8Array([o.height, o.round, node, 0xbb]);
              queue.push({
                to: node,
                input: { kind: 'blockBuilt', height: o.height, round: o.round, block },
              });
              break;
            }
            case 'validateBlock':
              queue.push({
                to: node,
                input: { kind: 'blockValidated', height: o.height, blockHash: o.blockHash, valid: true },
              });
              break;
            case 'persist':
              net.persisted[node] = o.state;
              break;
            case 'decide':
              net.decisions[node]!.push(o.decision);
              queue.push({
                to: node,
                input: { kind: 'startHeight', height: o.decision.height + 1, validators: { validators } },
              });
              break;
            default:
              break;
          }
        }
        return outputs;
      },
      run({ untilHeight = Number.POSITIVE_INFINITY, fireTimers = true, drop } = {}) {
        for (let guard = 0; guard < 100_000; guard++) {
          const next = queue.shift();
          if (!next) {
            if (net.decisions.every((d) => d.length >= untilHeight) || !fireTimers) return;
            // Nothing in flight: every timer fires (the slowest network there is).
            const fired = [...timers];
            timers.clear();
            if (fired.length === 0) return;
            for (const [node, timerId] of fired) net.input(node, { kind: 'timeout', timerId });
            continue;
          }
          if (next.input.kind === 'startHeight' && next.input.height > untilHeight) continue;
          if (next.input.kind === 'message' && drop?.(next.to, next.input.message)) continue;
          net.input(next.to, next.input);
        }
        assert.fail('network did not settle');
      },
    };
    for (let i = 0; i < n; i++) net.input(i, { kind: 'startHeight', height: 1, validators: { validators } });
    return net;
  }

  const sign = <M extends ConsensusMessage>(signer: Signer, u: UnsignedMessage<M>): M =>
    ({ ...u, signature: signer.sign(digest(u)) }) as unknown as M;

  it('four validators with secp256k1 decide three heights in round 0 with seals from more than 2/3', () => {
    const net = network(4);
    net.run({ untilHeight: 3 });
    for (const chain of net.decisions) {
      assert.deepEqual(
        chain.map((d) => d.height),
        [1, 2, 3],
      );
      assert.deepEqual(
        chain.map((d) => d.blockHash),
        net.decisions[0]!.map((d) => d.blockHash),
      );
      for (const d of chain) {
        assert.equal(d.round, 0);
        assert.ok(d.seals.length >= 3);
        const sd = sealDigest({
          chainId: CHAIN_ID,
          height: d.height,
          round: d.round,
          blockHash: hexToBytes(d.blockHash, 32),
        });
        for (const s of d.seals)
          assert.ok(crypto.verifier.verify(sd, s.signature, s.validator), 'seal verifies');
        assert.equal(hashBlock(d.block), d.blockHash);
        // What a light client does with the sealed header: libs/dietcoin's rules.
        const set = createValidatorSet({
          validators: net.validators.map((v) => ({ address: hexToBytes(v, 20), stake: 1n })),
        });
        assert.deepEqual(validatorSetViewOf(set).validators, net.validators);
        const checked = verifySeals({
          chainId: CHAIN_ID,
          height: d.height,
          round: d.round,
          blockHash: hexToBytes(d.blockHash, 32),
          validators: set,
          quorum: 'count',
          seals: sealsOfDecision(d),
        });
        assert.ok(checked.power >= 3n);
      }
    }
  });

  it('decides after one round change when the round-0 proposer is silent', () => {
    const net = network(4);
    const silent = proposerOf(net.validators, 1, 0);
    net.run({ untilHeight: 1, drop: (_to, m) => m.sender === silent && m.height === 1 });
    const alive = net.signers.map((s, i) => [s.address, i] as const).filter(([a]) => a !== silent);
    for (const [, i] of alive) assert.equal(net.decisions[i]![0]!.round, 1);
  });

  it('rejects a flipped signature, a wrong proposer, a bad seal, a non-validator and a lock without certificate', () => {
    const net = network(4);
    const target = net.engines[0]!;
    const other = net.signers.find(
      (s) => s.address !== target.address && s.address !== proposerOf(net.validators, 1, 0),
    )!;
    const env = { chainId: CHAIN_ID, height: 1, round: 0, sender: other.address };
    const H = `0x${'ab'.repeat(32)}` as Hash;
    const verdict = (m: ConsensusMessage) =>
      target.step({ kind: 'message', message: m }).rejection?.code ?? 'none';

    const prepare = sign<PrepareMessage>(other, { ...env, type: 'prepare', blockHash: H });
    const flipped = prepare.signature.slice();
    flipped[10] = flipped[10]! ^ 1;
    assert.equal(verdict({ ...prepare, signature: flipped }), 'BAD_SIGNATURE');

    const block = new Uint8Array([1, 2, 3]);
    const proposal = sign(other, {
      ...env,
      type: 'proposal',
      blockHash: hashBlock(block),
      block,
      justification: { roundChanges: [], prepares: [] },
    });
    assert.equal(verdict(proposal), 'WRONG_PROPOSER');

    const wrongSeal = other.sign(
      sealDigest({ chainId: CHAIN_ID, height: 1, round: 0, blockHash: new Uint8Array(32) }),
    );
    assert.equal(
      verdict(sign(other, { ...env, type: 'commit', blockHash: H, seal: wrongSeal })),
      'INVALID_SEAL',
    );

    const stranger = crypto.createSigner(new Uint8Array(32).fill(99));
    assert.equal(
      verdict(sign(stranger, { ...env, sender: stranger.address, type: 'prepare', blockHash: H })),
      'NOT_A_VALIDATOR',
    );

    const lockless = sign<RoundChangeMessage>(other, {
      ...env,
      round: 1,
      type: 'roundChange',
      prepared: { round: 0, blockHash: H },
      certificate: null,
    });
    assert.equal(verdict(lockless), 'INVALID_CERTIFICATE');
    assert.equal(verdict({ ...prepare, chainId: 8n }), 'WRONG_CHAIN');
  });

  it('turns conflicting prepares into evidence that verifies and lands in the pool', () => {
    const signers = Array.from({ length: 4 }, (_, i) => crypto.createSigner(new Uint8Array(32).fill(i + 1)));
    const validators = signers.map((s) => s.address).sort();
    const pool = createEvidencePool();
    const engine = createConsensusEngine({
      chainId: CHAIN_ID,
      signer: signers[0]!,
      verifier: crypto.verifier,
      keccak256: crypto.keccak256,
      hashBlock,
      evidencePool: pool,
    });
    engine.step({ kind: 'startHeight', height: 1, validators: { validators } });
    const liar = signers[1]!;
    const env = { chainId: CHAIN_ID, height: 1, round: 0, sender: liar.address };
    for (const blockHash of [`0x${'01'.repeat(32)}`, `0x${'02'.repeat(32)}`] as Hash[]) {
      const seal = liar.sign(
        sealDigest({ chainId: CHAIN_ID, height: 1, round: 0, blockHash: hexToBytes(blockHash, 32) }),
      );
      engine.step({ kind: 'message', message: sign(liar, { ...env, type: 'prepare', blockHash }) });
      engine.step({ kind: 'message', message: sign(liar, { ...env, type: 'commit', blockHash, seal }) });
    }
    const found = pool.list({ validator: liar.address });
    assert.deepEqual(found.map((e) => e.step).sort(), ['commit', 'prepare']);
    for (const e of found) {
      assert.equal(
        verifyEquivocationEvidence({
          evidence: e,
          keccak256: crypto.keccak256,
          verifier: crypto.verifier,
          sealDigest,
        }),
        true,
      );
      const forged = { ...e, validator: signers[2]!.address };
      assert.equal(
        verifyEquivocationEvidence({
          evidence: forged,
          keccak256: crypto.keccak256,
          verifier: crypto.verifier,
          sealDigest,
        }),
        false,
      );
    }
    const commitEvidence = evidenceToDietcoin(found.find((e) => e.step === 'commit')!);
    assert.ok(commitEvidence, 'a commit equivocation is dietcoin evidence');
    const set = createValidatorSet({
      validators: validators.map((v) => ({ address: hexToBytes(v, 20), stake: 1n })),
    });
    verifyEvidence({ evidence: commitEvidence, validators: set });
    assert.equal(evidenceToDietcoin(found.find((e) => e.step === 'prepare')!), null);
    assert.equal(
      pool.add(found[0]!),
      false,
      'the pool keeps one evidence per validator, height, round and step',
    );
  });

  it('restarts from its persisted state one round later, keeping its lock', () => {
    const net = network(4);
    // Round 0: everyone prepares, every commit is lost, so everyone locks on the proposal.
    net.run({ fireTimers: false, drop: (_to, m) => m.type === 'commit' });
    const state = net.persisted[0]!;
    assert.ok(state.prepared, 'locked');
    const restarted = createConsensusEngine({
      chainId: CHAIN_ID,
      signer: net.signers[0]!,
      verifier: crypto.verifier,
      keccak256: crypto.keccak256,
      hashBlock,
      resume: state,
    });
    const { outputs } = restarted.step({
      kind: 'startHeight',
      height: 1,
      validators: { validators: net.validators },
    });
    assert.equal(restarted.round, state.round + 1);
    assert.deepEqual(restarted.prepared, state.prepared);
    const rc = outputs.find((o) => o.kind === 'broadcast');
    assert.ok(rc && rc.kind === 'broadcast' && rc.message.type === 'roundChange');
    assert.deepEqual(rc.message.prepared, {
      round: state.prepared.round,
      blockHash: state.prepared.blockHash,
    });
  });

  it('refuses a validator set that is not strictly ascending and a height that goes back', () => {
    const signer = crypto.createSigner(new Uint8Array(32).fill(1));
    const engine = createConsensusEngine({
      chainId: CHAIN_ID,
      signer,
      verifier: crypto.verifier,
      keccak256: crypto.keccak256,
      hashBlock,
    });
    const a = `0x${'01'.repeat(20)}` as Address;
    const b = `0x${'02'.repeat(20)}` as Address;
    assert.throws(
      () =>
        engine.step({ kind: 'startHeight', height: 1, validators: { validators: [a, b], powers: [1n, 0n] } }),
      { code: 'INVALID_INPUT' },
    );
    assert.throws(() => engine.step({ kind: 'startHeight', height: 1, validators: { validators: [b, a] } }), {
      code: 'INVALID_INPUT',
    });
    engine.step({ kind: 'startHeight', height: 5, validators: { validators: [a, b] } });
    assert.throws(() => engine.step({ kind: 'startHeight', height: 5, validators: { validators: [a, b] } }), {
      code: 'INVALID_INPUT',
    });
  });
});
