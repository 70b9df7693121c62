// `node bench/dist/chain/importCost.js [--blocks=N] [--txs=N] [--mode=serial|parallel] [--workers=N]
// [--workload=transfers|erc20] [--cpu-profile=FILE]`: what a validator spends importing a block of
// ETH transfers (default) or of ERC-20 transfers (libs/execution's test token in genesis, every
// sender holding tokens; each transfer to a fresh recipient), in process.
// A producing chain builds N blocks of `txs` transactions (one per sender per block) on Kesque; then
// a following chain, also on Kesque, imports each one. Reports, per block, the CPU time of the
// whole import (every thread of the process) and of the executor call inside it, their wall
// time, and the wall time of each step (the importer's phases, then the store commit); the first
// quarter of the blocks is warm-up and left out of the medians. --cpu-profile writes a V8 CPU
// profile of the imports alone (open it in Chrome's DevTools). Run it under
// `flock /tmp/bench.lock`; with --json the last line is the result object.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { bytesToHex, privateToAddress } from '@ethereumjs/util';
import {
  type BlockEnvelope,
  blockEnvelopeOf,
  CHAIN_TABLES,
  type ImportPhases,
  openChain,
  type PendingTransaction,
  parseGenesisConfig,
} from '@khipu/chain';
import { addressOfPrivateKey, initDietcoin, keccak256 } from '@khipu/dietcoin';
import { loadExecutionCrypto } from '@khipu/execution';
import { CONTRACTS, encodeCall, Token, tokenBalanceSlot } from '@khipu/execution/testing';
import { openKesque } from '@khipu/kesque';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k as string, v ?? 'true'];
  }),
);
const BLOCKS = Number(args.get('blocks') ?? 40);
const TXS = Number(args.get('txs') ?? 200);
const MODE = (args.get('mode') ?? 'serial') as 'serial' | 'parallel';
const WORKERS = Number(args.get('workers') ?? 2);
const JSON_OUT = args.has('json');
const CPU_PROFILE = args.get('cpu-profile');
const WORKLOAD = args.get('workload') ?? 'transfers';
if (WORKLOAD !== 'transfers' && WORKLOAD !== 'erc20') throw new Error(`unknown --workload=${WORKLOAD}`);

