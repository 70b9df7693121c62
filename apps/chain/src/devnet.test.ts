// `npm run devnet` as a user runs it (scripts/devnet.mjs, in a directory of its own): devnet.json
// once every node answers over HTTP and WebSocket, funded development accounts that are not
// validators, a killed node restarted, a clean stop on SIGTERM, and a rerun resuming the chain.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { rpcCall } from './testing/nodeProcess.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/devnet.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'khipu-devnet-test-'));
let devnet: ChildProcess | undefined;

interface DevnetJson {
  chains: {
    name: string;
    chainId: number;
    rpc: string[];
    ws: string[];
    metrics: string[];
    validators: string[];
  }[];
  accounts: { address: string; privateKey: string }[];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function start(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [SCRIPT, ...args], {
    env: { ...process.env, KHIPU_DEVNET_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(probe()).catch(() => undefined);
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

function wsChainId(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('error', reject);
    ws.once('open', () =>
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] })),
    );
    ws.once('message', (data) => {
      ws.close();
      resolve((JSON.parse(String(data)) as { result: string }).result);
    });
  });
}

after(async () => {
  if (devnet && devnet.exitCode === null) {
    devnet.kill('SIGTERM');
    await exited(devnet);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('[chain-node] npm run devnet', () => {
  it('writes devnet.json, restarts a killed node, stops cleanly and resumes the chain', async () => {
    const port = await freePort();
    devnet = start(['--fresh', '--port', String(port)]);
    const path = join(dir, 'devnet.json');
    const json = await waitFor('devnet.json', () =>
      existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as DevnetJson) : undefined,
    );
    const [chain] = json.chains;
    assert.ok(chain);
    assert.equal(typeof chain.chainId, 'number');
    // Four validator processes (issue 7), one URL of each kind per process, in validator order.
    const ports = [0, 1, 2, 3].map((i) => port + i);
    assert.deepEqual(
      chain.rpc,
      ports.map((p) => `http://127.0.0.1:${p}`),
    );
    assert.deepEqual(
      chain.ws,
      ports.map((p) => `ws://127.0.0.1:${p}`),
    );
    assert.deepEqual(
      chain.metrics,
      ports.map((p) => `http://127.0.0.1:${p}/metrics`),
    );
    assert.equal(chain.validators.length, 4);
    const url = chain.rpc[0] as string;
    assert.equal(BigInt(await wsChainId(chain.ws[0] as string)), BigInt(chain.chainId));
    assert.match(await (await fetch(chain.metrics[0] as string)).text(), /khipu_chain_head_block_number/);
    assert.ok(json.accounts.length >= 1);
    for (const a of json.accounts) {
      assert.ok(!chain.validators.includes(a.address), 'a development account is not a validator');
      const balance = BigInt((await rpcCall(url, 'eth_getBalance', [a.address, 'latest'])).result as string);
      assert.ok(balance > 0n, 'development accounts are funded');
    }
    const genesisHash = (
      (await rpcCall(url, 'eth_getBlockByNumber', ['0x0', false])).result as { hash: string }
    ).hash;

    // Kill the node: the devnet restarts it on the same port, and the chain goes on.
    const log = readFileSync(join(dir, 'chains', chain.name, 'node-0.log'), 'utf8');
    const pid = log
      .split('\n')
      .filter((l) => l.includes('"node started"'))
      .map((l) => (JSON.parse(l) as { pid: number }).pid)
      .at(-1);
    assert.ok(pid);
    const before = BigInt((await rpcCall(url, 'eth_blockNumber')).result as string);
    process.kill(pid, 'SIGKILL');
    await waitFor('the restarted node', async () => {
      const n = BigInt((await rpcCall(url, 'eth_blockNumber')).result as string);
      return n > before ? n : undefined;
    });

    // SIGTERM: the devnet and its node stop.
    devnet.kill('SIGTERM');
    assert.equal(await exited(devnet), 0);
    await assert.rejects(rpcCall(url, 'eth_blockNumber'));
    assert.ok(!existsSync(path), 'devnet.json is removed once the nodes are stopped');

    // A rerun resumes the same chain.
    devnet = start(['--port', String(port)]);
    await waitFor('devnet.json again', () => (existsSync(path) ? true : undefined));
    const again = ((await rpcCall(url, 'eth_getBlockByNumber', ['0x0', false])).result as { hash: string })
      .hash;
    assert.equal(again, genesisHash);
    assert.ok(BigInt((await rpcCall(url, 'eth_blockNumber')).result as string) >= before);
    devnet.kill('SIGTERM');
    assert.equal(await exited(devnet), 0);
  });
});
