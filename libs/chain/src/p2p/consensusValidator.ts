// The peer layer's check of consensus messages: decode strictly, then verify that the sender is a
// validator (of the current set) and that it signed the message. Stateless: staleness and the
// protocol's own rules are the engine's business.
import {
  createMessageDigester,
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeConsensusMessage,
} from '../consensus/codec.js';
import { isConsensusError } from '../consensus/errors.js';
import type { Address, Keccak256, SealVerifier } from '../consensus/types.js';
import type { MessageValidator } from './types.js';

export interface CreateConsensusMessageValidatorParameters {
  chainId: bigint;
  keccak256: Keccak256;
  verifier: SealVerifier;
  /** Validators whose messages are accepted (current set; read per message). */
  validators: () => readonly Address[];
  /**
   * The set of a message's own height (the validator schedule), so that across an epoch boundary
   * the next set's messages pass before this node reaches it; null falls back to `validators`.
   */
  validatorsAt?: (height: number) => readonly Address[] | null;
  maxMessageBytes?: number;
}

/** Creates the `validateMessage` for consensus traffic; rejections carry the ConsensusError code. */
export function createConsensusMessageValidator(
  p: CreateConsensusMessageValidatorParameters,
): MessageValidator {
  const digest = createMessageDigester(p.keccak256);
  const maxBytes = p.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  return (bytes) => {
    try {
      const m = decodeConsensusMessage(bytes, { maxBytes });
      if (m.chainId !== p.chainId) return { verdict: 'reject', code: 'WRONG_CHAIN' };
      const members = p.validatorsAt?.(m.height) ?? p.validators();
      if (!members.includes(m.sender)) return { verdict: 'ignore' };
      if (!p.verifier.verify(digest(m), m.signature, m.sender))
        return { verdict: 'reject', code: 'BAD_SIGNATURE' };
      return { verdict: 'accept' };
    } catch (e) {
      if (isConsensusError(e)) return { verdict: 'reject', code: e.code };
      throw e;
    }
  };
}
