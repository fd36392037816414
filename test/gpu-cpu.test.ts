/**
 * The GPU engine agrees with the float32 CPU reference bit for bit, on
 * random specs (fast-check): every schedule and optimizer, 1–3 dimensions,
 * sweeps of several kinds, and chunk, dispatch and table-block sizes small enough to
 * cross every boundary the engines have.
 *
 * Why bit for bit: both engines round every operation to float32 in the same
 * order, the schedule values come from one host-computed table, and lavapipe
 * neither fuses multiply-adds nor flushes subnormals. A GPU that contracts
 * a·b + c into a fused multiply-add (WGSL allows it) would differ in the
 * last bits; see the README ("Exactness").
 */
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { classifyChunk } from '../src/classify';
import { CpuEngine } from '../src/engine/cpu';
import { NARROW_DIMS } from '../src/engine/kernel';
import type { RunOptions } from '../src/engine/types';
import { CONVENTIONS, OPTIMIZERS, optimizerParams, type OptimizerName } from '../src/optimizers';
import { SCHEDULES, SCHEDULE_PARAMS, type ScheduleName } from '../src/schedules';
import { MAX_DIMS, parseSpec, type SpecInput } from '../src/experiment';
import { describeGpu, gpuEngine } from './helpers/engines';
import { collect, expectSameBits, expectSameStats, field } from './helpers/stats';

const gpu4 = await gpuEngine({ lanes: 4 });
const gpu1 = await gpuEngine({ lanes: 1, workgroupSize: 32, fastBlock: 5 });
const gpu2 = await gpuEngine({ lanes: 2, workgroupSize: 16, fastBlock: 3 });
const gpu8 = await gpuEngine({ lanes: 8, workgroupSize: 8, fastBlock: 7 });
afterAll(() => [gpu4, gpu1, gpu2, gpu8].forEach((e) => e?.dispose()));
const cpu = new CpuEngine();

const vector = (dims: number, min: number, max: number) =>
  fc.array(fc.double({ min, max, noNaN: true }), { minLength: dims, maxLength: dims }).map((v) => `[${v.join(',')}]`);

