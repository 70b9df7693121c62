// A governance change of the validator set, with real node processes: four validators and a fifth
// node (validator key, outside the set) peered over TCP. A quorum of the validators approves a new
// set for the next epoch (the lowest validator leaves, the fifth joins) and one of them sends it
// over JSON-RPC as a transaction to 0x…1006; two forged changes for the same epoch go in right
// after it, one approved by less than a quorum and one counting a non-validator's approval. The
// forged ones must be refused, the quorum's change announced one block ahead (nextValidatorsHash)
// and in force from the epoch boundary: khipu_getValidators answers the new set and the blocks
// after the boundary carry seals and proposers of the new set only.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  approveSetChange,
  createConsensusCrypto,
  encodeSignedSetChange,
  VALIDATOR_SET_CHANGE_ADDRESS,
  type ValidatorSetChange,
} from '@khipu/chain';
import { bytesToHex, createValidatorSet, hexToBytes } from '@khipu/dietcoin';
import { privateKeyToAccount } from 'viem/accounts';
import { rpcCall } from './testing/nodeProcess.js';
import {
  createValidatorNet,
  headOf,
  type NetNode,
  type ValidatorNet,
  waitUntil,
} from './testing/validatorNet.js';

const EPOCH = 20;
const CHAIN_ID = 7322;
/** Blocks of the new epoch checked for its seals and proposers. */
const CHECKED = 10;

type Address = `0x${string}`;

interface SealedHeaderResult {
  header: { miner: string };
  extra: { validatorsHash: string; nextValidatorsHash: string };
  seals: { validator: string }[];
}

interface ValidatorsResult {
  validators: { address: string }[];
  validatorsHash: string;
  nextValidators: { address: string }[];
  nextValidatorsHash: string;
}

interface Receipt {
  blockNumber: string;
  status: string;
}

