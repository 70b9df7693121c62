// `npm run bench -- dietcoin [--quick] [--json]` (issue 5): headers, seals, the light client and
// shard proofs, against the peers a user would otherwise pick (@noble crypto, an eth_getProof
// Merkle-Patricia account proof built with @ethereumjs/mpt).
//
// Sections: crypto backends; sequential header verification with 4, 7 and 21 validators;
// bootstrap of a generated chain of 1,000,000 blocks (100,000 with --quick) whose validator set
// changes every 10,000 blocks, through a HeaderSource into Kesque, skipping and as a full header
// chain; bytes per verified header and per sealed header; message shard proofs for shards of 1, 100
// and 10,000 messages; account proofs against MPT proofs; whole state shards of 1M accounts.
// Progress goes to stderr; the table to stdout; with --json the JSON object is the last line.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  encodeSealedHeaderBytes,
  generateChain,
  HEADER_RECORD_BYTES,
  HEADER_RECORD_MAX_BYTES,
  initDietcoin,
} from '@khipu/dietcoin';
import { generateBootstrapChain, measureBootstrap } from './bootstrap.js';
import { measureCrypto } from './crypto.js';
import { measureMessages } from './messages.js';
import { measureSequential } from './sequential.js';
import { measureAccountProofs, measureWholeShards } from './state.js';
import { progress } from './timing.js';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    dir: { type: 'string', default: '.bench-data/dietcoin' },
  },
});
const quick = options.quick;
const sizes = {
  sequentialHeaders: quick ? 400 : 3000,
  chainBlocks: quick ? 100_000 : 1_000_000,
  mptAccounts: quick ? 5_000 : 50_000,
  wholeShardAccounts: quick ? 100_000 : 1_000_000,
};

const backends = await initDietcoin();
progress(`backends: ${JSON.stringify(backends)}; sizes ${JSON.stringify(sizes)}`);

const crypto = measureCrypto();
const sequential = [];
for (const v of [4, 7, 21]) sequential.push(await measureSequential(v, sizes.sequentialHeaders));

const generated = generateBootstrapChain(sizes.chainBlocks);
progress(`generated ${sizes.chainBlocks} headers in ${generated.seconds.toFixed(1)} s`);
const root = resolve(options.dir);
const skipping = await measureBootstrap(generated.chain, 'skipping', root);
const fullChain = await measureBootstrap(generated.chain, 'fullChain', root);
const headerBytes = generated.chain.headers.bytes / generated.chain.headers.count;
generated.chain.headers = undefined as never; // let the million headers go before the state runs
global.gc?.();

const four = generateChain({
  chainId: 3n,
  length: 3,
  epochLength: 100,
  validatorsPerSet: 4,
  quorum: 'stake',
});
const sealedHeaderBytes4 = encodeSealedHeaderBytes(four.headers.get(2)!, four.seals.get(2)!).length;

const messages = [1, 100, 10_000].map(measureMessages);
const accounts = await measureAccountProofs(sizes.mptAccounts);
global.gc?.();
const whole256 = measureWholeShards(sizes.wholeShardAccounts, 8);
global.gc?.();
const whole1024 = measureWholeShards(sizes.wholeShardAccounts, 10);