/** A random valid spec of minDims–maxDims dimensions: a schedule with its parameters, an objective, and one or two swept axes. */
const specsOf = (minDims: number, maxDims: number) => fc
  .record({
    dims: fc.integer({ min: minDims, max: maxDims }),
    schedule: fc.constantFrom(...SCHEDULES),
    steps: fc.integer({ min: 1, max: 240 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
  })
  .chain(({ dims, schedule, steps, seed }) => {
    const uses = (key: string) => (SCHEDULE_PARAMS[schedule as ScheduleName] as readonly string[]).includes(key);
    const boundaries = fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, steps) }), { minLength: 1, maxLength: 3 })
      .map((b) => b.sort((x, y) => x - y));
    return fc.record({
      curvature: vector(dims, -0.5, 20),
      minimum: vector(dims, -5, 5),
      w0: vector(dims, -10, 10),
      lrs: fc.array(fc.double({ min: 1e-4, max: 3, noNaN: true }), { minLength: 1, maxLength: 9 }),
      second: fc.constantFrom('none', 'curvature', 'decayRate', 'w0component', 'staircase', 'hyper'),
      optimizer: fc.constantFrom<OptimizerName>('gd', ...OPTIMIZERS),
      convention: fc.constantFrom(...CONVENTIONS),
      momentum: fc.double({ min: 0, max: 0.99, noNaN: true }),
      beta1: fc.double({ min: 0, max: 0.99, noNaN: true }),
      beta2: fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
      epsilon: fc.constantFrom(1e-30, 1e-10, 1e-8, 1e-7, 1e-3, 0.1),
      rho: fc.double({ min: 0, max: 0.99, noNaN: true }),
      centered: fc.boolean(),
      initialAccumulator: fc.double({ min: 0, max: 1, noNaN: true }),
      decayRate: fc.double({ min: 0.5, max: 1.05, noNaN: true }),
      decaySteps: fc.integer({ min: 1, max: 60 }),
      staircase: fc.boolean(),
      endLr: fc.double({ min: 0, max: 0.1, noNaN: true }),
      power: fc.double({ min: 0.5, max: 3, noNaN: true }),
      cycle: fc.boolean(),
      alpha: fc.double({ min: 0, max: 0.5, noNaN: true }),
      tMul: fc.constantFrom(1, 1.5, 2, 3),
      mMul: fc.double({ min: 0.3, max: 1, noNaN: true }),
      numPeriods: fc.double({ min: 0.1, max: 3, noNaN: true }),
      beta: fc.double({ min: 0, max: 0.01, noNaN: true }),
      initialVariance: fc.double({ min: 0, max: 1, noNaN: true }),
      varianceDecay: fc.double({ min: 0, max: 1, noNaN: true }),
      boundaries,
      warmupSteps: fc.integer({ min: 0, max: 20 }),
      etaMin: fc.double({ min: 0, max: 0.05, noNaN: true }),
      tMult: fc.integer({ min: 1, max: 3 }),
      pctStart: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      annealStrategy: fc.constantFrom('cos', 'linear'),
      divFactor: fc.double({ min: 1, max: 100, noNaN: true }),
      finalDivFactor: fc.double({ min: 1, max: 1e5, noNaN: true }),
      threePhase: fc.boolean(),
      maxLr: fc.double({ min: 0.01, max: 3, noNaN: true }),
      stepSizeUp: fc.integer({ min: 1, max: 50 }),
      stepSizeDown: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
      cyclicMode: fc.constantFrom('triangular', 'triangular2', 'exp_range'),
      cyclicGamma: fc.double({ min: 0.9, max: 1, noNaN: true }),
      startFactor: fc.double({ min: 0.01, max: 1, noNaN: true }),
      endFactor: fc.double({ min: 0, max: 1, noNaN: true }),
      totalIters: fc.integer({ min: 1, max: 100 }),
      initLr: fc.double({ min: 0, max: 0.5, noNaN: true }),
      tol: fc.constantFrom(1e-6, 1e-5, 1e-3),
      bound: fc.constantFrom(1e3, 1e10, 1e20, 1e30),
      chunkSize: fc.integer({ min: 1, max: 40 }),
      stepsPerDispatch: fc.integer({ min: 1, max: 97 }),
      tableBudgetFloats: fc.constantFrom(64, 1000, 1 << 24),
      range: fc.option(fc.record({ start: fc.integer({ min: 0, max: 30 }), count: fc.integer({ min: 0, max: 60 }) }), { nil: undefined }),
    }).map((r) => {
      const input: Record<string, unknown> = { lr: r.lrs.join(',') };
      input.schedule = schedule;
      if (schedule === 'piecewise_constant') delete input.lr; // its rates are the values
      input.curvature = r.second === 'curvature' ? '0.5:6:3' : r.curvature;
      if (r.second === 'w0component' && dims > 1) input.w0 = `[1,-3:4:3${',2'.repeat(dims - 2)}]`;
      else input.w0 = r.w0;
      input.minimum = r.minimum;
      if (uses('decayRate')) input.decayRate = r.second === 'decayRate' ? `${r.decayRate},0.9,1` : r.decayRate;
      // one-cycle-lr: total_steps must cover the run.
      if (uses('decaySteps')) input.decaySteps = schedule === 'one-cycle-lr' ? steps + r.decaySteps : r.decaySteps;
      for (const key of ['etaMin', 'tMult', 'pctStart', 'annealStrategy', 'divFactor', 'finalDivFactor', 'threePhase', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'cyclicMode', 'cyclicGamma', 'startFactor', 'endFactor', 'totalIters', 'initLr'] as const) {
        if (uses(key) && r[key] !== undefined) input[key] = r[key];
      }
      if (uses('staircase')) input.staircase = r.second === 'staircase' ? 'true,false' : r.staircase;
      if (uses('endLr')) input.endLr = r.endLr;
      if (uses('power')) input.power = r.power;
      if (uses('cycle')) input.cycle = r.cycle;
      if (uses('alpha')) input.alpha = r.alpha;
      if (uses('tMul')) input.tMul = r.tMul;
      if (uses('mMul')) input.mMul = r.mMul;
      if (uses('numPeriods')) input.numPeriods = r.numPeriods;
      if (uses('beta')) input.beta = r.beta;
      if (uses('initialVariance')) input.initialVariance = r.initialVariance;
      if (uses('varianceDecay')) input.varianceDecay = r.varianceDecay;
      if (uses('noiseSeed')) input.noiseSeed = seed;
      if (uses('boundaries')) {
        input.boundaries = `[${r.boundaries.join(',')}]`;
        if (uses('values')) input.values = `[${[...r.boundaries, 0].map((_, i) => r.lrs[i % r.lrs.length]).join(',')}]`;
      }
      input.warmupSteps = r.warmupSteps;
      if (r.optimizer !== 'gd') {
        input.optimizer = r.optimizer;
        input.convention = r.convention;
        // Every hyperparameter the optimizer reads, the first of them swept when `second` says so.
        optimizerParams(r.optimizer, r.convention).forEach((key, i) => {
          const value = key === 'centered' ? r.centered : r[key];
          input[key] = r.second === 'hyper' && i === 0 ? (key === 'centered' ? 'true,false' : `${value},0.5,0.9`) : value;
        });
      }
      input.steps = steps;
      input.tol = r.tol;
      input.bound = r.bound;
      const options: RunOptions = { chunkSize: r.chunkSize, stepsPerDispatch: r.stepsPerDispatch, tableBudgetFloats: r.tableBudgetFloats, range: r.range };
      return { input: input as SpecInput, options };
    });
  });

