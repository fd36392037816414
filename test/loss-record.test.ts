/**
 * The loss record and the trainability criterion (src/trainability.ts): the
 * criterion on hand-made loss sequences, the record on runs whose losses are
 * known in closed form, and GPU ≡ CPU bit for bit with the record on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpu';
import { parseSpec, type SpecInput } from '../src/experiment';
import { classifyChunk } from '../src/classify';
import { trainabilityOf, trainabilityOfLosses } from '../src/trainability';
import { describeGpu, gpuEngine } from './helpers/engines';
import { collect, expectSameStats, field } from './helpers/stats';

const cpu = new CpuEngine();
const gpu4 = await gpuEngine({ lanes: 4 });
const gpu8 = await gpuEngine({ lanes: 8, workgroupSize: 8, fastBlock: 7 });
afterAll(() => [gpu4, gpu8].forEach((e) => e?.dispose()));

describe('the trainability criterion on loss sequences', () => {
  it('scores a falling loss −Σ v and a loss that never falls Σ 1/v', () => {
    // v = 1, 0.5, 0.25: the last (up to 20) average 7/12 < 1.
    expect(trainabilityOfLosses([4, 2, 1])).toEqual({ trainable: true, score: -1.75 });
    // A constant loss averages exactly 1: not trainable (the mean must be below 1); Σ 1/v = 3.
    expect(trainabilityOfLosses([3, 3, 3])).toEqual({ trainable: false, score: 3 });
    // Rising: v = 1, 2, 4; Σ 1/v = 1.75.
    expect(trainabilityOfLosses([1, 2, 4])).toEqual({ trainable: false, score: 1.75 });
  });

  it('looks only at the last 20 losses to decide, and at all of them to score', () => {
    // 30 losses: the first 10 at 10× the start, the last 20 at half: trainable, Σ v = 1 + 9·10 + 20·0.5.
    const losses = [1, ...Array(9).fill(10), ...Array(20).fill(0.5)];
    expect(trainabilityOfLosses(losses)).toEqual({ trainable: true, score: -(1 + 90 + 10) });
    // The 21st from the end does not count: 19 at 0.5 and one at 100 average 5.475.
    const late = [1, ...Array(9).fill(0.5), 100, ...Array(19).fill(0.5)];
    expect(trainabilityOfLosses(late).trainable).toBe(false);
  });

  it('counts a loss that is not finite, or past 10⁶ times the first, as the cap 10⁶', () => {
    const capped = trainabilityOfLosses([2, Infinity, NaN, 4e7]);
    expect(capped.trainable).toBe(false);
    expect(capped.score).toBeCloseTo(1 + 3e-6, 12);
    // A first loss of 0: every ratio is 0/0 or x/0, all at the cap.
    expect(trainabilityOfLosses([0, 0, 1]).score).toBeCloseTo(3e-6, 12);
  });

  it('holds a ratio above 10⁻⁶ so that 1/v stays finite', () => {
    const r = trainabilityOfLosses([1, 0, 5]);
    expect(r).toEqual({ trainable: false, score: 1 + 1 / Math.fround(1e-6) + 0.2 });
  });
});

/** Gradient descent on ½·L·(w − c)² from w₀: v_k = (1 − lr·L)^(2k) exactly, in real numbers. */
function geometric(q: number, steps: number) {
  const v = Array.from({ length: steps }, (_, k) => Math.min(1e6, q ** (2 * k)));
  return { sum: v.reduce((a, b) => a + b, 0), inverse: v.reduce((a, b) => a + 1 / b, 0), tail: v.slice(-20).reduce((a, b) => a + b, 0) / 20 };
}

