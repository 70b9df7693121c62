import { Account, createAddressFromString, hexToBytes, type PrefixedHexString } from '@ethereumjs/util';
import { createExecutionCommon } from './common.js';
import { loadExecutionCrypto } from './crypto.js';
import { createCachedStateManager, StateDB } from './state.js';
import type { StateStore } from './types.js';

/** One genesis account: balance, nonce, code and storage (slot → value, 32-byte hex). */
export interface GenesisAccount {
  balance?: bigint;
  nonce?: bigint;
  code?: Uint8Array;
  storage?: Record<string, Uint8Array | PrefixedHexString>;
}

export interface WriteGenesisStateParameters {
  store: StateStore;
  chainId: number | bigint;
  accounts: Record<string, GenesisAccount>;
}

/**
 * Writes a genesis state (accounts, code, storage) to the store in one write and returns its
 * state root.
 * @example const root = await writeGenesisState({ store, chainId: 7001, accounts: { '0xab…': { balance: 10n ** 18n } } })
 */
export async function writeGenesisState(p: WriteGenesisStateParameters): Promise<Uint8Array> {
  const crypto = await loadExecutionCrypto();
  const common = createExecutionCommon({ chainId: p.chainId, crypto });
  const db = new StateDB(p.store);
  const sm = await createCachedStateManager({ db, common, keccak256: crypto.keccak256 });
  await sm.checkpoint();
  for (const [hex, a] of Object.entries(p.accounts)) {
    const address = createAddressFromString(hex);
    await sm.putAccount(address, new Account(a.nonce ?? 0n, a.balance ?? 0n));
    if (a.code !== undefined && a.code.length > 0) await sm.putCode(address, a.code);
    for (const [slot, value] of Object.entries(a.storage ?? {})) {
      await sm.putStorage(
        address,
        hexToBytes(slot as PrefixedHexString),
        typeof value === 'string' ? hexToBytes(value) : value,
      );
    }
  }
  await sm.commit();
  const root = await sm.getStateRoot();
  await p.store.write(db.takePending());
  return root;
}
