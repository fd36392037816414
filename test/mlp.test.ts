/**
 * The tiny network: its gradient against finite differences of an
 * independent double-precision forward pass, its training behaviour at small
 * and huge rates, the per-layer rates, the spec's rules, and GPU ≡ CPU bit
 * for bit over layer-rate grids for every activation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { minibatchIndices, mlpObjective, normalDraws, type Activation, type MlpConfig } from '../src/objectives/mlp';
import { planGpuRun } from '../src/engine/plan';
import { axisTitle, runTitle } from '../src/output/labels';
import { parseSpec, type SpecInput } from '../src/experiment';
import { SpecError } from '../src/errors';
import { CpuEngine } from '../src/engine/cpu';
import { classifyChunk } from '../src/classify';
import { REGIMES } from '../src/engine/types';
import { describeGpu, gpuEngine, itEngines } from './helpers/engines';
import { centralDifference } from './helpers/derivative';
import { collect, expectSameStats, field } from './helpers/stats';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());
const cpu = new CpuEngine();

/** The network's loss in double precision, written from its definition. */
function lossF64(config: MlpConfig, data: Float32Array, w: ArrayLike<number>): number {
  const n = config.width;
  const B = config.dataPoints;
  const phi = (z: number) => (config.activation === 'tanh' ? Math.tanh(Math.SQRT2 * z) : config.activation === 'relu' ? Math.SQRT2 * Math.max(z, 0) : z);
  let total = 0;
  for (let i = 0; i < B; i++) {
    let out = 0;
    for (let j = 0; j < n; j++) {
      let z = 0;
      for (let k = 0; k < n; k++) z += data[i * n + k]! * w[k * n + j]!;
      out += phi(z / Math.sqrt(n)) * w[n * n + j]!;
    }
    const r = out / Math.sqrt(n) - data[B * n + i]!;
    total += r * r;
  }
  return total / B;
}


describe('the network', () => {
  it('draws standard normal data: mean ≈ 0 and variance ≈ 1', () => {
    const x = normalDraws(7, 100_000);
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(normalDraws(7, 10)).toEqual(normalDraws(7, 10));
    expect(normalDraws(8, 10)).not.toEqual(normalDraws(7, 10));
  });

  it('has width² + width weights and the seed’s data', () => {
    const net = mlpObjective({ width: 8, dataPoints: 64, activation: 'tanh', seed: 0 });
    expect(net.dims).toBe(72);
    expect(net.w0).toHaveLength(72);
    expect(net.data).toHaveLength(64 * 8 + 64);
  });

  it.each<Activation>(['tanh', 'relu', 'identity'])('loss and gradient agree with double precision (%s)', (activation) => {
    const config = { width: 4, dataPoints: 12, activation, seed: 3 };
    const net = mlpObjective(config);
    const w = net.w0;
    expect(net.loss(w)).toBeCloseTo(lossF64(config, net.data, w), 5);
    const g = new Float64Array(net.dims);
    const G = net.gradient(w, g);
    let largest = 0;
    for (let d = 0; d < net.dims; d++) {
      const fd = centralDifference((v) => lossF64(config, net.data, v), w, d, 1e-5);
      expect(g[d]).toBeCloseTo(fd, 4);
      largest = Math.max(largest, Math.abs(fd));
    }
    expect(G).toBeCloseTo(largest, 4);
  });

  it('scales each layer’s gradient by its rate', () => {
    const net = mlpObjective({ width: 3, dataPoints: 5, activation: 'tanh', seed: 1 });
    const plain = new Float64Array(net.dims);
    const scaled = new Float64Array(net.dims);
    const G = net.gradient(net.w0, plain);
    expect(net.gradient(net.w0, scaled, [0, 2])).toBe(G);
    for (let d = 0; d < 9; d++) expect(Math.abs(scaled[d]!)).toBe(0);
    for (let d = 9; d < 12; d++) expect(scaled[d]).toBe(2 * plain[d]!);
  });

  it('an overflowing error signal makes the whole gradient NaN, so the trajectory escapes', () => {
    const net = mlpObjective({ width: 3, dataPoints: 5, activation: 'tanh', seed: 1 });
    const g = new Float64Array(net.dims);
    // Output weights of 1e18: the output error is ~1e18, its product with them ~1e36 > 1e30.
    const w = net.w0.map((x, d) => (d >= 9 ? 1e18 : x));
    expect(net.gradient(w, g)).toBe(Infinity);
    expect(Array.from(g).every(Number.isNaN)).toBe(true);
    expect(net.gradient(net.w0, g)).toBeLessThan(Infinity);
  });
});

