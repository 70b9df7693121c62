// Child process of the kill -9 test: `node crashWriter.js DIR FIRST_BATCH`. Opens the store, says
// `open` on fd 3, then writes batches FIRST_BATCH, FIRST_BATCH+1, ... forever, writing each batch
// number on fd 3 once `batch` has resolved (the acknowledgement the parent holds it to). It never
// stops by itself: the parent kills it with SIGKILL.
import { writeSync } from 'node:fs';
import { openKesque } from '../index.js';
import { crashBatch, crashStoreOptions } from './crashBatches.js';

const ACK_FD = 3;

const [dir, first] = process.argv.slice(2);
if (dir === undefined || first === undefined) throw new Error('usage: crashWriter.js DIR FIRST_BATCH');
const store = await openKesque(crashStoreOptions(dir));
writeSync(ACK_FD, 'open\n');
for (let n = Number(first); ; n++) {
  await store.batch(crashBatch(n));
  writeSync(ACK_FD, `${n}\n`);
}