/** Few dimensions: the narrow kernel form, state in private memory. */
const specArbitrary = specsOf(1, 3);
/** More than NARROW_DIMS: the wide form, state in place in the state buffer. */
const wideArbitrary = specsOf(NARROW_DIMS + 1, NARROW_DIMS + 5);

describeGpu(gpu4)('GPU ≡ CPU on random specs', () => {
  for (const [label, engine, runs] of [
    ['4 lanes', gpu4, 28],
    ['1 lane', gpu1, 10],
    ['2 lanes', gpu2, 10],
    ['8 lanes (two vectors)', gpu8, 10],
  ] as const) {
    it(`statistics of every trajectory, ${label}`, async () => {
      await fc.assert(
        fc.asyncProperty(specArbitrary, async ({ input, options }) => {
          const cpuChunks = await collect(cpu, input, { chunkSize: options.chunkSize, range: options.range });
          const gpuChunks = await collect(engine!, input, options);
          expectSameStats(gpuChunks, cpuChunks);
        }),
        { numRuns: runs, seed: 20261125 + runs, endOnFailure: true },
      );
    });
  }

  // Traces in both kernel forms: the narrow one (1–3 dimensions) and the wide one.
  for (const [label, arbitrary, runs, seed] of [
    ['', specArbitrary, 12, 7],
    ['wide form: ', wideArbitrary, 5, 11],
  ] as const) {
    it(`${label}step-by-step traces`, async () => {
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ input, options }) => {
          const spec = parseSpec(input);
          const size = spec.axes.reduce((n, a) => n * a.values.length, 1);
          const indices = [0, size - 1, Math.floor(size / 2)];
          const [g, c] = await Promise.all([gpu4!.trace(spec, indices, options), cpu.trace(spec, indices)]);
          expect(g.map((t) => t.index)).toEqual(indices);
          expect(c.map((t) => t.index)).toEqual(indices);
          g.forEach((t, i) => {
            expectSameBits(t.lr, c[i]!.lr, `lr of trajectory ${t.index}`);
            expectSameBits(t.w, c[i]!.w, `w of trajectory ${t.index}`);
            expectSameBits(t.loss, c[i]!.loss, `loss of trajectory ${t.index}`);
          });
        }),
        { numRuns: runs, seed, endOnFailure: true },
      );
    });
  }

  it('a swept optimizer and convention: each cell as if its optimizer were alone', async () => {
    const common = { lr: '0.01:2:9:log', curvature: '[1,10]', w0: '[3,-2]', steps: 120 };
    const optimizers = ['momentum', 'adam', 'rmsprop'] as const;
    const conventions = ['tf', 'torch'] as const;
    const input = { ...common, optimizer: optimizers.join(','), convention: conventions.join(',') } as SpecInput;
    const options: RunOptions = { chunkSize: 20, stepsPerDispatch: 50 };
    const swept = await collect(gpu4!, input, options);
    expectSameStats(swept, await collect(cpu, input, { chunkSize: 20 }));
    // Grid order: lr fastest, then optimizer, then convention. Each optimizer
    // takes its own defaults (momentum 0.9, but 0 for rmsprop).
    const finalW = field(swept, 'finalW');
    for (const [ci, convention] of conventions.entries()) {
      for (const [oi, optimizer] of optimizers.entries()) {
        const alone = field(await collect(cpu, { ...common, optimizer, convention } as SpecInput, {}), 'finalW');
        const start = (ci * optimizers.length + oi) * 9 * 2;
        expect(finalW.slice(start, start + 18)).toEqual(alone);
      }
    }
  });

  // The random specs reach each optimizer by chance; this reaches every
  // optimizer in every convention, with its first hyperparameter swept.
  it.each(OPTIMIZERS.flatMap((o) => CONVENTIONS.map((c) => [o, c] as const)))('%s, %s convention', async (optimizer, convention) => {
    const input: Record<string, unknown> = { lr: '0.001:3:7:log', curvature: '[0.5,8]', w0: '[3,-2]', optimizer, convention, steps: 150 };
    const [first] = optimizerParams(optimizer, convention);
    if (first) input[first] = first === 'centered' ? 'false,true' : first === 'beta2' ? '0.9,0.999' : '0,0.5,0.95';
    const options: RunOptions = { chunkSize: 16, stepsPerDispatch: 40 };
    expectSameStats(await collect(gpu4!, input as SpecInput, options), await collect(cpu, input as SpecInput, { chunkSize: 16 }));
  });

  // The wide form (more than NARROW_DIMS dimensions) has code of its own: the same properties again.
  for (const [label, engine, runs] of [
    ['4 lanes', gpu4, 10],
    ['1 lane', gpu1, 6],
    ['8 lanes asked, 4 given', gpu8, 4],
  ] as const) {
    it(`wide form: statistics of every trajectory, ${label}`, async () => {
      await fc.assert(
        fc.asyncProperty(wideArbitrary, async ({ input, options }) => {
          const cpuChunks = await collect(cpu, input, { chunkSize: options.chunkSize, range: options.range });
          expectSameStats(await collect(engine!, input, options), cpuChunks);
        }),
        { numRuns: runs, seed: 20261130 + runs, endOnFailure: true },
      );
    });
  }

  it('wide form: every optimizer and convention swept in one grid of 12 dimensions', async () => {
    const dims = 12;
    const spread = (f: (d: number) => number) => `[${Array.from({ length: dims }, (_, d) => f(d)).join(',')}]`;
    const input = {
      lr: '0.001:2:5:log',
      curvature: spread((d) => 0.25 + d),
      minimum: spread((d) => (d % 3) - 1),
      w0: spread((d) => 3 - d / 2),
      optimizer: OPTIMIZERS.join(','),
      convention: CONVENTIONS.join(','),
      steps: 90,
    } as SpecInput;
    const options: RunOptions = { chunkSize: 24, stepsPerDispatch: 31 };
    expectSameStats(await collect(gpu4!, input, options), await collect(cpu, input, { chunkSize: 24 }));
  });

  it('wide form: the largest dimension count the spec accepts, with a swept component', async () => {
    const dims = MAX_DIMS;
    const input = {
      lr: '0.05:2.5:6',
      curvature: `[${Array.from({ length: dims }, (_, d) => 0.1 + (d % 17) / 8).join(',')}]`,
      w0: `[${Array.from({ length: dims }, (_, d) => (d === 700 ? '-2:2:3' : String(((d * 7) % 11) - 5))).join(',')}]`,
      optimizer: 'adam',
      steps: 40,
    } as SpecInput;
    const options: RunOptions = { chunkSize: 7, stepsPerDispatch: 13 };
    expectSameStats(await collect(gpu4!, input, options), await collect(cpu, input, { chunkSize: 7 }));
    const spec = parseSpec(input);
    const [g, c] = await Promise.all([gpu4!.trace(spec, [17, 3], options), cpu.trace(spec, [17, 3])]);
    g.forEach((t, i) => expectSameBits(t.w, c[i]!.w, `w of trajectory ${t.index}`));
  });
});

