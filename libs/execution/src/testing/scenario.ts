// Test worlds and randomized blocks for the differential tests and the benchmark: funded
// accounts, the test contracts placed in genesis, and seeded random transaction mixes.
import { type BlockHeader, createBlockHeader } from '@ethereumjs/block';
import type { Common } from '@ethereumjs/common';
import {
  createAccessList2930Tx,
  createFeeMarket1559Tx,
  createLegacyTx,
  type TypedTransaction,
} from '@ethereumjs/tx';
import { bytesToHex, hexToBytes, privateToAddress, setLengthLeft } from '@ethereumjs/util';
import { createExecutionCommon, FEE_POOL_ADDRESS } from '../common.js';
import { executionCrypto, loadExecutionCrypto } from '../crypto.js';
import { type GenesisAccount, writeGenesisState } from '../genesis.js';
import { createMemoryStateStore } from '../state.js';
import type { PoolTransaction, StateStore } from '../types.js';
import { type AbiArg, encodeCall } from './abi.js';
import { Factory, Pool, Probe, Token } from './contracts.js';

/** Deterministic PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

export interface TestAccount {
  key: Uint8Array;
  address: string;
}

export const CONTRACTS = {
  token: '0x000000000000000000000000000000000000a001',
  pool: '0x000000000000000000000000000000000000a002',
  factory: '0x000000000000000000000000000000000000a003',
  probeA: '0x000000000000000000000000000000000000a004',
  probeB: '0x000000000000000000000000000000000000a005',
} as const;

export const COINBASE = '0x00000000000000000000000000000000000c01b5';
export const BASE_FEE = 1_000_000_000n;

/** Storage slot of `balanceOf[holder]` in Token (mapping at slot 0). */
export function tokenBalanceSlot(holder: string): string {
  const data = new Uint8Array(64);
  data.set(setLengthLeft(hexToBytes(holder as `0x${string}`), 32), 0);
  return bytesToHex(executionCrypto().keccak256(data));
}

function slotWord(v: bigint): Uint8Array {
  return setLengthLeft(hexToBytes(`0x${v.toString(16).padStart(2, '0')}` as `0x${string}`), 32);
}

export interface TestWorld {
  chainId: number;
  common: Common;
  store: StateStore;
  accounts: TestAccount[];
  genesisRoot: Uint8Array;
  genesis: BlockHeader;
  /** Next nonce per sender, as the generator assumes. */
  nonces: Map<string, bigint>;
}

/** Accounts with deterministic keys. */
export function testAccounts(count: number, seed = 1): TestAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const key = new Uint8Array(32);
    key[0] = 0x42;
    key[1] = seed & 0xff;
    new DataView(key.buffer).setUint32(28, i + 1, false);
    return { key, address: bytesToHex(privateToAddress(key)) };
  });
}

/** A world: `count` accounts with ETH and tokens, the test contracts in genesis. */
export async function createTestWorld(p: {
  accounts: number;
  chainId?: number;
  seed?: number;
  gasLimit?: bigint;
  /** Default: a new in-memory store. */
  store?: StateStore;
}): Promise<TestWorld> {
  const crypto = await loadExecutionCrypto();
  const chainId = p.chainId ?? 7001;
  const common = createExecutionCommon({ chainId, crypto });
  const store = p.store ?? createMemoryStateStore();
  const accounts = testAccounts(p.accounts, p.seed ?? 1);
  const genesisAccounts: Record<string, GenesisAccount> = {};
  const tokenStorage: Record<string, Uint8Array> = {};
  for (const a of accounts) {
    genesisAccounts[a.address] = { balance: 10n ** 24n };
    tokenStorage[tokenBalanceSlot(a.address)] = slotWord(10n ** 24n);
  }
  tokenStorage[tokenBalanceSlot(CONTRACTS.probeA)] = slotWord(10n ** 24n);
  const code = (hex: string) => hexToBytes(hex as `0x${string}`);
  genesisAccounts[CONTRACTS.token] = { code: code(Token.deployedBytecode), storage: tokenStorage };
  genesisAccounts[CONTRACTS.pool] = {
    code: code(Pool.deployedBytecode),
    storage: {
      [bytesToHex(slotWord(0n))]: slotWord(10n ** 24n),
      [bytesToHex(slotWord(1n))]: slotWord(10n ** 24n),
    },
  };
  genesisAccounts[CONTRACTS.factory] = { code: code(Factory.deployedBytecode), balance: 10n ** 18n };
  genesisAccounts[CONTRACTS.probeA] = { code: code(Probe.deployedBytecode), balance: 10n ** 18n };
  genesisAccounts[CONTRACTS.probeB] = { code: code(Probe.deployedBytecode) };
  const genesisRoot = await writeGenesisState({ store, chainId, accounts: genesisAccounts });
  const genesis = createBlockHeader(
    {
      number: 0n,
      stateRoot: genesisRoot,
      gasLimit: p.gasLimit ?? 60_000_000n,
      baseFeePerGas: BASE_FEE,
      timestamp: 1n,
    },
    { common },
  );
  return { chainId, common, store, accounts, genesisRoot, genesis, nonces: new Map() };
}

