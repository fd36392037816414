#!/usr/bin/env node
// What writing the results costs: the whole `lrscope sweep` command of the
// exponential-decay map with each output format, against the same command
// with the summary alone, run in turns in the same session (median of the
// runs, and its ratio to the summary's median). Run `npm run build:lib` first.
//
//   node scripts/bench-output.js                  1024² and 512², 5 runs of each
//   node scripts/bench-output.js --size 2048 --runs 3
//   node scripts/bench-output.js --quick          128², 1 run (a smoke test of the script)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { flag, median } from './bench-args.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const sizes = quick ? [128] : flag('--size') ? [Number(flag('--size'))] : [1024, 512];
const runs = quick ? 1 : Number(flag('--runs', '5'));
const formats = ['summary', 'arrow', 'csv', 'json'];
const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lrscope-bench-output-'));


try {
  for (const size of sizes) {
    const args = ['sweep', '--lr', `0.01:1.5:${size}`, '--decay-rate', `0.9:1:${size}`, '--schedule', 'exponential', '--decay-steps', '1', '--steps', '1000'];
    const times = Object.fromEntries(formats.map((f) => [f, []]));
    const bytes = {};
    for (let r = 0; r < runs; r++) {
      // In turns, so that a slow spell of the machine falls on every format alike.
      for (const format of formats) {
        const out = join(dir, `out.${format}`);
        const t0 = performance.now();
        const run = spawnSync(process.execPath, [cli, ...args, '--format', format, '--out', out], { encoding: 'utf8' });
        const seconds = (performance.now() - t0) / 1000;
        if (run.status !== 0) throw new Error(`${format}: exit ${run.status}\n${run.stderr}`);
        times[format].push(seconds);
        bytes[format] = statSync(out).size;
        rmSync(out);
      }
    }
    const base = median(times.summary);
    console.log(`sweep ${size}² × 1000 steps, whole command, median of ${runs}`);
    const rows = [['format', 'seconds', '× summary', 'MB written', 'MB/s beyond the summary']];
    for (const format of formats) {
      const t = median(times[format]);
      const extra = t - base;
      const mb = bytes[format] / 1e6;
      rows.push([format, t.toFixed(2), (t / base).toFixed(2), format === 'summary' ? '' : mb.toFixed(1), format === 'summary' || extra <= 0 ? '' : (mb / extra).toFixed(0)]);
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
    for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
    console.log();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
