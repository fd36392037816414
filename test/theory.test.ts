/**
 * Analytic results (shared/reference/stability-theory-and-prior-art.md §1),
 * checked on both engines. Every expected regime and step below is derived
 * here from the theory, in double precision or exact integer arithmetic,
 * never read back from lrscope.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { f32 } from '../src/float32';
import { parseSpec, type SpecInput } from '../src/experiment';
import { sweep } from '../src/sweep';
import { REGIMES, type ChunkResult, type Engine, type Regime } from '../src/engine/types';
import { describeEngines, gpuEngine, itEngines } from './helpers/engines';
import { analyticBoundary, onsetAt, theoryOf } from '../src/theory';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());

async function run(engine: Engine, input: SpecInput): Promise<ChunkResult> {
  const chunks: ChunkResult[] = [];
  for await (const chunk of sweep(parseSpec(input), engine)) chunks.push(chunk);
  expect(chunks).toHaveLength(1);
  return chunks[0]!;
}

const regimeOf = (r: ChunkResult, i: number): Regime => REGIMES[r.regime[i]!]!;

/** e_N = e_0 ∏_{t<N} (1 − L·η_t), and the peak |w| along the way, for w = c + e (double precision). */
function exactProduct(L: number, lr: (t: number) => number, steps: number, w0 = 5, c = -1) {
  let e = w0 - c;
  let peak = Math.abs(w0);
  const w: number[] = [w0];
  for (let t = 0; t < steps; t++) {
    e *= 1 - L * lr(t);
    w.push(c + e);
    peak = Math.max(peak, Math.abs(c + e));
  }
  return { w, peak, final: c + e };
}

describeEngines(gpu, 'GD on ½·L·(w − c)²', (engine) => {
  const curvatures = [0.25, 0.5, 1, 2, 4, 8, 16];

  it.each(curvatures)('L = %s: lr·L < 2 converges, = 2 oscillates, > 2 diverges', async (L) => {
    // Factors of the critical rate 2/L. Powers of two keep lr·L exact in float32.
    const below = [0.25, 0.5, 0.9, 0.99];
    const above = [1.01, 1.25, 2];
    const factors = [...below, 1, ...above];
    const result = await run(engine, {
      lr: factors.map((f) => (2 / L) * f).join(','),
      curvature: L,
      steps: 1000,
    });
    factors.forEach((f, i) => {
      const expected: Regime = f < 1 ? 'converged' : f === 1 ? 'oscillating' : 'diverged';
      expect(regimeOf(result, i), `lr·L = ${2 * f}`).toBe(expected);
    });
  });

  it('lr·L = 2 is the exact period-2 orbit w0, 2c − w0, w0, …', async () => {
    const result = await run(engine, { lr: 0.25, curvature: 8, minimum: 3, w0: 10, steps: 501 });
    expect(regimeOf(result, 0)).toBe('oscillating');
    expect(result.finalW[0]).toBe(2 * 3 - 10); // odd number of steps ends on the mirror point
    expect(result.peak[0]).toBe(10);
  });

  it('lr·L = 3 escapes the bound at the step the doubling predicts', async () => {
    // e_k = 6·(−2)^k exactly; the first k with |−1 + 6·(−2)^k| > 1e20.
    let k = 0;
    while (!(((6n * (-2n) ** BigInt(k) - 1n) ** 2n) > 10n ** 40n)) k++;
    const result = await run(engine, { lr: 1.5, steps: 1000 });
    expect(regimeOf(result, 0)).toBe('diverged');
    expect(result.regimeStep[0]).toBe(k);
    expect(k).toBe(64);
  });

  it('lr·L = ½ halves the error each step: converged at the step the tolerance predicts', async () => {
    // e_k = 6/2^k exactly, so the largest gradient is 12/2^k; tolerance = float32(1e-5 × 12).
    const tolerance = f32(f32(1e-5) * 12);
    let k = 0;
    while (12 / 2 ** k > tolerance) k++;
    const result = await run(engine, { lr: 0.25, steps: 100 });
    expect(regimeOf(result, 0)).toBe('converged');
    expect(result.regimeStep[0]).toBe(k);
    expect(k).toBe(17);
  });

  it('n dimensions: stable iff lr < 2/λmax, whatever the smaller curvatures', async () => {
    // λ = (1, 100): the boundary is lr = 0.02.
    const lrs = [0.005, 0.0199, 0.0201, 0.03];
    const result = await run(engine, { lr: lrs.join(','), curvature: '[1,100]', w0: '[5,5]', steps: 4000 });
    expect(lrs.map((_, i) => regimeOf(result, i))).toEqual(['converged', 'converged', 'diverged', 'diverged']);
  });

  it('a swept condition number moves the boundary to lr = 2/κ', async () => {
    const swept = await run(engine, { lr: 0.015, curvature: '[1,1:1000:4:log]', w0: '[5,5]', steps: 4000 });
    // κ = 1, 10, 100, 1000; 0.015·κ < 2 for κ ≤ 100 only.
    expect([0, 1, 2, 3].map((i) => regimeOf(swept, i))).toEqual(['converged', 'converged', 'converged', 'diverged']);
  });
});

