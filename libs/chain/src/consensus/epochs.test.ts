// Validator-set changes at epoch boundaries, end to end: a governance change approved by the
// current set is scheduled, consensus (real secp256k1, real Khipu headers) produces blocks that
// announce it one block ahead, and libs/dietcoin's light client follows them across the change.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  createHeader,
  createHeaderChain,
  decodeHeader,
  encodeHeader,
  hashHeader,
  initDietcoin,
  MemoryHeaderStore,
} from '@khipu/dietcoin';
import { type ConsensusCrypto, createConsensusCrypto } from './crypto.js';
import { sealsOfDecision } from './dietcoin.js';
import { createConsensusEngine } from './engine.js';
import { isConsensusError } from './errors.js';
import { bytesToHex, equalBytes, hexToBytes } from './hex.js';
import type { Address, ConsensusInput, Decision, Hash, Signer, ValidatorSetView } from './types.js';
import { createValidatorSchedule, type ValidatorSchedule } from './validatorSchedule.js';
import {
  approveSetChange,
  decodeSignedSetChange,
  encodeSignedSetChange,
  type SignedValidatorSetChange,
  VALIDATOR_SET_CHANGE_ADDRESS,
  type ValidatorSetChange,
} from './validatorSetChange.js';

const CHAIN_ID = 7n;
const EPOCH = 4;
const START = 1_700_000_000;

