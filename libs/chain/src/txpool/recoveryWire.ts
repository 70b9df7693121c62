// The byte layout of a sender-recovery batch between the node and its recovery thread: requests
// packed in one buffer (transferred, not copied), answers likewise.

/** One request: signing hash (32) ‖ r (32) ‖ s (32) ‖ recovery id (1). */
export const RECOVERY_ITEM_BYTES = 97;
/** One answer: 1 when recovered, 0 when not ‖ the public key (64, zeros when not recovered). */
export const RECOVERY_RESULT_BYTES = 65;