describeEngines(gpu, 'exponential decay judged by the exact product', (engine) => {
  it('rescue: unstable at first (lr·L = 3), settles at the minimum', async () => {
    const [L, lr0, d] = [2, 1.5, 0.95];
    const exact = exactProduct(L, (t) => lr0 * d ** t, 1000);
    expect(Math.abs(exact.final + 1)).toBeLessThan(1e-12); // the oracle says: converges
    const result = await run(engine, { lr: lr0, schedule: 'exponential', decayRate: d, decaySteps: 1, steps: 1000 });
    expect(regimeOf(result, 0)).toBe('converged');
    expect(result.peak[0]! / exact.peak).toBeCloseTo(1, 4);
  });

  it('grows past 1e10 and comes back: converged, with the excursion in peak', async () => {
    const [L, lr0, d, T] = [2, 1.5, 0.5, 100];
    const exact = exactProduct(L, (t) => lr0 * d ** (t / T), 1000);
    expect(exact.peak).toBeGreaterThan(1e10);
    expect(exact.peak).toBeLessThan(1e20);
    expect(Math.abs(exact.final + 1)).toBeLessThan(1e-12);
    const result = await run(engine, { lr: lr0, schedule: 'exponential', decayRate: d, decaySteps: T, steps: 1000 });
    expect(regimeOf(result, 0)).toBe('converged');
    expect(result.peak[0]! / exact.peak).toBeCloseTo(1, 3);
  });

  it('overflow: the amplification passes the bound at the predicted step', async () => {
    const [L, lr0, d] = [2, 20, 0.9];
    const exact = exactProduct(L, (t) => lr0 * d ** t, 200);
    const k = exact.w.findIndex((w) => Math.abs(w) > 1e20);
    expect(k).toBeGreaterThan(0);
    // Far enough from the bound on both sides that float32 rounding cannot move the crossing.
    expect(Math.abs(exact.w[k]!) / 1e20).toBeGreaterThan(1.01);
    expect(Math.abs(exact.w[k - 1]!) / 1e20).toBeLessThan(0.99);
    const result = await run(engine, { lr: lr0, schedule: 'exponential', decayRate: d, decaySteps: 1, steps: 200 });
    expect(regimeOf(result, 0)).toBe('diverged');
    expect(result.regimeStep[0]).toBe(k);
  });

  it('stalled: the rate decays away far from the minimum', async () => {
    const [L, lr0, d] = [2, 0.01, 0.9];
    const exact = exactProduct(L, (t) => lr0 * d ** t, 1000);
    // Σ lr = 0.1, so the error shrinks only by about e^(−0.2): nowhere near the tolerance.
    expect(Math.abs(exact.final + 1) / 6).toBeGreaterThan(0.5);
    const result = await run(engine, { lr: lr0, schedule: 'exponential', decayRate: d, decaySteps: 1, steps: 1000 });
    expect(regimeOf(result, 0)).toBe('stalled');
    expect(result.finalW[0]! / exact.final).toBeCloseTo(1, 5);
  });
});

