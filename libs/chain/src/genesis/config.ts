// The genesis of a chain: what every node of it must agree on. Parsed from JSON (numbers as
// decimal or 0x strings, or JSON numbers when safe) and validated with clear errors.
import { ChainError } from '../errors.js';
import type { Address, Hash, Hex } from '../rpc/backend.js';

/** The fee pool system account (libs/execution's FEE_POOL_ADDRESS): credited baseFee × gasUsed. */
export const FEE_POOL_ADDRESS: Address = '0x0000000000000000000000000000000000000fee';
/** The Outbox system contract (DESIGN.md "System contracts and precompiles"). */
export const OUTBOX_ADDRESS: Address = '0x0000000000000000000000000000000000001001';
/** Initial base fee: 1 gwei. */
export const INITIAL_BASE_FEE = 1_000_000_000n;
export const DEFAULT_GAS_LIMIT = 30_000_000n;
export const DEFAULT_BLOCK_TIME_MS = 1000;
/** 2^8 = 256 state shards. */
export const DEFAULT_STATE_SHARD_BITS = 8;
/** Blocks per epoch: the validator set may change only between epochs (libs/dietcoin HeaderChain). */
export const DEFAULT_EPOCH_LENGTH = 1000;

/** A validator set fixed by configuration: it seals from block `epoch × epochLength` on. */
export interface ScheduledValidatorSet {
  epoch: number;
  /** Addresses, lower case; count-based quorum like `validators`. */
  validators: Address[];
}

export interface GenesisAccount {
  balance: bigint;
  nonce?: bigint;
  code?: Hex;
  /** Slot -> value, both 32-byte hex. */
  storage?: Record<Hash, Hash>;
}

/** A contract placed in genesis by the app (libs/chain never imports apps: the code is passed in). */
export interface SystemContract {
  name: string;
  address: Address;
  /** Runtime bytecode. */
  code: Hex;
}

export interface GenesisConfig {
  chainId: bigint;
  /** Human name of the chain, e.g. `enterprise-a`. */
  name: string;
  /** Seconds since the Unix epoch: fixed, so every node computes the same genesis hash. */
  timestamp: bigint;
  gasLimit: bigint;
  baseFeePerGas: bigint;
  blockTimeMs: number;
  /** Validator addresses (the set that seals from block 1; count-based quorum). */
  validators: Address[];
  /**
   * Blocks per epoch (≥ 2): block (e+1)·L − 1 announces the set of epoch e + 1 through
   * nextValidatorsHash. Absent in configs built by hand: DEFAULT_EPOCH_LENGTH.
   */
  epochLength?: number;
  /** Later sets from configuration, ascending by epoch (governance changes come on chain, see consensus/validatorSetChange.ts). */
  validatorSchedule?: ScheduledValidatorSet[];
  stateShardBits: number;
  alloc: Record<Address, GenesisAccount>;
  systemContracts: SystemContract[];
}

/** The genesis as written in a JSON file (everything but chainId, validators and alloc optional). */
export interface GenesisConfigJSON {
  chainId: number | string;
  name?: string;
  timestamp?: number | string;
  gasLimit?: number | string;
  baseFeePerGas?: number | string;
  blockTimeMs?: number;
  validators: string[];
  epochLength?: number;
  validatorSchedule?: { epoch: number; validators: string[] }[];
  stateShardBits?: number;
  alloc?: Record<
    string,
    { balance: number | string; nonce?: number | string; code?: string; storage?: Record<string, string> }
  >;
}

function invalid(message: string, details: Record<string, unknown> = {}): never {
  throw new ChainError('INVALID_GENESIS', `genesis: ${message}`, { details });
}

function quantity(value: unknown, field: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n) return value;
  if (typeof value === 'string' && /^(0x[0-9a-fA-F]+|\d+)$/.test(value)) return BigInt(value);
  return invalid(
    `${field} must be a non-negative integer (number, decimal or 0x string), got ${JSON.stringify(String(value))}`,
  );
}

