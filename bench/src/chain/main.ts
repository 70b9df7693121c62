// `npm run bench -- chain [--quick] [--json]`: our chain node against anvil (Foundry's development
// node, block time 1 s), the same loads in the same run: (a) ETH transfers from 100 senders,
// (b) ERC-20 transfers; each through a load generator in its own process (loadgen.ts). Reports
// accepted and mined transactions per second, inclusion latency p50/p99, eth_call requests per
// second, and our node's RSS after warm-up (a quarter of each load, sent to both nodes and not
// counted) and at the end. Writes its table into bench/RESULTS.md;
// with --json the last line of output is the result object.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';
import { encodeDeployData, encodeFunctionData, type Hex, parseAbi } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ACCEPTED_MARKER, MINED_MARKER, SENDING_MARKER } from './loadgenProtocol.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const COUNT = quick ? 4000 : 20_000;
/** Transactions of each kind sent before the measured loads, to both nodes: our node's JIT, heap
 *  sizing and caches settle (RSS "after warm-up" is read after it), and both chains carry some
 *  history. Not counted in any figure. */
const WARMUP_COUNT = COUNT / 4;
const SENDERS = 100;
const CHAIN_ID = 7777;
const CONCURRENCY = 32;
const CALL_SECONDS = quick ? 3 : 5;
const GAS_PRICE = 100_000_000_000n;

interface LoadResult {
  sent: number;
  accepted: number;
  acceptedTps: number;
  minedTps: number;
  p50ms: number;
  p99ms: number;
  sendP50ms: number;
  sendP99ms: number;
  callsPerSecond: number;
  errors: string[];
}

