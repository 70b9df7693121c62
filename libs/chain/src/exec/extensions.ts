// The chain's execution extensions, loaded by libs/execution in the coordinator and every worker:
// the Outbox is a commutative account (transferKip only ever adds to its balance, the burn), so
// two senders bridging KIP in one block never conflict.
import type { ExecutionExtensions } from '@khipu/execution';
import { OUTBOX_ADDRESS } from '../genesis/config.js';

/** Called by libs/execution (`ExtensionsSource.module` is this file). */
export function createExecutionExtensions(): ExecutionExtensions {
  return { precompiles: [], commutativeAccounts: [OUTBOX_ADDRESS] };
}

/** Where libs/execution loads this module from. */
export const EXTENSIONS_MODULE = new URL('./extensions.js', import.meta.url).href;
