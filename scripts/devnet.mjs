#!/usr/bin/env node
// `npm run devnet [-- --fresh] [-- --port 8545] [-- --validators 4]`: a local chain with each
// validator node as its own process (4 by default, running QBFT consensus over TCP peers on ports
// --port + 100 + i), data under .devnet/. Once every node answers over HTTP and WebSocket it writes
// .devnet/devnet.json atomically. Runs without a terminal; children stay in this process group
// (a Ctrl-C reaches them all) and are stopped cleanly on SIGINT / SIGTERM; a child that dies is
// restarted; a rerun resumes the same chain, `--fresh` starts a new one.
//
// The chain needs neither PostgreSQL nor Redis (its state is in Kesque under .devnet/).
//
// Layout:
//   .devnet/devnet.json                       what clients read (see issue 6, item 9)
//   .devnet/secrets.json                      validator and development account keys (dev only)
//   .devnet/chains/<name>/genesis.json
//   .devnet/chains/<name>/node-<i>/           data directory of validator i
//   .devnet/chains/<name>/node-<i>.log        its JSON logs
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { addressOfPrivateKey, bytesToHex, initDietcoin } from '@khipu/dietcoin';
import { WebSocket } from 'ws';

const root = new URL('..', import.meta.url).pathname;
// KHIPU_DEVNET_DIR moves the devnet elsewhere (tests run one beside a developer's own).
const devnetDir = process.env.KHIPU_DEVNET_DIR ?? join(root, '.devnet');
const mainJs = join(root, 'apps', 'chain', 'dist', 'main.js');

function parseArgs(argv) {
  const args = {
    fresh: false,
    port: 8545,
    validators: 4,
    accounts: 10,
    chainId: 7001,
    name: 'enterprise-a',
    blockTimeMs: 1000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--fresh') args.fresh = true;
    else if (a === '--port') args.port = Number(value());
    else if (a === '--validators') args.validators = Number(value());
    else if (a === '--accounts') args.accounts = Number(value());
    else if (a === '--chain-id') args.chainId = Number(value());
    else if (a === '--name') args.name = value();
    else if (a === '--block-time') args.blockTimeMs = Number(value());
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run devnet -- [--fresh] [--port 8545] [--validators 4] [--accounts 10] [--chain-id 7001] [--name enterprise-a] [--block-time 1000]',
      );
      process.exit(0);
    } else fail(`unknown argument ${a} (see --help)`);
  }
  if (!Number.isInteger(args.port) || args.port < 1024 || args.port > 65000)
    fail('--port must be 1024..65000');
  if (!Number.isInteger(args.validators) || args.validators < 1 || args.validators > 50)
    fail('--validators must be 1..50');
  if (!Number.isInteger(args.blockTimeMs) || args.blockTimeMs < 50 || args.blockTimeMs > 60_000)
    fail('--block-time must be 50..60000 (ms)');
  if (!Number.isInteger(args.accounts) || args.accounts < 1 || args.accounts > 1000)
    fail('--accounts must be 1..1000');
  if (!/^[a-z0-9-]+$/.test(args.name)) fail('--name must be lower-case letters, digits and dashes');
  return args;
}

function fail(message) {
  console.error(`devnet: ${message}`);
  process.exit(2);
}

function log(message) {
  console.log(`[devnet ${new Date().toISOString()}] ${message}`);
}

function writeAtomic(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function newKey() {
  for (;;) {
    const key = randomBytes(32);
    // Reject 0 and values ≥ the curve order (astronomically rare).
    if (key.some((b) => b !== 0) && key[0] < 0xff) return key;
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function rpcOverHttp(url, method, params = []) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(2000),
  });
  const body = await res.json();
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

function rpcOverWs(url, method, params = []) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('timeout'));
    }, 2000);
    ws.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.once('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })));
    ws.once('message', (data) => {
      clearTimeout(timer);
      ws.close();
      const body = JSON.parse(String(data));
      if (body.error) reject(new Error(body.error.message));
      else resolve(body.result);
    });
  });
}