describe('the loss record', () => {
  // The seed's (w + 1)² from w = 5 is L = 2, c = −1: at lr = 1 it bounces 5, −7, 5, … and its loss never moves.
  const seed: SpecInput = { curvature: 2, minimum: -1, w0: 5, lr: [0.2, 1, 1.1], steps: 60, trainability: true };

  it('follows the closed form on the seed (lr 0.2 trainable, lr 1 exactly on the boundary, lr 1.1 capped)', async () => {
    const [chunk] = await collect(cpu, seed);
    const { trainable, score } = trainabilityOf(chunk!, 60);
    expect(Array.from(trainable)).toEqual([1, 0, 0]);
    const fast = geometric(0.6, 60);
    expect(score[0]).toBeCloseTo(-fast.sum, 4);
    // v = 1 at every step: Σ 1/v = 60, exact in float32.
    expect(score[1]).toBe(60);
    const grow = geometric(1.2, 60);
    expect(grow.tail).toBe(1e6);
    expect(score[2]! / grow.inverse).toBeCloseTo(1, 5);
    expect(field([chunk!], 'lossSum')[2]! / grow.sum).toBeCloseTo(1, 5);
  });

  it('counts every iterate after an escape as the cap', async () => {
    // lr 3 with L = 2: w_k + 1 = 6·(−5)^k, first past 1e6 in magnitude at k = 8 (6·5⁸ ≈ 2.3e6).
    const [chunk] = await collect(cpu, { curvature: 2, minimum: -1, w0: 5, lr: 3, steps: 40, bound: 1e6, trainability: true });
    const escape = chunk!.escapeStep[0]!;
    expect(escape).toBe(8);
    const v = Array.from({ length: escape }, (_, k) => Math.min(1e6, 25 ** k));
    const expected = v.reduce((a, b) => a + 1 / b, 0) + (40 - escape) / 1e6;
    const { trainable, score } = trainabilityOf(chunk!, 40);
    expect(trainable[0]).toBe(0);
    expect(score[0]! / expected).toBeCloseTo(1, 5);
  });

  it('is absent without trainability, and on by default for the network', () => {
    expect(parseSpec({ lr: 0.1 }).base.trainability).toBe(false);
    expect(parseSpec({ objective: 'mlp', width: 2, dataPoints: 3 }).base.trainability).toBe(true);
    expect(parseSpec({ objective: 'mlp', width: 2, dataPoints: 3, trainability: false }).base.trainability).toBe(false);
  });

  it('has the engine sums agree with the criterion applied to the traced losses', async () => {
    const input: SpecInput = { objective: 'mlp', width: 3, dataPoints: 7, inputLr: [0.1, 3, 40], outputLr: 2, steps: 50 };
    const spec = parseSpec(input);
    const [chunk] = await collect(cpu, input);
    const traces = await cpu.trace(spec, [0, 1, 2]);
    const { trainable, score } = trainabilityOf(chunk!, 50);
    traces.forEach((t, i) => {
      const expected = trainabilityOfLosses(t.loss.subarray(0, 50));
      expect(trainable[i] === 1, `run ${i}`).toBe(expected.trainable);
      expect(score[i]! / expected.score, `run ${i}`).toBeCloseTo(1, 4);
    });
  });
});

describe('regimes of the network', () => {
  it('calls a run whose loss falls steadily decreasing, not stalled', async () => {
    const input: SpecInput = { objective: 'mlp', width: 4, dataPoints: 20, inputLr: 0.05, outputLr: 0.05, steps: 200 };
    const spec = parseSpec(input);
    const [chunk] = await collect(cpu, input);
    const [trace] = await cpu.trace(spec, [0]);
    const l = trace!.loss;
    // The loss falls over the last 100 steps (checked here from the trace itself).
    expect(l[199]!).toBeLessThan(l[100]! * 0.95);
    const result = classifyChunk(chunk!, 200, true);
    expect(['converging', 'converged']).toContain(['converged', 'converging', 'oscillating', 'stalled', 'diverged'][result.regime[0]!]);
  });
});

const gpuSpecs: [string, SpecInput][] = [
  ['gd on quadratics, escapes inside fast blocks', { curvature: '0.5:2.5:5', lr: '0.01:1.4:11', w0: 5, steps: 90, trainability: true }],
  ['momentum, 2-D', { curvature: [1, 3], w0: [2, -1], lr: '0.01:0.9:9', momentum: '0:0.95:3', optimizer: 'momentum', steps: 70, trainability: true }],
  ['rosenbrock', { objective: 'rosenbrock', lr: '0.0005:0.004:9', steps: 64, trainability: true }],
  ['a wide quadratic (12 dimensions)', { curvature: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], lr: '0.01:0.25:9', steps: 40, trainability: true }],
  ['the network', { objective: 'mlp', width: 4, dataPoints: 20, inputLr: '0.01:100:5:log', outputLr: '0.01:100:5:log', steps: 45 }],
  ['few steps (windows of one iterate)', { curvature: 2, lr: '0.1:1.2:6', steps: 3, trainability: true }],
];

describeGpu(gpu4)('GPU ≡ CPU with the loss record', () => {
  it.each(gpuSpecs)('%s', async (_, input) => {
    const expected = await collect(cpu, input, { chunkSize: 13 });
    expect(field(expected, 'lossSum').length).toBeGreaterThan(0);
    for (const [engine, options] of [
      [gpu4, { stepsPerDispatch: 17 }],
      [gpu8, { stepsPerDispatch: 8 }],
    ] as const) {
      expectSameStats(await collect(engine!, input, { chunkSize: 13, ...options }), expected);
    }
  });
});

describe('the map of a network judged by its loss', () => {
  it('paints a trained run (no step) at full shade, not wrapped round to the lightest tint', async () => {
    const { MapBuilder } = await import('../src/output/map');
    const input: SpecInput = { objective: 'mlp', width: 3, dataPoints: 7, inputLr: [0.1, 3, 40], outputLr: 2, steps: 50 };
    const spec = parseSpec(input);
    const [stats] = await collect(cpu, input);
    const result = classifyChunk(stats!, 50, true);
    // Every run of this chunk as trained, with no step, as classifyByLoss gives one.
    const trained = { ...result, regime: new Uint8Array(3), regimeStep: new Int32Array(3).fill(-1) };
    const builder = new MapBuilder(spec);
    builder.add(trained);
    expect(Array.from(builder.raster().shade)).toEqual([255, 255, 255]);
  });
});
