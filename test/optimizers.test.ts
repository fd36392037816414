/**
 * Optimizer update rules against the reference's test vectors
 * (shared/reference/schedules-and-optimizers.md §6: TF's float32 kernels),
 * and the heavy-ball and Nesterov stability boundaries (§1 of the stability
 * reference) on both engines.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { f32, ulpDistance } from '../src/float32';
import { UPDATE_RULES, type OptimizerName } from '../src/optimizers';
import { parseSpec } from '../src/spec/spec';
import { sweep } from '../src/sweep';
import { REGIMES, type ChunkResult } from '../src/engine/types';
import { enginesOf, gpuEngine } from './helpers/engines';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());

/** var₀ = 0 and the gradients 1, −0.5, 2, as the reference's vectors use them. */
function run(optimizer: OptimizerName, rates: number[], momentum = 0.9): number[] {
  const w = new Float64Array(1);
  const slots = new Float64Array(1);
  return [1, -0.5, 2].map((g, k) => {
    UPDATE_RULES[optimizer](w, Float64Array.of(g), f32(rates[k]!), slots, { momentum: f32(momentum) });
    return w[0]!;
  });
}

describe('update rules reproduce TensorFlow 1', () => {
  it('Momentum, lr 0.1, μ 0.9: −0.1, −0.14, −0.376', () => {
    expect(run('momentum', [0.1, 0.1, 0.1])).toEqual([-0.1, -0.14, -0.376].map(f32));
  });
  it('Nesterov: −0.19, −0.176, −0.5884', () => {
    expect(run('nesterov', [0.1, 0.1, 0.1])).toEqual([-0.19, -0.176, -0.5884].map(f32));
  });
  it('Momentum with a changing rate 0.1, 0.05, 0.025: −0.1, −0.12, −0.179', () => {
    const [a, b, c] = run('momentum', [0.1, 0.05, 0.025]);
    expect([a, c]).toEqual([-0.1, -0.179].map(f32));
    // The reference lists TF and PyTorch together at three digits here. In
    // float32, TF's order gives 0.39999998 for the second accumulator and
    // −0.120000005 for w: one ulp from float32(−0.12), as numpy float32 shows too.
    expect(ulpDistance(b!, f32(-0.12))).toBe(1);
  });
  it('plain gradient descent', () => {
    expect(run('gd', [0.1, 0.1, 0.1])).toEqual([-0.1, -0.05, -0.25].map(f32));
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

  it('momentum is read only by the optimizers that use it', () => {
    expect(() => parseSpec({ momentum: 0.5 }, 'flag')).toThrow(/^--momentum: not used by optimizer gd; expected an optimizer that uses it \(momentum, nesterov\)/);
  });
});
