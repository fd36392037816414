#!/usr/bin/env node
// Starts the lrscope command line (dist/cli.js): in a child process whose stderr is
// filtered of Dawn's chatter when the command may use WebGPU, in this process otherwise.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runsWithoutGpu, runWithoutDawnNoise } from './dawn-stderr.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('lrscope: dist/cli.js is missing; run `npm install` in the lrscope folder (it builds the command line)\n');
  process.exit(1);
}
const args = process.argv.slice(2);
if (runsWithoutGpu(args)) await import(new URL('../dist/cli.js', import.meta.url).href);
else runWithoutDawnNoise(cli, args);