/** First run: keys, genesis and the devnet description; later runs read them back. */
async function prepare(args) {
  await initDietcoin();
  const secretsPath = join(devnetDir, 'secrets.json');
  if (existsSync(secretsPath)) {
    const secrets = JSON.parse(readFileSync(secretsPath, 'utf8'));
    log(`resuming the devnet in ${devnetDir} (use --fresh for a new chain)`);
    return secrets;
  }
  mkdirSync(devnetDir, { recursive: true });
  const validators = Array.from({ length: args.validators }, () => {
    const key = newKey();
    return { address: bytesToHex(addressOfPrivateKey(key)), privateKey: bytesToHex(key) };
  });
  const accounts = Array.from({ length: args.accounts }, () => {
    const key = newKey();
    return { address: bytesToHex(addressOfPrivateKey(key)), privateKey: bytesToHex(key) };
  });
  const chainDir = join(devnetDir, 'chains', args.name);
  mkdirSync(chainDir, { recursive: true });
  const genesis = {
    chainId: args.chainId,
    name: args.name,
    timestamp: Math.floor(Date.now() / 1000),
    blockTimeMs: args.blockTimeMs,
    gasLimit: '30000000',
    baseFeePerGas: '1000000000',
    validators: validators.map((v) => v.address),
    // 1,000,000 KIP to each development account; validators (the block beneficiaries) get none.
    alloc: Object.fromEntries(accounts.map((a) => [a.address, { balance: (10n ** 24n).toString() }])),
  };
  writeAtomic(join(chainDir, 'genesis.json'), `${JSON.stringify(genesis, null, 2)}\n`);
  const secrets = {
    chains: [{ name: args.name, chainId: args.chainId, basePort: args.port, validators }],
    accounts,
  };
  writeAtomic(secretsPath, `${JSON.stringify(secrets, null, 2)}\n`);
  log(
    `new devnet: chain ${args.name} (${args.chainId}), ${validators.length} validator(s), ${accounts.length} funded accounts`,
  );
  return secrets;
}

const children = new Map();
let stopping = false;

/** Peer port of validator i: the RPC ports are basePort + i, the peer ports basePort + 100 + i. */
const p2pPortOf = (chain, i) => chain.basePort + 100 + i;

/** Every other validator of the chain as a static peer (validators are fully meshed). */
function peersOf(chain, i) {
  return chain.validators
    .map((v, j) => (j === i ? null : `${v.address}@127.0.0.1:${p2pPortOf(chain, j)}`))
    .filter((x) => x !== null)
    .join(',');
}

function startChild(chain, i) {
  const chainDir = join(devnetDir, 'chains', chain.name);
  const port = chain.basePort + i;
  const logFile = join(chainDir, `node-${i}.log`);
  const child = spawn(process.execPath, [mainJs], {
    cwd: root,
    // No terminal needed: stdin ignored; logs go to the node's file, stderr (crash traces) too.
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      KHIPU_DATA_DIR: join(chainDir, `node-${i}`),
      KHIPU_GENESIS: join(chainDir, 'genesis.json'),
      KHIPU_VALIDATOR_KEY: chain.validators[i].privateKey,
      KHIPU_RPC_HOST: '127.0.0.1',
      KHIPU_RPC_PORT: String(port),
      KHIPU_LOG_FILE: logFile,
      KHIPU_CHAIN_LABEL: chain.name,
      // A lone validator produces on a timer; several run consensus over their peer ports.
      ...(chain.validators.length > 1
        ? { KHIPU_P2P_PORT: String(p2pPortOf(chain, i)), KHIPU_P2P_PEERS: peersOf(chain, i) }
        : {}),
    },
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const entry = { child, chain, i, port, startedAt: Date.now() };
  children.set(`${chain.name}/${i}`, entry);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const uptime = Date.now() - entry.startedAt;
    log(
      `${chain.name} node ${i} exited (${signal ?? `code ${code}`}) after ${Math.round(uptime / 1000)} s; restarting${stderr ? `\n${stderr.trim()}` : ''}`,
    );
    // Back off when it dies at once (a bad config would otherwise spin).
    const delay = uptime < 5000 ? 3000 : 500;
    setTimeout(() => {
      if (!stopping)
        startChild(chain, i)
          .then(() => writeDevnetJson(currentSecrets))
          .catch((e) => log(String(e)));
    }, delay);
  });
  return waitReady(entry);
}

