/**
 * df64 runs (`precision: 'df64'`): the GPU engine agrees with the CPU engine
 * bit for bit on random specs of every objective and optimizer df64 supports;
 * the seed's runs come out as float32 printed them where float32 is exact,
 * and as the exact recurrences (computed here in BigInt-free double
 * arithmetic from the closed forms) elsewhere; a range a float32 cannot tell
 * apart gives distinct trajectories; and what df64 cannot run is refused in one line.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyChunk } from '../src/classify';
import { STAT_NAMES } from '../src/engine/records';
import { CpuEngine } from '../src/engine/cpu';
import type { ChunkStats } from '../src/engine/types';
import { parseSpec, type SpecInput } from '../src/experiment';
import { defaultDataPoints } from '../src/objectives/mlp';
import { SpecError } from '../src/errors';
import { describeGpu, gpuEngine, itEngines } from './helpers/engines';
import { collect, expectSameBits, expectSameStats, field } from './helpers/stats';
import { runCli } from './helpers/cli';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());
const cpu = new CpuEngine();

const lowParts = (chunks: readonly ChunkStats[], name: 'finalWLo' | 'finalLossLo') => chunks.flatMap((c) => Array.from(c[name] ?? []));

const quadratics = fc.record({
  dims: fc.integer({ min: 1, max: 3 }),
  optimizer: fc.constantFrom('gd', 'momentum', 'nesterov'),
  convention: fc.constantFrom('tf', 'torch', 'keras'),
  schedule: fc.constantFrom('constant', 'exponential', 'inverse_time', 'natural_exp', 'step-lr', 'exponential-lr'),
  steps: fc.integer({ min: 1, max: 120 }),
  lrLow: fc.double({ min: 1e-3, max: 1, noNaN: true }),
  lrSpan: fc.double({ min: 1e-12, max: 2, noNaN: true }),
  curvature: fc.double({ min: 0.1, max: 10, noNaN: true }),
  w0: fc.double({ min: -10, max: 10, noNaN: true }),
  momentum: fc.double({ min: 0, max: 0.95, noNaN: true }),
  trainability: fc.boolean(),
});

describeGpu(gpu)('df64: GPU ≡ CPU bit for bit', () => {
  it('random quadratics: every optimizer, convention and df64 schedule', async () => {
    await fc.assert(
      fc.asyncProperty(quadratics, async (q) => {
        const input: SpecInput = {
          precision: 'df64',
          lr: `${q.lrLow}:${q.lrLow + q.lrSpan}:9`,
          curvature: `[${Array.from({ length: q.dims }, (_, i) => q.curvature * (i + 1)).join(',')}]`,
          w0: `[${Array.from({ length: q.dims }, (_, i) => q.w0 - i).join(',')}]`,
          optimizer: q.optimizer,
          convention: q.convention,
          schedule: q.schedule,
          steps: q.steps,
          trainability: q.trainability,
          ...(q.optimizer === 'gd' ? {} : { momentum: q.momentum }),
          ...(q.schedule === 'constant' ? {} : { decayRate: '0.9,0.99' }),
          ...(['constant', 'exponential-lr'].includes(q.schedule) ? {} : { decaySteps: 7 }),
        };
        // Small chunks and table blocks, so that runs cross both boundaries.
        const options = { chunkSize: 5, tableBudgetFloats: 96 };
        const [a, b] = [await collect(gpu!, input, options), await collect(cpu, input, options)];
        expectSameStats(a, b);
        expectSameBits(lowParts(a, 'finalWLo'), lowParts(b, 'finalWLo'), 'finalWLo');
        expectSameBits(lowParts(a, 'finalLossLo'), lowParts(b, 'finalLossLo'), 'finalLossLo');
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it('test functions and a typed-in loss with exp, log, sin, cos and tanh', async () => {
    const specs: SpecInput[] = [
      { precision: 'df64', objective: 'rosenbrock', lr: '1e-4:2e-3:16', steps: 200 },
      { precision: 'df64', objective: 'rastrigin', w0: '[2.3,-1.1]', lr: '1e-3:0.2:12', optimizer: 'momentum', momentum: '0,0.5,0.9', steps: 60 },
      { precision: 'df64', loss: 'exp(0.3*x) + log(1 + y^2) + sin(x)*cos(y) + tanh(x - y)', w0: '[1,2]', lr: '0.01:1.5:20', steps: 80, trainability: true },
    ];
    for (const input of specs) {
      const [a, b] = [await collect(gpu!, input, { chunkSize: 7 }), await collect(cpu, input, { chunkSize: 7 })];
      expectSameStats(a, b);
      expectSameBits(lowParts(a, 'finalWLo'), lowParts(b, 'finalWLo'), 'finalWLo');
      expectSameBits(lowParts(a, 'finalLossLo'), lowParts(b, 'finalLossLo'), 'finalLossLo');
    }
  }, 120_000);

  it('random networks: width, activation, full batch or minibatch, layer rates or one rate, every optimizer', async () => {
    const networks = fc.record({
      width: fc.integer({ min: 1, max: 3 }),
      activation: fc.constantFrom('tanh', 'relu', 'identity'),
      minibatch: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
      seed: fc.integer({ min: 0, max: 1000 }),
      optimizer: fc.constantFrom('gd', 'momentum', 'nesterov'),
      convention: fc.constantFrom('tf', 'torch', 'keras'),
      layerRates: fc.boolean(),
      low: fc.double({ min: 0.01, max: 1, noNaN: true }),
      decades: fc.double({ min: 1e-9, max: 3, noNaN: true }),
      steps: fc.integer({ min: 1, max: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(networks, async (n) => {
        const range = (count: number) => `${n.low}:${n.low * 10 ** n.decades}:${count}:log`;
        const input: SpecInput = {
          precision: 'df64',
          objective: 'mlp',
          width: n.width,
          activation: n.activation,
          seed: n.seed,
          optimizer: n.optimizer,
          convention: n.convention,
          steps: n.steps,
          // A minibatch draws from the dataset: no more points than it has (an identity network of width 1 has one).
          ...(n.minibatch === undefined ? {} : { minibatch: Math.min(n.minibatch, defaultDataPoints(n.width, n.activation)) }),
          ...(n.layerRates ? { inputLr: range(4), outputLr: range(3) } : { lr: range(5) }),
        };
        const [a, b] = [await collect(gpu!, input, { chunkSize: 5 }), await collect(cpu, input, { chunkSize: 5 })];
        expectSameStats(a, b);
        expectSameBits(lowParts(a, 'finalWLo'), lowParts(b, 'finalWLo'), 'finalWLo');
        expectSameBits(lowParts(a, 'finalLossLo'), lowParts(b, 'finalLossLo'), 'finalLossLo');
      }),
      // Each network's kernel is compiled afresh (about 10 s on lavapipe): a few cases per run.
      { numRuns: 3 },
    );
  }, 240_000);

  it('traces', async () => {
    const spec = parseSpec({ precision: 'df64', loss: 'x^4/4 - x^2 + 0.3*sin(3*x)', w0: 1.7, lr: '0.05,0.37', steps: 50 });
    const [a, b] = [await gpu!.trace(spec, [0, 1]), await cpu.trace(spec, [0, 1])];
    for (let t = 0; t < 2; t++) {
      expectSameBits(a[t]!.w, b[t]!.w, `trace ${t} w`);
      expectSameBits(a[t]!.loss, b[t]!.loss, `trace ${t} loss`);
      expectSameBits(a[t]!.lr, b[t]!.lr, `trace ${t} lr`);
    }
  }, 60_000);
});

describe('df64: results derived independently', () => {
  itEngines(gpu, "the seed's lr = 1 bounces 5, −7 exactly, as float32 printed it", async (engine) => {
    const [t] = await engine.trace(parseSpec({ precision: 'df64', lr: 1, steps: 40 }), [0]);
    expect(Array.from(t!.w)).toEqual(Array.from({ length: 41 }, (_, k) => (k % 2 === 0 ? 5 : -7)));
    expect(Array.from(t!.loss)).toEqual(Array.from({ length: 41 }, () => 36));
  });

  itEngines(gpu, "the seed's lr = 0.2 follows w_k = −1 + 6·0.6^k to df64's precision, where float32 stops at −0.99999994", async (engine) => {
    const [t] = await engine.trace(parseSpec({ precision: 'df64', lr: 0.2, steps: 40 }), [0]);
    // lr = df64(0.2) is 0.2 within 2⁻⁴⁹ (relative); each step multiplies w + 1 by 1 − 2·lr and
    // rounds w (|w| < 8) to df64, within 2⁻⁴⁶: 40 steps stay well inside 2⁻⁴⁰.
    for (let k = 0; k <= 40; k++) expect(Math.abs(t!.w[k]! - (-1 + 6 * 0.6 ** k)), `k = ${k}`).toBeLessThan(2 ** -40);
    // float32 ends at −0.99999994 (w + 1 = 6.0e-8); df64 follows the decay on: w₄₀ + 1 = 6·0.6⁴⁰ ≈ 8.02e-9.
    expect(Math.abs(t!.w[40]! + 1 - 8.0205e-9)).toBeLessThan(1e-13);
  });

  itEngines(gpu, '--lr 0.1:0.1000000001:11 gives eleven distinct rates and eleven distinct end points', async (engine) => {
    const input: SpecInput = { precision: 'df64', lr: '0.1:0.1000000001:11', steps: 3, w0: 5 };
    const chunks = await collect(engine, input);
    const w = chunks.flatMap((c) => Array.from(c.finalW, (hi, i) => hi + c.finalWLo![i]!));
    expect(new Set(w).size).toBe(11);
    // Three steps of gd on (w+1)² from 5: w + 1 = 6·(1 − 2·lr)³, in double within df64's error.
    const lrs = parseSpec(input).axes[0]!.values as number[];
    lrs.forEach((lr, i) => expect(Math.abs(w[i]! + 1 - 6 * (1 - 2 * lr) ** 3)).toBeLessThan(1e-12));
    // In float32 the same range is one rate.
    const f32 = await collect(engine, { ...input, precision: 'float32' });
    expect(new Set(f32.flatMap((c) => Array.from(c.finalW))).size).toBe(1);
  });

  itEngines(gpu, 'regimes of a df64 map as float32 decides them, away from the boundary', async (engine) => {
    const input: SpecInput = { lr: '0.01:1.2:25', steps: 300 };
    const regimes = async (precision: string) => {
      const out: number[] = [];
      for await (const c of engine.run(parseSpec({ ...input, precision }))) out.push(...classifyChunk(c, 300).regime);
      return out;
    };
    const [single, double] = [await regimes('float32'), await regimes('df64')];
    expect(double).toEqual(single);
  });
});

describe('df64: a chunk reads its own rows of the schedule table', () => {
  it('in chunks of 5 and blocks of 4 steps, each trajectory gets what one whole table gives it', async () => {
    // Every trajectory has a schedule of its own (decay rate × decay steps), so each chunk reads different rows.
    const input: SpecInput = { precision: 'df64', lr: 0.3, decayRate: '0.5:0.99:6', decaySteps: '1:9:5', schedule: 'exponential', curvature: 2, w0: 3, steps: 23 };
    const whole = await collect(cpu, input, { chunkSize: 1000 });
    const pieces = await collect(cpu, input, { chunkSize: 5, tableBudgetFloats: 8 * 5 * 2 });
    expect(pieces.map((c) => c.count)).toEqual([5, 5, 5, 5, 5, 5]);
    for (const name of STAT_NAMES) {
      // Fields this run does not record (the trainability losses) are empty in both.
      if (field(whole, name).length === 0) expect(field(pieces, name)).toEqual([]);
      else expectSameBits(field(pieces, name), field(whole, name), name);
    }
    expectSameBits(lowParts(pieces, 'finalWLo'), lowParts(whole, 'finalWLo'), 'finalWLo');
  });
});

describe('df64 on the command line', () => {
  it('--lr 1:1.0000000001:11 prints eleven distinct rates, each reading back as its df64', async () => {
    const { code, stdout } = await runCli(['sweep', '--precision', 'df64', '--lr', '1:1.0000000001:11', '--steps', '2', '--format', 'csv', '--columns', 'lr,finalW', '--engine', 'cpu'], undefined);
    expect(code).toBe(0);
    const rows = stdout.trimEnd().split('\n').slice(1).map((r) => r.split(','));
    expect(rows).toHaveLength(11);
    const lrs = rows.map((r) => r[0]!);
    expect(new Set(lrs).size).toBe(11);
    // The i-th rate is 1 + i·10⁻¹¹ to within df64's resolution (about 2⁻⁴⁸ ≈ 3.6e-15 at 1).
    lrs.forEach((text, i) => expect(Math.abs(Number(text) - (1 + i * 1e-11))).toBeLessThan(1e-14));
    // Two steps of gd on (w+1)² from 5: w + 1 = 6·(1 − 2·lr)², eleven distinct end points.
    rows.forEach((r, i) => expect(Math.abs(Number(r[1]) + 1 - 6 * (1 - 2 * (1 + i * 1e-11)) ** 2)).toBeLessThan(1e-12));
    expect(new Set(rows.map((r) => r[1])).size).toBe(11);
  });
});

describe('df64: what it refuses', () => {
  it.each([
    [{ precision: 'df64', optimizer: 'adam' }, /^--optimizer: adam has no df64 version; expected gd, momentum, nesterov/],
    [{ precision: 'df64', schedule: 'cosine' }, /^--schedule: cosine has no df64 version; expected constant, exponential/],
    [{ precision: 'quad' }, /^--precision: /],
    [{ precision: 'df64,float32' }, /^--precision: .*cannot be swept/],
  ])('%j', (input, message) => {
    expect(() => parseSpec(input, 'flag')).toThrow(SpecError);
    expect(() => parseSpec(input, 'flag')).toThrow(message);
  });
});
