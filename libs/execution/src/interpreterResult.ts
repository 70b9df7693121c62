// @ethereumjs's `EVM.runInterpreter` (10.1.3) returns its result with object spreads that merge
// several objects into one literal: `{ ...result, runState: { ...runState, ...result, ...env } }`.
// V8 takes its slow path for such merges (a new hidden class per property, more of them each
// time): ~20-60 us per call frame, 3-5 % of an ERC-20 transfer. Here the same function builds the
// same objects (same keys and values) with Object.assign, ~3 us. It is a copy of the stock
// function, so it is installed only over the exact version it copies (compared by the hash of its
// source text); any other version keeps the stock one.
import { createHash } from 'node:crypto';
import type { EVM } from '@ethereumjs/evm';
import { Account, createZeroAddress } from '@ethereumjs/util';

/** The stock `EVM.prototype.runInterpreter` this module copies: sha256 of its source text. */
const STOCK_SOURCE_SHA256 = '1f4905264075376daed820fac392b3d077c2aa2d3767bed3d5e25e50b360d4ca';

/** What runInterpreter reads of a message (a spread of @ethereumjs's Message). */
interface FrameMessage {
  to?: { bytes: Uint8Array };
  caller?: unknown;
  data?: Uint8Array;
  value?: bigint;
  code?: Uint8Array;
  isStatic?: boolean;
  isCreate?: boolean;
  depth?: number;
  codeAddress?: unknown;
  gasRefund?: bigint;
  chargeCodeAccesses?: boolean;
  blobVersionedHashes?: Uint8Array[];
  accessWitness?: { commit(): void };
  createdAddresses?: Set<string>;
  selfdestruct?: Map<string, Uint8Array>;
  gasLimit: bigint;
}

interface InterpreterResult {
  logs: unknown[];
  returnValue?: Uint8Array;
  selfdestruct: Map<string, Uint8Array>;
  createdAddresses?: Set<string>;
}

interface InterpreterInstance {
  _result: InterpreterResult;
  _env: object;
  run(
    code: Uint8Array | undefined,
    opts: object,
  ): Promise<{
    runState: { gasLeft: bigint; gasRefund: bigint; stateGasSpilled: bigint };
    exceptionError?: { error: string };
  }>;
}

type InterpreterClass = new (
  evm: unknown,
  stateManager: unknown,
  blockchain: unknown,
  env: object,
  gasLeft: bigint,
  journal: unknown,
  performanceLogger: unknown,
  profiler: unknown,
) => InterpreterInstance;

/** The EVM internals runInterpreter uses (@ethereumjs/evm 10.1.3). */
interface EvmThis {
  stateManager: { getAccount(address: unknown): Promise<Account | undefined> };
  blockchain: unknown;
  journal: unknown;
  performanceLogger: unknown;
  _optsCached: { profiler?: unknown };
  _tx: { gasPrice: bigint; origin?: unknown };
  _block?: unknown;
  runInterpreter(message: FrameMessage, opts?: { initialLogs?: unknown[] }): Promise<unknown>;
}

interface EvmModules {
  Interpreter: InterpreterClass;
  defaultBlock: () => unknown;
  errors: { REVERT: string; INVALID_EOF_FORMAT: string };
}

function runInterpreterWith(modules: EvmModules) {
  const { Interpreter, defaultBlock, errors } = modules;
  return async function runInterpreter(
    this: EvmThis,
    message: FrameMessage,
    opts: { initialLogs?: unknown[] } = {},
  ): Promise<unknown> {
    let contract = await this.stateManager.getAccount(message.to ?? createZeroAddress());
    if (!contract) {
      contract = new Account();
    }
    const env = {
      address: message.to ?? createZeroAddress(),
      caller: message.caller ?? createZeroAddress(),
      callData: message.data ?? Uint8Array.from([0]),
      callValue: message.value ?? 0n,
      code: message.code,
      isStatic: message.isStatic ?? false,
      isCreate: message.isCreate ?? false,
      depth: message.depth ?? 0,
      gasPrice: this._tx.gasPrice,
      origin: this._tx.origin ?? message.caller ?? createZeroAddress(),
      block: this._block ?? defaultBlock(),
      contract,
      codeAddress: message.codeAddress,
      gasRefund: message.gasRefund,
      chargeCodeAccesses: message.chargeCodeAccesses,
      blobVersionedHashes: message.blobVersionedHashes ?? [],
      accessWitness: message.accessWitness,
      createdAddresses: message.createdAddresses,
      initialLogs: opts.initialLogs,
    };
    const interpreter = new Interpreter(
      this,
      this.stateManager,
      this.blockchain,
      env,
      message.gasLimit,
      this.journal,
      this.performanceLogger,
      this._optsCached.profiler,
    );
    if (message.selfdestruct) {
      interpreter._result.selfdestruct = message.selfdestruct;
    }
    if (message.createdAddresses) {
      interpreter._result.createdAddresses = message.createdAddresses;
    }
    const interpreterRes = await interpreter.run(message.code, opts);
    let result = interpreter._result;
    let gasUsed = message.gasLimit - interpreterRes.runState.gasLeft;
    if (interpreterRes.exceptionError) {
      if (
        interpreterRes.exceptionError.error !== errors.REVERT &&
        interpreterRes.exceptionError.error !== errors.INVALID_EOF_FORMAT
      ) {
        gasUsed = message.gasLimit;
      }
      // Clear the result on error
      result = Object.assign({}, result, {
        logs: [],
        selfdestruct: new Map(),
        createdAddresses: new Set<string>(),
      });
    }
    message.accessWitness?.commit();
    return Object.assign({}, result, {
      runState: Object.assign({}, interpreterRes.runState, result, interpreter._env),
      exceptionError: interpreterRes.exceptionError,
      gas: interpreterRes.runState?.gasLeft,
      executionGasUsed: gasUsed,
      gasRefund: interpreterRes.runState.gasRefund,
      stateGasSpilled: interpreterRes.runState.stateGasSpilled,
      returnValue: result.returnValue ?? new Uint8Array(0),
    });
  };
}

let modules: Promise<EvmModules> | undefined;

function loadModules(): Promise<EvmModules> {
  modules ??= (async () => {
    const base = import.meta.resolve('@ethereumjs/evm');
    const load = async <T>(path: string) => (await import(new URL(path, base).href)) as T;
    const [interpreter, evm, errors] = await Promise.all([
      load<{ Interpreter: InterpreterClass }>('./interpreter.js'),
      load<{ defaultBlock: () => unknown }>('./evm.js'),
      load<{ EVMError: { errorMessages: EvmModules['errors'] } }>('./errors.js'),
    ]);
    return {
      Interpreter: interpreter.Interpreter,
      defaultBlock: evm.defaultBlock,
      errors: errors.EVMError.errorMessages,
    };
  })();
  return modules;
}

/** Whether `runInterpreter` is the stock function this module copies. */
export function isCopiedVersion(runInterpreter: (...args: never[]) => unknown): boolean {
  return createHash('sha256').update(runInterpreter.toString()).digest('hex') === STOCK_SOURCE_SHA256;
}

/** Installs the copy on `evm` (an own property) when its runInterpreter is the version copied;
 *  returns whether it did. */
export async function installRunInterpreter(evm: EVM): Promise<boolean> {
  const target = evm as unknown as EvmThis;
  if (!isCopiedVersion(target.runInterpreter)) return false;
  target.runInterpreter = runInterpreterWith(await loadModules());
  return true;
}
