// The sender recovery thread (see senderRecovery.ts): recovers each request of a batch with native
// libsecp256k1 and answers the batch in one message.
import { parentPort } from 'node:worker_threads';
import { loadSecp256k1, recoverPublicKey } from '../crypto.js';
import { RECOVERY_ITEM_BYTES, RECOVERY_RESULT_BYTES } from './recoveryWire.js';

const port = parentPort;
if (port === null) throw new Error('recoveryWorker.js runs as a worker thread');
loadSecp256k1();

const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

port.on('message', ({ id, input }: { id: number; input: Uint8Array }) => {
  const count = input.length / RECOVERY_ITEM_BYTES;
  const output = new Uint8Array(count * RECOVERY_RESULT_BYTES);
  for (let i = 0; i < count; i++) {
    const at = i * RECOVERY_ITEM_BYTES;
    try {
      const publicKey = recoverPublicKey(
        input.subarray(at, at + 32),
        toBigInt(input.subarray(at + 32, at + 64)),
        toBigInt(input.subarray(at + 64, at + 96)),
        input[at + 96] ?? 0,
      );
      output[i * RECOVERY_RESULT_BYTES] = 1;
      output.set(publicKey, i * RECOVERY_RESULT_BYTES + 1);
    } catch {
      // Left 0: this signature recovers no key; the others of the batch are unaffected.
    }
  }
  port.postMessage({ id, output }, [output.buffer]);
});
