import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common';
import { createFeeMarket1559Tx } from '@ethereumjs/tx';
import { Account, Address, hexToBytes } from '@ethereumjs/util';
import { createVM, runTx, type VM } from '@ethereumjs/vm';
import {
  decodeAbiParameters,
  decodeEventLog,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  keccak256,
  toHex,
} from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { Outbox } from '../generated/contracts.js';

const CHAIN_ID = 7001n;
const OUTBOX = '0x0000000000000000000000000000000000001001' as const;
const MESSAGE_TYPES = [
  { type: 'uint8', name: 'version' },
  { type: 'uint64', name: 'nonce' },
  { type: 'uint64', name: 'sourceChainId' },
  { type: 'address', name: 'sender' },
  { type: 'uint64', name: 'destinationChainId' },
  { type: 'address', name: 'recipient' },
  { type: 'uint8', name: 'kind' },
  { type: 'uint256', name: 'amount' },
  { type: 'bytes', name: 'body' },
] as const;

const alice = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
const bob = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' as const;

const common = createCustomCommon({ chainId: Number(CHAIN_ID) }, Mainnet, { hardfork: Hardfork.Cancun });

async function setup(): Promise<VM> {
  const vm = await createVM({ common });
  for (const key of [alice, bob]) {
    await vm.stateManager.putAccount(
      new Address(hexToBytes(privateKeyToAddress(key))),
      new Account(0n, 10n ** 21n),
    );
  }
  const outbox = new Address(hexToBytes(OUTBOX));
  await vm.stateManager.putAccount(outbox, new Account(0n, 0n));
  await vm.stateManager.putCode(outbox, hexToBytes(Outbox.deployedBytecode));
  return vm;
}

const nonces = new Map<string, bigint>();
async function send(vm: VM, key: Hex, data: Hex, value = 0n) {
  const nonce = nonces.get(key) ?? 0n;
  nonces.set(key, nonce + 1n);
  const tx = createFeeMarket1559Tx(
    {
      nonce,
      to: OUTBOX,
      data,
      value,
      gasLimit: 2_000_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
    },
    { common },
  ).sign(hexToBytes(key));
  return runTx(vm, { tx, skipBlockGasLimitValidation: true });
}

async function call(vm: VM, data: Hex): Promise<Hex> {
  const result = await vm.evm.runCall({ to: new Address(hexToBytes(OUTBOX)), data: hexToBytes(data) });
  return toHex(result.execResult.returnValue);
}

function messagesOf(result: Awaited<ReturnType<typeof send>>) {
  return result.receipt.logs.map(([address, topics, data]) => {
    assert.equal(toHex(address), OUTBOX);
    const event = decodeEventLog({
      abi: Outbox.abi,
      topics: topics.map((t) => toHex(t)) as [Hex, ...Hex[]],
      data: toHex(data),
    });
    assert.equal(event.eventName, 'MessageDispatched');
    const args = event.args as {
      id: Hex;
      destinationChainId: bigint;
      sender: Hex;
      nonce: bigint;
      message: Hex;
    };
    const [version, nonce, sourceChainId, sender, destinationChainId, recipient, kind, amount, body] =
      decodeAbiParameters(MESSAGE_TYPES, args.message);
    assert.equal(args.id, keccak256(args.message), 'the id is keccak256(message)');
    assert.equal(args.destinationChainId, destinationChainId);
    assert.equal(args.sender, sender);
    assert.equal(args.nonce, nonce);
    return {
      id: args.id,
      version,
      nonce,
      sourceChainId,
      sender,
      destinationChainId,
      recipient,
      kind,
      amount,
      body,
    };
  });
}