interface Target {
  /** `ours`, `ours <variant>` (KHIPU_BENCH_VARIANTS) or `anvil`. */
  name: string;
  ours: boolean;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const key = (label: string) =>
  `0x${createHash('sha256').update(`khipu bench ${label}`).digest('hex')}` as Hex;
const senderKeys = Array.from({ length: SENDERS }, (_, i) => key(`sender ${i}`));
const deployerKey = key('deployer');
const validatorKey = key('validator');
const deployer = privateKeyToAccount(deployerKey);

function log(message: string): void {
  if (!json) console.log(message);
  else process.stderr.write(`${message}\n`);
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

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

async function waitUntil(what: string, probe: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Environment overlays for extra runs of our node in the same run as the others (to compare
 *  configurations under the same machine load): KHIPU_BENCH_VARIANTS is a JSON array of objects of
 *  environment variables, e.g. `[{"KHIPU_EXECUTION_MODE":"parallel"}]` (`KHIPU_BENCH_NODE_MAIN`: the
 *  node's main.js of another build). Each variant runs after
 *  the default node and before anvil; its figures are logged, the table and JSON stay the default's. */
function benchVariants(): Record<string, string>[] {
  const text = process.env.KHIPU_BENCH_VARIANTS;
  if (!text) return [];
  const parsed: unknown = JSON.parse(text);
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        Object.values(v as Record<string, unknown>).every((x) => typeof x === 'string'),
    );
  if (!valid) throw new Error('KHIPU_BENCH_VARIANTS: a JSON array of objects of strings');
  return parsed as Record<string, string>[];
}

async function startOurs(variant: Record<string, string> = {}): Promise<Target> {
  const dir = join(root, '.bench-data', 'chain');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const genesis = {
    chainId: CHAIN_ID,
    name: 'bench',
    timestamp: Math.floor(Date.now() / 1000) - 1,
    // A variant's KHIPU_BENCH_BLOCK_TIME_MS: e.g. blocks far apart, to measure admission alone.
    blockTimeMs: Number(variant.KHIPU_BENCH_BLOCK_TIME_MS ?? 1000),
    validators: [privateKeyToAccount(validatorKey).address],
    alloc: Object.fromEntries(
      [...senderKeys, deployerKey].map((k) => [
        privateKeyToAccount(k).address,
        { balance: (10n ** 24n).toString() },
      ]),
    ),
  };
  writeFileSync(join(dir, 'genesis.json'), JSON.stringify(genesis));
  const port = await freePort();
  // KHIPU_BENCH_NODE_FLAGS: extra node flags for our node only (e.g. `--cpu-prof`), to profile it
  // under the load.
  const flags = (process.env.KHIPU_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
  // A variant's KHIPU_BENCH_NODE_MAIN runs another build of the node (e.g. an earlier commit's).
  const { KHIPU_BENCH_NODE_MAIN: entry, KHIPU_BENCH_BLOCK_TIME_MS: _blockTime, ...env } = variant;
  const child = spawn(process.execPath, [...flags, entry ?? join(root, 'apps', 'chain', 'dist', 'main.js')], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      KHIPU_DATA_DIR: join(dir, 'data'),
      KHIPU_GENESIS: join(dir, 'genesis.json'),
      KHIPU_VALIDATOR_KEY: validatorKey,
      KHIPU_RPC_PORT: String(port),
      KHIPU_LOG_FILE: join(dir, 'node.log'),
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('our node', async () => Boolean(await rpc(url, 'eth_chainId')));
  const name = Object.keys(variant).length === 0 ? 'ours' : `ours ${JSON.stringify(variant)}`;
  return { name, ours: true, url, child, stop: () => stopChild(child) };
}

async function startAnvil(): Promise<Target> {
  const require = createRequire(import.meta.url);
  const anvil = join(dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin', 'anvil');
  const port = await freePort();
  const child = spawn(
    anvil,
    ['--port', String(port), '--block-time', '1', '--chain-id', String(CHAIN_ID), '--silent'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntil('anvil', async () => Boolean(await rpc(url, 'eth_chainId')));
  for (const k of [...senderKeys, deployerKey]) {
    await rpc(url, 'anvil_setBalance', [privateKeyToAccount(k).address, `0x${(10n ** 24n).toString(16)}`]);
  }
  return { name: 'anvil', ours: false, url, child, stop: () => stopChild(child) };
}

function compileToken(): { abi: readonly unknown[]; bytecode: Hex } {
  const source = readFileSync(join(root, 'apps', 'chain', 'contracts', 'test', 'TestToken.sol'), 'utf8');
  const out = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources: { 'TestToken.sol': { content: source } },
        settings: {
          optimizer: { enabled: true, runs: 200 },
          evmVersion: 'cancun',
          outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
        },
      }),
    ),
  ) as {
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const c = out.contracts['TestToken.sol']?.TestToken;
  if (!c) throw new Error('TestToken did not compile');
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

async function waitMined(url: string, hashes: string[]): Promise<void> {
  await waitUntil(
    'setup transactions',
    async () => {
      for (const h of hashes) if (!(await rpc(url, 'eth_getTransactionReceipt', [h]))) return false;
      return true;
    },
    120_000,
  );
}

/** Deploys the token and gives every sender enough of it. */
async function setup(target: Target, token: { abi: readonly unknown[]; bytecode: Hex }): Promise<Hex> {
  let nonce = Number(
    BigInt((await rpc(target.url, 'eth_getTransactionCount', [deployer.address, 'pending'])) as string),
  );
  const fee = {
    maxFeePerGas: GAS_PRICE,
    maxPriorityFeePerGas: 1_000_000_000n,
    type: 'eip1559' as const,
    chainId: CHAIN_ID,
  };
  const deploy = await deployer.signTransaction({
    ...fee,
    nonce: nonce++,
    gas: 2_000_000n,
    data: encodeDeployData({ abi: token.abi, bytecode: token.bytecode, args: ['Bench', 'BNC', 10n ** 30n] }),
  });
  const deployHash = (await rpc(target.url, 'eth_sendRawTransaction', [deploy])) as string;
  await waitMined(target.url, [deployHash]);
  const receipt = (await rpc(target.url, 'eth_getTransactionReceipt', [deployHash])) as {
    contractAddress: Hex;
  };
  const transferAbi = parseAbi(['function transfer(address to, uint256 value) returns (bool)']);
  const hashes: string[] = [];
  for (const k of senderKeys) {
    const raw = await deployer.signTransaction({
      ...fee,
      nonce: nonce++,
      gas: 80_000n,
      to: receipt.contractAddress,
      data: encodeFunctionData({
        abi: transferAbi,
        functionName: 'transfer',
        args: [privateKeyToAccount(k).address, 10n ** 24n],
      }),
    });
    hashes.push((await rpc(target.url, 'eth_sendRawTransaction', [raw])) as string);
  }
  await waitMined(target.url, hashes);
  return receipt.contractAddress;
}

/** Called when the load generator (its pid) reaches a step of its load. */
interface LoadHooks {
  onSending?: ((loadgen: number | undefined) => void) | undefined;
  onAccepted?: ((loadgen: number | undefined) => void) | undefined;
  onMined?: ((loadgen: number | undefined) => void) | undefined;
}

function runLoad(
  target: Target,
  kind: 'transfers' | 'erc20',
  token: Hex,
  count = COUNT,
  hooks: LoadHooks = {},
): Promise<LoadResult> {
  const input = {
    url: target.url,
    chainId: CHAIN_ID,
    keys: senderKeys,
    kind,
    count,
    token,
    concurrency: CONCURRENCY,
    callSeconds: CALL_SECONDS,
    gasPrice: GAS_PRICE.toString(),
  };
  const child = spawn(
    process.execPath,
    [join(dirname(fileURLToPath(import.meta.url)), 'loadgen.js'), JSON.stringify(input)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    // The load generator says when it starts sending, when every request was answered and when
    // every transaction is mined (before its eth_call phase).
    for (const [marker, hook] of [
      [SENDING_MARKER, 'onSending'],
      [ACCEPTED_MARKER, 'onAccepted'],
      [MINED_MARKER, 'onMined'],
    ] as const) {
      const f = hooks[hook];
      if (f && stderr.includes(marker)) {
        hooks[hook] = undefined;
        f(child.pid);
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited ${code}: ${stderr.trim()}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as LoadResult);
    });
  });
}

/** Anonymous (heap, buffers) and file-backed (mapped store files) resident memory, in MB: which
 *  one grows tells a cache from the store's mappings. */
function rssSplit(pid: number | undefined): string {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return '';
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (field: string) =>
    Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024);
  return `anonymous ${mb('RssAnon')} MB, file ${mb('RssFile')} MB`;
}

/** The V8 heap of our node as its /metrics reports it (total and used, MB), beside the RSS. */
async function heapOf(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mb = (name: string) =>
    Math.round(
      Number(new RegExp(`^khipu_chain_${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 2 ** 20,
    );
  const space = (name: string) =>
    Math.round(
      Number(
        new RegExp(
          `^khipu_chain_nodejs_heap_space_size_total_bytes\\{space="${name}"[^}]*\\} (\\S+)`,
          'm',
        ).exec(text)?.[1] ?? 0,
      ) /
        2 ** 20,
    );
  return `V8 heap ${mb('nodejs_heap_size_used_bytes')} of ${mb('nodejs_heap_size_total_bytes')} MB used (new space ${space('new')}, old space ${space('old')}), external ${mb('nodejs_external_memory_bytes')} MB`;
}

/** CPU time (ms, user + system) of each thread of a process, by thread id, with its name. */
function threadCpu(pid: number | undefined): Map<number, { name: string; ms: number }> {
  const out = new Map<number, { name: string; ms: number }>();
  if (pid === undefined || !existsSync(`/proc/${pid}/task`)) return out;
  const tick = 1000 / 100; // USER_HZ
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised name: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * tick;
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.set(Number(tid), { name, ms });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** CPU per transaction of our node over a load, main thread apart from the others (by name). */
function cpuPerTransaction(
  pid: number | undefined,
  before: Map<number, { name: string; ms: number }>,
  after: Map<number, { name: string; ms: number }>,
  transactions: number,
): string {
  const byName = new Map<string, number>();
  let main = 0;
  for (const [tid, t] of after) {
    const ms = t.ms - (before.get(tid)?.ms ?? 0);
    if (tid === pid) main = ms;
    else byName.set(t.name, (byName.get(t.name) ?? 0) + ms);
  }
  const us = (ms: number) => Math.round((ms * 1000) / transactions);
  const others = [...byName]
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${us(ms)}`)
    .join(', ');
  return `CPU per transaction (us, from the first sent to the last mined): main thread ${us(main)}; other threads: ${others}`;
}

/** CPU times at one moment: the node's threads, the load generator's, the machine's. */
interface CpuSnapshot {
  at: number;
  pid: number | undefined;
  node: Map<number, { name: string; ms: number }>;
  loadgenMs: number;
  /** Busy and total jiffies of all CPUs (/proc/stat), in ms. */
  machine: { busy: number; total: number };
}

function cpuSnapshot(node: number | undefined, loadgen: number | undefined): CpuSnapshot {
  let loadgenMs = 0;
  if (loadgen !== undefined && existsSync(`/proc/${loadgen}/stat`)) {
    const stat = readFileSync(`/proc/${loadgen}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    loadgenMs = (Number(fields[11]) + Number(fields[12])) * 10;
  }
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0) * 10;
  const idle = ((cpu[3] ?? 0) + (cpu[4] ?? 0)) * 10;
  return {
    at: performance.now(),
    pid: node,
    node: threadCpu(node),
    loadgenMs,
    machine: { busy: total - idle, total },
  };
}

/** Where the CPU went while the load generator was sending (each figure: percent of one core). */
function admissionCpu(a: CpuSnapshot, b: CpuSnapshot): string {
  const wall = b.at - a.at;
  const pct = (ms: number) => Math.round((100 * ms) / wall);
  const threads = new Map<string, number>();
  for (const [tid, t] of b.node) {
    const ms = t.ms - (a.node.get(tid)?.ms ?? 0);
    const name = tid === b.pid ? 'main' : t.name;
    threads.set(name, (threads.get(name) ?? 0) + ms);
  }
  const nodeTotal = [...threads.values()].reduce((x, y) => x + y, 0);
  const top = [...threads]
    .filter(([, ms]) => pct(ms) > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([name, ms]) => `${name} ${pct(ms)}`)
    .join(', ');
  const cores = (b.machine.total - a.machine.total) / wall;
  return `while sending (${Math.round(wall)} ms): node ${pct(nodeTotal)}% of a core (${top}), load generator ${pct(b.loadgenMs - a.loadgenMs)}%, machine ${pct((b.machine.busy - a.machine.busy) / (cores || 1))}% of ${Math.round(cores)} cores`;
}

function rssMB(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return 0;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

function updateResults(table: string): void {
  const path = join(root, 'bench', 'RESULTS.md');
  const start = '<!-- chain:start -->';
  const end = '<!-- chain:end -->';
  const section = `${start}\n${table}\n${end}`;
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  text =
    a >= 0 && b > a
      ? text.slice(0, a) + section + text.slice(b + end.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, text);
}

async function main(): Promise<void> {
  const token = compileToken();
  const results: Record<
    string,
    {
      transfers: LoadResult;
      erc20: LoadResult;
      rssSetupMB?: number | undefined;
      rssStartMB?: number;
      rssEndMB?: number | undefined;
    }
  > = {};
  const starts = [
    () => startOurs(),
    ...benchVariants().map((variant) => () => startOurs(variant)),
    startAnvil,
  ];
  for (const start of starts) {
    const target = await start();
    try {
      log(`${target.name}: setting up (token, balances)`);
      const address = await setup(target, token);
      const rssSetupMB = target.ours ? rssMB(target.child.pid) : undefined;
      log(`${target.name}: warm-up, ${WARMUP_COUNT} transfers and ${WARMUP_COUNT} ERC-20 transfers`);
      await runLoad(target, 'transfers', address, WARMUP_COUNT);
      await runLoad(target, 'erc20', address, WARMUP_COUNT);
      const rssStartMB = target.ours ? rssMB(target.child.pid) : undefined;
      if (target.ours)
        log(
          `${target.name}: RSS after warm-up ${rssStartMB} MB (${rssSplit(target.child.pid)}; ${await heapOf(target.url)})`,
        );
      const pid = target.ours ? target.child.pid : undefined;
      const measured = async (kind: 'transfers' | 'erc20') => {
        // Our node's CPU per thread from the start of a load until all of it is mined; every
        // node's and the load generator's CPU while the transactions are being sent.
        let cpu = threadCpu(pid);
        let cpuMined = '';
        let sending: CpuSnapshot | undefined;
        let admission = '';
        const result = await runLoad(target, kind, address, COUNT, {
          onSending: (loadgen) => {
            sending = cpuSnapshot(target.child.pid, loadgen);
            cpu = threadCpu(pid);
          },
          onAccepted: (loadgen) => {
            if (sending) admission = admissionCpu(sending, cpuSnapshot(target.child.pid, loadgen));
          },
          onMined: () => {
            if (pid !== undefined) cpuMined = cpuPerTransaction(pid, cpu, threadCpu(pid), COUNT);
          },
        });
        log(`${target.name}: ${JSON.stringify(result)}`);
        if (admission) log(`${target.name}: ${kind}: ${admission}`);
        if (cpuMined) log(`${target.name}: ${kind}: ${cpuMined}`);
        return result;
      };
      log(`${target.name}: ${COUNT} transfers from ${SENDERS} senders`);
      const transfers = await measured('transfers');
      log(`${target.name}: ${COUNT} ERC-20 transfers`);
      const erc20 = await measured('erc20');
      const rssEndMB = target.ours ? rssMB(target.child.pid) : undefined;
      if (target.ours)
        log(
          `${target.name}: RSS at the end ${rssEndMB} MB (${rssSplit(target.child.pid)}; ${await heapOf(target.url)})`,
        );
      results[target.name] = {
        transfers,
        erc20,
        ...(rssStartMB !== undefined ? { rssSetupMB, rssStartMB, rssEndMB } : {}),
      };
    } finally {
      await target.stop();
    }
  }
  const ours = results.ours;
  const anvil = results.anvil;
  if (!ours || !anvil) throw new Error('a target did not report');
  const row = (name: string, kind: 'transfers' | 'erc20', r: LoadResult) =>
    `| ${name} | ${kind} | ${r.accepted}/${r.sent} | ${r.acceptedTps} | ${r.minedTps} | ${r.p50ms} | ${r.p99ms} | ${r.callsPerSecond} |`;
  const table = [
    `## chain (${quick ? '--quick, ' : ''}${COUNT} transactions per load, ${SENDERS} senders, ${CONCURRENCY} connections, ${new Date().toISOString().slice(0, 10)})`,
    '',
    '| node | load | accepted | accepted tx/s | mined tx/s | inclusion p50 ms | inclusion p99 ms | eth_call/s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    row('ours', 'transfers', ours.transfers),
    row('ours', 'erc20', ours.erc20),
    row('anvil', 'transfers', anvil.transfers),
    row('anvil', 'erc20', anvil.erc20),
    '',
    `Our node's RSS: ${ours.rssSetupMB} MB after setup (token deployed and handed out), ${ours.rssStartMB} MB after warm-up (${WARMUP_COUNT} transfers and ${WARMUP_COUNT} ERC-20 transfers), ${ours.rssEndMB} MB at the end.`,
  ].join('\n');
  updateResults(table);
  log(table);
  const pick = (r: LoadResult) => ({ minedTps: r.minedTps, p50ms: r.p50ms, p99ms: r.p99ms });
  const summary = {
    ours: {
      transfers: pick(ours.transfers),
      erc20: pick(ours.erc20),
      callsPerSecond: Math.round((ours.transfers.callsPerSecond + ours.erc20.callsPerSecond) / 2),
      rssStartMB: ours.rssStartMB,
      rssEndMB: ours.rssEndMB,
    },
    anvil: {
      transfers: pick(anvil.transfers),
      erc20: pick(anvil.erc20),
      callsPerSecond: Math.round((anvil.transfers.callsPerSecond + anvil.erc20.callsPerSecond) / 2),
    },
  };
  console.log(JSON.stringify(summary));
}

main().catch((e) => {
  console.error(`bench chain: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