describe('the input layer’s offset', () => {
  it('is added to the first width² initial weights only, in float32', async () => {
    const spec = parseSpec({ objective: 'mlp', width: 3, dataPoints: 6, initOffset: '0.1,-2.5', lr: 0.01, steps: 3 });
    const w0 = mlpObjective({ width: 3, dataPoints: 6, activation: 'tanh', seed: 0 }).w0;
    const traces = await cpu.trace(spec, [0, 1]);
    [0.1, -2.5].forEach((offset, t) => {
      const expected = w0.map((x, d) => (d < 9 ? Math.fround(Math.fround(x) + Math.fround(offset)) : Math.fround(x)));
      expect(Array.from(traces[t]!.w.subarray(0, 12))).toEqual(expected);
    });
  });

  it('is a swept axis with its own title', () => {
    const spec = parseSpec({ objective: 'mlp', initOffset: '-1:1:9', lr: '0.1:10:8:log' });
    expect(spec.axes.map((a) => a.name)).toEqual(['initOffset', 'lr']);
    expect(axisTitle(spec.axes[0]!)).toBe('initOffset (input-layer weight offset)');
    const log = parseSpec({ objective: 'mlp', initOffset: '0.5:4:3:log' }).axes[0]!;
    expect(log.scale).toBe('log');
    expect(log.values.map((v) => (v as number).toPrecision(12))).toEqual(['0.500000000000', '1.41421356237', '4.00000000000']);
  });
});

describe('minibatches', () => {
  const config: MlpConfig = { width: 3, dataPoints: 8, activation: 'tanh', seed: 2, minibatch: 5 };

  it('draws indices in [0, B) from the seed, the same every time, other ones for another seed', () => {
    const draws = minibatchIndices(2, 8, 5, 200);
    expect(draws).toHaveLength(1000);
    expect(Math.min(...draws)).toBe(0);
    expect(Math.max(...draws)).toBe(7);
    expect(minibatchIndices(2, 8, 5, 200)).toEqual(draws);
    expect(minibatchIndices(3, 8, 5, 200)).not.toEqual(draws);
    // A longer run's draws begin with a shorter one's.
    expect(minibatchIndices(2, 8, 5, 7)).toEqual(draws.subarray(0, 35));
    // Each point about equally often (1000 draws of 8: 125 each, σ ≈ 10.5).
    const counts = new Array<number>(8).fill(0);
    for (const i of draws) counts[i]!++;
    for (const c of counts) expect(Math.abs(c - 125)).toBeLessThan(50);
  });

  it('the kernel reads the same draws after the dataset', () => {
    const spec = parseSpec({ objective: 'mlp', width: 4, dataPoints: 20, minibatch: 5, steps: 30, seed: 4 });
    const { grid } = planGpuRun(spec, {}, { lanes: 4, workgroupSize: 64, fastBlock: 256 }, { maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28, maxComputeWorkgroupsPerDimension: 65535 }).kernel;
    const start = grid.fixed.data + 20 * 4 + 20;
    expect(Array.from(grid.values.subarray(start, start + 31 * 5))).toEqual(Array.from(minibatchIndices(4, 20, 5, 31)));
  });

  it('a step’s gradient is the full-batch gradient over the points drawn for it', () => {
    const net = mlpObjective(config);
    const full = mlpObjective({ ...config, minibatch: undefined });
    const n = 3;
    const w = net.w0;
    for (const step of [0, 3, 17]) {
      const points = Array.from(minibatchIndices(2, 8, 5, step + 1).subarray(step * 5));
      // The drawn points as a dataset of their own: X row by row, then y.
      const sub = new Float32Array(5 * n + 5);
      points.forEach((p, b) => {
        sub.set(net.data.subarray(p * n, p * n + n), b * n);
        sub[5 * n + b] = net.data[8 * n + p]!;
      });
      const subConfig = { ...config, dataPoints: 5, minibatch: undefined };
      const g = new Float64Array(net.dims);
      net.gradient(w, g, [1, 1], step);
      for (let d = 0; d < net.dims; d++) {
        const fd = centralDifference((v) => lossF64(subConfig, sub, v), w, d, 1e-5);
        expect(g[d]).toBeCloseTo(fd, 4);
      }
      const whole = new Float64Array(net.dims);
      full.gradient(w, whole);
      expect(Array.from(g)).not.toEqual(Array.from(whole));
    }
  });

  it('the loss it reports stays the whole dataset’s', async () => {
    const net = mlpObjective(config);
    const full = mlpObjective({ ...config, minibatch: undefined });
    expect(net.loss(net.w0)).toBe(full.loss(full.w0));
    const [trace] = await cpu.trace(parseSpec({ objective: 'mlp', width: 3, dataPoints: 8, seed: 2, minibatch: 5, lr: 0.05, steps: 10 }), [0]);
    for (const k of [0, 4, 10]) expect(trace!.loss[k]).toBe(full.loss(trace!.w.subarray(k * 12, k * 12 + 12)));
    expect(trace!.w.subarray(120, 132)).not.toEqual((await cpu.trace(parseSpec({ objective: 'mlp', width: 3, dataPoints: 8, seed: 2, lr: 0.05, steps: 10 }), [0]))[0]!.w.subarray(120, 132));
  });
});