/**
 * A network run's statistics, regimes and two traces (weights and losses) on
 * the GPU engine with these options, against the CPU engine's, bit for bit.
 * Without `traces` the traces are left out: the team layout has none (a trace
 * runs point by point), and each would compile a points kernel.
 */
async function expectNetworkMatches(input: SpecInput, options: RunOptions, traces = true): Promise<void> {
  const [g, c] = [await collect(gpu4!, input, options), await collect(cpu, input, { chunkSize: 8 })];
  expectSameStats(g, c);
  const spec = parseSpec(input);
  const regimes = (chunks: typeof g) => chunks.flatMap((chunk) => Array.from(classifyChunk(chunk, spec.base.steps).regime));
  expect(regimes(g)).toEqual(regimes(c));
  if (!traces) return;
  const [tg, tc] = await Promise.all([gpu4!.trace(spec, [0, 5], options), cpu.trace(spec, [0, 5])]);
  tg.forEach((t, i) => {
    expectSameBits(t.w, tc[i]!.w, `w of trajectory ${t.index}`);
    expectSameBits(t.loss, tc[i]!.loss, `loss of trajectory ${t.index}`);
  });
}

describeGpu(gpu4)('GPU ≡ CPU on the network’s block layout', () => {
  // Widths and batches that are not whole blocks, so the last block of each pass is partial.
  it.each<[string, SpecInput]>([
    ['width 5, relu, 13 points, nesterov', { objective: 'mlp', width: 5, dataPoints: 13, activation: 'relu', optimizer: 'nesterov', inputLr: '0.01:100:4:log', outputLr: '0.01:100:4:log', steps: 30 }],
    ['width 6, a minibatch of 7 from 9 points, momentum, an offset', { objective: 'mlp', width: 6, dataPoints: 9, minibatch: 7, optimizer: 'momentum', initOffset: '-1:1:3', lr: '0.05:5:3:log', steps: 25, seed: 4 }],
  ])('%s: statistics, regimes and traces', async (_, input) => {
    await expectNetworkMatches(input, { chunkSize: 8, stepsPerDispatch: 7, networkLayout: 'blocks' });
  });
});

