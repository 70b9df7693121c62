// Validator-set change at an epoch boundary, with real node processes peered over WebSocket:
// four validators, epochLength 10, and a configured set for epoch 1 where the first validator
// leaves and a fifth (running from the start, following) joins. The chain must go on across the
// boundary, the joiner propose and seal, the leaver stop, and a dietcoin light client fed
// khipu_getSealedHeader and khipu_getValidators accept every block. The validators' /metrics
// must show the consensus and peer series.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  addressOfPrivateKey,
  bytesToHex,
  createHeaderChain,
  createValidatorSet,
  decodeSealedHeader,
  hexToBytes,
  initDietcoin,
  MemoryHeaderStore,
  type ValidatorSet,
} from '@khipu/dietcoin';
import { type NodeProcess, rpcCall, spawnNode } from './testing/nodeProcess.js';
import { freePort, waitUntil } from './testing/validatorNet.js';

const EPOCH = 10;
const TARGET = 2 * EPOCH + 5;
const CHAIN_ID = 7321;

interface Validator {
  key: string;
  address: string;
  tcpPort: number;
  wsPort: number;
  process: NodeProcess | null;
}

interface SealedHeaderResult {
  encoded: string;
  header: { miner: string };
  seals: { validator: string }[];
}

interface ValidatorsResult {
  validators: { address: string }[];
  nextValidators: { address: string }[];
  nextValidatorsHash: string;
}

