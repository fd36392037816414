/**
 * Optimizer update rules against the reference's test vectors
 * (shared/reference/schedules-and-optimizers.md §6: TF's float32 kernels),
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
import { parseSpec } from '../src/spec/spec';
import { sweep } from '../src/sweep';
import { analyticBoundary } from '../src/output/map';
import { REGIMES, type ChunkResult } from '../src/engine/types';
import { enginesOf, gpuEngine } from './helpers/engines';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());

/**
 * var₀ = 0 and the gradients 1, −0.5, 2, as the reference's vectors use
 * them; hyperparameters the convention's defaults unless given.
 */
function run(
  optimizer: OptimizerName,
  rates: number[],
  values: Partial<HyperValues> = {},
  convention: Convention = 'tf',
  grads = [1, -0.5, 2],
): number[] {
  const h = optimizerHyper({ ...optimizerDefaults(optimizer, convention), ...values }, convention);
  const w = new Float64Array(1);
  const slots = initialSlots(optimizer, convention, 1, h);
  const update = updateRule(optimizer, convention);
  return grads.map((g, k) => {
    update(w, Float64Array.of(g), f32(rates[k % rates.length]!), slots, h);
    return w[0]!;
  });
}

/** The reference prints float32 results as numpy does (shortest round trip), so f32 of each is the exact value. */
const exactly = (values: number[]) => values.map(f32);

/** PyTorch's vectors are double-precision runs; float32 agrees to a few ulps of float32. */
function expectClose(got: number[], want: number[], relative = 2e-6) {
  got.forEach((x, i) => expect(Math.abs(x - want[i]!)).toBeLessThanOrEqual(relative * Math.abs(want[i]!)));
}

describe('update rules reproduce TensorFlow 1', () => {
  it('Momentum, lr 0.1, μ 0.9: −0.1, −0.14, −0.376', () => {
    expect(run('momentum', [0.1])).toEqual(exactly([-0.1, -0.14, -0.376]));
  });
  it('Nesterov: −0.19, −0.176, −0.5884', () => {
    expect(run('nesterov', [0.1])).toEqual(exactly([-0.19, -0.176, -0.5884]));
  });
  it('Momentum with a changing rate 0.1, 0.05, 0.025: −0.1, −0.12, −0.179', () => {
    const [a, b, c] = run('momentum', [0.1, 0.05, 0.025]);
    expect([a, c]).toEqual(exactly([-0.1, -0.179]));
    // The reference lists TF and PyTorch together at three digits here. In
    // float32, TF's order gives 0.39999998 for the second accumulator and
    // −0.120000005 for w: one ulp from float32(−0.12), as numpy float32 shows too.
    expect(ulpDistance(b!, f32(-0.12))).toBe(1);
  });
  it('plain gradient descent', () => {
    expect(run('gd', [0.1])).toEqual(exactly([-0.1, -0.05, -0.25]));
  });
  it('Adam, lr 1e-3, β (0.9, 0.999), ε 1e-8: −0.0009999997, −0.0012663358, −0.0019244428', () => {
    expect(run('adam', [1e-3])).toEqual(exactly([-0.0009999997, -0.0012663358, -0.0019244428]));
  });
  it('Adam with ε 0.1 (ε added after the bias correction is folded into α): −0.00024025189, …', () => {
    expect(run('adam', [1e-3], { epsilon: 0.1 })).toEqual(exactly([-0.00024025189, -0.00030979904, -0.00058626407]));
  });
  it('RMSProp, lr 0.01, ρ 0.9 (mean square starts at 1): −0.01, −0.0048012473, −0.02281634', () => {
    expect(run('rmsprop', [0.01])).toEqual(exactly([-0.01, -0.0048012473, -0.02281634]));
  });
  it('RMSProp with momentum 0.9: −0.01, −0.013801247, −0.03523746', () => {
    expect(run('rmsprop', [0.01], { momentum: 0.9 })).toEqual(exactly([-0.01, -0.013801247, -0.03523746]));
  });
  it('RMSProp, centered: −0.010050378, −0.0048471233, −0.0232836', () => {
    expect(run('rmsprop', [0.01], { centered: 1 })).toEqual(exactly([-0.010050378, -0.0048471233, -0.0232836]));
  });
  it('Adagrad, lr 0.1 (accumulator starts at 0.1): −0.095346265, −0.052313115, −0.13878065', () => {
    expect(run('adagrad', [0.1])).toEqual(exactly([-0.095346265, -0.052313115, -0.13878065]));
  });
  it('Adadelta, lr 1, ρ 0, ε 1, g = 1: −0.70710677', () => {
    expect(run('adadelta', [1], { rho: 0, epsilon: 1 }, 'tf', [1])).toEqual(exactly([-0.70710677]));
  });
  it('Adadelta, lr 1, ρ 0.95, ε 1e-6: −0.004472091, −0.0015853781, −0.0076545347', () => {
    expect(run('adadelta', [1], { epsilon: 1e-6 })).toEqual(exactly([-0.004472091, -0.0015853781, -0.0076545347]));
  });
});

describe('the torch and keras conventions', () => {
  it('PyTorch SGD with momentum (dampening 0) equals TF, also when the rate changes', () => {
    expect(run('momentum', [0.1, 0.05, 0.025], {}, 'torch')).toEqual(run('momentum', [0.1, 0.05, 0.025]));
  });
  it('Keras keeps lr inside the velocity: −0.1, −0.165, −0.2735 with lr 0.1, 0.05, 0.025', () => {
    expectClose(run('momentum', [0.1, 0.05, 0.025], {}, 'keras'), [-0.1, -0.165, -0.2735]);
    expect(run('momentum', [0.1], {}, 'keras')).toEqual(exactly([-0.1, -0.14, -0.376]));
  });
  it('PyTorch Adam (ε after the bias correction) within float32 of its double run', () => {
    expectClose(run('adam', [1e-3], {}, 'torch'), [-0.00099999999, -0.001266337, -0.0019244486]);
    expectClose(run('adam', [1e-3], { epsilon: 0.1 }, 'torch'), [-0.00090909091, -0.0011455176, -0.0017573893]);
  });
  it('Keras RMSprop (mean square starts at 0, ε 1e-7): −0.03162276, −0.016878571, −0.04506436', () => {
    expectClose(run('rmsprop', [0.01], {}, 'keras'), [-0.03162276, -0.016878571, -0.04506436]);
  });
  it('PyTorch Adagrad (accumulator starts at 0, ε 1e-10 outside the root): −0.1, −0.05527864, −0.14256579', () => {
    expectClose(run('adagrad', [0.1], {}, 'torch'), [-0.1, -0.05527864, -0.14256579]);
  });
  it('PyTorch RMSprop: the first step is lr/√(1 − α) (mean square starts at 0)', () => {
    // α = 0.99: v₁ = 0.01·g², so the step is lr·g/(0.1·|g|) = 10·lr, up to ε.
    expectClose(run('rmsprop', [0.01], {}, 'torch', [1]), [-0.1]);
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

describe.each(enginesOf(gpu))('stability boundaries, %s engine', (_, engine) => {
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

  it('momentum is read only by the optimizers that use it', () => {
    expect(() => parseSpec({ momentum: 0.5 }, 'flag')).toThrow(/^--momentum: not used by optimizer gd; expected an optimizer that uses it \(momentum, nesterov, rmsprop\)/);
    expect(() => parseSpec({ optimizer: 'adagrad', epsilon: 0.1 }, 'flag')).toThrow(/^--epsilon: not used by optimizer adagrad in convention tf; expected a convention that uses it, e.g. --convention torch$/);
  });
});
