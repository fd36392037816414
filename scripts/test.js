#!/usr/bin/env node
// `npm test`: installs the npm dependencies if they are missing, builds the
// command line if it is missing or stale, then runs vitest (arguments pass through).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync(join(root, 'node_modules', 'vitest'))) {
  console.log('lrscope: installing npm dependencies (npm ci) …');
  run('npm', ['ci']);
}

const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((t, entry) => {
    const path = join(dir, entry.name);
    return Math.max(t, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli) || statSync(cli).mtimeMs < Math.max(newest(join(root, 'src')), newest(join(root, 'shaders')))) {
  console.log('lrscope: building the command line (npm run build:lib) …');
  run('npm', ['run', '--silent', 'build:lib']);
}

run(join(root, 'node_modules', '.bin', 'vitest'), ['run', ...process.argv.slice(2)]);
