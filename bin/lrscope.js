#!/usr/bin/env node
// Starts the lrscope command line (dist/cli.js), with Dawn's stderr chatter filtered out.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runWithoutDawnNoise } from './dawn-stderr.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('lrscope: dist/cli.js is missing; run `npm install` in the lrscope folder (it builds the command line)\n');
  process.exit(1);
}
runWithoutDawnNoise(cli, process.argv.slice(2));
