// Lanes: the producer groups dependent transactions (same sender through the nonce, same hot
// storage slot, any read of an earlier write) so that one worker runs each group in order, and
// validators following the lanes merge every transaction without a re-run.
//
// Wire layout of encoded lanes (carried beside the block, like seals): RLP list of lanes, each a
// list of transaction indices (unsigned, big-endian, no leading zeros), in block order.
import { RLP } from '@ethereumjs/rlp';
import type { TxAccess } from './access.js';
import { ExecutionError } from './errors.js';
import { readKeys, writtenKeys } from './executor.js';
import type { Lanes } from './types.js';

/**
 * Lanes from the accesses of a block's transactions (in block order): a transaction joins the
 * lane of the last earlier writer of every item it reads. Increments to commutative accounts do
 * not link transactions.
 */
export function computeLanes(accesses: readonly TxAccess[]): number[][] {
  const parent = Int32Array.from(accesses.keys());
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r] as number;
    while (parent[x] !== r) {
      const next = parent[x] as number;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const lastWriter = new Map<string, number>();
  accesses.forEach((access, j) => {
    for (const key of readKeys(access)) {
      const w = lastWriter.get(key);
      if (w !== undefined) {
        const a = find(w);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    for (const key of writtenKeys(access, false)) lastWriter.set(key, j);
  });
  const groups = new Map<number, number[]>();
  for (let j = 0; j < accesses.length; j++) {
    const root = find(j);
    let lane = groups.get(root);
    if (lane === undefined) {
      lane = [];
      groups.set(root, lane);
    }
    lane.push(j);
  }
  return [...groups.values()].sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0));
}

function uint(n: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.from(bytes);
}

/** Encodes lanes for carrying beside the block. */
export function encodeLanes(lanes: Lanes): Uint8Array {
  return RLP.encode(lanes.map((lane) => lane.map(uint)));
}

/**
 * Decodes {@link encodeLanes}' output.
 * @throws ExecutionError `INVALID_LANES` on malformed input.
 */
export function decodeLanes(encoded: Uint8Array): number[][] {
  let decoded: unknown;
  try {
    decoded = RLP.decode(encoded);
  } catch (cause) {
    throw new ExecutionError('INVALID_LANES', 'lanes do not decode as RLP', {}, cause);
  }
  if (!Array.isArray(decoded)) throw new ExecutionError('INVALID_LANES', 'lanes are not a list');
  return decoded.map((lane: unknown) => {
    if (!Array.isArray(lane)) throw new ExecutionError('INVALID_LANES', 'a lane is not a list');
    return lane.map((item: unknown) => {
      if (!(item instanceof Uint8Array) || item.length > 4 || (item.length > 0 && item[0] === 0)) {
        throw new ExecutionError('INVALID_LANES', 'a lane index is not a canonical unsigned integer');
      }
      let v = 0;
      for (const b of item) v = v * 256 + b;
      return v;
    });
  });
}
