// The real node process, driven by real Ethereum clients: viem over HTTP and WebSocket, and
// Foundry's cast. Covers the ERC-20 life cycle, filters and subscriptions, estimateGas, reverts
// with their reason, eth_getProof against the block's stateRoot, error answers, the Outbox's
// message shards verified against the sealed header with libs/dietcoin, and supply accounting.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { verifyMerkleProof } from '@ethereumjs/mpt';
import { RLP } from '@ethereumjs/rlp';
import {
  createValidatorSet,
  decodeSealedHeader,
  decodeShardProof,
  initDietcoin,
  verifySeals,
  verifyShardProof,
} from '@khipu/dietcoin';
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeFunctionData,
  type Hex,
  hexToBytes,
  http,
  keccak256,
  type PublicClient,
  parseEther,
  parseEventLogs,
  toHex,
  type WalletClient,
  webSocket,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { Outbox, TestToken } from './generated/contracts.js';
import { type NodeProcess, rpcCall, spawnNode } from './testing/nodeProcess.js';

const run = promisify(execFile);
const CHAIN_ID = 7001;
const OUTBOX = '0x0000000000000000000000000000000000001001' as const;
const FEE_POOL = '0x0000000000000000000000000000000000000fee' as const;
const VALIDATOR_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba' as const;
const validator = privateKeyToAccount(VALIDATOR_KEY);
const alice = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const bob = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const carol = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
const GENESIS_BALANCE = parseEther('1000000');

function castPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@foundry-rs/cast-linux-amd64/package.json')), 'bin', 'cast');
}

let dir: string;
let node: NodeProcess;
let chain: Chain;
let client: PublicClient;
let wallet: WalletClient;
let tokenAddress: Hex;
/** Every address that ever held KIP in this test: the supply check sums them. */
const holders = new Set<Hex>([
  alice.address,
  bob.address,
  carol.address,
  validator.address,
  FEE_POOL,
  OUTBOX,
]);

before(async () => {
  await initDietcoin();
  dir = mkdtempSync(join(tmpdir(), 'khipu-node-test-'));
  node = await spawnNode({
    dir,
    validatorKey: VALIDATOR_KEY,
    genesis: {
      chainId: CHAIN_ID,
      name: 'node-test',
      timestamp: Math.floor(Date.now() / 1000) - 10,
      blockTimeMs: 250,
      validators: [validator.address],
      stateShardBits: 4,
      alloc: Object.fromEntries(
        [alice, bob, carol].map((a) => [a.address, { balance: GENESIS_BALANCE.toString() }]),
      ),
    },
  });
  chain = defineChain({
    id: CHAIN_ID,
    name: 'node-test',
    nativeCurrency: { name: 'KIP', symbol: 'KIP', decimals: 18 },
    rpcUrls: { default: { http: [node.url], webSocket: [node.wsUrl] } },
  });
  client = createPublicClient({ chain, transport: http(node.url), pollingInterval: 100 });
  wallet = createWalletClient({ chain, transport: http(node.url) });
});