export interface SignParameters {
  to?: string;
  value?: bigint;
  data?: Uint8Array;
  gasLimit?: bigint;
  tip?: bigint;
  type?: 0 | 1 | 2;
}

/** Signs the sender's next transaction (nonce tracked by the world). */
export function signNext(world: TestWorld, from: TestAccount, p: SignParameters): TypedTransaction {
  const nonce = world.nonces.get(from.address) ?? 0n;
  world.nonces.set(from.address, nonce + 1n);
  const common = world.common;
  const base = {
    nonce,
    to: p.to === undefined ? undefined : hexToBytes(p.to as `0x${string}`),
    value: p.value ?? 0n,
    data: p.data ?? new Uint8Array(0),
    gasLimit: p.gasLimit ?? 21_000n,
  };
  const tip = p.tip ?? 1_000_000_000n;
  if (p.type === 0) return createLegacyTx({ ...base, gasPrice: BASE_FEE * 3n }, { common }).sign(from.key);
  if (p.type === 1) {
    return createAccessList2930Tx(
      { ...base, chainId: world.chainId, gasPrice: BASE_FEE * 2n, accessList: [] },
      { common },
    ).sign(from.key);
  }
  return createFeeMarket1559Tx(
    { ...base, chainId: world.chainId, maxFeePerGas: BASE_FEE * 4n + tip, maxPriorityFeePerGas: tip },
    { common },
  ).sign(from.key);
}

function call(sig: string, args: readonly AbiArg[] = []): Uint8Array {
  return encodeCall(sig, args);
}

/** The kinds of transactions a randomized block mixes. */
export type TxKind =
  | 'transfer'
  | 'erc20'
  | 'create'
  | 'create2'
  | 'selfdestruct'
  | 'revert'
  | 'outOfGas'
  | 'insufficientBalance'
  | 'readBalance'
  | 'contractCalls'
  | 'counter'
  | 'swap'
  | 'payCoinbase'
  | 'readCoinbase';

export const ALL_KINDS: readonly TxKind[] = [
  'transfer',
  'erc20',
  'create',
  'create2',
  'selfdestruct',
  'revert',
  'outOfGas',
  'insufficientBalance',
  'readBalance',
  'contractCalls',
  'counter',
  'swap',
  'payCoinbase',
  'readCoinbase',
];

export interface RandomBlockParameters {
  count: number;
  kinds: readonly TxKind[];
  /** Senders drawn from the first `senders` accounts (few → several txs per sender). */
  senders: number;
  /** Recipients of transfers drawn from the first `recipients` accounts, or fresh addresses when 0. */
  recipients: number;
  /** Share of ERC-20 transfers going to 5 hot recipients. */
  hotShare?: number;
}