const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);
const k = (x: number) => `${(x / 1000).toFixed(1)} k`;
const lines = [
  `Dietcoin benchmark${quick ? ' (--quick)' : ''}: node ${process.version}, ${backends.secp256k1} + ${backends.keccak256}`,
  '',
  '| crypto | ours | @noble (pure JS) |',
  '| --- | --- | --- |',
  `| secp256k1 recoveries/s | ${k(crypto.recoverPerSecond.native)} | ${k(crypto.recoverPerSecond.noble)} |`,
  `| keccak-256 of 500 B /s | ${k(crypto.keccak500PerSecond.hashWasm)} | ${k(crypto.keccak500PerSecond.noble)} |`,
  `| keccak-256 of 64 B /s | ${k(crypto.keccak64PerSecond.hashWasm)} | ${k(crypto.keccak64PerSecond.noble)} |`,
  '',
  '| sequential verification | headers/s | seals checked per header | bar |',
  '| --- | --- | --- | --- |',
  ...sequential.map(
    (s) =>
      `| ${s.validators} validators | ${f0(s.headersPerSecond)} | ${s.seals} | ${s.validators === 4 ? '≥ 2,000' : ''} |`,
  ),
  '',
  `| bootstrap of ${sizes.chainBlocks.toLocaleString('en')} blocks (set change every 10,000) | seconds | headers verified | seal checks | records in Kesque | fetched | Kesque bytes per record | bar |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...[skipping, fullChain].map(
    (b) =>
      `| ${b.mode} | ${f2(b.seconds)} | ${b.headersVerified} | ${b.sealChecks} | ${b.recordsStored} | ${(b.bytesFetched / 1e6).toFixed(1)} MB | ${f0(b.diskBytesPerRecord)} | ${b.mode === 'skipping' ? '< 1 s' : '< 30 s'} |`,
  ),
  '',
  '| sizes | bytes | bar |',
  '| --- | --- | --- |',
  `| light-client record per verified header (${HEADER_RECORD_MAX_BYTES} on a set change) | ${HEADER_RECORD_BYTES} | ≤ 256 |`,
  `| Kesque bytes per stored record, full chain (record + framing + index files) | ${f0(fullChain.diskBytesPerRecord)} | |`,
  `| sealed header on the wire, 4 seals (and 4 parent seals) | ${sealedHeaderBytes4} | |`,
  `| header RLP, mean over the generated chain (3 parent seals) | ${f0(headerBytes)} | |`,
  '',
  '| message shard (32-byte bodies, 8 shards in the block) | whole-shard proof | verify | single-message proof | verify | bar |',
  '| --- | --- | --- | --- | --- | --- |',
  ...messages.map(
    (m) =>
      `| ${m.messages.toLocaleString('en')} messages | ${m.shardProofBytes} B | ${f0(m.shardVerifyMicros)} µs | ${m.messageProofBytes} B | ${f0(m.messageVerifyMicros)} µs | ${m.messages === 10_000 ? 'single ≤ 1 KB' : ''} |`,
  ),
  '',
  `| account proof, ${accounts.accounts.toLocaleString('en')} accounts (mean of 200) | bytes | verify | bar |`,
  '| --- | --- | --- | --- |',
  `| state shards (${accounts.shards} shards) | ${f0(accounts.accountProofBytes)} | ${f0(accounts.accountVerifyMicros)} µs | ≤ half of MPT |`,
  `| eth_getProof account proof (@ethereumjs/mpt, ${accounts.mptNodes.toFixed(1)} nodes) | ${f0(accounts.mptAccountProofBytes)} | | |`,
  '',
  '| whole state shard | accounts | build | shard download | verify | account proof | 1,000-account block update |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...[whole256, whole1024].map(
    (w) =>
      `| ${w.shards} shards | ${w.accounts.toLocaleString('en')} | ${f2(w.buildSeconds)} s | ${(w.shardBytes / 1024).toFixed(1)} KiB | ${f2(w.shardVerifyMillis)} ms | ${f0(w.accountProofBytes)} B | ${f2(w.blockUpdateMillis)} ms |`,
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);

if (options.json) {
  const byCount = (x: number) => Math.round(x);
  const json = {
    headersPerSecond: Object.fromEntries(
      sequential.map((s) => [String(s.validators), byCount(s.headersPerSecond)]),
    ),
    bootstrap1MSeconds: {
      skipping: Number(skipping.seconds.toFixed(3)),
      fullChain: Number(fullChain.seconds.toFixed(3)),
    },
    bytesPerHeader: HEADER_RECORD_BYTES,
    sealedHeaderBytes4,
    messageProofBytes: Object.fromEntries(messages.map((m) => [String(m.messages), m.shardProofBytes])),
    singleMessageProofBytes10000: messages[2]!.messageProofBytes,
    accountProofBytes: byCount(accounts.accountProofBytes),
    mptAccountProofBytes: byCount(accounts.mptAccountProofBytes),
    bootstrapBlocks: sizes.chainBlocks,
    kesqueBytesPerRecord: byCount(fullChain.diskBytesPerRecord),
    quick,
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
}