function keyOf(i: number): Uint8Array {
  const key = new Uint8Array(32);
  key[0] = 1;
  new DataView(key.buffer).setUint32(28, i + 1);
  return key;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

interface Row {
  importCpu: number;
  importWall: number;
  executeCpu: number;
  executeWall: number;
  /** The importer's phases, libs/execution's executeBlock inside `execute`, then the commit. */
  phases: ImportPhases & { executeBlock: number; storeCommit: number };
}

async function main(): Promise<void> {
  await initDietcoin();
  const validatorKey = keyOf(1_000_000);
  const senders = Array.from({ length: TXS }, (_, i) => keyOf(i));
  await loadExecutionCrypto(); // tokenBalanceSlot hashes with it
  const senderAddresses = senders.map((k) => bytesToHex(privateToAddress(k)));
  const alloc: Record<string, { balance: string; code?: string; storage?: Record<string, string> }> =
    Object.fromEntries(senderAddresses.map((a) => [a, { balance: (10n ** 24n).toString() }]));
  if (WORKLOAD === 'erc20') {
    const holding = `0x${(10n ** 24n).toString(16).padStart(64, '0')}`;
    alloc[CONTRACTS.token] = {
      balance: '0',
      code: Token.deployedBytecode,
      storage: Object.fromEntries(senderAddresses.map((a) => [tokenBalanceSlot(a), holding])),
    };
  }
  const genesis = parseGenesisConfig({
    chainId: 7003,
    timestamp: 1_700_000_000,
    validators: [bytesToHex(addressOfPrivateKey(validatorKey))],
    alloc,
  });
  const dir = mkdtempSync(join(tmpdir(), 'khipu-import-cost-'));
  const open = (name: string) =>
    openKesque({ dir: join(dir, name), tables: CHAIN_TABLES, durability: { mode: 'never' } });
  let clock = 1_700_000_000_000;
  const now = () => (clock += 1000);
  let queue: PendingTransaction[] = [];
  const producer = await openChain({
    kv: await open('producer'),
    genesis,
    validatorKey,
    source: { take: () => queue.splice(0), onBlockCommitted: () => {} },
    now,
    execution: { mode: MODE, workers: WORKERS },
  });
  const follower = await openChain({
    kv: await open('follower'),
    genesis,
    now,
    execution: { mode: MODE, workers: WORKERS },
  });
  // The follower's importer calls this same object: timing its `execute` splits the import.
  const executor = follower.executor;
  const execute = executor.execute.bind(executor);
  let executeCpu = 0;
  let executeWall = 0;
  let libraryWall = 0;
  executor.execute = async (input) => {
    const c = cpuMs();
    const w = performance.now();
    try {
      const out = await execute(input);
      // libs/execution's own wall time (executeBlock), the rest is the chain's adapter.
      libraryWall += out.stats.executionSeconds * 1000;
      return out;
    } finally {
      executeCpu += cpuMs() - c;
      executeWall += performance.now() - w;
    }
  };
  const recipient = `0x${'ab'.repeat(20)}` as const;
  const envelopes: BlockEnvelope[] = [];
  const stateRoots: string[] = [];
  for (let n = 0; n < BLOCKS; n++) {
    queue = senders.map((key, i) => {
      // ERC-20: each transfer to a recipient of its own (a new balance slot), as in a busy token.
      const to = `0x${(BigInt(n * TXS + i) + 0xbeef00000000n).toString(16).padStart(40, '0')}`;
      const fields =
        WORKLOAD === 'erc20'
          ? {
              to: CONTRACTS.token,
              data: encodeCall('transfer(address,uint256)', [to, 1n]),
              gasLimit: 80_000n,
            }
          : { to: recipient, value: 1n, gasLimit: 21_000n };
      const tx = createFeeMarket1559Tx(
        { nonce: BigInt(n), ...fields, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 1n },
        { common: producer.common },
      ).sign(key);
      const raw = tx.serialize();
      return { tx, raw, sender: tx.getSenderAddress().bytes, hash: keccak256(raw) };
    });
    await producer.producer?.produceBlock();
    const number = producer.store.headNumber();
    const envelope = blockEnvelopeOf(producer.store, number);
    if (!envelope || envelope.transactions.length !== TXS)
      throw new Error(`block ${number} holds ${envelope?.transactions.length} transactions, not ${TXS}`);
    // A reverted token transfer uses ~23,000 gas, a successful one to a new holder ~51,000.
    const gasUsed = BigInt(producer.store.headHeader().gasUsed);
    if (WORKLOAD === 'erc20' && gasUsed < 40_000n * BigInt(TXS))
      throw new Error(`block ${number}: ${gasUsed} gas for ${TXS} token transfers: they reverted`);
    envelopes.push(envelope);
    stateRoots.push(producer.store.headHeader().stateRoot);
  }
  const profiler = CPU_PROFILE ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 250 });
    await profiler.post('Profiler.start');
  }
  const rows: Row[] = [];
  for (const [i, envelope] of envelopes.entries()) {
    executeCpu = 0;
    executeWall = 0;
    libraryWall = 0;
    const c = cpuMs();
    const w = performance.now();
    const prepared = await follower.importer.prepare(envelope, { seals: true });
    const committing = performance.now();
    const header = await follower.importer.commitPrepared(prepared, envelope.seals);
    const importWall = performance.now() - w;
    rows.push({
      importCpu: cpuMs() - c,
      importWall,
      executeCpu,
      executeWall,
      phases: { ...prepared.phases, executeBlock: libraryWall, storeCommit: importWall - (committing - w) },
    });
    if (header.stateRoot !== stateRoots[i]) throw new Error('state roots differ');
  }
  if (profiler && CPU_PROFILE) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(CPU_PROFILE, JSON.stringify(profile));
    profiler.disconnect();
  }
  await producer.stop();
  await follower.stop();
  rmSync(dir, { recursive: true, force: true });
  const measured = rows.slice(Math.floor(rows.length / 4));
  const result = {
    workload: WORKLOAD,
    mode: MODE,
    workers: MODE === 'parallel' ? WORKERS : 0,
    blocks: measured.length,
    txsPerBlock: TXS,
    importCpuMs: median(measured.map((r) => r.importCpu)),
    importWallMs: median(measured.map((r) => r.importWall)),
    executeCpuMs: median(measured.map((r) => r.executeCpu)),
    executeWallMs: median(measured.map((r) => r.executeWall)),
    outsideExecuteCpuMs: median(measured.map((r) => r.importCpu - r.executeCpu)),
    firstBlocksImportWallMs: rows.slice(0, 5).map((r) => Math.round(r.importWall)),
    phaseWallMs: Object.fromEntries(
      Object.keys(measured[0]?.phases ?? {}).map((k) => [
        k,
        Math.round(10 * median(measured.map((r) => r.phases[k as keyof Row['phases']]))) / 10,
      ]),
    ),
  };
  if (!JSON_OUT) {
    for (const [k, v] of Object.entries(result))
      console.log(`${k.padEnd(24)} ${typeof v === 'number' ? v.toFixed?.(1) : JSON.stringify(v)}`);
  }
  console.log(JSON.stringify(result));
  process.exit(0);
}

await main();
