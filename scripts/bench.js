#!/usr/bin/env node
// `npm run bench`: million trajectory-steps per second of fixed workloads on
// the GPU engine, the CPU reference engine, a plain JavaScript loop and
// TensorFlow.js's wasm backend. Every number is measured in this run, on this
// machine: compare the ratios, not the absolute figures of another machine.
//
//   npm run bench            all workloads
//   npm run bench -- --quick smaller grids (a smoke test of the script)
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runWithoutDawnNoise } from '../bin/dawn-stderr.js';

if (!process.env.LRSCOPE_STDERR_TTY) {
  // Run again in a child whose stderr is filtered of Dawn's own warnings.
  runWithoutDawnNoise(fileURLToPath(import.meta.url), process.argv.slice(2));
  await new Promise(() => {}); // the child's exit ends this process
}

const quick = process.argv.includes('--quick');
const started = performance.now();
const lrscope = await import('../dist/index.js');
const importMs = performance.now() - started;
const { parseSpec, sweep, CpuEngine, createNodeGpuEngine, applyTunedKernel, gridSize } = lrscope;

/** Best of `runs` timings of an async function, in ms. */
async function best(runs, fn) {
  let t = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

/** The GPU engine's sweeps reuse their chunks' arrays, as the command line's do. */
const RECYCLED = { recycle: true };

async function drain(iterable) {
  let count = 0;
  for await (const chunk of iterable) count += chunk.count;
  return count;
}

// ---------------------------------------------------------------- baselines

/**
 * Plain JavaScript, one thread: the same float32 updates (gradient descent,
 * or heavy-ball momentum when `momentum` is set), one trajectory at a time, peak tracked.
 */
function plainJs({ n, steps, dims, lr, decay, curvature, w0, minimum, momentum }) {
  const L = Float32Array.from(curvature);
  const c = Float32Array.from(minimum);
  const w = new Float32Array(dims);
  const accum = new Float32Array(dims);
  const mu = Math.fround(momentum ?? 0);
  let checksum = 0;
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      w[d] = w0[d];
      accum[d] = 0;
    }
    let rate = Math.fround(lr(i));
    const factor = Math.fround(decay(i));
    let peak = 0;
    for (let k = 0; k < steps; k++) {
      for (let d = 0; d < dims; d++) {
        const g = Math.fround(L[d] * Math.fround(w[d] - c[d]));
        if (momentum === undefined) {
          w[d] = Math.fround(w[d] - Math.fround(g * rate));
        } else {
          accum[d] = Math.fround(Math.fround(accum[d] * mu) + g);
          w[d] = Math.fround(w[d] - Math.fround(accum[d] * rate));
        }
        const a = Math.abs(w[d]);
        if (a > peak) peak = a;
      }
      rate = Math.fround(rate * factor);
    }
    checksum += w[0] + peak;
  }
  return checksum;
}

const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend('wasm');
await tf.ready();

/** TensorFlow.js, wasm backend: the same updates vectorised over all trajectories, one op per step. */
async function tfjs({ n, steps, dims, lr, decay, curvature, w0, minimum, momentum }) {
  const lrs = Float32Array.from({ length: n }, (_, i) => lr(i));
  const decays = Float32Array.from({ length: n }, (_, i) => decay(i));
  let rate = tf.tensor1d(lrs);
  const factor = tf.tensor1d(decays);
  let w = Array.from({ length: dims }, (_, d) => tf.fill([n], w0[d]));
  let accum = Array.from({ length: dims }, () => tf.zeros([n]));
  let peak = tf.zeros([n]);
  for (let k = 0; k < steps; k++) {
    const next = tf.tidy(() => {
      const gs = w.map((wd, d) => tf.mul(curvature[d], tf.sub(wd, minimum[d])));
      const as = momentum === undefined ? accum.map((a) => a.clone()) : accum.map((a, d) => tf.add(tf.mul(a, momentum), gs[d]));
      const ws = w.map((wd, d) => tf.sub(wd, tf.mul(rate, momentum === undefined ? gs[d] : as[d])));
      const p = ws.reduce((m, wd) => tf.maximum(m, tf.abs(wd)), peak);
      return [ws, as, p, tf.mul(rate, factor)];
    });
    [...w, ...accum].forEach((t) => t.dispose());
    peak.dispose();
    rate.dispose();
    [w, accum, peak, rate] = next;
  }
  const out = await w[0].data();
  [...w, ...accum].forEach((t) => t.dispose());
  peak.dispose();
  rate.dispose();
  factor.dispose();
  return out[0];
}

