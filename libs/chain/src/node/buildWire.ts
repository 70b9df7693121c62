// Messages between the main thread and the block-building thread (buildThread.ts, buildWorker.ts).

import type { KesqueReaderHandle } from '@khipu/kesque';
import type { BlockContext, ExecuteBlockOutput } from '../exec/types.js';

/** The thread's start-up data. */
export interface BuildWorkerData {
  chainId: bigint;
  /** Kesque's reader handle and the table of trie nodes and code. */
  kesque: KesqueReaderHandle;
  table: string;
}

/** A block to build: the pool's transactions as bytes with what the pool found of them. */
export interface BuildJob {
  id: number;
  parentStateRoot: Uint8Array;
  context: BlockContext;
  raws: Uint8Array[];
  /** The pool's senders (20 bytes) and hashes (keccak of the bytes), trusted. */
  senders: Uint8Array[];
  hashes: Uint8Array[];
  publicKeys: (Uint8Array | undefined)[];
  /** BLOCKHASH: the hashes of the (up to) 256 blocks before `context.number`. */
  ancestors: [bigint, Uint8Array][];
}

/** The output of a build with transactions named by their index in the job. */
export type BuildOutput = Omit<ExecuteBlockOutput, 'included' | 'skipped'> & {
  included: number[];
  skipped: { index: number; reason: string }[];
};

export type BuildReply =
  | {
      id: number;
      ok: true;
      output: BuildOutput;
      /** The block's state writes, packed (stateWrites.ts) and transferred, not cloned. */
      writes: Uint8Array;
    }
  | { id: number; ok: false; message: string };