/** Signed transactions of a randomized block (in pool order). */
export function randomTransactions(world: TestWorld, rng: Rng, p: RandomBlockParameters): PoolTransaction[] {
  const out: PoolTransaction[] = [];
  const hot = world.accounts.slice(0, 5);
  for (let i = 0; i < p.count; i++) {
    const from = world.accounts[rng.int(Math.min(p.senders, world.accounts.length))] as TestAccount;
    const kind = rng.pick(p.kinds);
    const type = rng.int(6) === 0 ? (rng.int(2) as 0 | 1) : 2;
    const recipient = () =>
      p.recipients > 0
        ? (world.accounts[rng.int(p.recipients)] as TestAccount).address
        : bytesToHex(rng.bytes(20));
    let tx: TypedTransaction;
    switch (kind) {
      case 'transfer':
        tx = signNext(world, from, { to: recipient(), value: BigInt(1 + rng.int(1e6)), type });
        break;
      case 'erc20': {
        const to = rng.next() < (p.hotShare ?? 0.3) ? rng.pick(hot).address : recipient();
        tx = signNext(world, from, {
          to: CONTRACTS.token,
          data: call('transfer(address,uint256)', [to, BigInt(1 + rng.int(1000))]),
          gasLimit: 80_000n,
          type,
        });
        break;
      }
      case 'create':
        tx = signNext(world, from, {
          to: CONTRACTS.factory,
          data: call('create(uint256)', [BigInt(rng.int(100))]),
          value: BigInt(rng.int(3)),
          gasLimit: 300_000n,
        });
        break;
      case 'create2':
        // Few salts: a second creation at the same address fails and the call reverts.
        tx = signNext(world, from, {
          to: CONTRACTS.factory,
          data: call('create2(bytes32,uint256)', [BigInt(rng.int(4)), 7n]),
          gasLimit: 300_000n,
        });
        break;
      case 'selfdestruct':
        tx = signNext(world, from, {
          to: CONTRACTS.factory,
          data: call('createAndKill(address)', [recipient()]),
          value: BigInt(1 + rng.int(1000)),
          gasLimit: 300_000n,
        });
        break;
      case 'revert':
        tx = signNext(world, from, { to: CONTRACTS.probeA, data: call('fail()'), gasLimit: 50_000n, type });
        break;
      case 'outOfGas':
        tx = signNext(world, from, {
          to: CONTRACTS.probeB,
          data: call('spin(uint256)', [5000n]),
          gasLimit: 60_000n,
        });
        break;
      case 'insufficientBalance':
        tx = signNext(world, from, {
          to: CONTRACTS.probeB,
          data: call('give(address,uint256)', [recipient(), 10n ** 30n]),
          gasLimit: 100_000n,
        });
        break;
      case 'readBalance': {
        // Reads a balance other transactions of the block change (a hot account or a sender).
        const who =
          rng.next() < 0.5
            ? rng.pick(hot).address
            : (world.accounts[rng.int(p.senders)] as TestAccount).address;
        tx = signNext(world, from, {
          to: CONTRACTS.probeA,
          data: call('look(address)', [who]),
          gasLimit: 60_000n,
        });
        break;
      }
      case 'contractCalls':
        tx =
          rng.next() < 0.5
            ? signNext(world, from, {
                to: CONTRACTS.probeA,
                data: call('callBump(address)', [CONTRACTS.probeB]),
                gasLimit: 80_000n,
              })
            : signNext(world, from, {
                to: CONTRACTS.probeA,
                data: call('relay(address,address,uint256)', [CONTRACTS.token, recipient(), 3n]),
                gasLimit: 100_000n,
              });
        break;
      case 'counter':
        tx = signNext(world, from, {
          to: CONTRACTS.probeB,
          data: call('write(uint256,uint256)', [BigInt(rng.int(8)), BigInt(rng.int(1000))]),
          gasLimit: 60_000n,
        });
        break;
      case 'swap':
        tx = signNext(world, from, {
          to: CONTRACTS.pool,
          data: call('swap(uint256,bool)', [BigInt(1 + rng.int(1e9)), rng.next() < 0.5]),
          gasLimit: 100_000n,
        });
        break;
      case 'payCoinbase':
        tx = signNext(world, from, {
          to: rng.next() < 0.5 ? COINBASE : FEE_POOL_ADDRESS,
          value: 5n,
          gasLimit: 30_000n,
        });
        break;
      case 'readCoinbase':
        tx = signNext(world, from, {
          to: CONTRACTS.probeA,
          data: call('look(address)', [COINBASE]),
          gasLimit: 60_000n,
        });
        break;
    }
    out.push({ tx });
  }
  return out;
}
