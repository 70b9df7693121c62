// Consensus between real validator processes (dist/main.js) on localhost: four validators finalize
// blocks; with one killed the chain goes on after at most one round change per height; with two
// killed it halts without finalizing anything conflicting; restarted, both sync and the chain
// resumes. Block time 200 ms, round timeout 1 s; timeouts are generous for a 2-core machine.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { OUTBOX_ADDRESS, parseGenesisConfig, validatorSetOf } from '@khipu/chain';
import { decodeEvidence, verifyEvidence } from '@khipu/dietcoin';
import { startByzantinePeer } from './testing/byzantinePeer.js';
import { rpcCall } from './testing/nodeProcess.js';
import {
  blockAt,
  createValidatorNet,
  headOf,
  type NetNode,
  sealsAt,
  type ValidatorNet,
  waitUntil,
} from './testing/validatorNet.js';

const dir = mkdtempSync(join(tmpdir(), 'khipu-consensus-test-'));
/** Every net a test made, so that a failed test leaves no process behind. */
const nets: ValidatorNet[] = [];

after(async () => {
  await Promise.all(nets.map((n) => n.stopAll()));
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function heads(nodes: NetNode[]): Promise<number[]> {
  return Promise.all(nodes.map(headOf));
}

/** Every node holds the same block at every height up to the lowest head, sealed by a quorum. */
async function assertOneChain(nodes: NetNode[], quorum: number): Promise<number> {
  const top = Math.min(...(await heads(nodes)));
  for (let n = 1; n <= top; n++) {
    const blocks = await Promise.all(nodes.map((node) => blockAt(node, n)));
    const hashes = new Set(blocks.map((b) => b?.hash));
    assert.equal(hashes.size, 1, `one block at height ${n}, got ${[...hashes].join(', ')}`);
    const roots = new Set(blocks.map((b) => b?.stateRoot));
    assert.equal(roots.size, 1, `one state root at height ${n}`);
  }
  for (const node of nodes) {
    const { count } = await sealsAt(node, top);
    assert.ok(count >= quorum, `block ${top} carries ${count} seals, a quorum is ${quorum}`);
  }
  return top;
}

describe('[Consensus] validator processes', () => {
  it('4 validators finalize; 1 killed: on after one round change; 2 killed: halt, no conflict; restarted: sync and resume', async () => {
    const net = await createValidatorNet({
      dir: mkdtempSync(join(dir, 'four-')),
      validators: 4,
      chainId: 9401,
      blockTimeMs: 200,
      roundTimeoutMs: 1000,
    });
    nets.push(net);
    const all = net.validators;
    const [a, b, c, d] = all as [NetNode, NetNode, NetNode, NetNode];
    await Promise.all(all.map((v) => net.start(v)));
    await waitUntil(
      'height 5 on every validator',
      async () => ((await heads(all)).every((h) => h >= 5) ? true : undefined),
      60_000,
    );
    await assertOneChain(all, 3);

    // One validator down: the others go on; heights it would propose take one round change.
    await net.kill(d);
    const atKill = Math.max(...(await heads([a, b, c])));
    await waitUntil(
      'five more blocks without d',
      async () => ((await heads([a, b, c])).every((h) => h >= atKill + 5) ? true : undefined),
      30_000,
    );
    for (let n = atKill + 2; n <= atKill + 5; n++) {
      const { round } = await sealsAt(a, n);
      assert.ok(round <= 1, `block ${n} was decided in round ${round}, after more than one round change`);
    }
    await assertOneChain([a, b, c], 3);

    // Two down: no quorum, nothing is finalized, and what is final agrees.
    await net.kill(c);
    await sleep(1_500);
    const halted = await heads([a, b]);
    await sleep(3_000);
    assert.deepEqual(await heads([a, b]), halted, 'the chain halts without a quorum');
    await assertOneChain([a, b], 3);

    // Both back: they sync from the others and the chain resumes.
    await Promise.all([net.start(c), net.start(d)]);
    const top = Math.max(...halted);
    await waitUntil(
      'the chain resumes on all four',
      async () => ((await heads(all)).every((h) => h >= top + 5) ? true : undefined),
      90_000,
    );
    await assertOneChain(all, 3);
    await net.stopAll();
  });
});

describe('[Consensus] validator processes, faults', () => {
  it('7 validators with two crashed keep finalizing one chain', async () => {
    const sevenDir = mkdtempSync(join(dir, 'seven-'));
    const seven = await createValidatorNet({
      dir: sevenDir,
      validators: 7,
      chainId: 9403,
      blockTimeMs: 250,
      roundTimeoutMs: 1500,
    });
    nets.push(seven);
    await Promise.all(seven.validators.map((v) => seven.start(v)));
    await waitUntil(
      'height 3 on all seven',
      async () => ((await heads(seven.validators)).every((h) => h >= 3) ? true : undefined),
      90_000,
    );
    const faulty = [seven.validators[1]!, seven.validators[4]!];
    for (const v of faulty) await seven.kill(v);
    const live = seven.validators.filter((v) => !faulty.includes(v));
    const at = Math.max(...(await heads(live)));
    await waitUntil(
      'six more blocks with two down',
      async () => ((await heads(live)).every((h) => h >= at + 6) ? true : undefined),
      90_000,
    );
    await assertOneChain(live, 5);
    await seven.stopAll();
  });

  it('a partition into halves halts the chain without a conflict; healed, the chain goes on', async () => {
    const halvesDir = mkdtempSync(join(dir, 'halves-'));
    const halves = await createValidatorNet({
      dir: halvesDir,
      validators: 4,
      chainId: 9404,
      blockTimeMs: 200,
      roundTimeoutMs: 1000,
    });
    nets.push(halves);
    const [a, b, c, d] = halves.validators as [NetNode, NetNode, NetNode, NetNode];
    await Promise.all(halves.validators.map((v) => halves.start(v)));
    await waitUntil(
      'height 3',
      async () => ((await heads(halves.validators)).every((h) => h >= 3) ? true : undefined),
      60_000,
    );
    // {a, b} | {c, d}: neither half holds a quorum of 3.
    for (const [x, ys] of [
      [a, [c, d]],
      [b, [c, d]],
      [c, [a, b]],
      [d, [a, b]],
    ] as [NetNode, NetNode[]][]) {
      halves.setFaults(x, { cut: ys });
    }
    await sleep(2_000);
    const cutAt = await heads(halves.validators);
    await sleep(3_000);
    const later = await heads(halves.validators);
    assert.ok(
      Math.max(...later) <= Math.max(...cutAt) + 1,
      `no progress without a quorum (${cutAt.join(',')} -> ${later.join(',')})`,
    );
    for (const x of halves.validators) halves.setFaults(x, { cut: [] });
    const top = Math.max(...later);
    await waitUntil(
      'the chain goes on after the heal',
      async () => ((await heads(halves.validators)).every((h) => h >= top + 5) ? true : undefined),
      90_000,
    );
    await assertOneChain(halves.validators, 3);
    await halves.stopAll();
  });

  it('a byzantine validator signing conflicting votes forks nothing and leaves evidence in khipu_getEvidence', async () => {
    const byzDir = mkdtempSync(join(dir, 'byzantine-'));
    const byz = await createValidatorNet({
      dir: byzDir,
      validators: 4,
      chainId: 9405,
      blockTimeMs: 200,
      roundTimeoutMs: 1000,
    });
    nets.push(byz);
    const [a, b, c, d] = byz.validators as [NetNode, NetNode, NetNode, NetNode];
    const honest = [a, b, c];
    const peer = await startByzantinePeer({
      chainId: 9405n,
      key: d.key,
      port: d.p2pPort,
      peers: honest.map((v) => ({ address: v.address as `0x${string}`, host: '127.0.0.1', port: v.p2pPort })),
      validators: byz.validators.map((v) => v.address as `0x${string}`),
    });
    try {
      await Promise.all(honest.map((v) => byz.start(v)));
      await waitUntil(
        'height 6 with a byzantine validator',
        async () => ((await heads(honest)).every((h) => h >= 6) ? true : undefined),
        90_000,
      );
      assert.ok(peer.equivocations > 0, 'the byzantine peer equivocated');
      await assertOneChain(honest, 3);
      const evidence = await waitUntil(
        'evidence on every honest validator',
        async () => {
          const lists = await Promise.all(
            honest.map(
              async (v) => (await rpcCall(v.process!.url, 'khipu_getEvidence', [])).result as Evidence[],
            ),
          );
          return lists.every((l) => l.some((e) => e.step === 'commit') && l.some((e) => e.step === 'prepare'))
            ? lists[0]
            : undefined;
        },
        30_000,
      );
      const set = validatorSetOf(
        parseGenesisConfig(byz.genesis, [{ name: 'Outbox', address: OUTBOX_ADDRESS, code: '0x00' }]),
      );
      for (const e of evidence) {
        assert.equal(e.validator, d.address, 'evidence names only the byzantine validator');
        assert.notEqual(e.votes[0]?.blockHash, e.votes[1]?.blockHash);
        if (e.step === 'commit') {
          assert.ok(e.encoded, 'a commit equivocation is dietcoin evidence');
          verifyEvidence({
            evidence: decodeEvidence(Buffer.from(e.encoded.slice(2), 'hex')),
            validators: set,
          });
        }
      }
      const filtered = (await rpcCall(a.process!.url, 'khipu_getEvidence', [{ validator: a.address }]))
        .result;
      assert.deepEqual(filtered, [], 'no evidence against an honest validator');
    } finally {
      await peer.close();
      await byz.stopAll();
    }
  });
});

interface Evidence {
  validator: string;
  step: string;
  votes: { blockHash: string }[];
  encoded: string | null;
}
