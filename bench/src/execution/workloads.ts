// The three blocks of the execution benchmark, from one seeded world each:
//   (a) transfers: independent ETH transfers, one per sender, to fresh addresses;
//   (b) erc20: ERC-20 transfers, one per sender, 10% of them to 5 hot recipients;
//   (c) amm: every transaction swaps on one AMM-like pool.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolTransaction } from '@khipu/execution';
import { createKesqueStateStore } from '@khipu/execution/kesque';
import {
  CONTRACTS,
  createTestWorld,
  encodeCall,
  Rng,
  signNext,
  type TestWorld,
} from '@khipu/execution/testing';
import { openKesque } from '@khipu/kesque';

export type WorkloadName = 'transfers' | 'erc20' | 'amm';
export const WORKLOADS: readonly WorkloadName[] = ['transfers', 'erc20', 'amm'];

export interface Workload {
  name: WorkloadName;
  world: TestWorld;
  transactions: PoolTransaction[];
  close(): Promise<void>;
}

const HOT = 5;

/** A workload whose state lives in a fresh Kesque store under `.bench-data/execution/<name>`. */
export async function createWorkload(name: WorkloadName, count: number, seed = 7): Promise<Workload> {
  const dir = join('.bench-data', 'execution', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const kesque = await openKesque({ dir, tables: { trie: { kind: 'hash' } } });
  const store = createKesqueStateStore({ kesque });
  const world = await createTestWorld({ accounts: count + HOT, seed, gasLimit: 200_000_000n, store });
  const rng = new Rng(seed);
  const fresh = () => `0x${Array.from(rng.bytes(20), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  const transactions: PoolTransaction[] = [];
  for (let i = 0; i < count; i++) {
    const from = world.accounts[HOT + i];
    if (from === undefined) break;
    if (name === 'transfers') {
      transactions.push({ tx: signNext(world, from, { to: fresh(), value: 1000n + BigInt(i) }) });
    } else if (name === 'erc20') {
      const hot = rng.next() < 0.1;
      const to = hot ? (world.accounts[rng.int(HOT)]?.address ?? fresh()) : fresh();
      transactions.push({
        tx: signNext(world, from, {
          to: CONTRACTS.token,
          data: encodeCall('transfer(address,uint256)', [to, 1n + BigInt(rng.int(1000))]),
          gasLimit: 80_000n,
        }),
      });
    } else {
      transactions.push({
        tx: signNext(world, from, {
          to: CONTRACTS.pool,
          data: encodeCall('swap(uint256,bool)', [1n + BigInt(rng.int(1e9)), rng.next() < 0.5]),
          gasLimit: 100_000n,
        }),
      });
    }
  }
  return {
    name,
    world,
    transactions,
    close: async () => {
      await kesque.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
