import { resolveStateBlock } from '../blocks.js';
import type { RpcContext } from '../context.js';
import { invalidParams } from '../errors.js';
import { toQuantity } from '../format.js';
import { expectArity, parseAddress, parseBlockSpecifier, parseSlot } from '../params.js';

/** Most storage slots one eth_getProof may ask. */
export const MAX_PROOF_SLOTS = 1024;

/** eth_getProof(address, slots, block): the account and storage proofs of EIP-1186 against the
 *  block's state root. */
export async function getProof(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 3, 3);
  const address = parseAddress(params[0], '0');
  if (!Array.isArray(params[1])) throw invalidParams('invalid argument 1: storage keys must be an array');
  if (params[1].length > MAX_PROOF_SLOTS) {
    throw invalidParams(`invalid argument 1: more than ${MAX_PROOF_SLOTS} storage keys`);
  }
  const slots = params[1].map((slot) => parseSlot(slot, '1'));
  const block = await resolveStateBlock(context, parseBlockSpecifier(params[2], '2'));
  const proof = await context.backend.state.getProof(address, slots, block);
  return {
    address: proof.address,
    accountProof: proof.accountProof,
    balance: toQuantity(proof.balance),
    codeHash: proof.codeHash,
    nonce: toQuantity(proof.nonce),
    storageHash: proof.storageHash,
    storageProof: proof.storageProof.map((entry) => ({
      key: entry.key,
      value: toQuantity(entry.value),
      proof: entry.proof,
    })),
  };
}
