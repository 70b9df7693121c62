// The chain's execution extensions, loaded by libs/execution in the coordinator and every worker:
// the verification precompiles, and the Outbox as a commutative account (transferKip only ever adds to its balance, the burn), so
// two senders bridging KIP in one block never conflict.

import { initDietcoin } from '@khipu/dietcoin';
import type { ExecutionExtensions } from '@khipu/execution';
import { OUTBOX_ADDRESS } from '../genesis/config.js';
import { khipuPrecompiles } from './precompiles.js';

/** Called by libs/execution (`ExtensionsSource.module` is this file): the verification
 *  precompiles (0x…0f01, 0x…0f02) and the Outbox as a commutative account. Needs
 *  `initDietcoin()` (the precompiles hash and recover with its backends). */
export async function createExecutionExtensions(): Promise<ExecutionExtensions> {
  await initDietcoin();
  return { precompiles: khipuPrecompiles(), commutativeAccounts: [OUTBOX_ADDRESS] };
}

/** Where libs/execution loads this module from. */
export const EXTENSIONS_MODULE = new URL('./extensions.js', import.meta.url).href;