async function waitReady({ port, chain, i, child }) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${chain.name} node ${i} exited before it answered`);
    try {
      const [http, ws] = await Promise.all([
        rpcOverHttp(`http://127.0.0.1:${port}`, 'eth_chainId'),
        rpcOverWs(`ws://127.0.0.1:${port}`, 'eth_chainId'),
      ]);
      if (BigInt(http) !== BigInt(chain.chainId) || BigInt(ws) !== BigInt(chain.chainId)) {
        throw new Error(`port ${port} answers chain ${BigInt(http)}, not ${chain.chainId}`);
      }
      return;
    } catch (e) {
      if (Date.now() > deadline)
        throw new Error(`${chain.name} node ${i} did not answer on port ${port} within 60 s: ${e.message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

let currentSecrets;

function writeDevnetJson(secrets) {
  const description = {
    chains: secrets.chains.map((c) => ({
      name: c.name,
      chainId: c.chainId,
      rpc: c.validators.map((_, i) => `http://127.0.0.1:${c.basePort + i}`),
      ws: c.validators.map((_, i) => `ws://127.0.0.1:${c.basePort + i}`),
      metrics: c.validators.map((_, i) => `http://127.0.0.1:${c.basePort + i}/metrics`),
      validators: c.validators.map((v) => v.address),
    })),
    accounts: secrets.accounts,
  };
  writeAtomic(join(devnetDir, 'devnet.json'), `${JSON.stringify(description, null, 2)}\n`);
}

async function stopAll(signal, exitCode = 0) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping ${children.size} node(s)`);
  const exits = [...children.values()].map(
    ({ child }) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  // devnet.json says the nodes answer: not true any more.
  rmSync(join(devnetDir, 'devnet.json'), { force: true });
  log('stopped');
  process.exit(exitCode);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(mainJs)) fail(`${mainJs} is missing: run npm run build (npm run devnet does)`);
  process.on('SIGINT', () => stopAll('SIGINT'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGHUP', () => stopAll('SIGHUP'));
  if (args.fresh && existsSync(devnetDir)) {
    rmSync(devnetDir, { recursive: true, force: true });
    log('--fresh: removed the previous devnet');
  }
  const secrets = await prepare(args);
  currentSecrets = secrets;
  rmSync(join(devnetDir, 'devnet.json'), { force: true });
  for (const c of secrets.chains) {
    for (let i = 0; i < c.validators.length; i++) {
      for (const port of [c.basePort + i, p2pPortOf(c, i)]) {
        if (!(await portFree(port))) fail(`port ${port} is in use (another devnet running?); stop it first`);
      }
    }
  }
  log('PostgreSQL and Redis are not needed by the chain: none started');
  await Promise.all(secrets.chains.flatMap((c) => c.validators.map((_, i) => startChild(c, i))));
  writeDevnetJson(secrets);
  for (const c of secrets.chains) {
    log(
      `${c.name} (chain ${c.chainId}) ready: ${c.validators.map((_, i) => `http://127.0.0.1:${c.basePort + i}`).join(', ')}`,
    );
  }
  log(`wrote ${join(devnetDir, 'devnet.json')}; Ctrl-C or SIGTERM stops the devnet`);
}

main().catch((e) => {
  console.error(`devnet: ${e instanceof Error ? e.message : String(e)}`);
  stopAll('error', 1);
});