function address(value: unknown, field: string): Address {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
    return invalid(`${field} must be a 20-byte 0x address, got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase() as Address;
}

function hexBytes(value: unknown, field: string, size?: number): Hex {
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    return invalid(`${field} must be 0x-prefixed hex bytes`);
  }
  if (size !== undefined && value.length !== 2 + size * 2) invalid(`${field} must be ${size} bytes`);
  return value.toLowerCase() as Hex;
}

/**
 * Validates a genesis read from JSON and fills defaults; `systemContracts` come from the app.
 * @throws ChainError INVALID_GENESIS naming the field at fault.
 */
export function parseGenesisConfig(json: unknown, systemContracts: SystemContract[] = []): GenesisConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) invalid('must be a JSON object');
  const j = json as Partial<GenesisConfigJSON>;
  const chainId = quantity(j.chainId, 'chainId');
  if (chainId === 0n || chainId > BigInt(Number.MAX_SAFE_INTEGER))
    invalid(`chainId ${chainId} must be in 1..2^53-1`);
  if (!Array.isArray(j.validators) || j.validators.length === 0)
    invalid('validators must be a non-empty list');
  const validators = j.validators.map((v, i) => address(v, `validators[${i}]`));
  if (new Set(validators).size !== validators.length) invalid('validators lists an address twice');
  const blockTimeMs = j.blockTimeMs ?? DEFAULT_BLOCK_TIME_MS;
  if (!Number.isInteger(blockTimeMs) || blockTimeMs < 50 || blockTimeMs > 60_000) {
    invalid(`blockTimeMs ${blockTimeMs} must be an integer in 50..60000`);
  }
  const epochLength = j.epochLength ?? DEFAULT_EPOCH_LENGTH;
  if (!Number.isSafeInteger(epochLength) || epochLength < 2) {
    invalid(`epochLength ${epochLength} must be an integer ≥ 2`);
  }
  const validatorSchedule = scheduleOf(j.validatorSchedule);
  const stateShardBits = j.stateShardBits ?? DEFAULT_STATE_SHARD_BITS;
  if (!Number.isInteger(stateShardBits) || stateShardBits < 0 || stateShardBits > 16) {
    invalid(`stateShardBits ${stateShardBits} must be an integer in 0..16`);
  }
  const gasLimit = j.gasLimit === undefined ? DEFAULT_GAS_LIMIT : quantity(j.gasLimit, 'gasLimit');
  if (gasLimit < 5000n || gasLimit >= 1n << 63n) invalid(`gasLimit ${gasLimit} must be in 5000..2^63-1`);
  const baseFeePerGas =
    j.baseFeePerGas === undefined ? INITIAL_BASE_FEE : quantity(j.baseFeePerGas, 'baseFeePerGas');
  if (baseFeePerGas === 0n) invalid('baseFeePerGas must be positive');
  const timestamp = j.timestamp === undefined ? 0n : quantity(j.timestamp, 'timestamp');
  const alloc: Record<Address, GenesisAccount> = {};
  if (j.alloc !== undefined && (typeof j.alloc !== 'object' || j.alloc === null || Array.isArray(j.alloc))) {
    invalid('alloc must be an object of address -> account');
  }
  for (const [key, acc] of Object.entries(j.alloc ?? {})) {
    const a = address(key, `alloc key ${key}`);
    if (alloc[a]) invalid(`alloc lists ${a} twice`);
    if (typeof acc !== 'object' || acc === null) invalid(`alloc[${a}] must be an object`);
    const account: GenesisAccount = { balance: quantity(acc.balance, `alloc[${a}].balance`) };
    if (account.balance >= 1n << 256n) invalid(`alloc[${a}].balance is above 2^256`);
    if (acc.nonce !== undefined) account.nonce = quantity(acc.nonce, `alloc[${a}].nonce`);
    if (acc.code !== undefined) account.code = hexBytes(acc.code, `alloc[${a}].code`);
    if (acc.storage !== undefined) {
      account.storage = {};
      for (const [slot, value] of Object.entries(acc.storage)) {
        account.storage[hexBytes(slot, `alloc[${a}].storage key`, 32)] = hexBytes(
          value,
          `alloc[${a}].storage value`,
          32,
        );
      }
    }
    alloc[a] = account;
  }
  const systems = systemContracts.map((s) => ({
    ...s,
    address: address(s.address, `systemContracts.${s.name}`),
  }));
  for (const s of systems) {
    if (alloc[s.address]) invalid(`alloc must not list the system contract ${s.name} at ${s.address}`);
    hexBytes(s.code, `systemContracts.${s.name}.code`);
  }
  if (alloc[OUTBOX_ADDRESS])
    invalid('alloc must not give the Outbox a balance: its balance is the KIP burned');
  return {
    chainId,
    name: typeof j.name === 'string' && j.name.length > 0 ? j.name : `khipu-${chainId}`,
    timestamp,
    gasLimit,
    baseFeePerGas,
    blockTimeMs,
    validators,
    epochLength,
    validatorSchedule,
    stateShardBits,
    alloc,
    systemContracts: systems,
  };
}

function scheduleOf(json: unknown): ScheduledValidatorSet[] {
  if (json === undefined) return [];
  if (!Array.isArray(json)) return invalid('validatorSchedule must be a list of { epoch, validators }');
  let previous = 0;
  return json.map((entry: unknown, i) => {
    const field = `validatorSchedule[${i}]`;
    if (typeof entry !== 'object' || entry === null) return invalid(`${field} must be { epoch, validators }`);
    const { epoch, validators } = entry as { epoch?: unknown; validators?: unknown };
    if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch <= previous) {
      invalid(
        `${field}.epoch must be an integer above ${previous} (epochs ascend, epoch 0 is \`validators\`)`,
      );
    }
    previous = epoch as number;
    if (!Array.isArray(validators) || validators.length === 0)
      invalid(`${field}.validators must be a non-empty list`);
    const set = (validators as unknown[]).map((v, k) => address(v, `${field}.validators[${k}]`));
    if (new Set(set).size !== set.length) invalid(`${field}.validators lists an address twice`);
    return { epoch: epoch as number, validators: set };
  });
}

/** The JSON form of a config (round-trips through `parseGenesisConfig`). */
export function genesisConfigToJSON(c: GenesisConfig): GenesisConfigJSON {
  const alloc: NonNullable<GenesisConfigJSON['alloc']> = {};
  for (const [a, acc] of Object.entries(c.alloc)) {
    alloc[a] = { balance: `0x${acc.balance.toString(16)}` };
    if (acc.nonce !== undefined) alloc[a].nonce = `0x${acc.nonce.toString(16)}`;
    if (acc.code !== undefined) alloc[a].code = acc.code;
    if (acc.storage !== undefined) alloc[a].storage = acc.storage;
  }
  return {
    chainId: c.chainId.toString(),
    name: c.name,
    timestamp: c.timestamp.toString(),
    gasLimit: c.gasLimit.toString(),
    baseFeePerGas: c.baseFeePerGas.toString(),
    blockTimeMs: c.blockTimeMs,
    validators: c.validators,
    epochLength: c.epochLength ?? DEFAULT_EPOCH_LENGTH,
    validatorSchedule: (c.validatorSchedule ?? []).map((x) => ({ epoch: x.epoch, validators: x.validators })),
    stateShardBits: c.stateShardBits,
    alloc,
  };
}
