/**
 * Optimizer update rules against the reference's test vectors
 * (shared/reference/schedules-and-optimizers.md §6) on both engines: the
 * CPU rules, and the WGSL rules run on the GPU by a probe kernel,
 * and the heavy-ball and Nesterov stability boundaries (§1 of the stability
 * reference) on both engines.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { f32, ulpDistance } from '../src/float32';
import {
  complement,
  initialSlots,
  optimizerDefaults,
  optimizerHyper,
  updateRule,
  type Convention,
  type HyperValues,
  type OptimizerName,
} from '../src/optimizers';
import { parseSpec } from '../src/experiment';
import { sweep } from '../src/sweep';
import { analyticBoundary } from '../src/output/map';
import { REGIMES, type ChunkResult } from '../src/engine/types';
import { describeEngines, gpuEngine, itGpu } from './helpers/engines';
import { gpuUpdates } from './helpers/update-probe';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());

/** The reference prints float32 results as numpy does (shortest round trip), so f32 of each is the exact value. */
const exactly = (values: number[]) => values.map(f32);

interface Vector {
  readonly name: string;
  readonly optimizer: OptimizerName;
  readonly convention?: Convention;
  readonly rates: number[];
  readonly values?: Partial<HyperValues>;
  readonly grads?: number[];
  readonly expected: number[];
  /** TF's float32 vectors are matched exactly; PyTorch's and Keras's are double-precision runs. */
  readonly relative?: number;
}

/** The reference's §6 vectors: var₀ = 0 and the gradients 1, −0.5, 2 unless given; the convention's defaults unless given. */
const VECTORS: Vector[] = [
  { name: 'TF Momentum, lr 0.1, μ 0.9', optimizer: 'momentum', rates: [0.1], expected: [-0.1, -0.14, -0.376] },
  { name: 'TF Nesterov', optimizer: 'nesterov', rates: [0.1], expected: [-0.19, -0.176, -0.5884] },
  { name: 'gradient descent', optimizer: 'gd', rates: [0.1], expected: [-0.1, -0.05, -0.25] },
  { name: 'TF Adam, lr 1e-3, β (0.9, 0.999), ε 1e-8', optimizer: 'adam', rates: [1e-3], expected: [-0.0009999997, -0.0012663358, -0.0019244428] },
  { name: 'TF Adam, ε 0.1', optimizer: 'adam', rates: [1e-3], values: { epsilon: 0.1 }, expected: [-0.00024025189, -0.00030979904, -0.00058626407] },
  { name: 'TF RMSProp, lr 0.01, ρ 0.9 (mean square starts at 1)', optimizer: 'rmsprop', rates: [0.01], expected: [-0.01, -0.0048012473, -0.02281634] },
  { name: 'TF RMSProp, momentum 0.9', optimizer: 'rmsprop', rates: [0.01], values: { momentum: 0.9 }, expected: [-0.01, -0.013801247, -0.03523746] },
  { name: 'TF RMSProp, centered', optimizer: 'rmsprop', rates: [0.01], values: { centered: 1 }, expected: [-0.010050378, -0.0048471233, -0.0232836] },
  { name: 'TF Adagrad, lr 0.1 (accumulator starts at 0.1)', optimizer: 'adagrad', rates: [0.1], expected: [-0.095346265, -0.052313115, -0.13878065] },
  { name: 'TF Adadelta, lr 1, ρ 0, ε 1, g = 1', optimizer: 'adadelta', rates: [1], values: { rho: 0, epsilon: 1 }, grads: [1], expected: [-0.70710677] },
  { name: 'TF Adadelta, lr 1, ρ 0.95, ε 1e-6', optimizer: 'adadelta', rates: [1], values: { epsilon: 1e-6 }, expected: [-0.004472091, -0.0015853781, -0.0076545347] },
  { name: 'PyTorch SGD momentum = TF', optimizer: 'momentum', convention: 'torch', rates: [0.1], expected: [-0.1, -0.14, -0.376] },
  { name: 'Keras SGD momentum, constant lr = TF', optimizer: 'momentum', convention: 'keras', rates: [0.1], expected: [-0.1, -0.14, -0.376] },
  { name: 'Keras SGD momentum, lr 0.1, 0.05, 0.025 (lr inside the velocity)', optimizer: 'momentum', convention: 'keras', rates: [0.1, 0.05, 0.025], expected: [-0.1, -0.165, -0.2735], relative: 2e-6 },
  { name: 'PyTorch Adam (ε after the bias correction)', optimizer: 'adam', convention: 'torch', rates: [1e-3], expected: [-0.00099999999, -0.001266337, -0.0019244486], relative: 2e-6 },
  { name: 'PyTorch Adam, ε 0.1', optimizer: 'adam', convention: 'torch', rates: [1e-3], values: { epsilon: 0.1 }, expected: [-0.00090909091, -0.0011455176, -0.0017573893], relative: 2e-6 },
  { name: 'Keras RMSprop (starts at 0, ε 1e-7 inside)', optimizer: 'rmsprop', convention: 'keras', rates: [0.01], expected: [-0.03162276, -0.016878571, -0.04506436], relative: 2e-6 },
  { name: 'PyTorch Adagrad (starts at 0, ε 1e-10 outside)', optimizer: 'adagrad', convention: 'torch', rates: [0.1], expected: [-0.1, -0.05527864, -0.14256579], relative: 2e-6 },
];