describe('the network’s descriptions', () => {
  it('name the minibatch and a fixed offset when set', () => {
    expect(mlpObjective({ width: 3, dataPoints: 8, activation: 'tanh', seed: 2, minibatch: 5 }).source).toBe('mlp 3-3-1 tanh, 8 points, minibatch 5, seed 2');
    expect(runTitle(parseSpec({ objective: 'mlp', width: 3, minibatch: 4, initOffset: 0.5 }))).toContain('a 3-3-1 tanh network, 12 points, minibatch 4, W₁ offset 0.5, seed 0');
    expect(runTitle(parseSpec({ objective: 'mlp', width: 3, initOffset: '0,1', lr: '0.1,1' }))).toContain('a 3-3-1 tanh network, 12 points, seed 0');
    expect(runTitle(parseSpec({ objective: 'mlp', width: 3, fastMath: true }))).toContain('a 3-3-1 tanh network, 12 points, seed 0, fast math ·');
  });
});

describe('training', () => {
  const base = { objective: 'mlp', width: 4, dataPoints: 16, steps: 200 } as const;

  itEngines(gpu, 'the loss falls at a small rate and the weights blow up at a huge one', async (engine) => {
    const spec = parseSpec({ ...base, lr: '0.01,1000' });
    const net = mlpObjective({ width: 4, dataPoints: 16, activation: 'tanh', seed: 0 });
    const [chunk] = await collect(engine, { ...base, lr: '0.01,1000' });
    const result = classifyChunk(chunk!, spec.base.steps);
    expect(chunk!.finalLoss[0]).toBeLessThan(net.loss(net.w0));
    expect(REGIMES[result.regime[0]!]).not.toBe('diverged');
    expect(REGIMES[result.regime[1]!]).toBe('diverged');
  });

  it('a trace’s loss decreases step by step at a small rate', async () => {
    const [trace] = await cpu.trace(parseSpec({ ...base, lr: 0.01, steps: 50 }), [0]);
    for (let k = 1; k <= 50; k++) expect(trace!.loss[k]).toBeLessThanOrEqual(trace!.loss[k - 1]!);
  });

  itEngines(gpu, 'a layer with rate 0 keeps its weights', async (engine) => {
    const [chunk] = await collect(engine, { ...base, inputLr: '0,0.05', outputLr: 0.05, steps: 20 });
    const net = mlpObjective({ width: 4, dataPoints: 16, activation: 'tanh', seed: 0 });
    const frozen = Array.from(chunk!.finalW.subarray(0, 16));
    expect(frozen).toEqual(Array.from(net.w0.slice(0, 16), Math.fround));
    expect(Array.from(chunk!.finalW.subarray(16, 20))).not.toEqual(Array.from(net.w0.slice(16, 20), Math.fround));
    expect(Array.from(chunk!.finalW.subarray(20, 36))).not.toEqual(frozen); // the second cell trains W₁
  });

  it('equal layer rates are plain gradient descent at that rate, bit for bit', async () => {
    const layered = await collect(cpu, { ...base, inputLr: 0.05, outputLr: 0.05, steps: 40 });
    const plain = await collect(cpu, { ...base, lr: 0.05, steps: 40 });
    expect(Array.from(layered[0]!.finalW)).toEqual(Array.from(plain[0]!.finalW));
  });
});