async function rpc<T>(node: Validator, method: string, params: unknown[] = []): Promise<T> {
  if (!node.process) throw new Error(`${node.address} is not running`);
  const r = await rpcCall(node.process.url, method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

const hexNumber = (n: number) => `0x${n.toString(16)}`;
const setOf = (addresses: { address: string }[]): ValidatorSet =>
  createValidatorSet({ validators: addresses.map((v) => ({ address: hexToBytes(v.address), stake: 1n })) });

describe('[Consensus] a validator-set change at an epoch, validator processes over WebSocket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'khipu-epochs-'));
  const nodes: Validator[] = [];

  before(async () => {
    await initDietcoin();
    for (let i = 0; i < 5; i++) {
      const key = `0x${(0x31 + i).toString(16).repeat(32)}`;
      nodes.push({
        key,
        address: bytesToHex(addressOfPrivateKey(hexToBytes(key))),
        tcpPort: await freePort(),
        wsPort: await freePort(),
        process: null,
      });
    }
    const [leaver, a, b, c, joiner] = nodes as [Validator, Validator, Validator, Validator, Validator];
    const genesis = {
      chainId: CHAIN_ID,
      name: 'epochs-test',
      timestamp: Math.floor(Date.now() / 1000) - 10,
      blockTimeMs: 200,
      epochLength: EPOCH,
      validators: [leaver, a, b, c].map((v) => v.address),
      validatorSchedule: [{ epoch: 1, validators: [a, b, c, joiner].map((v) => v.address) }],
      stateShardBits: 4,
      alloc: {},
    };
    await Promise.all(
      nodes.map(async (node, i) => {
        node.process = await spawnNode({
          dir: join(dir, `node-${i}`),
          genesis,
          validatorKey: node.key,
          env: {
            KHIPU_P2P_PORT: String(node.tcpPort),
            KHIPU_P2P_WS_PORT: String(node.wsPort),
            KHIPU_P2P_PEERS: nodes
              .filter((x) => x !== node)
              .map((x) => `ws://${x.address}@127.0.0.1:${x.wsPort}`)
              .join(','),
            KHIPU_CONSENSUS_ROUND_TIMEOUT_MS: '1500',
          },
        });
      }),
    );
    await waitUntil(
      `height ${TARGET} on every node`,
      async () => {
        const heads = await Promise.all(nodes.map((n) => rpc<string>(n, 'eth_blockNumber')));
        return heads.every((h) => Number(h) >= TARGET) ? true : undefined;
      },
      120_000,
    );
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.process?.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes on across the boundary: the joiner proposes and seals from epoch 1, the leaver stops', async () => {
    const [leaver, , , , joiner] = nodes as [Validator, Validator, Validator, Validator, Validator];
    const genesisSet = new Set(nodes.slice(0, 4).map((v) => v.address));
    const nextSet = new Set(nodes.slice(1).map((v) => v.address));
    let joinerSealed = 0;
    let joinerProposed = 0;
    for (let n = 1; n <= TARGET; n++) {
      const sealed = await rpc<SealedHeaderResult>(nodes[1]!, 'khipu_getSealedHeader', [hexNumber(n)]);
      const set = n < EPOCH ? genesisSet : nextSet;
      const sealers = sealed.seals.map((s) => s.validator.toLowerCase());
      assert.ok(sealers.length >= 3, `block ${n} has a quorum of seals`);
      assert.ok(
        sealers.every((s) => set.has(s)),
        `block ${n} is sealed by its set only: ${sealers}`,
      );
      assert.ok(set.has(sealed.header.miner.toLowerCase()), `block ${n} proposed by its set`);
      if (n >= EPOCH) {
        assert.ok(!sealers.includes(leaver.address), `the leaver does not seal block ${n}`);
        if (sealers.includes(joiner.address)) joinerSealed++;
        if (sealed.header.miner.toLowerCase() === joiner.address) joinerProposed++;
      }
    }
    assert.ok(joinerSealed > 0, 'the joiner seals blocks of epoch 1 on');
    assert.ok(joinerProposed > 0, 'the joiner proposes blocks of epoch 1 on');
  });

  it('every node holds the same chain, and khipu_getValidators answers the set of each height', async () => {
    for (const n of [1, EPOCH - 1, EPOCH, TARGET]) {
      const hashes = await Promise.all(
        nodes.map((x) => rpc<{ hash: string }>(x, 'eth_getBlockByNumber', [hexNumber(n), false])),
      );
      assert.equal(new Set(hashes.map((h) => h.hash)).size, 1, `one block at ${n}`);
    }
    const before = await rpc<ValidatorsResult>(nodes[2]!, 'khipu_getValidators', [hexNumber(EPOCH - 2)]);
    assert.deepEqual(
      before.validators.map((v) => v.address.toLowerCase()).sort(),
      nodes
        .slice(0, 4)
        .map((v) => v.address)
        .sort(),
    );
    assert.deepEqual(before.nextValidators, before.validators, 'no announcement inside the epoch');
    const announcing = await rpc<ValidatorsResult>(nodes[2]!, 'khipu_getValidators', [hexNumber(EPOCH - 1)]);
    assert.deepEqual(
      announcing.nextValidators.map((v) => v.address.toLowerCase()).sort(),
      nodes
        .slice(1)
        .map((v) => v.address)
        .sort(),
    );
  });

  it('a dietcoin light client following khipu_getSealedHeader accepts every block across the change', async () => {
    const follow = nodes[3]!;
    const genesisSealed = await rpc<SealedHeaderResult>(follow, 'khipu_getSealedHeader', ['0x0']);
    const genesisValidators = await rpc<ValidatorsResult>(follow, 'khipu_getValidators', ['0x0']);
    const client = await createHeaderChain({
      chainId: BigInt(CHAIN_ID),
      quorum: 'count',
      epochLength: EPOCH,
      trustingPeriodSeconds: 3600,
      // Blocks faster than one a second stamp one second each: the chain runs ahead of the clock.
      maxClockDriftSeconds: 3600,
      store: new MemoryHeaderStore(),
      checkpoint: {
        header: decodeSealedHeader(hexToBytes(genesisSealed.encoded)).header.rlp,
        validators: setOf(genesisValidators.validators),
      },
    });
    for (let n = 1; n <= TARGET; n++) {
      const sealed = await rpc<SealedHeaderResult>(follow, 'khipu_getSealedHeader', [hexNumber(n)]);
      const sets = await rpc<ValidatorsResult>(follow, 'khipu_getValidators', [hexNumber(n)]);
      await client.verifySequential(
        decodeSealedHeader(hexToBytes(sealed.encoded)),
        setOf(sets.nextValidators),
      );
    }
    assert.equal(client.head.number, TARGET);
    assert.equal(bytesToHex(client.nextValidators.hash), bytesToHex(setOf(nodes.slice(1)).hash));
  });

  it("serves the consensus and peer series on a validator's /metrics", async () => {
    const res = await fetch(`${nodes[1]!.process!.url}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    const value = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(name) && !l.startsWith('#'));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    assert.ok((value('khipu_chain_consensus_decisions_total') ?? 0) >= TARGET - 1, 'decisions counted');
    assert.ok(
      (value('khipu_chain_consensus_rounds_per_height_count') ?? 0) >= TARGET - 1,
      'rounds per height',
    );
    assert.ok((value('khipu_chain_consensus_finality_seconds_count') ?? 0) > 0, 'time to finality');
    assert.ok(text.includes('# TYPE khipu_chain_consensus_round_changes_total counter'), 'round changes');
    assert.ok(text.includes('# TYPE khipu_chain_consensus_seals_missed_total counter'), 'seals missed');
    assert.ok((value('khipu_chain_p2p_peers') ?? 0) >= 3, 'peers connected');
    assert.equal(value('khipu_chain_consensus_validators'), 4);
    // Wire traffic per channel and type, which the consensus bench reads for messages per block
    // (the node adds its chain label after these).
    for (const series of [
      'khipu_chain_p2p_messages_sent_total{channel="consensus",type="commit"',
      'khipu_chain_p2p_messages_received_total{channel="consensus",type="prepare"',
      'khipu_chain_p2p_sent_bytes_total{channel="consensus",type="proposal"',
      'khipu_chain_p2p_received_bytes_total{channel="consensus",type="commit"',
    ]) {
      assert.ok((value(series) ?? 0) > 0, series);
    }
  });
});

describe('[Consensus] a lone validator (no peers) that the schedule removes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'khipu-lone-'));
  let node: NodeProcess | null = null;

  after(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds up to the last block of its epoch and none after, and says why once', async () => {
    await initDietcoin();
    const key = `0x${'45'.repeat(32)}`;
    const address = bytesToHex(addressOfPrivateKey(hexToBytes(key)));
    const other = bytesToHex(addressOfPrivateKey(hexToBytes(`0x${'46'.repeat(32)}`)));
    const epoch = 5;
    node = await spawnNode({
      dir,
      validatorKey: key,
      genesis: {
        chainId: CHAIN_ID + 1,
        name: 'lone-epochs-test',
        timestamp: Math.floor(Date.now() / 1000) - 10,
        blockTimeMs: 100,
        epochLength: epoch,
        validators: [address],
        validatorSchedule: [{ epoch: 1, validators: [other] }],
        stateShardBits: 4,
        alloc: {},
      },
    });
    const url = node.url;
    const head = async () => Number((await rpcCall(url, 'eth_blockNumber')).result as string);
    await waitUntil(
      'the last block of epoch 0',
      async () => ((await head()) >= epoch - 1 ? true : undefined),
      30_000,
    );
    // Ten block intervals more: a producer that ignored the schedule would be far past the boundary.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await head(), epoch - 1);
    const refusals = readFileSync(node.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('NOT_A_VALIDATOR'));
    assert.equal(refusals.length, 1, 'the producer stops at the first refusal');
  });
});
