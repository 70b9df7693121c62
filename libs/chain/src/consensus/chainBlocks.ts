// Consensus over the node's chain: the driver's `BlockSource` (the proposer builds through the
// producer, the others validate a proposal by executing it through the importer) and the commit of
// a decision (the block with its commit seals becomes the head), plus the import of synced blocks.
//
// Executing a block leaves its state writes in the overlay and its accounts in the state shards
// until it is committed, so one block at a time is "staged": when the decided block is the staged
// one (the usual case) it is committed without executing it again; anything else drops the staged
// block first (a replay of the shards, rare: a round change to another block). Every operation
// runs through one queue, so none sees another's half-executed block.
import { bytesToHex, hexToBytes } from '@ethereumjs/util';
import { decodeHeader } from '@khipu/dietcoin';
import { ChainError } from '../errors.js';
import type { PendingTransaction } from '../exec/types.js';
import type { BlockEnvelope, Importer, ImportPhases, PreparedImport } from '../importer/importer.js';
import type { BuiltBlock, Producer } from '../producer/producer.js';
import type { Hex, SealData } from '../rpc/backend.js';
import type { ChainStore } from '../store/chainStore.js';
import { decodeConsensusBlock, encodeConsensusBlock } from './blockCodec.js';
import type { BlockSource } from './driver.js';
import { ConsensusError } from './errors.js';
import { proposalTimestampProblem } from './proposalTime.js';
import type { Decision, Hash } from './types.js';

/** A block that became the head, for the pool and the metrics. */
export interface CommittedBlock {
  number: bigint;
  hash: Hash;
  included: readonly PendingTransaction[];
  /** True when this node built it (the producer already told the pool and the metrics). */
  ownBlock: boolean;
}

export interface CreateChainBlocksParameters {
  store: ChainStore;
  importer: Importer;
  /** The producer of a validator; a follower has none and builds nothing. */
  producer?: Producer;
  onCommitted?: (block: CommittedBlock) => void | Promise<void>;
  /** A proposal this validator refused to prepare, and why (the node logs it). */
  onProposalRefused?: (height: number, reason: string) => void;
  /** A proposal executed (valid), and where that time went (the node logs it at debug level). */
  onProposalPrepared?: (height: number, phases: ImportPhases) => void;
  /** A block this validator built to propose: its transactions and phases (seconds; debug log). */
  onBlockBuilt?: (height: number, transactions: number, phases: BuiltBlock['phases']) => void;
  /** Execution time a block this validator proposes may take (Producer `BuildOptions`); without
   *  it, as many transactions as the gas limit allows. */
  buildBudgetMs?: number;
  /** Seconds a proposal's timestamp may be ahead of this node's clock (proposalTime.ts). */
  futureAllowanceS?: number;
  now?: () => number;
}

/** The chain side of consensus and sync. */
export interface ChainBlocks extends BlockSource {
  /** Stores a decision (block and seals) as the head; a no-op for a height already stored with that block.
   *  @throws ConsensusError CONFLICTING_DECISION when the stored block at that height is another. */
  commitDecision(decision: Decision): Promise<void>;
  /** Imports a block from a peer (seals checked by the importer): sync.
   *  @throws ChainError INVALID_BLOCK */
  importBlock(block: BlockEnvelope): Promise<void>;
  /** Drops the staged block, if any (on shutdown, so that nothing half-done lingers). */
  release(): Promise<void>;
}

type Staged =
  | { kind: 'built'; number: bigint; hash: Hash; built: BuiltBlock; transactions: Uint8Array[] }
  | { kind: 'prepared'; number: bigint; hash: Hash; prepared: PreparedImport };

