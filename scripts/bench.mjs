#!/usr/bin/env node
// `npm run bench -- <name> [--quick] [--json] [...]`: runs bench/dist/<name>/main.js in its own
// process. With --json the benchmark prints its result as one JSON object on its last line.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'bench', 'dist');
const available = existsSync(dist)
  ? readdirSync(dist).filter((d) => existsSync(join(dist, d, 'main.js')))
  : [];
const [name, ...args] = process.argv.slice(2);

if (!name || !available.includes(name)) {
  console.error(
    `usage: npm run bench -- <name> [--quick] [--json]\nbenchmarks: ${available.join(', ') || '(none built)'}`,
  );
  process.exit(2);
}
const child = spawn(process.execPath, ['--expose-gc', join(dist, name, 'main.js'), ...args], {
  cwd: root,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