describeGpu(gpu4)('GPU ≡ CPU on the network’s team layout', () => {
  // Lavapipe's teams are 8 invocations: width 5 leaves three members with only
  // a stand-in unit, widths 9 and 12 give each member two units, the second
  // a stand-in for some, and width 16 two real ones. Rates up to 10⁴ make
  // runs diverge, so escapes, overflowed error signals and frozen lanes are
  // crossed; dispatches of 7 steps and chunks of 8 reload the state.
  it.each<[string, SpecInput]>([
    ['width 5, relu, 13 points, nesterov', { objective: 'mlp', width: 5, dataPoints: 13, activation: 'relu', optimizer: 'nesterov', inputLr: '0.01:1e4:4:log', outputLr: '0.01:100:3:log', steps: 30 }],
    ['width 9, adam, 11 points', { objective: 'mlp', width: 9, dataPoints: 11, optimizer: 'adam', lr: '0.001:3:5:log', steps: 24, seed: 2 }],
    ['width 12, a minibatch of 5 from 14 points, momentum, an offset', { objective: 'mlp', width: 12, dataPoints: 14, minibatch: 5, optimizer: 'momentum', initOffset: '-1:1:3', lr: '0.05:50:3:log', steps: 25, seed: 4 }],
    ['width 16, identity, rmsprop (torch)', { objective: 'mlp', width: 16, dataPoints: 17, activation: 'identity', optimizer: 'rmsprop', convention: 'torch', lr: '0.0001:1:5:log', steps: 20 }],
    // On lavapipe the cases above read their data as rows of a uniform buffer, two points a turn (odd
    // batches end on one); 1,000 points are too many for one, so that team reads axisValues a point at a time.
    ['width 16, 1,000 points, read from storage', { objective: 'mlp', width: 16, dataPoints: 1000, inputLr: '0.01:100:2:log', outputLr: '0.01:1e4:2:log', steps: 6 }],
  ])('%s: statistics and regimes', async (_, input) => {
    await expectNetworkMatches(input, { chunkSize: 8, stepsPerDispatch: 7, networkLayout: 'team' }, false);
  });

  it('is what a network runs on a device with fixed-size subgroups, unless told otherwise', async () => {
    expect(gpu4!.team).toBe(8); // lavapipe's subgroups
    const input: SpecInput = { objective: 'mlp', width: 4, dataPoints: 6, lr: '0.1:10:3:log', steps: 12 };
    // The point-by-point layout, asked for, still agrees.
    await expectNetworkMatches(input, { chunkSize: 8, stepsPerDispatch: 5, networkLayout: 'points' });
  });
});

