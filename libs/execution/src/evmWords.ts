// @ethereumjs's MSTORE, SLOAD and LOG handlers turn every 256-bit stack word into 32 bytes with
// `setLengthLeft(bigIntToBytes(word), 32)`: a hex string, its decoding, then a pad through two
// spread arrays, ~2.5 us a word (0.13 us here). An ERC-20 transfer converts ~40 words that way:
// ~4 % of its CPU, and garbage. Here the same handlers convert through a DataView; they are
// installed on one EVM's opcode table, over the entries that still hold the stock handlers
// (the table is rebuilt on a hardfork change, and patched again). SSTORE's handlers convert too,
// but are long and hardfork-laden: left stock.
import type { EVM } from '@ethereumjs/evm';

/** What the handlers use of the interpreter's run state (@ethereumjs/evm 10.1.x). */
interface RunState {
  opCode: number;
  stack: {
    pop(): bigint;
    popN(count: number): bigint[];
    peek(count?: number): bigint[];
    push(v: bigint): void;
  };
  memory: {
    read(offset: number, size: number): Uint8Array;
    write(offset: number, size: number, value: Uint8Array): void;
  };
  interpreter: {
    storageLoad(key: Uint8Array): Promise<Uint8Array>;
    log(data: Uint8Array, topicsCount: number, topics: Uint8Array[]): void;
    getAddress(): { bytes: Uint8Array };
  };
  env: { accessWitness?: { readAccountStorage(address: unknown, key: bigint): bigint } };
}
interface RuleLookups {
  isActivatedEIP(eip: number): boolean;
}
type OpHandler = (runState: RunState, common: RuleLookups) => unknown;
type GasHandler = (runState: RunState, gas: bigint, common: RuleLookups) => Promise<bigint>;
interface OpcodeEntry {
  opHandler: OpHandler;
  gasHandler: GasHandler | undefined;
}
interface EvmInternals {
  _opcodeMap: OpcodeEntry[];
  getActiveOpcodes(): unknown;
}
interface StockTables {
  handlers: Map<number, OpHandler>;
  dynamicGasHandlers: Map<number, GasHandler>;
  accessStorageEIP2929(
    runState: RunState,
    key: Uint8Array,
    isSstore: boolean,
    common: RuleLookups,
    chargeGas: boolean,
  ): bigint;
}

const scratch = new DataView(new ArrayBuffer(32));
const scratchBytes = new Uint8Array(scratch.buffer);

/** Writes `word` (0 ≤ word < 2^256) big-endian into the shared scratch bytes. */
function toScratch(word: bigint): Uint8Array {
  scratch.setBigUint64(0, word >> 192n);
  scratch.setBigUint64(8, BigInt.asUintN(64, word >> 128n));
  scratch.setBigUint64(16, BigInt.asUintN(64, word >> 64n));
  scratch.setBigUint64(24, BigInt.asUintN(64, word));
  return scratchBytes;
}

/** `word` (0 ≤ word < 2^256) as 32 new bytes, big-endian: `setLengthLeft(bigIntToBytes(word), 32)`. */
export function wordBytes(word: bigint): Uint8Array {
  return toScratch(word).slice();
}

function mstore(runState: RunState): void {
  const [offset, word] = runState.stack.popN(2) as [bigint, bigint];
  // Memory.write copies the bytes: the scratch may be reused.
  runState.memory.write(Number(offset), 32, toScratch(word));
}

async function sload(runState: RunState): Promise<void> {
  const key = runState.stack.pop();
  // The journal, the caches and the tracker may keep the key: new bytes.
  const value = await runState.interpreter.storageLoad(wordBytes(key));
  runState.stack.push(value.length ? bytesToBigInt(value) : 0n);
}

function log(runState: RunState): void {
  const [memOffset, memLength] = runState.stack.popN(2) as [bigint, bigint];
  const topicsCount = runState.opCode - 0xa0;
  const topics = runState.stack.popN(topicsCount).map(wordBytes);
  const data =
    memLength !== 0n ? runState.memory.read(Number(memOffset), Number(memLength)) : new Uint8Array(0);
  runState.interpreter.log(data, topicsCount, topics);
}

