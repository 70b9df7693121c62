/**
 * Init code that deploys `runtime` as it is: CODECOPY of the runtime that follows the 12-byte
 * prefix, then RETURN of it.
 *   PUSH1 len PUSH1 12 PUSH1 0 CODECOPY PUSH1 len PUSH1 0 RETURN, runtime
 * @throws RangeError for a runtime over 255 bytes (PUSH1 holds the length).
 */
export function initCodeOf(runtime: Uint8Array): Uint8Array {
  if (runtime.length > 0xff) throw new RangeError(`runtime of ${runtime.length} bytes: at most 255`);
  const prefix = [0x60, runtime.length, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, runtime.length, 0x60, 0x00, 0xf3];
  return new Uint8Array([...prefix, ...runtime]);
}
