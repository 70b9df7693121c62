import type { RpcContext } from '../context.js';
import { toQuantity } from '../format.js';
import { expectArity, parseAddress } from '../params.js';
import { khipuBlockNumber } from './blockParam.js';

/** khipu_getAccountShardProof(address, block): the account's leaf in the state shards and its
 *  proof to the header's shardRoot; `null` for an unknown block. */
export async function getAccountShardProof(params: unknown[], context: RpcContext): Promise<unknown> {
  expectArity(params, 2, 2);
  const address = parseAddress(params[0], '0');
  const number = khipuBlockNumber(context, params[1], '1');
  if (number === null) return null;
  const proof = await context.backend.khipu.getAccountShardProof(address, number);
  if (proof === null) return null;
  return {
    address: proof.address,
    blockNumber: toQuantity(proof.blockNumber),
    blockHash: proof.blockHash,
    shardIndex: toQuantity(proof.shardIndex),
    shardRoot: proof.shardRoot,
    nonce: toQuantity(proof.nonce),
    balance: toQuantity(proof.balance),
    storageRoot: proof.storageRoot,
    codeHash: proof.codeHash,
    proof: proof.proof,
  };
}