async function rpc<T>(node: NetNode, method: string, params: unknown[] = []): Promise<T> {
  if (!node.process) throw new Error(`${node.address} is not running`);
  const r = await rpcCall(node.process.url, method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

const hexNumber = (n: number) => `0x${n.toString(16)}`;
const sorted = (nodes: NetNode[]) => nodes.map((n) => n.address as Address).sort();
const addressesOf = (set: { address: string }[]) => set.map((v) => v.address.toLowerCase()).sort();
const hashOfSet = (addresses: readonly string[]) =>
  bytesToHex(
    createValidatorSet({ validators: addresses.map((a) => ({ address: hexToBytes(a), stake: 1n })) }).hash,
  );

describe('[Consensus] a validator-set change by a governance transaction, validator processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'khipu-governance-'));
  let net: ValidatorNet;
  let members: NetNode[];
  let leaver: NetNode;
  let joiner: NetNode;
  /** The epoch the change is for; its first block is `boundary`. */
  let epoch: number;
  let boundary: number;
  let newSet: Address[];
  const included: Record<'approved' | 'underQuorum' | 'nonValidator', number> = {
    approved: 0,
    underQuorum: 0,
    nonValidator: 0,
  };

  before(async () => {
    net = await createValidatorNet({
      dir,
      validators: 5,
      chainId: CHAIN_ID,
      blockTimeMs: 200,
      roundTimeoutMs: 1500,
      alloc: {},
    });
    members = net.validators.slice(0, 4);
    [leaver] = members as [NetNode];
    joiner = net.validators[4]!;
    const sender = members[1]!;
    // The fifth runs with its validator key from the start but is not in the genesis set.
    net.genesis.validators = members.map((v) => v.address);
    net.genesis.epochLength = EPOCH;
    net.genesis.alloc = { [sender.address]: { balance: (10n ** 21n).toString() } };
    await Promise.all(net.validators.map((v) => net.start(v)));

    // Send early in an epoch, so that every transaction lands before the block announcing the next.
    const head = await waitUntil(
      'a head early in an epoch',
      async () => {
        const h = await headOf(members[0]!);
        return h >= 1 && h % EPOCH <= EPOCH / 4 ? h : undefined;
      },
      120_000,
    );
    epoch = Math.floor(head / EPOCH) + 1;
    boundary = epoch * EPOCH;
    newSet = sorted([...members.slice(1), joiner]);

    const crypto = await createConsensusCrypto();
    const approve = (by: NetNode[], change: ValidatorSetChange) =>
      encodeSignedSetChange({
        change,
        approvals: by.map((v) =>
          approveSetChange(crypto.createSigner(hexToBytes(v.key)), crypto.keccak256, change),
        ),
      });
    const change = (validators: Address[]): ValidatorSetChange => ({
      chainId: BigInt(CHAIN_ID),
      epoch,
      validators: { validators },
    });
    const approved = approve(members.slice(0, 3), change(newSet));
    // Both forged changes name another set: had either been applied after the approved one, it
    // would override it (a later change for the same epoch does).
    const forgedSet = sorted([members[1]!, members[2]!, joiner]);
    const underQuorum = approve(members.slice(1, 3), change(forgedSet));
    const nonValidator = approve([joiner, members[1]!, members[2]!], change(forgedSet));

    const account = privateKeyToAccount(sender.key as Address);
    const hashes: string[] = [];
    for (const [nonce, data] of [approved, underQuorum, nonValidator].entries()) {
      const raw = await account.signTransaction({
        chainId: CHAIN_ID,
        type: 'eip1559',
        nonce,
        to: VALIDATOR_SET_CHANGE_ADDRESS,
        data: bytesToHex(data) as Address,
        gas: 200_000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
      });
      // Gossip carries it to every validator's pool: whoever proposes next includes it.
      const answer = await rpcCall(members[0]!.process!.url, 'eth_sendRawTransaction', [raw]);
      assert.equal(answer.error, undefined, JSON.stringify(answer.error));
      hashes.push(answer.result as string);
    }
    const receipts = await waitUntil(
      'the governance transactions mined',
      async () => {
        const all = await Promise.all(
          hashes.map((h) => rpc<Receipt | null>(members[1]!, 'eth_getTransactionReceipt', [h])),
        );
        return all.every((r) => r) ? (all as Receipt[]) : undefined;
      },
      60_000,
    );
    for (const r of receipts)
      assert.equal(r.status, '0x1', 'a governance transaction is an ordinary transfer');
    [included.approved, included.underQuorum, included.nonValidator] = receipts.map((r) =>
      Number(r.blockNumber),
    ) as [number, number, number];
    for (const n of Object.values(included)) {
      assert.ok(
        n >= boundary - EPOCH && n <= boundary - 2,
        `included in ${n}, inside epoch ${epoch - 1} before its last block`,
      );
    }
    await waitUntil(
      `height ${boundary + CHECKED} on every node`,
      async () => {
        const heads = await Promise.all(net.validators.map((v) => headOf(v)));
        return heads.every((h) => h >= boundary + CHECKED) ? true : undefined;
      },
      120_000,
    );
  });

  after(async () => {
    await net?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the change approved by less than a quorum and the one counting a non-validator', () => {
    const refusals = readFileSync(members[2]!.process!.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"validator-set change refused"'))
      .map((l) => JSON.parse(l) as { height: number; code: string; err: { message: string } });
    assert.deepEqual(
      refusals.map((r) => [r.height, r.code]),
      [
        [included.underQuorum, 'NO_QUORUM'],
        [included.nonValidator, 'INVALID_SET_CHANGE'],
      ],
    );
    assert.match(refusals[1]!.err.message, /not a validator/);
  });

  it('announces the approved set one block ahead and answers it from the boundary on', async () => {
    const old = sorted(members);
    for (const node of net.validators) {
      const inside = await rpc<ValidatorsResult>(node, 'khipu_getValidators', [hexNumber(boundary - 2)]);
      assert.deepEqual(addressesOf(inside.validators), old);
      assert.deepEqual(addressesOf(inside.nextValidators), old, 'no announcement before the last block');
      const announcing = await rpc<ValidatorsResult>(node, 'khipu_getValidators', [hexNumber(boundary - 1)]);
      assert.deepEqual(addressesOf(announcing.validators), old);
      assert.deepEqual(addressesOf(announcing.nextValidators), newSet);
      for (const n of [boundary, boundary + CHECKED]) {
        const set = await rpc<ValidatorsResult>(node, 'khipu_getValidators', [hexNumber(n)]);
        assert.deepEqual(addressesOf(set.validators), newSet, `the set of block ${n}`);
      }
    }
    const announcingHeader = await rpc<SealedHeaderResult>(members[1]!, 'khipu_getSealedHeader', [
      hexNumber(boundary - 1),
    ]);
    assert.equal(announcingHeader.extra.validatorsHash, hashOfSet(old));
    assert.equal(
      announcingHeader.extra.nextValidatorsHash,
      hashOfSet(newSet),
      'nextValidatorsHash announces it',
    );
    const first = await rpc<SealedHeaderResult>(members[1]!, 'khipu_getSealedHeader', [hexNumber(boundary)]);
    assert.equal(first.extra.validatorsHash, hashOfSet(newSet));
  });

  it('seals the blocks of the new epoch by the new set only: the joiner takes part, the leaver does not', async () => {
    const inNew = new Set<string>(newSet);
    let joinerSealed = 0;
    for (let n = boundary; n <= boundary + CHECKED; n++) {
      const sealed = await rpc<SealedHeaderResult>(members[2]!, 'khipu_getSealedHeader', [hexNumber(n)]);
      const sealers = sealed.seals.map((s) => s.validator.toLowerCase());
      assert.ok(sealers.length >= 3, `block ${n} has a quorum of seals`);
      assert.ok(
        sealers.every((s) => inNew.has(s)),
        `block ${n} sealed by the new set only: ${sealers}`,
      );
      assert.ok(!sealers.includes(leaver.address), `the leaver does not seal block ${n}`);
      assert.ok(inNew.has(sealed.header.miner.toLowerCase()), `block ${n} proposed by the new set`);
      if (sealers.includes(joiner.address)) joinerSealed++;
    }
    assert.ok(joinerSealed > 0, 'the joiner seals blocks of the new epoch');
    // One chain on every node, the leaver included (it follows once out of the set).
    const hashes = await Promise.all(
      net.validators.map((v) =>
        rpc<{ hash: string }>(v, 'eth_getBlockByNumber', [hexNumber(boundary + CHECKED), false]),
      ),
    );
    assert.equal(new Set(hashes.map((h) => h.hash)).size, 1);
  });
});
