// Reads accounts from the world-state trie by walking the nodes directly. @ethereumjs's
// MerkleStateManager.getAccount goes through the trie's generic async walker (~0.1 ms per account
// on a 5,000-account state): the state shards read every account a block touched, twice per block
// on a validator (build or import), so that walker was a large share of a block's import.
import { RLP } from '@ethereumjs/rlp';
import { type Account, type AccountChange, decodeAccount, keccak256 } from '@khipu/dietcoin';
import { ChainError } from '../errors.js';
import type { OverlayStateDB } from '../store/stateDB.js';

type NodeRef = Uint8Array | NodeRef[];

const EMPTY_TRIE_ROOT = '56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421';

function nibblesOf(bytes: Uint8Array): number[] {
  const out = new Array<number>(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    out[2 * i] = (bytes[i] as number) >> 4;
    out[2 * i + 1] = (bytes[i] as number) & 15;
  }
  return out;
}

/** Hex-prefix decoding (Yellow Paper appendix C): the path's nibbles and whether it ends a leaf. */
function pathOf(encoded: Uint8Array): { nibbles: number[]; leaf: boolean } {
  const all = nibblesOf(encoded);
  const flag = all[0] as number;
  return { nibbles: all.slice(flag & 1 ? 1 : 2), leaf: (flag & 2) !== 0 };
}

/** The account leaf value under `key` (the keccak of the address), or undefined when absent.
 *  @throws ChainError CORRUPT_STORE when a node on the path is missing or malformed. */
async function leafAt(
  db: OverlayStateDB,
  root: Uint8Array,
  key: Uint8Array,
  decoded: Map<string, NodeRef>,
): Promise<Uint8Array | undefined> {
  const nibbles = nibblesOf(key);
  let at = 0;
  let ref: NodeRef = root;
  for (;;) {
    let node: NodeRef;
    if (ref instanceof Uint8Array) {
      if (ref.length === 0) return undefined;
      // A reference shorter than 32 bytes would be an inline node, carried decoded as a list.
      const hex = Buffer.from(ref).toString('hex');
      if (hex === EMPTY_TRIE_ROOT) return undefined;
      const known = decoded.get(hex);
      if (known) {
        node = known;
      } else {
        const raw = await db.get(hex, { valueEncoding: 'view' });
        if (!(raw instanceof Uint8Array)) throw missing(hex);
        node = RLP.decode(raw) as NodeRef;
        decoded.set(hex, node);
      }
    } else {
      node = ref;
    }
    if (!Array.isArray(node)) throw malformed();
    if (node.length === 17) {
      if (at === nibbles.length) return undefined; // account keys are 32 bytes: no value in a branch
      ref = node[nibbles[at] as number] as NodeRef;
      at++;
      continue;
    }
    if (node.length !== 2 || !(node[0] instanceof Uint8Array)) throw malformed();
    const path = pathOf(node[0]);
    for (let i = 0; i < path.nibbles.length; i++) {
      if (nibbles[at + i] !== path.nibbles[i]) return undefined;
    }
    at += path.nibbles.length;
    if (path.leaf) {
      if (at !== nibbles.length || !(node[1] instanceof Uint8Array)) return undefined;
      return node[1];
    }
    ref = node[1] as NodeRef;
  }
}

function missing(hex: string): ChainError {
  return new ChainError('CORRUPT_STORE', `state trie node 0x${hex} is missing`);
}

function malformed(): ChainError {
  return new ChainError('CORRUPT_STORE', 'a state trie node is malformed');
}

/** The final state of each of `addresses` in the world state at `root` (undefined if absent).
 *  `known` (lowercase 0x hex address → state) answers without reading the trie: the states
 *  execution wrote for the block of `root`.
 *  @throws ChainError CORRUPT_STORE when the trie at `root` is incomplete. */
export async function readAccountsAt(
  db: OverlayStateDB,
  root: Uint8Array,
  addresses: Iterable<Uint8Array>,
  known?: ReadonlyMap<string, Account | undefined>,
): Promise<AccountChange[]> {
  const changes: AccountChange[] = [];
  // The nodes near the root lie on every path: each is read and decoded once per call.
  const decoded = new Map<string, NodeRef>();
  for (const address of addresses) {
    if (known !== undefined && known.size > 0) {
      const hex = `0x${Buffer.from(address).toString('hex')}`;
      if (known.has(hex)) {
        changes.push({ address, account: known.get(hex) });
        continue;
      }
    }
    const value = await leafAt(db, root, keccak256(address), decoded);
    changes.push({ address, account: value ? decodeAccount(value) : undefined });
  }
  return changes;
}
