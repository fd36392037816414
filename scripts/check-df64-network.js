#!/usr/bin/env node
// How often float32 and df64 decide a network's trainability as plain float64
// does, near a point of its boundary: the width-4 tanh network's layer-rate
// map, 24 × 24 pixels at 1×, 10²× and 10⁴× magnification about a boundary
// point, each pixel run in float32 and df64 on the GPU and in float64 here
// (the same network written with JavaScript's doubles and Math.tanh, not the
// engines' code). Run `npm run build:lib` first.
import { fileURLToPath } from 'node:url';
import { runWithoutDawnNoise } from '../bin/dawn-stderr.js';

if (!process.env.LRSCOPE_STDERR_TTY) {
  runWithoutDawnNoise(fileURLToPath(import.meta.url), process.argv.slice(2));
  await new Promise(() => {});
}
const { parseSpec, createNodeGpuEngine, trainabilityOf, trainabilityOfLosses, mlpObjective } = await import('../dist/index.js');

const N = 24;
const steps = 200;
// log10 of the boundary point of the README's deep zoom (input-layer rate, output-layer rate).
const [cx, cy] = [0.3436011338709674, 0.41564317688225805];
const net = mlpObjective({ width: 4, dataPoints: 20, activation: 'tanh', seed: 0 });
const [n, B] = [4, 20];
const W2 = n * n;
const X = net.data;

/** Whether gradient descent with these layer rates trains the network, in float64. */
function trainable64(inputLr, outputLr) {
  const w = Float64Array.from(net.w0);
  const g = new Float64Array(W2 + n);
  const h = new Float64Array(n);
  const scale = 1 / Math.sqrt(n);
  const losses = [];
  for (let k = 0; k < steps; k++) {
    g.fill(0);
    let total = 0;
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < n; q++) s += X[i * n + q] * w[q * n + j];
        h[j] = Math.tanh(Math.SQRT2 * s * scale);
      }
      let out = 0;
      for (let j = 0; j < n; j++) out += h[j] * w[W2 + j];
      const r = out * scale - X[B * n + i];
      total += r * r;
      const dOut = (2 * r) / B;
      for (let j = 0; j < n; j++) {
        g[W2 + j] += dOut * h[j];
        const dz = dOut * w[W2 + j] * scale * Math.SQRT2 * (1 - h[j] * h[j]);
        for (let q = 0; q < n; q++) g[q * n + j] += X[i * n + q] * dz;
      }
    }
    losses.push(total / B);
    let largest = 0;
    for (let d = 0; d < W2 + n; d++) {
      w[d] -= g[d] * scale * (d < W2 ? inputLr : outputLr);
      largest = Math.max(largest, Math.abs(w[d]));
    }
    if (!(largest <= 1e20)) return false; // diverged
  }
  return trainabilityOfLosses(losses).trainable;
}

const gpu = await createNodeGpuEngine();
console.log('magnification | pixels deciding unlike float64: float32 | df64');
for (const half of [1.5, 1.5e-2, 1.5e-4]) {
  const range = (c) => `${10 ** (c - half)}:${10 ** (c + half)}:${N}:log`;
  const input = { objective: 'mlp', width: 4, inputLr: range(cx), outputLr: range(cy), steps };
  const maps = {};
  for (const precision of ['float32', 'df64']) {
    const t = new Uint8Array(N * N);
    for await (const c of gpu.run(parseSpec({ ...input, precision }))) t.set(trainabilityOf(c, steps).trainable, c.start);
    maps[precision] = t;
  }
  const [xs, ys] = parseSpec(input).axes.map((a) => a.values);
  const differ = { float32: 0, df64: 0 };
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const t = trainable64(xs[x], ys[y]) ? 1 : 0;
      for (const p of ['float32', 'df64']) differ[p] += t !== maps[p][y * N + x] ? 1 : 0;
    }
  }
  const share = (k) => `${((100 * differ[k]) / (N * N)).toFixed(1)} %`;
  console.log(`${(1.5 / half).toExponential(0)} | ${share('float32')} | ${share('df64')}`);
}
gpu.dispose();
process.exit(0);
