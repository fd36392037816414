#!/usr/bin/env node
/**
 * The five maps of Sohl-Dickstein, "The boundary of neural network trainability
 * is fractal" (2024), made with lrscope's command line, one after the other:
 * each map's PNG (coloured by trainability) goes to the folder given, and a
 * Markdown table of what was measured (size, steps, time, trainable share,
 * the score edges' dimension as the paper measures it, and lrscope's regime
 * boundary dimension) goes to stdout.
 *
 *   node scripts/paper-maps.js [folder] [--size 64] [--steps 500] [--only tanh,relu,…]
 *
 * The paper's networks are 16 wide with as many data points as parameters
 * (272; 16 for the identity network); its first view spans 10⁻³ … 10⁶ on both
 * axes. Minutes per map on a software GPU, seconds on a real one.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { size: { type: 'string', default: '64' }, steps: { type: 'string', default: '500' }, only: { type: 'string' } },
  allowPositionals: true,
});
const folder = positionals[0] ?? 'paper-maps';
const n = Number(values.size);
const view = `0.001:1000000:${n}:log`;
const layers = ['--input-lr', view, '--output-lr', view];
export const PAPER_MAPS = [
  { name: 'tanh', setting: 'tanh, full batch', flags: [...layers] },
  { name: 'relu', setting: 'ReLU, full batch', flags: ['--activation', 'relu', ...layers] },
  { name: 'identity', setting: 'identity, full batch (16 points)', flags: ['--activation', 'identity', ...layers] },
  { name: 'minibatch', setting: 'tanh, minibatch of 16', flags: ['--minibatch', '16', ...layers] },
  { name: 'init', setting: 'input-weight offset vs lr (tanh)', flags: ['--init-offset', view, '--lr', view] },
];

mkdirSync(folder, { recursive: true });
const only = values.only?.split(',');
const rows = [];
for (const map of PAPER_MAPS.filter((m) => !only || only.includes(m.name))) {
  const out = join(folder, `paper-${map.name}.png`);
  const args = ['bin/lrscope.js', 'sweep', '--objective', 'mlp', '--width', '16', ...map.flags, '--steps', values.steps, '--color', 'trainability', '--out', out];
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) {
    process.stderr.write(`${map.name}: exit ${run.status}\n${run.stderr}`);
    process.exit(1);
  }
  const summary = run.stdout;
  const find = (re) => re.exec(summary)?.[1] ?? '—';
  rows.push(
    `| ${map.setting} | ${n} × ${n} | ${values.steps} | ${seconds.toFixed(0)} s | ${find(/^trainable\s+\d+\s+([\d.]+%)/m)} | ${find(/^score-edge dimension ([\d.]+)/m)} | ${find(/^boundary dimension ([\d.]+)/m)} | \`lrscope sweep ${args.slice(2, -2).join(' ')}\` |`,
  );
  process.stderr.write(`${map.name}: ${seconds.toFixed(0)} s\n`);
}
console.log('| setting | map | steps | time | trainable | score-edge dimension | boundary dimension | command |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