function sloadGas(stock: StockTables): GasHandler {
  return async (runState, gas, common) => {
    const key = (runState.stack.peek() as [bigint])[0];
    let charge2929Gas = true;
    if (common.isActivatedEIP(6800) || common.isActivatedEIP(7864)) {
      const address = runState.interpreter.getAddress();
      const coldAccessGas = runState.env.accessWitness?.readAccountStorage(address, key) ?? 0n;
      gas += coldAccessGas;
      charge2929Gas = coldAccessGas === 0n;
    }
    if (common.isActivatedEIP(2929)) {
      gas += stock.accessStorageEIP2929(runState, wordBytes(key), false, common, charge2929Gas);
    }
    return gas;
  };
}

/** `bytesToBigInt` for a storage value (1 to 32 bytes): through hex, as @ethereumjs does, is
 *  slower than these shifts for the short values storage holds. */
function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  let i = 0;
  for (; i + 6 <= bytes.length; i += 6) {
    value =
      (value << 48n) |
      BigInt(
        (bytes[i] as number) * 2 ** 40 +
          (bytes[i + 1] as number) * 2 ** 32 +
          (((bytes[i + 2] as number) << 24) >>> 0) +
          ((bytes[i + 3] as number) << 16) +
          ((bytes[i + 4] as number) << 8) +
          (bytes[i + 5] as number),
      );
  }
  for (; i < bytes.length; i++) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}

/** Exported for tests. */
export const storageValueToBigInt = bytesToBigInt;

let stockTables: Promise<StockTables> | undefined;

/** @ethereumjs/evm's own handler tables (modules not among the package's exports). */
function loadStockTables(): Promise<StockTables> {
  stockTables ??= (async () => {
    const base = import.meta.resolve('@ethereumjs/evm');
    const load = async <T>(path: string) => (await import(new URL(path, base).href)) as T;
    const [functions, gas, eip2929] = await Promise.all([
      load<{ handlers: StockTables['handlers'] }>('./opcodes/functions.js'),
      load<{ dynamicGasHandlers: StockTables['dynamicGasHandlers'] }>('./opcodes/gas.js'),
      load<{ accessStorageEIP2929: StockTables['accessStorageEIP2929'] }>('./opcodes/EIP2929.js'),
    ]);
    return {
      handlers: functions.handlers,
      dynamicGasHandlers: gas.dynamicGasHandlers,
      accessStorageEIP2929: eip2929.accessStorageEIP2929,
    };
  })();
  return stockTables;
}

/** Installs the word handlers on `evm`'s opcode table, now and after each rebuild of it. */
export async function installWordHandlers(evm: EVM): Promise<void> {
  const stock = await loadStockTables();
  const internals = evm as unknown as EvmInternals;
  const fastSloadGas = sloadGas(stock);
  const patch = () => {
    const table = internals._opcodeMap;
    const swap = (op: number, handler: OpHandler) => {
      const entry = table[op];
      if (entry !== undefined && entry.opHandler === stock.handlers.get(op)) entry.opHandler = handler;
    };
    swap(0x52, mstore as OpHandler);
    swap(0x54, sload as OpHandler);
    for (let op = 0xa0; op <= 0xa4; op++) swap(op, log as OpHandler);
    const sloadEntry = table[0x54];
    if (sloadEntry !== undefined && sloadEntry.gasHandler === stock.dynamicGasHandlers.get(0x54)) {
      sloadEntry.gasHandler = fastSloadGas;
    }
  };
  const rebuild = internals.getActiveOpcodes.bind(evm);
  // An own property: the EVM's hardforkChanged listener calls `this.getActiveOpcodes()`.
  internals.getActiveOpcodes = () => {
    const opcodes = rebuild();
    patch();
    return opcodes;
  };
  patch();
}
