#!/usr/bin/env node
// What df64 costs: each objective's sweep in float32 and in df64 (--precision
// df64), on the GPU and the CPU engine, in the same process, and the slowdown
// (float32 rate / df64 rate). Each figure is the best of the runs, after one
// run that compiles. Run `npm run build:lib` first.
//
//   node scripts/bench-df64.js            every objective, 3 runs
//   node scripts/bench-df64.js --runs 5
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { flag } from './bench-args.js';
import { runWithoutDawnNoise } from '../bin/dawn-stderr.js';

if (!process.env.LRSCOPE_STDERR_TTY) {
  runWithoutDawnNoise(fileURLToPath(import.meta.url), process.argv.slice(2));
  await new Promise(() => {});
}
const { parseSpec, createNodeGpuEngine, CpuEngine } = await import('../dist/index.js');
const runs = Number(flag('--runs', '3'));

// Grids sized so that each run takes a few tenths of a second or more on a software adapter; the CPU runs a corner of each.
const WORKLOADS = [
  { name: 'quadratic (1-D)', spec: { lr: '0.01:1.5:256', decayRate: '0.9:1:64', schedule: 'exponential', decaySteps: 1, steps: 500 }, cpu: 64 * 8 },
  { name: 'rosenbrock (2-D)', spec: { objective: 'rosenbrock', lr: '1e-4:2e-3:128', momentum: '0:0.9:32', optimizer: 'momentum', steps: 300 }, cpu: 64 * 4 },
  { name: 'typed-in loss (tanh, exp)', spec: { loss: 'tanh(x)^2 + exp(0.1*y) + x*y', w0: '[1,2]', lr: '0.01:2:128', decayRate: '0.9:1:16', schedule: 'exponential', steps: 300 }, cpu: 64 * 4 },
  { name: 'network 8-8-1 (72 points)', spec: { objective: 'mlp', width: 8, inputLr: '0.1:10:16:log', outputLr: '0.1:10:16:log', steps: 100 }, cpu: 16 },
];

const gpu = await createNodeGpuEngine();
const cpu = new CpuEngine();

async function rate(engine, input, count) {
  const spec = parseSpec(input);
  const options = count ? { range: { start: 0, count } } : {};
  const trajectories = count ?? spec.axes.reduce((n, a) => n * a.values.length, 1);
  const once = async () => {
    const t0 = performance.now();
    for await (const _ of engine.run(spec, options)) void _;
    return (performance.now() - t0) / 1000;
  };
  await once();
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, await once());
  return (trajectories * spec.base.steps) / best / 1e6;
}

console.log(`${gpu.description}; best of ${runs} runs, M trajectory-steps/s`);
console.log('workload | engine | float32 | df64 | slowdown');
for (const w of WORKLOADS) {
  for (const [name, engine, count] of [['gpu', gpu, undefined], ['cpu', cpu, w.cpu]]) {
    const single = await rate(engine, w.spec, count);
    const double = await rate(engine, { ...w.spec, precision: 'df64' }, count);
    console.log(`${w.name} | ${name} | ${single.toPrecision(3)} | ${double.toPrecision(3)} | ${(single / double).toFixed(1)}×`);
  }
}
gpu.dispose();
process.exit(0);
