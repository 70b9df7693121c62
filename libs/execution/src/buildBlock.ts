import { Block, createBlock, createBlockHeader, type HeaderData } from '@ethereumjs/block';
import { TransactionType, type TypedTransaction } from '@ethereumjs/tx';
import { bytesToHex, createAddressFromString, KECCAK256_RLP, type PrefixedHexString } from '@ethereumjs/util';
import { type Executor, executorImpl, zeroPhases } from './executor.js';
import { computeLanes } from './lanes.js';
import type { BuildBlockParameters, BuildBlockReturnType } from './types.js';

/** Intrinsic gas of the cheapest transaction: a block holds at most gasLimit / this many. */
const MIN_TX_GAS = 21_000n;
/** Why a transaction waits for a later block (the pool keeps it). */
const GAS_LIMIT_REACHED = 'block gas limit reached';
/** The executor's refusal of a transaction whose gas limit exceeds the block's remaining gas. */
const BLOCK_GAS_LEFT_REFUSAL = /exceeds the block's remaining gas/;

interface Candidate {
  tx: TypedTransaction;
  key: Uint8Array;
  tip: bigint;
  raw: Uint8Array | undefined;
}

/** The tip per gas a transaction pays the coinbase at `baseFee`, or -1 when it cannot pay. */
function effectiveTip(tx: TypedTransaction, baseFee: bigint): bigint {
  const t = tx as { maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint; gasPrice?: bigint };
  if (t.maxFeePerGas !== undefined && t.maxPriorityFeePerGas !== undefined) {
    if (t.maxFeePerGas < baseFee) return -1n;
    const room = t.maxFeePerGas - baseFee;
    // bigints: Math.min does not apply.
    if (room < t.maxPriorityFeePerGas) return room;
    return t.maxPriorityFeePerGas;
  }
  const price = t.gasPrice ?? 0n;
  return price < baseFee ? -1n : price - baseFee;
}

