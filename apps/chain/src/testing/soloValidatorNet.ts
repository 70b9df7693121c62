// The net the block-sync tests run on: one validator (a quorum of itself) at 50 ms blocks, and
// optionally a follower that imports its blocks.
import { createValidatorNet, headOf, type NetNode, type ValidatorNet, waitUntil } from './validatorNet.js';

export interface CreateSoloValidatorNetParameters {
  dir: string;
  chainId: number;
  /** Addresses (0x, any case) the genesis gives 10^6 ETH each. */
  funded: string[];
  /** Default 0. */
  followers?: number;
}

/**
 * Lays out one validator at 50 ms blocks and 2 s rounds plus `followers`, their Kesque stores not
 * synced to disk (the tests kill no process); starts nothing.
 */
export function createSoloValidatorNet(p: CreateSoloValidatorNetParameters): Promise<ValidatorNet> {
  return createValidatorNet({
    dir: p.dir,
    validators: 1,
    followers: p.followers ?? 0,
    chainId: p.chainId,
    blockTimeMs: 50,
    roundTimeoutMs: 2000,
    env: { KHIPU_DURABILITY: 'never' },
    alloc: Object.fromEntries(p.funded.map((a) => [a.toLowerCase(), { balance: (10n ** 24n).toString() }])),
  });
}

/** Waits until `node`'s head is at `height` or beyond; fails after `ms`. */
export async function waitForHead(node: NetNode, height: number, ms: number): Promise<void> {
  await waitUntil(
    `node ${node.address} at block ${height}`,
    async () => ((await headOf(node)) >= height ? true : undefined),
    ms,
  );
}