describe('theory in the output', () => {
  it('gives each eigenvalue its critical rate 2/λ, and 2/λmax for the whole', () => {
    const theory = theoryOf(parseSpec({ lr: '0.1:1:8', curvature: '[1,4]' }))!;
    expect(theory.eigenvalues).toEqual([
      { curvature: 1, criticalLr: 2 },
      { curvature: 4, criticalLr: 0.5 },
    ]);
    expect(theory.criticalLr).toBe(0.5);
    expect(theoryOf(parseSpec({ lr: 0.1, optimizer: 'momentum', momentum: 0.5 }))!.criticalLr).toBe((2 * 1.5) / 2);
    expect(theoryOf(parseSpec({ lr: 0.1, optimizer: 'nesterov', momentum: 0.5 }))!.criticalLr).toBeCloseTo(3 / 2 / 2, 12);
    expect(theoryOf(parseSpec({ lr: 0.1, optimizer: 'adam' }))).toBeUndefined();
    expect(theoryOf(parseSpec({ lr: 0.1, objective: 'rosenbrock' }))).toBeUndefined();
  });

  it('an n-D map of lr × one curvature is bounded by the larger eigenvalue', () => {
    const spec = parseSpec({ lr: '0.01:1:16', curvature: '[1:8:16,4]' });
    const boundary = analyticBoundary(spec)!;
    for (const [lr, L] of boundary.points) expect(lr).toBeCloseTo(2 / Math.max(L, 4), 12);
  });

  // η_t = η₀·d^t on L = 2 with η₀ = 2: λη₀ = 4, unstable while 4·d^t > 2.
  const decayed = { lr: 2, schedule: 'exponential', decayRate: 0.95, decaySteps: 1, steps: 60 } as const;
  const tStar = Math.log(4 / 2) / Math.log(1 / 0.95); // 13.51…

  it('t* = T·ln(λη₀/2)/ln(1/d) under exponential decay', () => {
    const decay = theoryOf(parseSpec(decayed))!.decay!;
    expect(decay.tStar).toBeCloseTo(tStar, 10);
    expect(decay.firstStableStep).toBe(Math.ceil(tStar));
    // ∏_{t<14} (4·0.95^t − 1), in double precision.
    let growth = 1;
    for (let t = 0; t < 14; t++) growth *= 4 * 0.95 ** t - 1;
    expect(decay.peakGrowth).toBeCloseTo(growth, 6);
    expect(decay.escapeStep).toBeNull();
  });

  it('gives each grid point its own t*', () => {
    const spec = parseSpec({ lr: '1.5,2,4', decayRate: '0.9,0.95', schedule: 'exponential', decaySteps: 1, steps: 60 });
    // Cell (lr = 4, d = 0.95): λη₀ = 8, t* = ln 4 / ln(1/0.95).
    expect(onsetAt(spec, 5)!.tStar).toBeCloseTo(Math.log(4) / Math.log(1 / 0.95), 10);
    expect(onsetAt(spec, 5)!.firstStableStep).toBe(Math.ceil(Math.log(4) / Math.log(1 / 0.95)));
    // lr = 1.5: λη₀ = 3 < 4 but > 2: t* = ln 1.5 / ln(1/0.9).
    expect(onsetAt(spec, 0)!.tStar).toBeCloseTo(Math.log(1.5) / Math.log(1 / 0.9), 10);
    expect(onsetAt(parseSpec({ lr: '0.5,0.9' }), 0)).toBeUndefined(); // no decay, no onset
  });

  itEngines(gpu, 'the error peaks at the first stable step, ⌈t*⌉', async (engine) => {
    const [trace] = await engine.trace(parseSpec(decayed), [0]);
    const e = Array.from(trace!.w, (w) => Math.abs(w + 1));
    expect(e.indexOf(Math.max(...e))).toBe(Math.ceil(tStar));
  });

  itEngines(gpu, 'the escape boundary on an lr × decay-rate map separates diverged from the rest', async (engine) => {
    const spec = parseSpec({ lr: '0.5:3:40', decayRate: '0.8:0.99:24', schedule: 'exponential', decaySteps: 1, steps: 300, bound: 1e6 });
    const boundary = analyticBoundary(spec)!;
    expect(boundary.formula).toMatch(/escape/);
    const chunks: ChunkResult[] = [];
    for await (const chunk of sweep(spec, engine)) chunks.push(chunk);
    const regime = chunks.flatMap((c) => Array.from(c.regime, (r) => REGIMES[r]!));
    const [lrs, rates] = spec.axes.map((a) => a.values as number[]);
    let checked = 0;
    rates!.forEach((d, j) => {
      const near = boundary.points.filter((p) => Math.abs(p[1] - d) < 1e-3);
      lrs!.forEach((lr, i) => {
        const r = regime[j * lrs!.length + i];
        // No crossing at this decay rate: the whole row is on one side.
        const edge = near.length ? near[0]![0] : undefined;
        if (edge === undefined) return;
        if (lr < 0.98 * edge) expect(r, `lr ${lr}, d ${d}`).not.toBe('diverged');
        else if (lr > 1.02 * edge) expect(r, `lr ${lr}, d ${d}`).toBe('diverged');
        else return;
        checked++;
      });
    });
    expect(checked).toBeGreaterThan(300);
  });
});
