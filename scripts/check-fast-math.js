#!/usr/bin/env node
// What fast math (`--fast-math`) costs in exactness and gains in time. On the
// paper's network (16 wide, 272 points, tanh, 500 steps): its layer-rate map
// over the paper's first view (both rates 1e-3 … 1e6), then a 10× zoom about
// a point of that map's boundary. Then a typed-in loss and a test function,
// each over two of its settings. Every map runs exactly and in fast math on
// the GPU engine. For each: both times, the pixels whose regime (and for the
// network, trainability) differ, how many of those touch the exact map's
// boundary, how far the final losses drift apart, and for the network the
// score-edge dimension of each. Run `npm run build:lib` first.
//
//   node scripts/check-fast-math.js [SIDE] [STEPS]    default 64 × 500 (the network's steps)
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { runWithoutDawnNoise } from '../bin/dawn-stderr.js';

if (!process.env.LRSCOPE_STDERR_TTY) {
  runWithoutDawnNoise(fileURLToPath(import.meta.url), process.argv.slice(2));
  await new Promise(() => {});
}
const { parseSpec, sweep, createNodeGpuEngine, applyTunedKernel, scoreDimension } = await import('../dist/index.js');

const side = Number(process.argv[2] ?? 64);
const steps = Number(process.argv[3] ?? 500);
const gpu = await createNodeGpuEngine();
await applyTunedKernel(gpu);
console.log(`fast math against exact on ${gpu.description}${gpu.team ? ` (network in teams of ${gpu.team})` : ''}: ${side}² pixels × ${steps} steps`);

/** Every pixel's regime, trainability, score and final loss, and the time the sweep took (its compile run first). */
async function run(input) {
  const spec = parseSpec(input);
  const n = side * side;
  const out = { regime: new Uint8Array(n), trainable: new Int8Array(n), score: new Float32Array(n), loss: new Float32Array(n), w: new Float32Array(n * spec.dims), dims: spec.dims };
  const [x, y] = spec.axes;
  const small = parseSpec({ ...input, [x.key]: String(x.values[0]), [y.key]: String(y.values[0]) });
  for await (const _ of sweep(small, gpu)); // compiles the kernel, outside the time
  const t0 = performance.now();
  for await (const chunk of sweep(spec, gpu)) {
    out.regime.set(chunk.regime, chunk.start);
    if (chunk.trainable) out.trainable.set(chunk.trainable, chunk.start);
    if (chunk.score) out.score.set(chunk.score, chunk.start);
    out.loss.set(chunk.finalLoss, chunk.start);
    out.w.set(chunk.finalW, chunk.start * spec.dims);
  }
  return { ...out, seconds: (performance.now() - t0) / 1e3 };
}

/** Whether pixel i has a 4-neighbour of another class in `classes`. */
function onBoundary(classes, i) {
  const [x, y] = [i % side, Math.floor(i / side)];
  const near = [x > 0 && i - 1, x < side - 1 && i + 1, y > 0 && i - side, y < side - 1 && i + side];
  return near.some((j) => j !== false && classes[j] !== classes[i]);
}

const quantile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
const dimension = (r) => {
  const d = scoreDimension(r.score, side, side);
  return d.dimension === null ? 'none' : d.dimension.toFixed(2);
};

