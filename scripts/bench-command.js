#!/usr/bin/env node
// How much of a whole `lrscope sweep` command is its kernel: the command
// (`node bin/lrscope.js sweep … --format summary`, as a user runs it in a
// shell pipeline: stderr a pipe, so it runs in one process), the
// time its sweep line reports (from the first chunk asked for to the last
// one classified, the kernel's compile included), and the kernel alone (the
// same grid's chunks computed and read back into recycled arrays, as the
// command's are, in a process where the pipeline is already compiled,
// nothing classified). Medians of runs taken in turns.
// Run `npm run build:lib` first.
//
//   node scripts/bench-command.js                 2048² and 1024², 5 runs
//   node scripts/bench-command.js --size 2048 --runs 3
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { flag, median } from './bench-args.js';
import { runWithoutDawnNoise } from '../bin/dawn-stderr.js';

const argv = process.argv.slice(2);
const sizes = flag('--size') ? [Number(flag('--size'))] : [2048, 1024];
const runs = Number(flag('--runs', '5'));
const specOf = (size) => ({ lr: `0.01:1.5:${size}`, decayRate: `0.9:1:${size}`, schedule: 'exponential', decaySteps: 1, steps: 1000 });

if (argv[0] === '--kernel') {
  // The child: the kernel alone, in seconds, on stdout.
  if (!process.env.LRSCOPE_STDERR_TTY) {
    runWithoutDawnNoise(fileURLToPath(import.meta.url), argv);
    await new Promise(() => {});
  }
  const { parseSpec, createNodeGpuEngine, applyTunedKernel } = await import('../dist/index.js');
  const gpu = await createNodeGpuEngine();
  await applyTunedKernel(gpu);
  const spec = parseSpec(specOf(Number(argv[1])));
  const drain = async () => {
    for await (const _ of gpu.run(spec, { recycle: true })) void _;
  };
  await drain(); // compiles
  const t0 = performance.now();
  await drain();
  console.log(((performance.now() - t0) / 1000).toFixed(3));
  gpu.dispose();
  process.exit(0);
}

const bin = new URL('../bin/lrscope.js', import.meta.url).pathname;
const self = fileURLToPath(import.meta.url);
for (const size of sizes) {
  const args = ['sweep', '--lr', `0.01:1.5:${size}`, '--decay-rate', `0.9:1:${size}`, '--schedule', 'exponential', '--decay-steps', '1', '--steps', '1000', '--format', 'summary'];
  const whole = [];
  const line = [];
  const kernel = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    // Node's own pipes are socket pairs, on which bin/lrscope.js keeps a second process; a shell's are pipes.
    const run = spawnSync('sh', ['-c', '"$0" "$@" 2>&1 | cat', process.execPath, bin, ...args], { encoding: 'utf8' });
    whole.push((performance.now() - t0) / 1000);
    if (run.status !== 0) throw new Error(`exit ${run.status}\n${run.stderr}`);
    line.push(Number(/ in ([\d.]+) s /.exec(run.stdout)[1]));
    const k = spawnSync(process.execPath, [self, '--kernel', String(size)], { encoding: 'utf8' });
    if (k.status !== 0) throw new Error(`kernel: exit ${k.status}\n${k.stderr}`);
    kernel.push(Number(k.stdout.trim()));
  }
  const [w, l, k] = [median(whole), median(line), median(kernel)];
  console.log(`sweep ${size}² × 1000 steps, --format summary, median of ${runs}`);
  console.log(`  whole command   ${w.toFixed(2)} s`);
  console.log(`  sweep line      ${l.toFixed(2)} s   whole / sweep line ${(w / l).toFixed(2)}`);
  console.log(`  kernel alone    ${k.toFixed(2)} s   whole / kernel ${(w / k).toFixed(2)}`);
  console.log();
}
