#!/usr/bin/env node
// Starts the lrscope command line (dist/cli.js): in this process where it writes no file
// (Dawn's chatter is then kept off stderr in-process, src/node/mute-stderr.ts), and otherwise in a
// child process whose stderr is filtered and whose partial files are removed if it is killed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runsInProcess, runWithoutDawnNoise } from './dawn-stderr.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('lrscope: dist/cli.js is missing; run `npm install` in the lrscope folder (it builds the command line)\n');
  process.exit(1);
}
const args = process.argv.slice(2);
if (runsInProcess(args)) await import(new URL('../dist/cli.js', import.meta.url).href);
else runWithoutDawnNoise(cli, args);
