#!/usr/bin/env node
// Runs every compiled test file (`*.test.js` under each workspace's dist/ and e2e/dist/) with
// Node's built-in runner, so CI reads its summary line. Arguments narrow the run to paths that
// contain one of them: `npm test -- kesque`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const files = workspaces
  .flatMap((ws) => collect(join(root, ws, 'dist'), []))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(
    `no test files found${filters.length ? ` matching ${filters.join(', ')}` : ''}; did the build run?`,
  );
  process.exit(1);
}

const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...passThrough, ...files], {
  cwd: root,
  env,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
