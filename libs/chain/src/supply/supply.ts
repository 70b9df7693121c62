// Native KIP supply and its movements, block by block.
//
// Mechanism (documented in ARCHITECTURE.md, "Supply"): the Outbox keeps the KIP sent with
// transferKip in its own balance and has no way to send it out, so its balance *is* the KIP burned
// since genesis. The supply is the sum of all balances except the Outbox's:
//
//   supply(n) = genesisSupply + minted(n) − burned(n),   burned(n) = balance(Outbox at n)
//
// The fee pool is part of the supply (fees move KIP, they do not destroy it). minted stays 0 until
// the Inbox exists (it mints on delivery). Tests check the identity against a full walk of the
// state trie, so every wei is accounted for.
import { ChainError } from '../errors.js';
import type { SupplyData } from '../rpc/backend.js';

export interface NextSupplyParameters {
  /** The parent block's record; `null` for genesis. */
  parent: SupplyData | null;
  blockNumber: bigint;
  /** Sum of the genesis allocation (genesis only; later blocks carry it from the parent). */
  genesisSupply?: bigint;
  /** Balance of the Outbox at the end of the block. */
  outboxBalance: bigint;
  /** Balance of the fee pool at the end of the block. */
  feePoolBalance: bigint;
  /** Base fee × gas used of this block. */
  feesToPool: bigint;
  /** KIP minted by this block (Inbox deliveries). */
  minted?: bigint;
}

/**
 * The supply record of a block from its parent's and the balances the block ended with.
 * @throws ChainError INVALID_BLOCK when the Outbox balance went down (KIP can never leave it).
 */
export function nextSupply(p: NextSupplyParameters): SupplyData {
  const mintedNow = p.minted ?? 0n;
  if (p.parent === null) {
    const genesisSupply = p.genesisSupply ?? 0n;
    return {
      blockNumber: p.blockNumber,
      supply: genesisSupply - p.outboxBalance,
      genesisSupply,
      minted: 0n,
      burned: p.outboxBalance,
      feePool: p.feePoolBalance,
      block: { minted: 0n, burned: p.outboxBalance, feesToPool: 0n },
    };
  }
  const burnedNow = p.outboxBalance - p.parent.burned;
  if (burnedNow < 0n) {
    throw new ChainError(
      'INVALID_BLOCK',
      `block ${p.blockNumber}: the Outbox balance went down by ${-burnedNow} wei`,
    );
  }
  const minted = p.parent.minted + mintedNow;
  const burned = p.outboxBalance;
  return {
    blockNumber: p.blockNumber,
    supply: p.parent.genesisSupply + minted - burned,
    genesisSupply: p.parent.genesisSupply,
    minted,
    burned,
    feePool: p.feePoolBalance,
    block: { minted: mintedNow, burned: burnedNow, feesToPool: p.feesToPool },
  };
}
