// Test helper: a chain of N validator processes (dist/main.js) on localhost, fully meshed over TCP
// peers, plus optional followers; each node can be killed, stopped and restarted on its own data.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { addressOfPrivateKey, bytesToHex, initDietcoin } from '@khipu/dietcoin';
import { type NodeProcess, rpcCall, spawnNode } from './nodeProcess.js';

export interface NetNode {
  index: number;
  /** 0x private key (validators) or node key (followers). */
  key: string;
  address: string;
  p2pPort: number;
  dir: string;
  process: NodeProcess | null;
}

export interface ValidatorNet {
  genesis: Record<string, unknown>;
  validators: NetNode[];
  followers: NetNode[];
  /** (Re)starts node `i` of `validators` (or a follower) on its data directory. */
  start(node: NetNode): Promise<NodeProcess>;
  kill(node: NetNode): Promise<void>;
  /** Cuts the node's consensus links to `cut` (its fault file; KHIPU_P2P_FAULTS_FILE). */
  setFaults(node: NetNode, faults: { cut: NetNode[] }): void;
  /** SIGTERM every running node. */
  stopAll(): Promise<void>;
}

/** True when `port` can be bound on 127.0.0.1 now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const taken = new Set<number>();

/**
 * A free port for a peer listener, below Linux's ephemeral range (32768+): the nodes' RPC listens
 * on port 0, and an ephemeral port handed to one node must not be the peer port of another.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await canListen(port))) {
      taken.add(port);
      return port;
    }
  }
}

export interface CreateValidatorNetParameters {
  dir: string;
  validators: number;
  followers?: number;
  chainId: number;
  blockTimeMs: number;
  roundTimeoutMs: number;
  /** Extra environment of every node. */
  env?: Record<string, string>;
  /** Genesis allocation: address -> balance in wei (decimal string). */
  alloc?: Record<string, { balance: string }>;
}

const keyOf = (seed: number) => `0x${seed.toString(16).padStart(2, '0').repeat(32)}`;

/** Lays out keys, ports and genesis; starts nothing. */
export async function createValidatorNet(p: CreateValidatorNetParameters): Promise<ValidatorNet> {
  await initDietcoin();
  const make = async (index: number, seed: number, role: string): Promise<NetNode> => {
    const key = keyOf(seed);
    return {
      index,
      key,
      address: bytesToHex(addressOfPrivateKey(Buffer.from(key.slice(2), 'hex'))),
      p2pPort: await freePort(),
      dir: join(p.dir, `${role}-${index}`),
      process: null,
    };
  };
  const validators: NetNode[] = [];
  for (let i = 0; i < p.validators; i++) validators.push(await make(i, 0x11 + i, 'validator'));
  const followers: NetNode[] = [];
  for (let i = 0; i < (p.followers ?? 0); i++) followers.push(await make(i, 0x71 + i, 'follower'));
  const genesis = {
    chainId: p.chainId,
    name: 'consensus-test',
    timestamp: Math.floor(Date.now() / 1000) - 10,
    blockTimeMs: p.blockTimeMs,
    validators: validators.map((v) => v.address),
    stateShardBits: 4,
    alloc: p.alloc ?? {},
  };
  const peersOf = (self: NetNode) =>
    validators
      .filter((v) => v !== self)
      .map((v) => `${v.address}@127.0.0.1:${v.p2pPort}`)
      .join(',');
  const net: ValidatorNet = {
    genesis,
    validators,
    followers,
    async start(node) {
      const isValidator = validators.includes(node);
      node.process = await spawnNode({
        dir: node.dir,
        genesis,
        ...(isValidator ? { validatorKey: node.key } : {}),
        env: {
          KHIPU_P2P_PORT: String(node.p2pPort),
          KHIPU_P2P_PEERS: peersOf(node),
          KHIPU_P2P_FOLLOWERS: followers.map((f) => f.address).join(','),
          KHIPU_CONSENSUS_ROUND_TIMEOUT_MS: String(p.roundTimeoutMs),
          KHIPU_P2P_FAULTS_FILE: join(node.dir, 'faults.json'),
          ...(isValidator ? {} : { KHIPU_P2P_NODE_KEY: node.key }),
          ...p.env,
        },
      });
      return node.process;
    },
    async kill(node) {
      await node.process?.kill();
      node.process = null;
    },
    setFaults(node, faults) {
      mkdirSync(node.dir, { recursive: true });
      const path = join(node.dir, 'faults.json');
      writeFileSync(`${path}.tmp`, JSON.stringify({ cut: faults.cut.map((n) => n.address) }));
      // Atomic: the node never reads half a file.
      renameSync(`${path}.tmp`, path);
    },
    async stopAll() {
      await Promise.all(
        [...validators, ...followers].map(async (n) => {
          await n.process?.stop();
          n.process = null;
        }),
      );
    },
  };
  return net;
}

/** The node's head number. */
export async function headOf(node: NetNode): Promise<number> {
  if (!node.process) throw new Error(`node ${node.address} is not running`);
  return Number((await rpcCall(node.process.url, 'eth_blockNumber')).result as string);
}

/** Block `n`'s hash and state root as node sees them; null when it has no such block. */
export async function blockAt(node: NetNode, n: number): Promise<{ hash: string; stateRoot: string } | null> {
  if (!node.process) throw new Error(`node ${node.address} is not running`);
  const r = await rpcCall(node.process.url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]);
  return (r.result as { hash: string; stateRoot: string } | null) ?? null;
}

/** The round of block `n`'s commit seals and how many there are. */
export async function sealsAt(node: NetNode, n: number): Promise<{ round: number; count: number }> {
  if (!node.process) throw new Error(`node ${node.address} is not running`);
  const r = await rpcCall(node.process.url, 'khipu_getSealedHeader', [`0x${n.toString(16)}`]);
  const seals = (r.result as { seals: { round: string }[] }).seals;
  return { round: Number(seals[0]?.round ?? '0x0'), count: seals.length };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `ms`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