async function compare(title, input) {
  const network = input.objective === 'mlp';
  const exact = await run(input);
  const fast = await run({ ...input, fastMath: true });
  const n = side * side;
  let regimes = 0;
  let regimesOnEdge = 0;
  let trainability = 0;
  let trainabilityOnEdge = 0;
  const drift = [];
  for (let i = 0; i < n; i++) {
    if (exact.regime[i] !== fast.regime[i]) {
      regimes++;
      if (onBoundary(exact.regime, i)) regimesOnEdge++;
    }
    if (exact.trainable[i] !== fast.trainable[i]) {
      trainability++;
      if (onBoundary(exact.trainable, i)) trainabilityOnEdge++;
    }
    // The drift of runs that end near a minimum: the final loss of trainable networks; the final w of
    // converged or converging runs elsewhere (their losses are near 0, where a relative drift means little).
    if (network) {
      if (exact.trainable[i] === 1 && fast.trainable[i] === 1 && exact.loss[i] > 0) drift.push(Math.abs(fast.loss[i] - exact.loss[i]) / exact.loss[i]);
    } else if (exact.regime[i] <= 1 && fast.regime[i] <= 1) {
      const d = exact.dims;
      let apart = 0;
      let size = 0;
      for (let c = i * d; c < (i + 1) * d; c++) {
        apart = Math.max(apart, Math.abs(fast.w[c] - exact.w[c]));
        size = Math.max(size, Math.abs(exact.w[c]));
      }
      if (size > 0) drift.push(apart / size);
    }
  }
  drift.sort((a, b) => a - b);
  const pct = (k) => `${k} (${((100 * k) / n).toFixed(2)}%)`;
  console.log(`\n${title}`);
  console.log(`  time: exact ${exact.seconds.toFixed(1)} s, fast ${fast.seconds.toFixed(1)} s: ${(exact.seconds / fast.seconds).toFixed(2)}×`);
  console.log(`  pixels whose regime differs: ${pct(regimes)}; on the exact map's regime boundary: ${regimesOnEdge}`);
  if (network) console.log(`  pixels whose trainability differs: ${pct(trainability)}; on the exact map's trainability boundary: ${trainabilityOnEdge}`);
  console.log(`  ${network ? 'final loss' : 'final w (largest component)'} of the ${drift.length} runs ${network ? 'trainable' : 'converged or converging'} in both, relative drift: median ${quantile(drift, 0.5).toExponential(1)}, 99th percentile ${quantile(drift, 0.99).toExponential(1)}, largest ${quantile(drift, 1).toExponential(1)}`);
  if (network) console.log(`  trainable: exact ${exact.trainable.filter((t) => t === 1).length}, fast ${fast.trainable.filter((t) => t === 1).length}; score-edge dimension: exact ${dimension(exact)}, fast ${dimension(fast)}`);
  return exact;
}

const paper = { objective: 'mlp', width: 16, dataPoints: 272, steps, trainability: true };
const whole = await compare('the paper’s network, its first view: both rates 1e-3 … 1e6', { ...paper, inputLr: `0.001:1000000:${side}:log`, outputLr: `0.001:1000000:${side}:log` });

// A boundary point near the map's centre: the middle of the two horizontal
// neighbours of different trainability closest to it. The zoom spans a tenth
// of the 9 decades, so it holds both pixels whatever the side.
let best;
let bestDistance = Infinity;
for (let i = 0; i < side * side; i++) {
  if (i % side === side - 1 || whole.trainable[i] === whole.trainable[i + 1]) continue;
  const d = (i % side + 0.5 - side / 2) ** 2 + (Math.floor(i / side) - side / 2) ** 2;
  if (d < bestDistance) [best, bestDistance] = [i, d];
}
if (best !== undefined) {
  const decades = 9 / (side - 1);
  const [cx, cy] = [-3 + (best % side + 0.5) * decades, -3 + Math.floor(best / side) * decades];
  const half = 9 / 20;
  const range = (c) => `${10 ** (c - half)}:${10 ** (c + half)}:${side}:log`;
  await compare(`the paper’s network, 10× about the boundary point input rate ${(10 ** cx).toPrecision(4)}, output rate ${(10 ** cy).toPrecision(4)}`, { ...paper, inputLr: range(cx), outputLr: range(cy) });
}
const loss = '(x - 1)^2 + 2*(y + 0.5)^2 + 0.5*sin(3*x)*cos(2*y) + 0.1*log(1 + x^2)';
await compare(`the typed-in loss ${loss} from (2, 1), lr × an exponential decay, 1000 steps`, { loss, w0: '[2,1]', lr: `0.01:1:${side}`, decayRate: `0.9:1:${side}`, schedule: 'exponential', steps: 1000 });
await compare('rosenbrock with momentum, lr × μ, 1000 steps', { objective: 'rosenbrock', optimizer: 'momentum', lr: `0.0001:0.003:${side}:log`, momentum: `0:0.99:${side}`, steps: 1000 });
process.exit(0);