after(async () => {
  await node?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('[chain-node] real node process with viem and cast', () => {
  it('deploys an ERC-20 compiled with solc, transfers it, and reports balances, receipts and logs', async () => {
    const deploy = await wallet.deployContract({
      account: alice,
      chain,
      abi: TestToken.abi,
      bytecode: TestToken.bytecode,
      args: ['Khipu Test', 'KTT', 1_000_000n],
    });
    const receipt = await client.waitForTransactionReceipt({ hash: deploy });
    assert.equal(receipt.status, 'success');
    assert.ok(receipt.contractAddress);
    tokenAddress = receipt.contractAddress;
    const code = await client.getCode({ address: tokenAddress });
    assert.ok(code && code.length > 100);

    const hash = await wallet.writeContract({
      account: alice,
      chain,
      address: tokenAddress,
      abi: TestToken.abi,
      functionName: 'transfer',
      args: [bob.address, 250n],
    });
    const r = await client.waitForTransactionReceipt({ hash });
    assert.equal(r.status, 'success');
    const [transfer] = parseEventLogs({ abi: TestToken.abi, logs: r.logs, eventName: 'Transfer' });
    assert.deepEqual(transfer?.args, { from: alice.address, to: bob.address, value: 250n });
    const balance = await client.readContract({
      address: tokenAddress,
      abi: TestToken.abi,
      functionName: 'balanceOf',
      args: [bob.address],
    });
    assert.equal(balance, 250n);
    const tx = await client.getTransaction({ hash });
    assert.equal(tx.from.toLowerCase(), alice.address.toLowerCase());
    assert.equal(tx.blockNumber, r.blockNumber);
    const block = await client.getBlock({ blockNumber: r.blockNumber, includeTransactions: true });
    assert.ok(block.transactions.some((t) => typeof t === 'object' && t.hash === hash));
    const logs = await client.getContractEvents({
      address: tokenAddress,
      abi: TestToken.abi,
      eventName: 'Transfer',
      args: { to: bob.address },
      fromBlock: 0n,
    });
    assert.equal(logs.length, 1);
    assert.equal(logs[0]?.transactionHash, hash);
  });

  it('serves filters and WebSocket subscriptions of new blocks and logs', async () => {
    const filter = await client.createContractEventFilter({
      address: tokenAddress,
      abi: TestToken.abi,
      eventName: 'Transfer',
    });
    const blockFilter = await client.createBlockFilter();
    const ws = createPublicClient({ chain, transport: webSocket(node.wsUrl) });
    const heads: bigint[] = [];
    const unwatchBlocks = ws.watchBlockNumber({ onBlockNumber: (n) => heads.push(n) });
    const seen: bigint[] = [];
    const unwatchLogs = ws.watchContractEvent({
      address: tokenAddress,
      abi: TestToken.abi,
      eventName: 'Transfer',
      onLogs: (logs) => {
        for (const l of logs) seen.push((l.args as { value: bigint }).value);
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    const hash = await wallet.writeContract({
      account: alice,
      chain,
      address: tokenAddress,
      abi: TestToken.abi,
      functionName: 'transfer',
      args: [carol.address, 7n],
    });
    await client.waitForTransactionReceipt({ hash });
    // Notifications arrive asynchronously: wait for them (bounded) rather than for a fixed time.
    const deadline = Date.now() + 15_000;
    while ((heads.length < 2 || seen.length < 1) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const changes = await client.getFilterChanges({ filter });
    assert.equal(changes.length, 1);
    assert.equal((changes[0]?.args as { value: bigint } | undefined)?.value, 7n);
    const blocks = await client.getFilterChanges({ filter: blockFilter });
    assert.ok(blocks.length >= 1);
    assert.ok(heads.length >= 2, `newHeads over WebSocket: ${heads.length}`);
    assert.deepEqual(seen, [7n]);
    unwatchBlocks();
    unwatchLogs();
    await client.uninstallFilter({ filter });
    await ws.transport.getRpcClient().then((c) => c.close());
  });

  it('estimates gas, and surfaces a revert reason from eth_call and eth_estimateGas', async () => {
    const gas = await client.estimateGas({
      account: alice.address,
      to: tokenAddress,
      data: encodeFunctionData({ abi: TestToken.abi, functionName: 'transfer', args: [bob.address, 1n] }),
    });
    assert.ok(gas > 21_000n && gas < 100_000n, `estimate ${gas}`);
    await assert.rejects(
      client.simulateContract({
        account: bob.address,
        address: tokenAddress,
        abi: TestToken.abi,
        functionName: 'transfer',
        args: [alice.address, 10n ** 9n],
      }),
      /TestToken: balance too low/,
    );
    const raw = await rpcCall(node.url, 'eth_call', [
      {
        from: bob.address,
        to: tokenAddress,
        data: encodeFunctionData({
          abi: TestToken.abi,
          functionName: 'transfer',
          args: [alice.address, 10n ** 9n],
        }),
      },
      'latest',
    ]);
    assert.equal(raw.error?.code, 3);
    assert.equal(raw.error?.message, 'execution reverted: TestToken: balance too low');
    assert.match(String(raw.error?.data), /^0x08c379a0/);
  });

  it('answers eth_getProof that verifies with @ethereumjs/mpt against the block stateRoot', async () => {
    const block = await client.getBlock({ blockTag: 'latest' });
    const proof = await client.getProof({ address: bob.address, storageKeys: [], blockNumber: block.number });
    const value = await verifyMerkleProof(
      hexToBytes(keccak256(bob.address)),
      proof.accountProof.map((p) => hexToBytes(p)),
    );
    assert.ok(value);
    const [nonce, balance, storageRoot, codeHash] = RLP.decode(value) as Uint8Array[];
    assert.equal(BigInt(toHex(balance as Uint8Array)), proof.balance);
    assert.equal(BigInt(toHex(nonce as Uint8Array).replace(/^0x$/, '0x0')), BigInt(proof.nonce));
    assert.equal(toHex(storageRoot as Uint8Array), proof.storageHash);
    assert.equal(toHex(codeHash as Uint8Array), proof.codeHash);
    // The proof's root node hashes to the block's stateRoot.
    assert.equal(keccak256(proof.accountProof[0] as Hex), block.stateRoot);
    assert.equal(proof.balance, await client.getBalance({ address: bob.address, blockNumber: block.number }));
  });

  it('refuses a wrong chain id, a nonce too low, an underpriced replacement, garbage, oversized and malformed requests', async () => {
    const nonce = await client.getTransactionCount({ address: carol.address });
    const fees = { maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n };
    const wrongChain = await carol.signTransaction({
      chainId: 1,
      nonce,
      to: bob.address,
      value: 1n,
      gas: 21_000n,
      ...fees,
      type: 'eip1559',
    });
    const a = await rpcCall(node.url, 'eth_sendRawTransaction', [wrongChain]);
    assert.ok(a.error, 'wrong chain id refused');
    assert.match(a.error.message, /chain/i);

    const low = await alice.signTransaction({
      chainId: CHAIN_ID,
      nonce: 0,
      to: bob.address,
      value: 1n,
      gas: 21_000n,
      ...fees,
      type: 'eip1559',
    });
    const b = await rpcCall(node.url, 'eth_sendRawTransaction', [low]);
    assert.match(String(b.error?.message), /^nonce too low/);

    // Two transactions with a future nonce stay queued: the second, 5% dearer, is refused.
    const future = nonce + 5;
    const first = await carol.signTransaction({
      chainId: CHAIN_ID,
      nonce: future,
      to: bob.address,
      value: 1n,
      gas: 21_000n,
      ...fees,
      type: 'eip1559',
    });
    assert.ok((await rpcCall(node.url, 'eth_sendRawTransaction', [first])).result);
    const cheapBump = await carol.signTransaction({
      chainId: CHAIN_ID,
      nonce: future,
      to: bob.address,
      value: 2n,
      gas: 21_000n,
      maxFeePerGas: (fees.maxFeePerGas * 105n) / 100n,
      maxPriorityFeePerGas: (fees.maxPriorityFeePerGas * 105n) / 100n,
      type: 'eip1559',
    });
    const c = await rpcCall(node.url, 'eth_sendRawTransaction', [cheapBump]);
    assert.equal(c.error?.message, 'replacement transaction underpriced');

    const garbage = await rpcCall(node.url, 'eth_sendRawTransaction', ['0xdeadbeef']);
    assert.ok(garbage.error);
    assert.ok([-32602, -32000].includes(garbage.error.code), `garbage code ${garbage.error.code}`);

    const unknown = await rpcCall(node.url, 'eth_doesNotExist', []);
    assert.equal(unknown.error?.code, -32601);

    const malformed = await fetch(node.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0",',
    });
    const m = (await malformed.json()) as { error: { code: number } };
    assert.equal(m.error.code, -32700);

    // Above the 5 MiB limit: a 413 or an error answer, or the connection cut while sending.
    const refused = await fetch(node.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_call',
        params: [{ data: `0x${'00'.repeat(6 * 1024 * 1024)}` }],
      }),
    }).then(
      async (res) => res.status === 413 || Boolean(((await res.json()) as { error?: unknown }).error),
      () => true,
    );
    assert.ok(refused, 'an oversized request is refused');
    // ...and the node is still up.
    assert.ok((await client.getBlockNumber()) > 0n);
  });

  it('puts every Outbox message of a block in its message shards, verified against the sealed header', async () => {
    const body = (i: number) => toHex(`hello ${i}`);
    const sends: { account: typeof alice; data: Hex; value: bigint }[] = [
      {
        account: alice,
        data: encodeFunctionData({
          abi: Outbox.abi,
          functionName: 'dispatch',
          args: [9001n, bob.address, body(1)],
        }),
        value: 0n,
      },
      {
        account: bob,
        data: encodeFunctionData({
          abi: Outbox.abi,
          functionName: 'dispatch',
          args: [9001n, carol.address, body(2)],
        }),
        value: 0n,
      },
      {
        account: alice,
        data: encodeFunctionData({
          abi: Outbox.abi,
          functionName: 'transferKip',
          args: [9002n, carol.address],
        }),
        value: parseEther('3'),
      },
      {
        account: bob,
        data: encodeFunctionData({
          abi: Outbox.abi,
          functionName: 'transferKip',
          args: [9001n, alice.address],
        }),
        value: parseEther('0.5'),
      },
    ];
    const nonces = new Map<string, number>();
    const hashes: Hex[] = [];
    for (const s of sends) {
      const nonce =
        nonces.get(s.account.address) ??
        (await client.getTransactionCount({ address: s.account.address, blockTag: 'pending' }));
      nonces.set(s.account.address, nonce + 1);
      const raw = await s.account.signTransaction({
        chainId: CHAIN_ID,
        nonce,
        to: OUTBOX,
        data: s.data,
        value: s.value,
        gas: 200_000n,
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: 10n ** 9n,
        type: 'eip1559',
      });
      hashes.push(await client.sendRawTransaction({ serializedTransaction: raw }));
    }
    const receipts = await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash })));
    const dispatched = receipts.flatMap((r) =>
      parseEventLogs({ abi: Outbox.abi, logs: r.logs, eventName: 'MessageDispatched' }),
    );
    assert.equal(dispatched.length, 4);
    const validators = (await rpcCall(node.url, 'khipu_getValidators', ['latest'])).result as {
      validators: { address: Hex }[];
    };
    const set = createValidatorSet({
      validators: validators.validators.map((v) => ({ address: hexToBytes(v.address), stake: 1n })),
    });
    const found = new Set<string>();
    for (const n of new Set(receipts.map((r) => r.blockNumber))) {
      const sealed = (await rpcCall(node.url, 'khipu_getSealedHeader', [toHex(n)])).result as {
        encoded: Hex;
      };
      const decoded = decodeSealedHeader(hexToBytes(sealed.encoded));
      verifySeals({
        chainId: BigInt(CHAIN_ID),
        height: Number(n),
        round: decoded.seals.round,
        blockHash: decoded.header.hash,
        validators: set,
        quorum: 'count',
        seals: decoded.seals.seals,
      });
      for (const destination of [9001n, 9002n]) {
        const shard = (await rpcCall(node.url, 'khipu_getMessageShard', [toHex(n), toHex(destination)]))
          .result as { proof: Hex; messages: { id: Hex }[] } | null;
        if (!shard) continue;
        const verified = verifyShardProof({
          proof: decodeShardProof(hexToBytes(shard.proof)),
          messageRoot: decoded.header.header.extra.messageRoot,
          blockNumber: Number(n),
          sourceChainId: BigInt(CHAIN_ID),
        });
        for (const id of verified.ids) found.add(toHex(id));
        assert.deepEqual(
          shard.messages.map((m) => m.id),
          verified.ids.map((id) => toHex(id)),
        );
      }
    }
    for (const d of dispatched)
      assert.ok(found.has(d.args.id), `message ${d.args.id} is in a verified shard`);
    holders.add(carol.address);
  });

  it('accounts for every wei of the supply after random transfers and dispatches', async () => {
    // Random value transfers among the holders and KIP transfers out through the Outbox.
    // Carol holds a queued transaction from the refusal test: she only receives here.
    const people = [alice, bob, carol];
    const senders = [alice, bob];
    const nonces = new Map<string, number>();
    let burnedHere = 0n;
    const hashes: Hex[] = [];
    for (let i = 0; i < 24; i++) {
      const from = senders[Math.floor(Math.random() * senders.length)] as typeof alice;
      const nonce =
        nonces.get(from.address) ??
        (await client.getTransactionCount({ address: from.address, blockTag: 'pending' }));
      nonces.set(from.address, nonce + 1);
      const amount = BigInt(1 + Math.floor(Math.random() * 1e9)) * 10n ** 6n;
      const toOutbox = Math.random() < 0.4;
      if (toOutbox) burnedHere += amount;
      const raw = await from.signTransaction({
        chainId: CHAIN_ID,
        nonce,
        to: toOutbox ? OUTBOX : (people[Math.floor(Math.random() * people.length)] as typeof alice).address,
        value: amount,
        data: toOutbox
          ? encodeFunctionData({
              abi: Outbox.abi,
              functionName: 'transferKip',
              args: [9001n + BigInt(i % 3), bob.address],
            })
          : '0x',
        gas: 120_000n,
        maxFeePerGas: 10n ** 11n,
        maxPriorityFeePerGas: BigInt(1 + Math.floor(Math.random() * 1e9)),
        type: 'eip1559',
      });
      hashes.push(await client.sendRawTransaction({ serializedTransaction: raw }));
    }
    const mined = await Promise.all(hashes.map((hash) => client.waitForTransactionReceipt({ hash })));
    for (const r of mined) assert.equal(r.status, 'success');
    // viem caches the block number for its polling interval: ask the node, so that the head read
    // here holds every block a receipt above came from.
    const head = await client.getBlockNumber({ cacheTime: 0 });
    assert.ok(mined.every((r) => r.blockNumber <= head));
    const supply = (await rpcCall(node.url, 'khipu_getSupply', [toHex(head)])).result as Record<
      string,
      Hex | Record<string, Hex>
    >;
    let sum = 0n;
    for (const a of holders)
      if (a !== OUTBOX) sum += await client.getBalance({ address: a, blockNumber: head });
    const outbox = await client.getBalance({ address: OUTBOX, blockNumber: head });
    assert.equal(BigInt(supply.genesisSupply as Hex), 3n * GENESIS_BALANCE);
    assert.equal(BigInt(supply.burned as Hex), outbox);
    assert.equal(outbox, parseEther('3.5') + burnedHere);
    assert.equal(BigInt(supply.supply as Hex), sum, 'supply = sum of every balance but the Outbox');
    assert.equal(sum + outbox, 3n * GENESIS_BALANCE, 'no wei created or lost');
    let fees = 0n;
    for (let n = 1n; n <= head; n++) {
      const b = await client.getBlock({ blockNumber: n });
      fees += (b.baseFeePerGas ?? 0n) * b.gasUsed;
    }
    assert.equal(BigInt(supply.feePool as Hex), fees);
    assert.equal(await client.getBalance({ address: FEE_POOL, blockNumber: head }), fees);
  });

  it('answers Foundry cast, which parses strictly', async () => {
    const cast = castPath();
    const { stdout: chainId } = await run(cast, ['chain-id', '--rpc-url', node.url]);
    assert.equal(chainId.trim(), String(CHAIN_ID));
    const { stdout: blockJson } = await run(cast, ['block', 'latest', '--json', '--rpc-url', node.url]);
    const block = JSON.parse(blockJson) as { number: string; hash: string };
    assert.match(block.hash, /^0x[0-9a-f]{64}$/);
    const { stdout: balance } = await run(cast, ['balance', bob.address, '--rpc-url', node.url]);
    assert.equal(
      BigInt(balance.trim()),
      await client.getBalance({ address: bob.address, blockTag: 'latest' }),
    );
    const { stdout: tokenBalance } = await run(cast, [
      'call',
      tokenAddress,
      'balanceOf(address)(uint256)',
      bob.address,
      '--rpc-url',
      node.url,
    ]);
    assert.match(tokenBalance.trim(), /^250\b/);
    const { stdout: sent } = await run(cast, [
      'send',
      '--json',
      '--private-key',
      '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
      '--rpc-url',
      node.url,
      tokenAddress,
      'transfer(address,uint256)',
      alice.address,
      '1',
    ]);
    const receipt = JSON.parse(sent) as { status: string; transactionHash: string };
    assert.equal(receipt.status, '0x1');
    const { stdout: rcpt } = await run(cast, [
      'receipt',
      receipt.transactionHash,
      '--json',
      '--rpc-url',
      node.url,
    ]);
    assert.equal((JSON.parse(rcpt) as { transactionHash: string }).transactionHash, receipt.transactionHash);
    const { stdout: tx } = await run(cast, ['tx', receipt.transactionHash, '--json', '--rpc-url', node.url]);
    assert.equal((JSON.parse(tx) as { hash: string }).hash, receipt.transactionHash);
  });
});