/** Max-heap of the next transaction of every sender, by tip (ties: earlier in the pool). */
class TipHeap {
  private items: { c: Candidate; order: number; queue: Candidate[] }[] = [];
  get size(): number {
    return this.items.length;
  }
  private better(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    if (x === undefined || y === undefined) return false;
    return x.c.tip > y.c.tip || (x.c.tip === y.c.tip && x.order < y.order);
  }
  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    if (x === undefined || y === undefined) return;
    this.items[a] = y;
    this.items[b] = x;
  }
  push(c: Candidate, order: number, queue: Candidate[]): void {
    this.items.push({ c, order, queue });
    let i = this.items.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.better(i, up)) break;
      this.swap(i, up);
      i = up;
    }
  }
  pop(): { c: Candidate; order: number; queue: Candidate[] } | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.items.length > 0) {
      this.items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.items.length && this.better(l, m)) m = l;
        if (r < this.items.length && this.better(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

/**
 * Builds a block for the producer: takes pool transactions in fee order (each sender's in nonce
 * order, from its nonce in the parent state) while the gas used leaves room for the next one's
 * gas limit (geth's rule), runs them (refused ones are
 * left out and reported), groups dependent ones into lanes, and returns the block with every
 * execution field filled, ready to seal, its receipts and its lanes. Commits the new state.
 *
 * @throws ExecutionError `MISSING_STATE` when the parent state is not in the store,
 * `WORKER_FAILED`.
 */
export async function buildBlock(executor: Executor, p: BuildBlockParameters): Promise<BuildBlockReturnType> {
  const impl = executorImpl(executor);
  return impl.exclusive(async () => {
    const phases = zeroPhases();
    const start = performance.now();
    const common = impl.common;
    const parent = p.parent;
    const baseFeePerGas = p.baseFeePerGas ?? parent.calcNextBaseFee();
    const gasLimit = p.gasLimit ?? parent.gasLimit;
    const skipped: { tx: TypedTransaction; reason: string }[] = [];

    // Senders, recovered once (given keys are trusted: the pool recovered them).
    let t = performance.now();
    const pool: { tx: TypedTransaction; key: Uint8Array; raw: Uint8Array | undefined }[] = [];
    for (const { tx, senderPublicKey, raw } of p.transactions) {
      if (tx.type === TransactionType.BlobEIP4844 || tx.type === TransactionType.EOACodeEIP7702) {
        skipped.push({ tx, reason: `transaction type ${tx.type} is not accepted on this chain` });
        continue;
      }
      try {
        const key = senderPublicKey ?? tx.getSenderPublicKey();
        (tx.cache as { senderPubKey?: Uint8Array }).senderPubKey = key;
        pool.push({ tx, key, raw });
      } catch (cause) {
        skipped.push({
          tx,
          reason: `invalid signature: ${cause instanceof Error ? cause.message : String(cause)}`,
        });
      }
    }
    phases.recovery = performance.now() - t;

    // Fee / nonce order.
    t = performance.now();
    await impl.prepareHead(parent.stateRoot, parent.number + 1n);
    const bySender = new Map<string, Candidate[]>();
    for (const { tx, key, raw } of pool) {
      const sender = tx.getSenderAddress().toString();
      let list = bySender.get(sender);
      if (list === undefined) {
        list = [];
        bySender.set(sender, list);
      }
      list.push({ tx, key, raw, tip: effectiveTip(tx, baseFeePerGas) });
    }
    const heap = new TipHeap();
    let order = 0;
    for (const [sender, list] of bySender) {
      list.sort((a, b) => (a.tx.nonce < b.tx.nonce ? -1 : a.tx.nonce > b.tx.nonce ? 1 : 0));
      const nonce = (await impl.sm.getAccount(createAddressFromString(sender)))?.nonce ?? 0n;
      let expected = nonce;
      const queue: Candidate[] = [];
      for (const c of list) {
        if (expected < 0n) {
          skipped.push({ tx: c.tx, reason: 'follows a refused transaction of the same sender' });
        } else if (c.tx.nonce < expected) {
          // Stale (already mined or replaced): skip it, the sender's next nonce may still come.
          skipped.push({ tx: c.tx, reason: `nonce ${c.tx.nonce} below the account nonce ${nonce}` });
        } else if (c.tx.nonce > expected) {
          skipped.push({ tx: c.tx, reason: `nonce gap: expected ${expected}` });
          expected = -1n;
        } else if (c.tip < 0n) {
          skipped.push({ tx: c.tx, reason: `max fee below the base fee ${baseFeePerGas}` });
          expected = -1n;
        } else {
          queue.push(c);
          expected++;
        }
      }
      const head = queue.shift();
      if (head !== undefined) heap.push(head, order++, queue);
    }
    // Packed by gas used, as geth does: candidates go to execution in order and the executor
    // leaves out each one whose gas limit exceeds the gas the block has left (and so the sender's
    // later ones). Declared gas would cap a block of ERC-20 transfers (60,000 declared, ~34,000
    // used) at 57% full. No block holds more transactions than it has intrinsic gas for, so more
    // candidates than that are never run.
    const maxCount = gasLimit / MIN_TX_GAS;
    const selected: Candidate[] = [];
    while (heap.size > 0) {
      const top = heap.pop();
      if (top === undefined) break;
      if (top.c.tx.gasLimit > gasLimit || BigInt(selected.length) >= maxCount) {
        skipped.push({ tx: top.c.tx, reason: GAS_LIMIT_REACHED });
        for (const rest of top.queue) skipped.push({ tx: rest.tx, reason: GAS_LIMIT_REACHED });
        continue;
      }
      selected.push(top.c);
      const next = top.queue.shift();
      if (next !== undefined) heap.push(next, top.order, top.queue);
    }
    phases.decode = performance.now() - t;

    const headerData: HeaderData = {
      parentHash: parent.hash(),
      number: parent.number + 1n,
      coinbase: (typeof p.coinbase === 'string' ? p.coinbase : bytesToHex(p.coinbase)) as PrefixedHexString,
      timestamp: p.timestamp,
      gasLimit,
      baseFeePerGas,
      extraData: p.extraData ?? new Uint8Array(0),
      mixHash: p.mixHash ?? new Uint8Array(32),
      difficulty: 0n,
      withdrawalsRoot: KECCAK256_RLP,
      blobGasUsed: 0n,
      excessBlobGas: parent.calcNextExcessBlobGas(common),
    };
    const provisional = new Block(createBlockHeader(headerData, { common }), [], [], [], { common });
    const txs = selected.map((c) => c.tx);
    const raws = selected.map((c) => c.raw ?? c.tx.serialize());
    const job = impl.newJob({
      raws,
      headerRLP: provisional.header.serialize(),
      number: provisional.header.number,
      materialize: async () => undefined,
    });
    Object.assign(job, {
      block: provisional,
      txs,
      senderKeys: selected.map((c) => c.key),
      parentStateRoot: parent.stateRoot,
      mode: p.mode ?? 'serial',
      validate: false,
      commit: p.commit ?? true,
      dropInvalid: true,
      phases,
    });
    const run = await impl.runBlock(job);
    // A sender whose transaction did not fit has its later ones refused for their nonce: they, too,
    // wait for the next block rather than being stale.
    const outOfGas = new Set<string>();
    for (const d of run.dropped) {
      const tx = txs[d.index];
      if (tx === undefined) continue;
      const sender = tx.getSenderAddress().toString();
      if (BLOCK_GAS_LEFT_REFUSAL.test(d.reason) || outOfGas.has(sender)) {
        outOfGas.add(sender);
        skipped.push({ tx, reason: GAS_LIMIT_REACHED });
      } else {
        skipped.push({ tx, reason: d.reason });
      }
    }
    const included = run.included.map((i) => txs[i] as TypedTransaction);
    const lanes = computeLanes(run.accesses);
    const block = createBlock(
      {
        header: {
          ...headerData,
          stateRoot: run.stateRoot,
          receiptTrie: run.receiptsRoot,
          logsBloom: run.logsBloom,
          gasUsed: run.gasUsed,
          transactionsTrie: await impl.transactionsRoot(run.included.map((i) => raws[i] as Uint8Array)),
        },
        transactions: included,
        withdrawals: [],
      },
      { common },
    );
    // createBlock rebuilt the transactions: hand them the hashes already known (the pool's
    // keccak of the bytes received), so that reading them does not serialize and hash again.
    block.transactions.forEach((copy, k) => {
      const known = (included[k]?.cache as { hash?: Uint8Array } | undefined)?.hash;
      if (known !== undefined) (copy.cache as { hash?: Uint8Array }).hash ??= known;
    });
    phases.total = performance.now() - start;
    run.stats.phases = phases;
    run.stats.lanes = lanes.length;
    const { included: _i, dropped: _d, accesses: _a, ...result } = run;
    return { ...result, block, lanes, skipped };
  });
}