/** Runs the CPU rule: the iterates after each update. */
function run(optimizer: OptimizerName, rates: number[], values: Partial<HyperValues> = {}, convention: Convention = 'tf', grads = [1, -0.5, 2]): number[] {
  const h = hyperOf(optimizer, convention, values);
  const w = new Float64Array(1);
  const slots = initialSlots(optimizer, convention, 1, h);
  const update = updateRule(optimizer, convention);
  return grads.map((g, k) => {
    update(w, Float64Array.of(g), f32(rates[k % rates.length]!), slots, h);
    return w[0]!;
  });
}

function hyperOf(optimizer: OptimizerName, convention: Convention, values: Partial<HyperValues>) {
  return optimizerHyper({ ...optimizerDefaults(optimizer, convention), ...values }, convention);
}

function expectVector(got: number[], v: Vector) {
  if (v.relative === undefined) expect(got).toEqual(exactly(v.expected));
  else got.forEach((x, i) => expect(Math.abs(x - v.expected[i]!)).toBeLessThanOrEqual(v.relative! * Math.abs(v.expected[i]!)));
}

describe('update rules reproduce the reference vectors', () => {
  it.each(VECTORS)('$name, CPU', (v) => {
    expectVector(run(v.optimizer, v.rates, v.values, v.convention, v.grads), v);
  });
  itGpu(gpu).each(VECTORS)('$name, GPU', async (v) => {
    const convention = v.convention ?? 'tf';
    const got = await gpuUpdates(gpu!, v.optimizer, convention, hyperOf(v.optimizer, convention, v.values ?? {}), v.grads ?? [1, -0.5, 2], v.rates.map(f32));
    expectVector(got, v);
    // And bit for bit what the CPU rule gives.
    expect(got).toEqual(run(v.optimizer, v.rates, v.values, v.convention, v.grads));
  });
  it('TF Momentum with a changing rate 0.1, 0.05, 0.025: −0.1, −0.12, −0.179', () => {
    const [a, b, c] = run('momentum', [0.1, 0.05, 0.025]);
    expect([a, c]).toEqual(exactly([-0.1, -0.179]));
    // The reference lists TF and PyTorch together at three digits here. In
    // float32, TF's order gives 0.39999998 for the second accumulator and
    // −0.120000005 for w: one ulp from float32(−0.12), as numpy float32 shows too.
    expect(ulpDistance(b!, f32(-0.12))).toBe(1);
    expect(run('momentum', [0.1, 0.05, 0.025], {}, 'torch')).toEqual([a, b, c]);
  });
  it('PyTorch RMSprop: the first step is lr/√(1 − α) (mean square starts at 0)', () => {
    // α = 0.99: v₁ = 0.01·g², so the step is lr·g/(0.1·|g|) = 10·lr, up to ε.
    expect(Math.abs(run('rmsprop', [0.01], {}, 'torch', [1])[0]! + 0.1)).toBeLessThan(1e-7);
  });
  it('each convention rounds 1 − β its own way', () => {
    // TF subtracts from float32(0.9) in float32; PyTorch rounds the double 0.1.
    expect(complement(0.9, 'tf')).toBe(f32(1 - f32(0.9)));
    expect(complement(0.9, 'tf')).not.toBe(f32(0.1));
    expect(complement(0.9, 'torch')).toBe(f32(0.1));
  });
});

/** Largest |root| of z² − a·z + b. */
function spectralRadius(a: number, b: number): number {
  const disc = a * a - 4 * b;
  if (disc < 0) return Math.sqrt(b);
  const r = Math.sqrt(disc);
  return Math.max(Math.abs((a + r) / 2), Math.abs((a - r) / 2));
}