export function createChainBlocks(p: CreateChainBlocksParameters): ChainBlocks {
  const now = p.now ?? Date.now;
  let queue: Promise<unknown> = Promise.resolve();
  let staged: Staged | null = null;

  /** Runs `task` after every earlier one (whatever their outcome). */
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  };

  const drop = async () => {
    if (!staged) return;
    staged = null;
    await p.importer.discard();
  };

  const nextHeight = () => p.store.headNumber() + 1n;

  const committed = async (block: CommittedBlock) => p.onCommitted?.(block);

  const sealsOf = (d: Decision): SealData[] =>
    d.seals.map((s) => ({
      validator: s.validator,
      round: BigInt(d.round),
      signature: bytesToHex(s.signature) as Hex,
    }));

  return {
    async buildBlock(height, _round) {
      const producer = p.producer;
      if (!producer) throw new ConsensusError('INVALID_CONFIG', 'a follower does not build blocks');
      return serial(async () => {
        // Decided while the build waited (for the block time, or in the queue): the engine ignores
        // an answer for a height it left, so an empty block will do.
        if (BigInt(height) < nextHeight()) return new Uint8Array(0);
        if (BigInt(height) !== nextHeight()) {
          throw new ConsensusError(
            'WRONG_HEIGHT',
            `asked to build ${height}, the head is ${nextHeight() - 1n}`,
          );
        }
        if (staged?.kind === 'built' && staged.number === BigInt(height)) {
          return encodeConsensusBlock({
            headerRLP: staged.built.headerRLP,
            transactions: staged.transactions,
          });
        }
        await drop();
        const built = await producer.build(
          p.buildBudgetMs === undefined ? {} : { budgetMs: p.buildBudgetMs },
        );
        const transactions = built.commit.transactions.map((t) => t.raw);
        p.onBlockBuilt?.(height, transactions.length, built.phases);
        staged = {
          kind: 'built',
          number: built.number,
          hash: bytesToHex(built.hash) as Hash,
          built,
          transactions,
        };
        return encodeConsensusBlock({ headerRLP: built.headerRLP, transactions });
      });
    },

    validateBlock(height, blockHash, bytes) {
      return serial(async () => {
        if (BigInt(height) < nextHeight())
          return p.store.getHeaderByNumber(BigInt(height))?.hash === blockHash;
        if (BigInt(height) !== nextHeight()) return false;
        if (staged?.hash === blockHash) return true;
        await drop();
        let parts: ReturnType<typeof decodeConsensusBlock>;
        const refuse = (reason: string) => {
          p.onProposalRefused?.(height, reason);
          return false;
        };
        let timestamp: bigint;
        try {
          parts = decodeConsensusBlock(bytes);
          timestamp = BigInt(decodeHeader(parts.headerRLP).header.timestamp);
        } catch (e) {
          return refuse(`does not decode: ${e instanceof Error ? e.message : String(e)}`);
        }
        const problem = proposalTimestampProblem({
          timestamp,
          parentTimestamp: p.store.headHeader().timestamp,
          nowMs: now(),
          ...(p.futureAllowanceS !== undefined ? { futureAllowanceS: p.futureAllowanceS } : {}),
        });
        if (problem) return refuse(problem);
        try {
          const prepared = await p.importer.prepare({ ...parts, seals: [] }, { seals: false });
          staged = {
            kind: 'prepared',
            number: prepared.number,
            hash: bytesToHex(prepared.hash) as Hash,
            prepared,
          };
          p.onProposalPrepared?.(height, prepared.phases);
          return true;
        } catch (e) {
          if (e instanceof ChainError && e.code === 'INVALID_BLOCK') return refuse(e.message);
          throw e;
        }
      });
    },

    commitDecision(decision) {
      return serial(async () => {
        const height = BigInt(decision.height);
        if (height < nextHeight()) {
          const stored = p.store.getHeaderByNumber(height)?.hash;
          if (stored === decision.blockHash) return;
          throw new ConsensusError(
            'CONFLICTING_DECISION',
            `decision for height ${height} names ${decision.blockHash}, the chain holds ${stored}`,
          );
        }
        if (height !== nextHeight()) {
          throw new ConsensusError(
            'WRONG_HEIGHT',
            `decision for ${height}, the head is ${nextHeight() - 1n}`,
          );
        }
        const seals = sealsOf(decision);
        const current = staged;
        staged = null;
        if (current?.hash === decision.blockHash) {
          if (current.kind === 'built') {
            await p.producer!.commitBuilt(current.built, seals);
            await committed({
              number: height,
              hash: current.hash,
              included: current.built.included,
              ownBlock: true,
            });
          } else {
            await p.importer.commitPrepared(current.prepared, seals);
            await committed({
              number: height,
              hash: current.hash,
              included: current.prepared.included,
              ownBlock: false,
            });
          }
          return;
        }
        if (current) await p.importer.discard();
        const parts = decodeConsensusBlock(decision.block);
        const prepared = await p.importer.prepare({ ...parts, seals }, { seals: true });
        await p.importer.commitPrepared(prepared, seals);
        await committed({
          number: height,
          hash: decision.blockHash,
          included: prepared.included,
          ownBlock: false,
        });
      });
    },

    importBlock(block) {
      return serial(async () => {
        await drop();
        const prepared = await p.importer.prepare(block, { seals: true });
        await p.importer.commitPrepared(prepared, block.seals);
        await committed({
          number: prepared.number,
          hash: bytesToHex(prepared.hash) as Hash,
          included: prepared.included,
          ownBlock: false,
        });
      });
    },

    release: () => serial(drop),
  };
}

/** The seals of a stored block as consensus holds them. */
export function decisionOf(store: ChainStore, number: bigint): Decision | null {
  const header = store.getHeaderByNumber(number);
  const headerRLP = store.getHeaderRLP(number);
  const seals = store.getSeals(number);
  if (!header || !headerRLP || !seals || seals.length === 0) return null;
  return {
    height: Number(number),
    round: Number(seals[0]!.round),
    blockHash: header.hash as Hash,
    block: encodeConsensusBlock({ headerRLP, transactions: store.getRawTransactions(number) ?? [] }),
    seals: seals.map((s) => ({ validator: s.validator, signature: hexToBytes(s.signature) })),
  };
}
