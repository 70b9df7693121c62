import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEVM, type EVM } from '@ethereumjs/evm';
import {
  Account,
  bigIntToBytes,
  bytesToBigInt,
  bytesToHex,
  createAddressFromString,
  setLengthLeft,
} from '@ethereumjs/util';
import { createExecutionCommon } from './common.js';
import { installWordHandlers, storageValueToBigInt, wordBytes } from './evmWords.js';
import { Rng } from './testing/scenario.js';

const MAX = (1n << 256n) - 1n;

function randomWord(rng: Rng): bigint {
  // Every length from 0 to 32 bytes.
  const bytes = rng.bytes(rng.int(33));
  return bytes.length === 0 ? 0n : bytesToBigInt(bytes);
}

const push32 = (word: bigint) => [0x7f, ...setLengthLeft(bigIntToBytes(word), 32)];
const push1 = (byte: number) => [0x60, byte];

/** Stores, loads and logs words of every size, then returns memory and what SLOAD read. */
function program(words: bigint[]): Uint8Array {
  const code: number[] = [];
  words.forEach((word, i) => {
    code.push(...push32(word), ...push1(i * 32 + (i % 3)), 0x52); // MSTORE, unaligned too
    code.push(...push32(word), ...push32(MAX - word), 0x55); // SSTORE key MAX-word := word
    code.push(...push32(MAX - word), 0x54, ...push1(0), 0x55); // SLOAD (warm) into slot 0
    code.push(...push32(word ^ 0x5555n), 0x54, 0x50); // SLOAD of a cold, empty slot, popped
  });
  // LOG0..LOG4 over the memory, topics from the words.
  for (let topics = 0; topics <= 4; topics++) {
    for (let t = 0; t < topics; t++) code.push(...push32(words[(topics + t) % words.length] as bigint));
    code.push(...push1(40 + topics), ...push1(topics), 0xa0 + topics);
  }
  // MSTORE the last SLOAD result at 0 and return the first 0xa0 bytes.
  code.push(...push1(0), 0x54, ...push1(0), 0x52, ...push1(0xa0), ...push1(0), 0xf3);
  return Uint8Array.from(code);
}

async function run(evm: EVM, code: Uint8Array, gasLimit: bigint) {
  const to = createAddressFromString('0x00000000000000000000000000000000000c0de0');
  await evm.stateManager.putAccount(to, new Account());
  await evm.stateManager.putCode(to, code);
  const result = await evm.runCall({ to, gasLimit, caller: createAddressFromString(`0x${'11'.repeat(20)}`) });
  return {
    error: result.execResult.exceptionError?.error,
    gas: result.execResult.executionGasUsed,
    returned: bytesToHex(result.execResult.returnValue),
    logs: (result.execResult.logs ?? []).map((l) =>
      l.map((part) => (Array.isArray(part) ? part.map(bytesToHex) : bytesToHex(part))),
    ),
    slot0: bytesToHex(await evm.stateManager.getStorage(to, new Uint8Array(32))),
  };
}

describe('[execution] EVM word handlers', () => {
  it('convert words as setLengthLeft(bigIntToBytes(word), 32) and storage values as bytesToBigInt', () => {
    const rng = new Rng(5);
    const words = [0n, 1n, 0xffn, 0x100n, (1n << 64n) - 1n, 1n << 64n, 1n << 255n, MAX];
    for (let i = 0; i < 2000; i++) words.push(randomWord(rng));
    for (const word of words) {
      const bytes = wordBytes(word);
      assert.deepEqual(bytes, setLengthLeft(bigIntToBytes(word), 32));
      assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
      if (word !== 0n) {
        const stored = bigIntToBytes(word);
        assert.equal(storageValueToBigInt(stored), bytesToBigInt(stored));
      }
      assert.equal(storageValueToBigInt(bytes), word);
    }
    // Each call gives bytes of its own.
    assert.notEqual(wordBytes(1n).buffer, wordBytes(1n).buffer);
  });

  it('give the stock EVM results: memory, storage, logs, gas, and out of gas', async () => {
    const common = createExecutionCommon({ chainId: 7001 });
    const rng = new Rng(9);
    const words = [0n, 1n, 0x80n, MAX, 1n << 200n, ...Array.from({ length: 6 }, () => randomWord(rng))];
    const code = program(words);
    for (const gasLimit of [10_000_000n, 150_000n, 30_000n]) {
      const stock = await createEVM({ common: common.copy() });
      const patched = await createEVM({ common: common.copy() });
      await installWordHandlers(patched);
      const expected = await run(stock, code, gasLimit);
      assert.deepEqual(await run(patched, code, gasLimit), expected);
      if (gasLimit === 10_000_000n) {
        assert.equal(expected.error, undefined);
        assert.equal(expected.logs.length, 5);
      } else assert.equal(expected.error, 'out of gas');
    }
  });

  it('are installed again when a hardfork change rebuilds the opcode table', async () => {
    const common = createExecutionCommon({ chainId: 7001 });
    const evm = await createEVM({ common });
    const table = () =>
      (evm as unknown as { _opcodeMap: { opHandler: unknown; gasHandler: unknown }[] })._opcodeMap;
    const stockMstore = table()[0x52]?.opHandler;
    const stockSloadGas = table()[0x54]?.gasHandler;
    await installWordHandlers(evm);
    const patchedMstore = table()[0x52]?.opHandler;
    assert.notEqual(patchedMstore, stockMstore);
    assert.notEqual(table()[0x54]?.gasHandler, stockSloadGas);
    assert.equal(table()[0xa3]?.opHandler, table()[0xa0]?.opHandler);
    common.setHardfork('cancun');
    assert.equal(table()[0x52]?.opHandler, patchedMstore);
    assert.notEqual(table()[0x54]?.gasHandler, stockSloadGas);
  });
});
