// The load generator, in its own process: pre-signs every transaction, then sends them over
// JSON-RPC with 32 concurrent connections as fast as the node accepts them, watches new blocks to
// time each inclusion, and counts until all are mined; then measures eth_call requests per second.
// Input: one JSON object in argv[2]; output: one JSON object on stdout.
import { encodeFunctionData, type Hex, parseAbi } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ACCEPTED_MARKER, MINED_MARKER, SENDING_MARKER } from './loadgenProtocol.js';

interface LoadInput {
  url: string;
  chainId: number;
  /** Sender private keys, funded (and holding tokens for `erc20`). */
  keys: Hex[];
  kind: 'transfers' | 'erc20';
  count: number;
  token?: Hex;
  concurrency: number;
  callSeconds: number;
  gasPrice: string;
}

interface LoadResult {
  sent: number;
  accepted: number;
  acceptedTps: number;
  minedTps: number;
  p50ms: number;
  p99ms: number;
  /** eth_sendRawTransaction round trip (request sent to answer read), ms. */
  sendP50ms: number;
  sendP99ms: number;
  callsPerSecond: number;
  errors: string[];
}

const erc20 = parseAbi([
  'function transfer(address to, uint256 value) returns (bool)',
  'function balanceOf(address) view returns (uint256)',
]);

let id = 0;
async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as LoadInput;
  const accounts = input.keys.map((k) => privateKeyToAccount(k));
  const nonces = await Promise.all(
    accounts.map(async (a) =>
      Number(BigInt((await rpc(input.url, 'eth_getTransactionCount', [a.address, 'pending'])) as string)),
    ),
  );
  // Pre-sign, round-robin over senders so that every block holds many senders.
  const perSender = Math.ceil(input.count / accounts.length);
  const raws: Hex[] = [];
  const gasPrice = BigInt(input.gasPrice);
  for (let n = 0; n < perSender; n++) {
    for (const [i, a] of accounts.entries()) {
      if (raws.length >= input.count) break;
      const to = accounts[(i + 1) % accounts.length]?.address as Hex;
      raws.push(
        await a.signTransaction({
          chainId: input.chainId,
          nonce: (nonces[i] ?? 0) + n,
          to: input.kind === 'erc20' ? (input.token as Hex) : to,
          value: input.kind === 'erc20' ? 0n : 1n,
          data:
            input.kind === 'erc20'
              ? encodeFunctionData({ abi: erc20, functionName: 'transfer', args: [to, 1n] })
              : '0x',
          gas: input.kind === 'erc20' ? 60_000n : 21_000n,
          maxFeePerGas: gasPrice,
          maxPriorityFeePerGas: 1_000_000_000n,
          type: 'eip1559',
        }),
      );
    }
  }
  const sentAt = new Map<string, number>();
  const minedAt = new Map<string, number>();
  const errors: string[] = [];
  let accepted = 0;
  let lastAccepted = 0;
  const sendLatencies: number[] = [];
  // Block watcher: every new block's transaction hashes, timed when first seen.
  let watching = true;
  let seen = BigInt((await rpc(input.url, 'eth_blockNumber', [])) as string);
  const watcher = (async () => {
    while (watching) {
      const head = BigInt((await rpc(input.url, 'eth_blockNumber', [])) as string);
      for (let n = seen + 1n; n <= head; n++) {
        const block = (await rpc(input.url, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false])) as {
          transactions: string[];
        };
        const now = performance.now();
        for (const h of block.transactions) if (!minedAt.has(h)) minedAt.set(h, now);
      }
      seen = head;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  process.stderr.write(`${SENDING_MARKER}\n`);
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      for (;;) {
        const i = next++;
        const raw = raws[i];
        if (raw === undefined) return;
        const asked = performance.now();
        try {
          const hash = (await rpc(input.url, 'eth_sendRawTransaction', [raw])) as string;
          const now = performance.now();
          sendLatencies.push(now - asked);
          sentAt.set(hash, now);
          accepted++;
          lastAccepted = now;
        } catch (e) {
          if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e));
        }
      }
    }),
  );
  process.stderr.write(`${ACCEPTED_MARKER}\n`);
  sendLatencies.sort((a, b) => a - b);
  const deadline = performance.now() + 300_000;
  while ([...sentAt.keys()].some((h) => !minedAt.has(h)) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  watching = false;
  await watcher;
  process.stderr.write(`${MINED_MARKER}\n`);
  let lastMined = start;
  const latencies: number[] = [];
  for (const [h, t] of sentAt) {
    const m = minedAt.get(h);
    if (m === undefined) continue;
    latencies.push(m - t);
    if (m > lastMined) lastMined = m;
  }
  latencies.sort((a, b) => a - b);
  // eth_call throughput: balanceOf (erc20) or eth_getBalance-equivalent call (transfers).
  const callData =
    input.kind === 'erc20'
      ? {
          to: input.token,
          data: encodeFunctionData({
            abi: erc20,
            functionName: 'balanceOf',
            args: [accounts[0]?.address as Hex],
          }),
        }
      : { to: accounts[0]?.address, data: '0x' };
  let calls = 0;
  const callEnd = performance.now() + input.callSeconds * 1000;
  await Promise.all(
    Array.from({ length: input.concurrency }, async () => {
      while (performance.now() < callEnd) {
        await rpc(input.url, 'eth_call', [callData, 'latest']);
        calls++;
      }
    }),
  );
  const result: LoadResult = {
    sent: raws.length,
    accepted,
    acceptedTps: Math.round(accepted / ((lastAccepted - start) / 1000)),
    minedTps: Math.round(latencies.length / ((lastMined - start) / 1000)),
    p50ms: Math.round(percentile(latencies, 50)),
    p99ms: Math.round(percentile(latencies, 99)),
    sendP50ms: Math.round(percentile(sendLatencies, 50) * 10) / 10,
    sendP99ms: Math.round(percentile(sendLatencies, 99) * 10) / 10,
    callsPerSecond: Math.round(calls / input.callSeconds),
    errors,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => {
  process.stderr.write(`loadgen: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