async function regimes(engine: Parameters<typeof sweep>[1], input: Record<string, unknown>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of sweep(parseSpec(input), engine)) out.push(...Array.from((chunk as ChunkResult).regime, (r) => REGIMES[r]!));
  return out;
}

describeEngines(gpu, 'stability boundaries', (engine) => {
  const cases = [
    { beta: 0.5, L: 2 },
    { beta: 0.9, L: 1 },
    { beta: 0.25, L: 4 },
  ];

  it.each(cases)('heavy ball, β = $beta, L = $L: stable iff lr·L < 2(1 + β)', async ({ beta, L }) => {
    const edge = (2 * (1 + beta)) / L;
    const factors = [0.5, 0.9, 1.1, 1.5];
    const steps = 3000;
    const expected = factors.map((f) => {
      const eta = edge * f;
      // Per eigen-direction: z² − (1 + β − ηL)z + β.
      const rho = spectralRadius(1 + beta - eta * L, beta);
      expect(Math.abs(rho - 1)).toBeGreaterThan(0.005); // clear of the boundary
      return rho < 1 ? (Math.pow(rho, steps) < 1e-7 ? 'converged' : 'converging') : 'diverged';
    });
    expect(expected).toEqual(['converged', 'converged', 'diverged', 'diverged']);
    const got = await regimes(engine, { lr: factors.map((f) => edge * f).join(','), curvature: L, optimizer: 'momentum', momentum: beta, steps });
    expect(got).toEqual(expected);
  });

  it.each(cases)('Nesterov, β = $beta, L = $L: stable iff lr·L < (2 + 2β)/(1 + 2β)', async ({ beta, L }) => {
    const edge = (2 + 2 * beta) / (1 + 2 * beta) / L;
    const factors = [0.5, 0.9, 1.1, 1.5];
    const steps = 3000;
    const expected = factors.map((f) => {
      const q = 1 - edge * f * L;
      // z² − (1 + β)(1 − ηL)z + β(1 − ηL).
      const rho = spectralRadius((1 + beta) * q, beta * q);
      expect(Math.abs(rho - 1)).toBeGreaterThan(0.005);
      return rho < 1 ? (Math.pow(rho, steps) < 1e-7 ? 'converged' : 'converging') : 'diverged';
    });
    expect(expected).toEqual(['converged', 'converged', 'diverged', 'diverged']);
    const got = await regimes(engine, { lr: factors.map((f) => edge * f).join(','), curvature: L, optimizer: 'nesterov', momentum: beta, steps });
    expect(got).toEqual(expected);
  });

  it.each(['momentum', 'nesterov'] as const)('the drawn %s boundary on an lr × μ map separates stable from diverged', async (optimizer) => {
    const spec = parseSpec({ lr: '0.05:4:40', momentum: '0:0.9:4', optimizer, steps: 3000 });
    const boundary = analyticBoundary(spec)!;
    expect(boundary.formula).toMatch(/μ/);
    const chunks: ChunkResult[] = [];
    for await (const chunk of sweep(spec, engine)) chunks.push(chunk as ChunkResult);
    const regime = chunks.flatMap((c) => Array.from(c.regime, (r) => REGIMES[r]!));
    const [lrs, mus] = spec.axes.map((a) => a.values as number[]);
    let checked = 0;
    mus!.forEach((mu, j) => {
      // The boundary's point at this μ (the μ axis is sampled finely).
      const [edge] = boundary.points.reduce((best, p) => (Math.abs(p[1] - mu) < Math.abs(best[1] - mu) ? p : best));
      lrs!.forEach((lr, i) => {
        const r = regime[j * lrs!.length + i];
        if (lr < 0.97 * edge) expect(r, `lr ${lr}, μ ${mu}`).not.toBe('diverged');
        else if (lr > 1.03 * edge) expect(r, `lr ${lr}, μ ${mu}`).toBe('diverged');
        else return;
        checked++;
      });
    });
    expect(checked).toBeGreaterThan(140);
  });
});

describe('hyperparameters', () => {
  it('momentum is read only by the optimizers that use it', () => {
    expect(() => parseSpec({ momentum: 0.5 }, 'flag')).toThrow(/^--momentum: not used by optimizer gd; expected an optimizer that uses it \(momentum, nesterov, rmsprop\)/);
    expect(() => parseSpec({ optimizer: 'adagrad', epsilon: 0.1 }, 'flag')).toThrow(/^--epsilon: not used by optimizer adagrad in convention tf; expected a convention that uses it, e.g. --convention torch$/);
  });
});