/**
 * The adapter's float32 throughput on independent multiplies: 8 chains of
 * vec4 per invocation (latency hides behind parallelism), 64 multiplies per
 * loop iteration (loop control is noise). Giga-ops per second.
 */
async function arithmeticPeak(device) {
  const iterations = 256;
  const body = Array.from({ length: 8 }, () => 'a = a * m; b = b * m; c = c * m; d = d * m; e = e * m; f = f * m; g = g * m; h = h * m;').join('\n    ');
  const invocations = 1 << 16;
  const code = `
@group(0) @binding(0) var<storage, read_write> out: array<vec4f>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  let m = vec4f(1.0000001, 0.9999999, 1.0000002, 0.9999998);
  var a = vec4f(f32(id.x)); var b = a + 1.0; var c = a + 2.0; var d = a + 3.0;
  var e = a + 4.0; var f = a + 5.0; var g = a + 6.0; var h = a + 7.0;
  for (var i = 0u; i < ${iterations}u; i++) {
    ${body}
  }
  out[id.x] = a + b + c + d + e + f + g + h;
}`;
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
  const buffer = device.createBuffer({ size: invocations * 16, usage: GPUBufferUsage.STORAGE });
  const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer } }] });
  const run = async () => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(invocations / 64);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run();
  const ms = await best(3, run);
  buffer.destroy();
  return (invocations * iterations * 8 * 8 * 4) / ms / 1e6;
}

/** Float32 operations per step of the W1 kernel's fast loop (the table read is a quarter of a load). */
const W1_OPS_PER_STEP = {
  update: 5, // lr = A·m, e = w − c, g = L·e, g·lr, w − g·lr
  bookkeeping: 5, // |g|, |g| > tol, select(last step above), |w| bits, max(peak)
};

// ---------------------------------------------------------------- workloads

const side = quick ? 128 : 1024;
const workloads = [
  {
    name: `W1  GD on (w+1)², exponential decay per trajectory, classified: ${side}² × 1000 steps`,
    spec: { lr: `0.01:1.5:${side}`, decayRate: `0.9:1:${side}`, schedule: 'exponential', decaySteps: 1, steps: 1000 },
    baseline: (spec) => {
      const lrs = spec.axes[0].values;
      const decays = spec.axes[1].values;
      return {
        dims: 1,
        steps: 1000,
        lr: (i) => lrs[i % side],
        decay: (i) => decays[Math.floor(i / side) % side],
        curvature: [2],
        w0: [5],
        minimum: [-1],
      };
    },
  },
  {
    name: `W2  momentum (μ = 0.9) on an ill-conditioned 2-D quadratic (κ up to 1000), classified: ${side}² × 1000 steps`,
    spec: {
      lr: `0.0005:0.05:${side}`,
      curvature: `[1,1:1000:${side}:log]`,
      optimizer: 'momentum',
      momentum: 0.9,
      w0: '[5,5]',
      minimum: '[0,0]',
      steps: 1000,
    },
    baseline: (spec) => {
      const lrs = spec.axes[0].values;
      return { dims: 2, steps: 1000, lr: (i) => lrs[i % side], decay: () => 1, curvature: [1, 100], w0: [5, 5], minimum: [0, 0], momentum: 0.9 };
    },
  },
];

// ---------------------------------------------------------------- run

const lines = [];
const print = (s = '') => {
  lines.push(s);
  console.log(s);
};

const t0 = performance.now();
const gpu = await createNodeGpuEngine();
const deviceMs = performance.now() - t0;
const t1 = performance.now();
const { kernel } = await applyTunedKernel(gpu);
const tuneMs = performance.now() - t1;
const cpu = new CpuEngine();

