#!/usr/bin/env node
// `npm run test:faults [-- --runs 10]`: the process-level consensus fault tests (validators killed
// and restarted, 7 validators with two crashed, a healed partition, a byzantine validator, a
// follower syncing 1,000 blocks) run N times in a row, each run in a fresh `node --test`, then a
// summary: runs passed, failures by test, wall time per run. Not part of `npm test` (minutes).
// Exits 1 when any run failed. Build first (`npm run build`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const FILES = ['apps/chain/dist/consensus.test.js', 'apps/chain/dist/sync.test.js'];

function parseRuns(argv) {
  const i = argv.indexOf('--runs');
  if (i === -1) return 10;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    console.error('test:faults: --runs must be an integer in 1..1000');
    process.exit(2);
  }
  return n;
}

/** Runs the files once; resolves with the names of failed tests and the wall time. */
function runOnce() {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', ...FILES], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      // TAP: "not ok N - name" at any depth; suites repeat their failed children, keep leaves.
      const failed = [...out.matchAll(/^\s{4,}not ok \d+ - (.+)$/gm)].map((m) => m[1]);
      resolve({ code, failed, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const runs = parseRuns(process.argv.slice(2));
for (const f of FILES) {
  if (!existsSync(join(root, f))) {
    console.error(`test:faults: ${f} is missing: run npm run build`);
    process.exit(2);
  }
}
const results = [];
for (let i = 1; i <= runs; i++) {
  const r = await runOnce();
  results.push(r);
  console.log(
    `run ${i}/${runs}: ${r.code === 0 ? 'pass' : `FAIL (${r.failed.join('; ') || `exit ${r.code}`})`} in ${r.seconds.toFixed(1)} s`,
  );
}
const passed = results.filter((r) => r.code === 0).length;
const failures = new Map();
for (const r of results) for (const name of r.failed) failures.set(name, (failures.get(name) ?? 0) + 1);
const times = results.map((r) => r.seconds).sort((a, b) => a - b);
console.log(`\nconsensus fault tests: ${passed}/${runs} runs passed`);
console.log(
  `wall time per run: min ${times[0].toFixed(1)} s, median ${times[Math.floor(times.length / 2)].toFixed(1)} s, max ${times.at(-1).toFixed(1)} s`,
);
for (const [name, n] of failures) console.log(`  failed ${n}x: ${name}`);
process.exit(passed === runs ? 0 : 1);