describe('[Consensus] validator-set changes at epoch boundaries', () => {
  let crypto: ConsensusCrypto;
  let signers: Signer[];
  /** Sorted addresses of five keys: the genesis set is the first four, the fifth joins at epoch 1. */
  let all: Address[];
  let genesis: ValidatorSetView;
  let next: ValidatorSetView;
  const signerOf = (a: Address) => signers.find((s) => s.address === a)!;

  before(async () => {
    crypto = await createConsensusCrypto();
    await initDietcoin();
    signers = Array.from({ length: 5 }, (_, i) => crypto.createSigner(new Uint8Array(32).fill(i + 1)));
    all = signers.map((s) => s.address).sort();
    genesis = { validators: all.slice(0, 4) };
    // Epoch 1: the lowest address leaves, the fifth joins.
    next = { validators: all.slice(1) };
  });

  const schedule = (): ValidatorSchedule =>
    createValidatorSchedule({
      chainId: CHAIN_ID,
      epochLength: EPOCH,
      genesis,
      verifier: crypto.verifier,
      keccak256: crypto.keccak256,
    });

  const signedChange = (approvers: readonly Address[], change?: Partial<ValidatorSetChange>) => {
    const c: ValidatorSetChange = { chainId: CHAIN_ID, epoch: 1, validators: next, ...change };
    return {
      change: c,
      approvals: approvers.map((a) => approveSetChange(signerOf(a), crypto.keccak256, c)),
    } satisfies SignedValidatorSetChange;
  };

  const refuses = (code: string, fn: () => unknown) =>
    assert.throws(fn, (e) => isConsensusError(e) && e.code === code && e.message.length > 0, code);

  it('round-trips a signed change and decodes strictly', () => {
    const s = signedChange(all.slice(0, 3), {
      validators: { validators: next.validators, powers: [1n, 2n, 300n, 1n] },
    });
    const bytes = encodeSignedSetChange(s);
    const back = decodeSignedSetChange(bytes);
    assert.deepEqual(back, s);
    refuses('INVALID_SET_CHANGE', () => decodeSignedSetChange(bytes.subarray(0, bytes.length - 1)));
    refuses('INVALID_SET_CHANGE', () => decodeSignedSetChange(new Uint8Array([...bytes, 0])));
    refuses('INVALID_SET_CHANGE', () => decodeSignedSetChange(new Uint8Array([2, ...bytes.subarray(1)])));
    refuses('INVALID_SET_CHANGE', () => decodeSignedSetChange(new Uint8Array(3)));
    // An unsorted set is refused at both ends.
    const unsorted = { validators: [...next.validators].reverse() };
    refuses('INVALID_SET_CHANGE', () => encodeSignedSetChange(signedChange([], { validators: unsorted })));
  });

  it('refuses a forged change: no quorum, a non-member, a bad signature, the wrong chain, too late', () => {
    const s = schedule();
    refuses('NO_QUORUM', () => s.applyChange(1, signedChange(all.slice(0, 2))));
    // The joining validator cannot approve its own entry: it is not in the announcing set.
    refuses('INVALID_SET_CHANGE', () => s.applyChange(1, signedChange([all[0]!, all[1]!, all[4]!])));
    refuses('INVALID_SET_CHANGE', () => s.applyChange(1, signedChange([all[0]!, all[0]!, all[1]!])));
    const forged = signedChange(all.slice(0, 3));
    const stolen = {
      ...forged,
      approvals: forged.approvals.map((a, i) => (i === 2 ? { ...a, validator: all[3]! } : a)),
    };
    refuses('BAD_SIGNATURE', () => s.applyChange(1, stolen));
    refuses('WRONG_CHAIN', () => s.applyChange(1, signedChange(all.slice(0, 3), { chainId: 8n })));
    // Block 3 announces epoch 1's set: a change must be final before it is built.
    refuses('INVALID_SET_CHANGE', () => s.applyChange(EPOCH - 1, signedChange(all.slice(0, 3))));
    refuses('INVALID_SET_CHANGE', () => s.applyChange(1, signedChange(all.slice(0, 3), { epoch: 3 })));
    // Nothing was scheduled by the refusals.
    assert.deepEqual(s.setAt(EPOCH), genesis);
    s.applyChange(1, signedChange(all.slice(0, 3)));
    assert.deepEqual(s.setAt(EPOCH - 1), genesis);
    assert.deepEqual(s.setAt(EPOCH), next);
    assert.deepEqual(s.setAt(3 * EPOCH), next);
  });

  it('applies the governance transactions of a final block and reports the refused ones', () => {
    const s = schedule();
    const forged = encodeSignedSetChange(signedChange(all.slice(0, 2)));
    const good = encodeSignedSetChange(signedChange(all.slice(0, 3)));
    const result = s.applyBlock(2, [
      { to: VALIDATOR_SET_CHANGE_ADDRESS, data: new Uint8Array([9, 9]) },
      { to: all[0]!, data: good },
      { to: null, data: good },
      { to: VALIDATOR_SET_CHANGE_ADDRESS, data: forged },
      { to: VALIDATOR_SET_CHANGE_ADDRESS.toUpperCase().replace('0X', '0x') as Address, data: good },
    ]);
    assert.deepEqual(result.applied, [{ epoch: 1, data: good }]);
    assert.deepEqual(
      result.refused.map((e) => e.code),
      ['INVALID_SET_CHANGE', 'NO_QUORUM'],
    );
    assert.deepEqual(s.setAt(EPOCH), next);
  });

  it('takes configured sets and hashes the announcing block like libs/dietcoin', () => {
    const s = createValidatorSchedule({
      chainId: CHAIN_ID,
      epochLength: EPOCH,
      genesis,
      configured: [{ epoch: 2, validators: next }],
      verifier: crypto.verifier,
      keccak256: crypto.keccak256,
    });
    assert.deepEqual(s.setAt(2 * EPOCH - 1), genesis);
    assert.deepEqual(s.setAt(2 * EPOCH), next);
    const last = s.hashesAt(2 * EPOCH - 1);
    assert.ok(!equalBytes(last.validatorsHash, last.nextValidatorsHash));
    const inner = s.hashesAt(2 * EPOCH - 2);
    assert.ok(equalBytes(inner.validatorsHash, inner.nextValidatorsHash));
    refuses('INVALID_CONFIG', () =>
      createValidatorSchedule({
        chainId: CHAIN_ID,
        epochLength: EPOCH,
        genesis,
        configured: [{ epoch: 0, validators: next }],
        verifier: crypto.verifier,
        keccak256: crypto.keccak256,
      }),
    );
  });

  it('refuses a startHeight set that contradicts validatorsAt', () => {
    const s = schedule();
    const engine = createConsensusEngine({
      chainId: CHAIN_ID,
      signer: signers[0]!,
      verifier: crypto.verifier,
      keccak256: crypto.keccak256,
      hashBlock: (b) => bytesToHex(crypto.keccak256(b)),
      validatorsAt: (h) => s.setAt(h),
    });
    refuses('INVALID_INPUT', () => engine.step({ kind: 'startHeight', height: 1, validators: next }));
    engine.step({ kind: 'startHeight', height: 1 });
    assert.equal(engine.height, 1);
  });

  it('a follower signs nothing: not on its timer, not on a proposal, not for a round change', () => {
    const s = schedule();
    const make = (signer: Signer) =>
      createConsensusEngine({
        chainId: CHAIN_ID,
        signer,
        verifier: crypto.verifier,
        keccak256: crypto.keccak256,
        hashBlock: (b) => bytesToHex(crypto.keccak256(b)),
        validatorsAt: (h) => s.setAt(h),
      });
    const follower = make(signerOf(all[4]!));
    const speaks = (outputs: { kind: string }[]) =>
      outputs.filter((o) => o.kind === 'broadcast' || o.kind === 'send' || o.kind === 'validateBlock');
    const started = follower.step({ kind: 'startHeight', height: 1 }).outputs;
    assert.deepEqual(speaks(started), []);
    const timer = started.find((o) => o.kind === 'setTimer');
    assert.ok(timer && timer.kind === 'setTimer');
    assert.deepEqual(speaks(follower.step({ kind: 'timeout', timerId: timer.timerId }).outputs), []);
    assert.equal(follower.round, 0, 'a follower does not move rounds on its own clock');
    // The round-0 proposer of height 1 proposes; the follower takes it in silence.
    const proposerKey = genesis.validators[1 % genesis.validators.length]!;
    const proposer = make(signerOf(proposerKey));
    const build = proposer
      .step({ kind: 'startHeight', height: 1 })
      .outputs.find((o) => o.kind === 'buildBlock');
    assert.ok(build, 'the proposer of (1, 0) builds');
    const proposal = proposer
      .step({ kind: 'blockBuilt', height: 1, round: 0, block: new Uint8Array([1, 2, 3]) })
      .outputs.find((o) => o.kind === 'broadcast');
    assert.ok(proposal && proposal.kind === 'broadcast');
    const heard = follower.step({ kind: 'message', message: proposal.message });
    assert.equal(heard.verdict, 'accepted');
    assert.deepEqual(speaks(heard.outputs), []);
  });

  it('consensus seals blocks across a governance change and a light client follows them', async () => {
    const target = 2 * EPOCH + 1;
    const genesisHeader = encodeHeader(
      createHeader({
        parentHash: new Uint8Array(32),
        number: 0,
        timestamp: START,
        extra: {
          ...schedule().hashesAt(0),
          messageRoot: new Uint8Array(32),
          shardRoot: new Uint8Array(32),
          parentSeals: { round: 0, seals: [] },
        },
      }),
    );
    const change = encodeSignedSetChange(signedChange(all.slice(0, 3)));
    const hashBlock = (b: Uint8Array): Hash => bytesToHex(hashHeader(b));
    // One node per key; the fifth follows the chain in epoch 0 and validates from epoch 1 on.
    const nodes = signers.map((signer) => {
      const s = schedule();
      const chain: Decision[] = [];
      const engine = createConsensusEngine({
        chainId: CHAIN_ID,
        signer,
        verifier: crypto.verifier,
        keccak256: crypto.keccak256,
        hashBlock,
        validatorsAt: (h) => s.setAt(h),
      });
      return { signer, schedule: s, chain, engine, sent: [] as number[] };
    });
    const headerOf = (chain: Decision[], h: number) => (h === 0 ? genesisHeader : chain[h - 1]!.block);
    const queue: { to: number; input: ConsensusInput }[] = [];
    const step = (i: number, input: ConsensusInput) => {
      const node = nodes[i]!;
      for (const o of node.engine.step(input).outputs) {
        switch (o.kind) {
          case 'broadcast':
          case 'send':
            node.sent.push(o.message.height);
            for (let j = 0; j < nodes.length; j++) {
              if (j !== i && (o.kind === 'broadcast' || nodes[j]!.signer.address === o.to))
                queue.push({ to: j, input: { kind: 'message', message: o.message } });
            }
            break;
          case 'buildBlock': {
            const parent = decodeHeader(headerOf(node.chain, o.height - 1));
            const parentDecision = node.chain[o.height - 2];
            const block = encodeHeader(
              createHeader({
                parentHash: parent.hash,
                number: o.height,
                timestamp: START + o.height,
                extra: {
                  ...node.schedule.hashesAt(o.height),
                  messageRoot: new Uint8Array(32),
                  shardRoot: new Uint8Array(32),
                  parentSeals: parentDecision
                    ? { round: parentDecision.round, seals: sealsOfDecision(parentDecision) }
                    : { round: 0, seals: [] },
                },
              }),
            );
            queue.push({ to: i, input: { kind: 'blockBuilt', height: o.height, round: o.round, block } });
            break;
          }
          case 'validateBlock': {
            // What the importer checks of the announced sets: exactly the schedule's hashes.
            const x = decodeHeader(o.block).header;
            const want = node.schedule.hashesAt(o.height);
            const valid =
              equalBytes(x.parentHash, decodeHeader(headerOf(node.chain, o.height - 1)).hash) &&
              equalBytes(x.extra.validatorsHash, want.validatorsHash) &&
              equalBytes(x.extra.nextValidatorsHash, want.nextValidatorsHash);
            queue.push({
              to: i,
              input: { kind: 'blockValidated', height: o.height, blockHash: o.blockHash, valid },
            });
            break;
          }
          case 'decide':
            node.chain.push(o.decision);
            // The node scans the final block for governance transactions: block 1 carries the change.
            if (o.decision.height === 1) {
              const { applied } = node.schedule.applyBlock(1, [
                { to: VALIDATOR_SET_CHANGE_ADDRESS, data: change },
              ]);
              assert.deepEqual(
                applied.map((a) => a.epoch),
                [1],
              );
            }
            if (o.decision.height < target)
              queue.push({ to: i, input: { kind: 'startHeight', height: o.decision.height + 1 } });
            break;
          default:
            break;
        }
      }
    };
    for (let i = 0; i < nodes.length; i++) step(i, { kind: 'startHeight', height: 1 });
    for (let n = 0; queue.length > 0; n++) {
      assert.ok(n < 200_000, 'the run ends');
      const { to, input } = queue.shift()!;
      step(to, input);
    }
    for (const node of nodes) assert.equal(node.chain.length, target, `${node.signer.address} decided all`);
    const joiner = nodes.find((x) => x.signer.address === all[4])!;
    assert.ok(
      joiner.sent.length > 0 && joiner.sent.every((h) => h >= EPOCH),
      'the follower signs nothing in epoch 0',
    );
    const leaver = nodes.find((x) => x.signer.address === all[0])!;
    assert.ok(
      leaver.sent.every((h) => h < EPOCH),
      'the leaving validator signs nothing after epoch 0',
    );
    for (const d of joiner.chain) {
      const sealers = d.seals.map((s) => s.validator);
      const set = d.height < EPOCH ? genesis : next;
      assert.ok(
        sealers.every((a) => set.validators.includes(a)),
        `block ${d.height} sealed by its set`,
      );
    }

    const s = joiner.schedule;
    const lightClient = await createHeaderChain({
      chainId: CHAIN_ID,
      quorum: 'count',
      epochLength: EPOCH,
      trustingPeriodSeconds: 3600,
      now: () => START + 100,
      store: new MemoryHeaderStore(),
      checkpoint: { header: genesisHeader, validators: s.dietcoinSetAt(0) },
    });
    for (const d of joiner.chain) {
      const header = decodeHeader(d.block);
      assert.equal(bytesToHex(header.hash), d.blockHash);
      await lightClient.verifySequential(
        { header, seals: { round: d.round, seals: sealsOfDecision(d) } },
        s.dietcoinSetAt(d.height + 1),
      );
    }
    assert.equal(lightClient.head.number, target);
    assert.ok(equalBytes(lightClient.nextValidators.hash, s.dietcoinSetAt(target + 1).hash));
    assert.ok(
      equalBytes(
        s.dietcoinSetAt(EPOCH).hash,
        hexToBytes(bytesToHex(s.hashesAt(EPOCH - 1).nextValidatorsHash), 32),
      ),
    );
  });
});