print(`lrscope bench · ${gpu.description}${gpu.adapter.info?.isFallbackAdapter ? ' (software adapter)' : ''} · ${cpus().length} CPU cores · Node ${process.versions.node}`);
print(`kernel: lanes=${kernel.lanes}, workgroup=${kernel.workgroupSize}, block=${kernel.fastBlock}`);
print('');

// Startup and fixed costs.
const tiny = parseSpec({ lr: '0.1,0.2,0.3,0.4', steps: 8 });
const firstRun = await best(1, () => drain(sweep(parseSpec({ lr: '0.1,0.2,0.3,0.4', steps: 9, w0: 3 }), gpu)));
const warmRun = await best(5, () => drain(sweep(tiny, gpu)));
print('startup and fixed costs');
print(`  import lrscope             ${importMs.toFixed(0).padStart(6)} ms`);
print(`  adapter and device        ${deviceMs.toFixed(0).padStart(6)} ms`);
print(`  kernel tuning             ${tuneMs.toFixed(0).padStart(6)} ms${tuneMs < 200 ? ' (cached)' : ' (first use on this adapter)'}`);
print(`  first sweep of a new kind ${firstRun.toFixed(0).padStart(6)} ms (shader compile${firstRun < 150 ? ', cached by the driver' : ''})`);
print(`  a 4-trajectory sweep      ${warmRun.toFixed(1).padStart(6)} ms (compiled pipeline reused)`);
{
  // One step each, so the time is the chunks' own: one chunk against 256.
  const spec = parseSpec({ lr: '0.01:1.5:256', w0: '1:9:256', steps: 1 });
  await drain(sweep(spec, gpu, { chunkSize: 256 }));
  await drain(sweep(spec, gpu, { chunkSize: 1 << 16 }));
  const one = await best(3, () => drain(sweep(spec, gpu, { chunkSize: 1 << 16 })));
  const many = await best(3, () => drain(sweep(spec, gpu, { chunkSize: 256 })));
  print(`  per chunk (upload, dispatch, readback, classify) ${((many - one) / 255).toFixed(2)} ms`);
}
print('');

const results = new Map();

/**
 * Float32 operations of one step of the paper's network (n = 16, B = 272 points),
 * counting a multiply-add as two: the forward pass (B·(2n² + 2n), plus tanh's
 * 15 or so per hidden unit), the output layer's gradient and ∂loss/∂z (B·6n),
 * the input layer's gradient (2n²·B) and the update (2·(n² + n)).
 */