describe('the spec', () => {
  const message = (input: SpecInput) => {
    try {
      parseSpec(input, 'flag');
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      return (e as Error).message;
    }
    return expect.fail('accepted');
  };

  it('takes width² + width dimensions and its weights from the seed', () => {
    const spec = parseSpec({ objective: 'mlp', width: 5, seed: 9 });
    expect(spec.dims).toBe(30);
    // The default dataset has as many points as weights: 5² + 5.
    expect(spec.base.w0).toEqual(mlpObjective({ width: 5, dataPoints: 30, activation: 'tanh', seed: 9 }).w0);
  });

  it.each<[SpecInput, number]>([
    [{ objective: 'mlp', width: 16 }, 16 * 16 + 16],
    [{ objective: 'mlp', width: 16, activation: 'relu' }, 16 * 16 + 16],
    [{ objective: 'mlp', width: 16, activation: 'identity' }, 16],
    [{ objective: 'mlp', width: 8 }, 8 * 8 + 8],
    [{ objective: 'mlp' }, 8 * 8 + 8],
    [{ objective: 'mlp', width: 16, dataPoints: 40 }, 40],
    [{ objective: 'mlp', width: 4, activation: 'identity', dataPoints: 9 }, 9],
  ])('the paper’s dataset size by default: %j has %i points', (input, points) => {
    expect(parseSpec(input).base.dataPoints).toBe(points);
  });

  it('sweeps the layer rates as two axes, lr fixed at 1', () => {
    const spec = parseSpec({ objective: 'mlp', inputLr: '0.01:10:8:log', outputLr: '0.01:10:4:log' });
    expect(spec.axes.map((a) => a.name)).toEqual(['inputLr', 'outputLr']);
    expect(spec.base.lr).toBe(1);
  });

  it.each<[SpecInput, RegExp]>([
    [{ objective: 'mlp', width: 0 }, /--width: .*whole number from 1 to 32/],
    [{ objective: 'mlp', width: 40 }, /--width: .*from 1 to 32/],
    [{ objective: 'mlp', dataPoints: 2.5 }, /--data-points: .*whole number/],
    [{ objective: 'mlp', activation: 'sigmoid' }, /--activation: .*tanh, relu, identity/],
    [{ objective: 'mlp', width: '4,8' } as SpecInput, /--width/],
    [{ objective: 'mlp', w0: 1 }, /--w0: not used by objective mlp.*--seed/],
    [{ objective: 'mlp', lr: 0.1, inputLr: 0.1 }, /--lr: cannot be given with --input-lr/],
    [{ objective: 'mlp', inputLr: 0.1, optimizer: 'adam' }, /--input-lr: not supported with optimizer adam.*gd, momentum or nesterov/],
    [{ width: 8 }, /--width: not used by objective quadratic.*--objective mlp/],
    [{ objective: 'rosenbrock', outputLr: 1 }, /--output-lr: not used by objective rosenbrock/],
  ])('%j is refused with one line', (input, pattern) => {
    const text = message(input);
    expect(text).toMatch(pattern);
    expect(text).not.toContain('\n');
  });
});

describeGpu(gpu)('GPU ≡ CPU on the network', () => {
  it.each<[string, SpecInput]>([
    ['tanh, layer-rate map', { objective: 'mlp', width: 3, dataPoints: 10, inputLr: '0.01:100:6:log', outputLr: '0.01:100:5:log', steps: 120 }],
    ['relu', { objective: 'mlp', width: 4, dataPoints: 7, activation: 'relu', inputLr: '0.1:30:5:log', outputLr: '0.1:30:3:log', steps: 80, seed: 5 }],
    ['identity, momentum', { objective: 'mlp', width: 2, dataPoints: 4, activation: 'identity', optimizer: 'momentum', inputLr: '0.01:3:7:log', outputLr: 0.5, steps: 80 }],
    ['one rate, Adam, exponential decay', { objective: 'mlp', width: 3, dataPoints: 6, optimizer: 'adam', lr: '0.001:1:6:log', schedule: 'exponential', decayRate: 0.9, decaySteps: 10, steps: 60 }],
  ])('%s', async (_, input) => {
    const [g, c] = [await collect(gpu!, input), await collect(cpu, input)];
    expect(field(c, 'finalLoss').length).toBeGreaterThan(0);
    expectSameStats(g, c);
  });
});
