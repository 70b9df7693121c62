import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEVM, EVM, type EVM as EVMType } from '@ethereumjs/evm';
import { Account, type Address, bytesToHex, createAddressFromString } from '@ethereumjs/util';
import { createExecutionCommon } from './common.js';
import { installRunInterpreter, isCopiedVersion } from './interpreterResult.js';

const stockRunInterpreter = (EVM.prototype as unknown as { runInterpreter: () => unknown }).runInterpreter;
const CALLER = createAddressFromString(`0x${'11'.repeat(20)}`);
const address = (n: number) => createAddressFromString(`0x${n.toString(16).padStart(40, '0')}`);
const push20 = (a: Address) => [0x73, ...a.bytes];

/** Contracts at 0x…c0 onwards: each exercises a way a frame ends. */
const CODES: Record<string, number[]> = {
  // Stores, logs and returns 32 bytes.
  returns: [
    0x60, 0x2a, 0x60, 0x01, 0x55, 0x60, 0x07, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x60, 0x20,
    0x60, 0x00, 0xf3,
  ],
  // Logs, then REVERTs with 32 bytes of data.
  reverts: [0x60, 0x09, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x60, 0x20, 0x60, 0x00, 0xfd],
  // An endless loop: out of gas.
  spins: [0x5b, 0x60, 0x00, 0x56],
  // An invalid opcode.
  invalid: [0xfe],
  // CALLs `returns` (nested frame), then returns its success flag and the returned word.
  calls: [
    0x60,
    0x20,
    0x60,
    0x00,
    0x60,
    0x00,
    0x60,
    0x00,
    0x60,
    0x00,
    ...push20(address(0xc0)),
    0x5a,
    0xf1,
    0x60,
    0x20,
    0x52,
    0x60,
    0x40,
    0x60,
    0x00,
    0xf3,
  ],
  // CREATEs a contract whose init code returns one byte, returns the new address.
  creates: [
    // init code 0x600160005360016000f3 stored at memory 0
    0x69, 0x60, 0x01, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3, 0x60, 0x00, 0x52, 0x60, 0x0a, 0x60,
    0x16, 0x60, 0x00, 0xf0, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3,
  ],
  // SELFDESTRUCTs to 0x…beef.
  destructs: [0x61, 0xbe, 0xef, 0xff],
};

async function worldOf(evm: EVMType): Promise<Map<string, Address>> {
  const at = new Map<string, Address>();
  let n = 0xc0;
  await evm.stateManager.putAccount(CALLER, new Account(0n, 10n ** 18n));
  for (const [name, code] of Object.entries(CODES)) {
    const a = address(n++);
    await evm.stateManager.putAccount(a, new Account(0n, 5n));
    await evm.stateManager.putCode(a, Uint8Array.from(code));
    at.set(name, a);
  }
  return at;
}

/** Every own key of the result and of its runState, and the values that are plain data. */
function shape(result: Awaited<ReturnType<EVMType['runCall']>>) {
  const exec = result.execResult as unknown as Record<string, unknown> & {
    runState?: Record<string, unknown>;
  };
  const plain = (o: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(o).map(([k, v]) => [
        k,
        typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string'
          ? v
          : v instanceof Uint8Array
            ? bytesToHex(v)
            : v instanceof Map || v instanceof Set
              ? [...v.keys()].map(String)
              : Array.isArray(v)
                ? v.length
                : typeof v,
      ]),
    );
  return {
    exec: plain(exec),
    runState: exec.runState === undefined ? undefined : plain(exec.runState),
    logs: JSON.stringify((exec.logs as unknown[]).map((l) => (l as Uint8Array[][]).flat().map(String))),
    createdAddress: result.createdAddress?.toString(),
  };
}

describe('[execution] runInterpreter without merging spreads', () => {
  it('is installed over the @ethereumjs/evm version it copies', async () => {
    assert.ok(isCopiedVersion(stockRunInterpreter));
    const evm = await createEVM({ common: createExecutionCommon({ chainId: 7001 }) });
    assert.equal(await installRunInterpreter(evm), true);
    assert.notEqual((evm as unknown as { runInterpreter: unknown }).runInterpreter, stockRunInterpreter);
    assert.equal(
      isCopiedVersion(() => 0),
      false,
    );
  });

  it('gives the stock results: returns, reverts, out of gas, invalid, nested calls, CREATE, SELFDESTRUCT', async () => {
    const common = createExecutionCommon({ chainId: 7001 });
    const stock = await createEVM({ common: common.copy() });
    const patched = await createEVM({ common: common.copy() });
    assert.ok(await installRunInterpreter(patched));
    const stockAt = await worldOf(stock);
    const patchedAt = await worldOf(patched);
    for (const name of Object.keys(CODES)) {
      for (const value of [0n, 3n]) {
        const call = (evm: EVMType, at: Map<string, Address>) =>
          evm.runCall({ to: at.get(name), caller: CALLER, gasLimit: 200_000n, value });
        const expected = shape(await call(stock, stockAt));
        assert.deepEqual(shape(await call(patched, patchedAt)), expected, name);
      }
    }
    // A creation transaction (no `to`): the init code runs as its frame.
    const create = (evm: EVMType) =>
      evm.runCall({ caller: CALLER, gasLimit: 200_000n, data: Uint8Array.from(CODES.returns as number[]) });
    assert.deepEqual(shape(await create(patched)), shape(await create(stock)));
    for (const name of ['returns', 'creates', 'destructs']) {
      const a = patchedAt.get(name) as Address;
      assert.deepEqual(
        await patched.stateManager.getAccount(a),
        await stock.stateManager.getAccount(stockAt.get(name) as Address),
      );
    }
  });
});