const MLP_OPS_PER_STEP = (() => {
  const n = 16;
  const B = 272;
  return B * (2 * n * n + 2 * n + 15 * n) + B * 6 * n + 2 * n * n * B + 2 * (n * n + n);
})();
const header = `${'engine'.padEnd(14)}${'M steps/s'.padStart(11)}${'× plain JS'.padStart(12)}`;
for (const workload of workloads) {
  const spec = parseSpec(workload.spec);
  const total = gridSize(spec) * spec.base.steps;
  print(workload.name);
  if (workload.note) print(`  (${workload.note})`);
  print(`  ${header}`);
  // GPU: the whole grid; the first run compiles, the best of the next two counts.
  await drain(sweep(spec, gpu, RECYCLED));
  const gpuMs = await best(2, () => drain(sweep(spec, gpu, RECYCLED)));
  // CPU engine and plain JS on a slice of the grid (they run for minutes on all of it).
  const slice = quick ? 1 << 12 : 1 << 16;
  const cpuMs = await best(1, () => drain(sweep(spec, cpu, { range: { start: 0, count: slice } })));
  const base = workload.baseline(spec);
  const jsMs = await best(1, async () => plainJs({ ...base, n: slice }));
  const tfN = quick ? 1 << 14 : 1 << 20;
  const tfSteps = quick ? 50 : 200;
  await tfjs({ ...base, n: tfN, steps: 2 }); // warm-up: allocation and kernels
  const tfMs = await best(1, () => tfjs({ ...base, n: tfN, steps: tfSteps }));
  const rows = [
    ['GPU engine', total / gpuMs / 1e3],
    ['CPU engine', (slice * spec.base.steps) / cpuMs / 1e3],
    ['plain JS', (slice * base.steps) / jsMs / 1e3],
    ['TF.js wasm', (tfN * tfSteps) / tfMs / 1e3],
  ];
  const js = rows[2][1];
  for (const [engine, rate] of rows) print(`  ${engine.padEnd(14)}${rate.toFixed(0).padStart(11)}${(rate / js).toFixed(1).padStart(12)}`);
  print(`  GPU engine / TF.js wasm: ${(rows[0][1] / rows[3][1]).toFixed(1)}×`);
  results.set(workload.name.slice(0, 2), rows[0][1]);
  print('');
}
{
  // W3: the tiny network (width 8, 64 points, 200 steps) over its two layer rates.
  const n = quick ? 32 : 64;
  const spec = parseSpec({ objective: 'mlp', dataPoints: 64, inputLr: `0.01:100:${n}:log`, outputLr: `0.01:100:${n}:log`, steps: 200 });
  print(`W3  the tiny network 8-8-1 tanh, 64 points: input × output layer rate, ${n}² × 200 steps (${gpu.team ? 'in teams' : 'point by point'})`);
  print(`  ${'engine'.padEnd(14)}${'M steps/s'.padStart(11)}${'× CPU'.padStart(8)}`);
  await drain(sweep(spec, gpu, RECYCLED)); // compiles
  const gpuMs = await best(1, () => drain(sweep(spec, gpu, RECYCLED)));
  const slice = 256;
  const cpuMs = await best(1, () => drain(sweep(spec, cpu, { range: { start: 0, count: slice } })));
  const gpuRate = (gridSize(spec) * 200) / gpuMs / 1e3;
  const cpuRate = (slice * 200) / cpuMs / 1e3;
  print(`  ${'GPU engine'.padEnd(14)}${gpuRate.toFixed(3).padStart(11)}${(gpuRate / cpuRate).toFixed(1).padStart(8)}`);
  print(`  ${'CPU engine'.padEnd(14)}${cpuRate.toFixed(3).padStart(11)}${'1.0'.padStart(8)}`);
  print(`  a 256² map at this rate: ${((256 * 256 * 200) / gpuRate / 1e6).toFixed(0)} s on the GPU engine`);
  print('');
}
{
  // W3p: the paper's network (Sohl-Dickstein 2024): 16 wide, 272 points, tanh, its loss record on.
  // 64² trajectories: a 16² grid is one workgroup, which a software adapter runs on one core.
  const n = quick ? 8 : 64;
  const steps = quick ? 5 : 20;
  const spec = parseSpec({ objective: 'mlp', width: 16, inputLr: `0.001:1000000:${n}:log`, outputLr: `0.001:1000000:${n}:log`, steps });
  print(`W3p the paper's network 16-16-1 tanh, 272 points: input × output layer rate, ${n}² × ${steps} steps`);
  // Every layout of the network's passes (src/engine/mlp-kernel.ts, src/engine/mlp-team.ts): a device with
  // fixed-size subgroups takes teams by default; elsewhere runs of this size take points, longer ones blocks.
  const rates = {};
  const layouts = gpu.team ? ['points', 'blocks', 'team'] : ['points', 'blocks'];
  for (const networkLayout of layouts) {
    const options = { ...RECYCLED, networkLayout };
    const t0 = performance.now();
    await drain(sweep(spec, gpu, options)); // compiles
    const first = performance.now() - t0;
    const ms = await best(1, () => drain(sweep(spec, gpu, options)));
    const rate = (gridSize(spec) * steps) / ms / 1e3;
    rates[networkLayout] = rate;
    print(`  GPU engine, ${networkLayout.padEnd(6)} ${rate.toFixed(4)} M steps/s; ${((MLP_OPS_PER_STEP * rate) / 1e3).toFixed(2)} G float32 operations/s (first run with its compile ${(first / 1e3).toFixed(1)} s)`);
  }
  {
    // Fast math (--fast-math): the default layout, the compiler free to fuse and regroup, the device's tanh.
    const fast = parseSpec({ ...spec.input, fastMath: true });
    await drain(sweep(fast, gpu, RECYCLED)); // compiles
    const ms = await best(1, () => drain(sweep(fast, gpu, RECYCLED)));
    rates.fast = (gridSize(fast) * steps) / ms / 1e3;
    print(`  GPU engine, default layout in fast math ${rates.fast.toFixed(4)} M steps/s; ${((MLP_OPS_PER_STEP * rates.fast) / 1e3).toFixed(2)} G float32 operations/s (not the exact values: README, "Fast math")`);
    results.set('W3p fast', rates.fast);
  }
  print(`  blocks / points: ${(rates.blocks / rates.points).toFixed(2)}×${rates.team ? `; team / points: ${(rates.team / rates.points).toFixed(2)}×, team / blocks: ${(rates.team / rates.blocks).toFixed(2)}× (teams of ${gpu.team})` : ' (no teams: this device has no fixed-size subgroups)'}`);
  results.set('W3p', rates.team ?? rates.blocks);
  print('');
}
{
  // Each optimizer on one grid, against gradient descent in this run.
  const n = quick ? 128 : 512;
  print(`optimizers: GPU engine on lr × L, 1-D quadratic, constant rate, ${n}² × 1000 steps, relative to gd`);
  print(`  ${'optimizer'.padEnd(22)}${'M steps/s'.padStart(11)}${'× gd'.padStart(8)}`);
  let gd;
  const cases = [
    ['gd', {}],
    ['momentum', { optimizer: 'momentum' }],
    ['nesterov', { optimizer: 'nesterov' }],
    ['adam', { optimizer: 'adam' }],
    ['adam (torch)', { optimizer: 'adam', convention: 'torch' }],
    ['rmsprop', { optimizer: 'rmsprop' }],
    ['rmsprop centered', { optimizer: 'rmsprop', centered: true, momentum: 0.9 }],
    ['adagrad', { optimizer: 'adagrad' }],
    ['adadelta', { optimizer: 'adadelta' }],
  ];
  for (const [label, extra] of cases) {
    const spec = parseSpec({ lr: `0.001:2:${n}:log`, curvature: `0.1:10:${n}`, steps: 1000, ...extra });
    await drain(sweep(spec, gpu, RECYCLED)); // compiles
    const ms = await best(2, () => drain(sweep(spec, gpu, RECYCLED)));
    const rate = (gridSize(spec) * 1000) / ms / 1e3;
    gd ??= rate;
    print(`  ${label.padEnd(22)}${rate.toFixed(0).padStart(11)}${(rate / gd).toFixed(2).padStart(8)}`);
  }
  print('');
}
{
  const peak = await arithmeticPeak(gpu.device);
  const ops = W1_OPS_PER_STEP.update + W1_OPS_PER_STEP.bookkeeping;
  const w1 = results.get('W1');
  print(`arithmetic limit: ${peak.toFixed(0)} G float32 multiplies/s on this adapter (independent chains)`);
  print(`  W1 needs ${ops} float32 operations per step (${W1_OPS_PER_STEP.update} for the update, ${W1_OPS_PER_STEP.bookkeeping} for the classification)`);
  print(`  → at most ${((peak * 1e3) / ops).toFixed(0)} M steps/s; the GPU engine reaches ${w1.toFixed(0)} (${((100 * w1 * ops) / (peak * 1e3)).toFixed(0)}% of that bound)`);
  const w3p = results.get('W3p');
  print(`  W3p needs about ${(MLP_OPS_PER_STEP / 1e3).toFixed(0)} k float32 operations per step → at most ${((peak * 1e3) / MLP_OPS_PER_STEP).toFixed(3)} M steps/s; the GPU engine reaches ${w3p.toFixed(4)} in its default layout (${((100 * w3p * MLP_OPS_PER_STEP) / (peak * 1e3)).toFixed(1)}% of that bound)`);
  const w3pFast = results.get('W3p fast');
  print(`  W3p in fast math reaches ${w3pFast.toFixed(4)} (${((100 * w3pFast * MLP_OPS_PER_STEP) / (peak * 1e3)).toFixed(1)}% of that bound, ${(w3pFast / w3p).toFixed(2)}× the exact kernel)`);
}
gpu.dispose();
