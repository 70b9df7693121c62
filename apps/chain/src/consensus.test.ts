// Consensus between real validator processes (dist/main.js) on localhost: four validators finalize
// blocks; with one killed the chain goes on after at most one round change per height; with two
// killed it halts without finalizing anything conflicting; restarted, both sync and the chain
// resumes. Block time 200 ms, round timeout 1 s; timeouts are generous for a 2-core machine.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
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
let net: ValidatorNet | undefined;

after(async () => {
  await net?.stopAll();
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
    net = await createValidatorNet({
      dir,
      validators: 4,
      chainId: 9401,
      blockTimeMs: 200,
      roundTimeoutMs: 1000,
    });
    const all = net.validators;
    const [a, b, c, d] = all as [NetNode, NetNode, NetNode, NetNode];
    await Promise.all(all.map((v) => net!.start(v)));
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
  });
});