describeGpu(gpu4)('fast math, against the CPU engine’s exact values', () => {
  // Fast math lets the compiler fuse and regroup the objective's arithmetic
  // (and takes the device's tanh in the network): each operation may round
  // differently, by an ulp or so (2⁻²⁴ relative), so bits may differ but the
  // runs do not. At these rates every step contracts, so the differences add
  // up at most step by step: 100 steps × a few ulp is about 1e-5 relative,
  // the bound below (of a run's largest |w| component, and of its final loss).
  const stable: SpecInput = { objective: 'mlp', width: 16, dataPoints: 40, inputLr: '0.01:1:4:log', outputLr: '0.01:1:4:log', steps: 100 };

  // Whether the bits differ is the compiler's choice: lavapipe regroups in the
  // network (and takes its own tanh) and in rosenbrock's gradient, and happens
  // to keep every bit of the typed-in loss below. Where it differs, the test
  // says so, so that fast math cannot be the exact kernel under another name.
  it.each<[string, SpecInput, boolean]>([
    ['the network, width 16, tanh, full batch', stable, true],
    ['the network, width 6, relu, adam, a minibatch', { objective: 'mlp', width: 6, dataPoints: 20, activation: 'relu', optimizer: 'adam', minibatch: 8, lr: '0.001:0.03:4:log', steps: 100 }, true],
    ['a typed-in loss with sin, cos and log', { loss: '(x - 1)^2 + 2*(y + 0.5)^2 + 0.5*sin(3*x)*cos(2*y) + 0.1*log(1 + x^2)', w0: '[2,1]', lr: '0.01:0.1:4', decayRate: '0.9,0.99', schedule: 'exponential', steps: 100 }, false],
    ['rosenbrock with momentum', { objective: 'rosenbrock', optimizer: 'momentum', lr: '0.0001:0.001:4:log', momentum: '0:0.9:3', steps: 100 }, true],
  ])('%s: the same regimes, final w and losses within 1e-5', async (_, input, differs) => {
    const [g, c] = [await collect(gpu4!, { ...input, fastMath: true }, { chunkSize: 8 }), await collect(cpu, input, { chunkSize: 8 })];
    const spec = parseSpec(input);
    const regimes = (chunks: typeof g) => chunks.flatMap((chunk) => Array.from(classifyChunk(chunk, spec.base.steps).regime));
    expect(regimes(g)).toEqual(regimes(c));
    const [wg, wc] = [field(g, 'finalW'), field(c, 'finalW')];
    const [lg, lc] = [field(g, 'finalLoss'), field(c, 'finalLoss')];
    expect(lc.length).toBeGreaterThan(0);
    lc.forEach((exact, i) => {
      const w = wc.slice(i * spec.dims, (i + 1) * spec.dims);
      const size = Math.max(...w.map(Math.abs));
      w.forEach((x, d) => expect(Math.abs(wg[i * spec.dims + d]! - x), `run ${i}, w[${d}]: ${wg[i * spec.dims + d]} against ${x}`).toBeLessThanOrEqual(1e-5 * size));
      expect(Math.abs(lg[i]! - exact), `final loss ${i}: ${lg[i]} against ${exact}`).toBeLessThanOrEqual(1e-5 * Math.max(Math.abs(exact), size * size));
    });
    if (differs) expect(wg.some((x, i) => !Object.is(x, wc[i])), 'some bits differ').toBe(true);
  });

  it('leaves the exact kernel exact, and the CPU engine computes the exact values either way', async () => {
    const input: SpecInput = { ...stable, width: 5, dataPoints: 9, steps: 20 };
    expectSameStats(await collect(gpu4!, input, { chunkSize: 8 }), await collect(cpu, { ...input, fastMath: true }, { chunkSize: 8 }));
  });
});

describeGpu(gpu4)('GPU ≡ CPU on the network’s offset and minibatch', () => {
  it.each<[string, SpecInput]>([
    ['an input-layer offset against lr (the paper’s second map)', { objective: 'mlp', width: 3, dataPoints: 8, initOffset: '-1.5:1.5:4', lr: '0.01:3:4:log', steps: 40, seed: 3 }],
    ['a minibatch of 5 from 20 points over the layer rates', { objective: 'mlp', width: 4, dataPoints: 20, minibatch: 5, inputLr: '0.1:30:4:log', outputLr: '0.1:30:4:log', steps: 30 }],
    ['both, with momentum', { objective: 'mlp', width: 2, dataPoints: 6, minibatch: 2, initOffset: '0.3,-0.7', optimizer: 'momentum', lr: '0.05:2:3:log', steps: 25, seed: 9 }],
  ])('%s: statistics, regimes and traces', async (_, input) => {
    // Dispatches of 7 steps: the draws are found by the absolute step.
    await expectNetworkMatches(input, { chunkSize: 8, stepsPerDispatch: 7 });
  });
});