describe('[Outbox] system contract on the real EVM', () => {
  it('dispatch emits the message in the DESIGN encoding with its id and a per-sender nonce', async () => {
    nonces.clear();
    const vm = await setup();
    const recipient = '0x00000000000000000000000000000000000000aa';
    const r1 = await send(
      vm,
      alice,
      encodeFunctionData({ abi: Outbox.abi, functionName: 'dispatch', args: [9n, recipient, '0xdeadbeef'] }),
    );
    assert.equal(r1.execResult.exceptionError, undefined);
    const [m1] = messagesOf(r1);
    assert.ok(m1);
    assert.equal(m1.version, 1);
    assert.equal(m1.nonce, 0n);
    assert.equal(m1.sourceChainId, CHAIN_ID);
    assert.equal(m1.sender, privateKeyToAddress(alice));
    assert.equal(m1.destinationChainId, 9n);
    assert.equal(m1.recipient.toLowerCase(), recipient);
    assert.equal(m1.kind, 0);
    assert.equal(m1.amount, 0n);
    assert.equal(m1.body, '0xdeadbeef');
    const returned = decodeFunctionResult({
      abi: Outbox.abi,
      functionName: 'dispatch',
      data: toHex(r1.execResult.returnValue),
    });
    assert.equal(returned, m1.id, 'dispatch returns the id');

    const r2 = await send(
      vm,
      alice,
      encodeFunctionData({ abi: Outbox.abi, functionName: 'dispatch', args: [9n, recipient, '0x'] }),
    );
    assert.equal(messagesOf(r2)[0]?.nonce, 1n, "alice's second message carries nonce 1");
    const r3 = await send(
      vm,
      bob,
      encodeFunctionData({ abi: Outbox.abi, functionName: 'dispatch', args: [9n, recipient, '0x'] }),
    );
    assert.equal(messagesOf(r3)[0]?.nonce, 0n, "bob's first message carries nonce 0: nonces are per sender");
    const next = await call(
      vm,
      encodeFunctionData({ abi: Outbox.abi, functionName: 'nonces', args: [privateKeyToAddress(alice)] }),
    );
    assert.equal(BigInt(next), 2n);
  });

  it('transferKip burns the value into the Outbox balance and emits a KIP_TRANSFER message', async () => {
    nonces.clear();
    const vm = await setup();
    const value = 123_456_789n;
    const r = await send(
      vm,
      alice,
      encodeFunctionData({
        abi: Outbox.abi,
        functionName: 'transferKip',
        args: [9n, '0x00000000000000000000000000000000000000bb'],
      }),
      value,
    );
    assert.equal(r.execResult.exceptionError, undefined);
    const [m] = messagesOf(r);
    assert.equal(m?.kind, 1);
    assert.equal(m?.amount, value);
    assert.equal(m?.body, '0x');
    const outbox = await vm.stateManager.getAccount(new Address(hexToBytes(OUTBOX)));
    assert.equal(outbox?.balance, value, 'the KIP sent stays locked in the Outbox: that balance is the burn');
  });

  it('refuses a transfer without value, a zero recipient, this chain as destination and plain sends', async () => {
    nonces.clear();
    const vm = await setup();
    const recipient = '0x00000000000000000000000000000000000000bb';
    const cases: [Hex, bigint, string][] = [
      [
        encodeFunctionData({ abi: Outbox.abi, functionName: 'transferKip', args: [9n, recipient] }),
        0n,
        'Outbox: no value to transfer',
      ],
      [
        encodeFunctionData({
          abi: Outbox.abi,
          functionName: 'dispatch',
          args: [9n, '0x0000000000000000000000000000000000000000', '0x'],
        }),
        0n,
        'Outbox: recipient is the zero address',
      ],
      [
        encodeFunctionData({ abi: Outbox.abi, functionName: 'dispatch', args: [CHAIN_ID, recipient, '0x'] }),
        0n,
        'Outbox: destination is this chain',
      ],
      [
        encodeFunctionData({ abi: Outbox.abi, functionName: 'dispatch', args: [0n, recipient, '0x'] }),
        0n,
        'Outbox: destination chain id is zero',
      ],
      ['0x', 5n, 'Outbox: use transferKip'],
      [
        encodeFunctionData({
          abi: Outbox.abi,
          functionName: 'dispatch',
          args: [9n, recipient, `0x${'00'.repeat(64 * 1024 + 1)}`],
        }),
        0n,
        'Outbox: body larger than 64 KiB',
      ],
    ];
    for (const [data, value, reason] of cases) {
      const r = await send(vm, alice, data, value);
      assert.equal(r.execResult.exceptionError?.error, 'revert', reason);
      const [decoded] = decodeAbiParameters(
        [{ type: 'string' }],
        toHex(r.execResult.returnValue.subarray(4)),
      );
      assert.equal(decoded, reason);
      assert.equal(r.receipt.logs.length, 0);
    }
    const outbox = await vm.stateManager.getAccount(new Address(hexToBytes(OUTBOX)));
    assert.equal(outbox?.balance, 0n);
  });
});
