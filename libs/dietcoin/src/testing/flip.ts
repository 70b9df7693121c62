// Flip-any-byte property: for each byte position (all of them for small fixtures, a sample
// otherwise), flipping bits of that byte must make `check` throw.

/** Iterations knob for heavier property runs (KHIPU_TEST_ITERATIONS, default 1). */
export function testIterations(): number {
  const n = Number(process.env.KHIPU_TEST_ITERATIONS ?? '1');
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

export interface FlipResult {
  positions: number;
  /** Positions where the flipped input was still accepted. */
  accepted: number[];
}

/** Flips each byte of `bytes` (xor `mask`) and records the positions `check` still accepts. */
export function flipEveryByte(
  bytes: Uint8Array,
  check: (tampered: Uint8Array) => void,
  masks: number[] = [0x01, 0x80],
): FlipResult {
  const accepted: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    for (const mask of masks) {
      const t = bytes.slice();
      t[i] = t[i]! ^ mask;
      let ok = true;
      try {
        check(t);
      } catch {
        ok = false;
      }
      if (ok) {
        accepted.push(i);
        break;
      }
    }
  }
  return { positions: bytes.length, accepted };
}
