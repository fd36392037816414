import { describe, expect, it } from 'vitest';
import { f32, ulpDistance } from '../src/float32';
import { fillScheduleFactors, learningRate, scheduleFactor, type ScheduleParams } from '../src/schedules';

// Every expected value below is a test vector from the reference
// (shared/reference/schedules-and-optimizers.md §6: a float32 emulation of
// TensorFlow's op order) or the seed's printed learning rates.
const base: ScheduleParams = {
  schedule: 'constant',
  lr: 0.1,
  decaySteps: 1,
  decayRate: 0.5,
  staircase: false,
  endLr: 1e-4,
  power: 1,
  cycle: false,
  alpha: 0,
  tMul: 2,
  mMul: 1,
  numPeriods: 0.5,
  beta: 0.001,
  initialVariance: 1,
  varianceDecay: 0.55,
  noiseSeed: 0,
  boundaries: [],
  values: [],
  naturalExpForm: 'pow',
  warmupSteps: 0,
};

function expectRates(p: Partial<ScheduleParams>, vectors: Array<[number, number]>) {
  const params = { ...base, ...p };
  for (const [step, expected] of vectors) {
    expect(learningRate(params, step), `step ${step}`).toBe(f32(expected));
  }
}

function expectWithinUlps(p: Partial<ScheduleParams>, vectors: Array<[number, number]>, ulps: number) {
  const params = { ...base, ...p };
  for (const [step, expected] of vectors) {
    expect(ulpDistance(learningRate(params, step), f32(expected)), `step ${step}`).toBeLessThanOrEqual(ulps);
  }
}

describe('TF1 schedules reproduce the reference test vectors exactly', () => {
  it('exponential_decay(0.1, s, 10, 0.5)', () => {
    const p = { schedule: 'exponential', decaySteps: 10, decayRate: 0.5 } as const;
    expectRates(p, [[0, 0.1], [5, 0.07071068], [10, 0.05], [15, 0.03535534], [25, 0.01767767]]);
    expectRates({ ...p, staircase: true }, [[0, 0.1], [5, 0.1], [10, 0.05], [15, 0.05], [25, 0.025]]);
  });

  it('exponential_decay(0.1, s, 100000, 0.96, staircase=True)', () => {
    expectRates({ schedule: 'exponential', decaySteps: 100000, decayRate: 0.96, staircase: true }, [
      [100000, 0.096],
      [250000, 0.09216],
    ]);
  });

  it("the seed's staircase decay 0.1·0.99^k", () => {
    expectRates({ schedule: 'exponential', decaySteps: 1, decayRate: 0.99, staircase: true }, [
      [1, 0.099],
      [2, 0.09801],
      [3, 0.0970299],
      [4, 0.096059605],
      [36, 0.069641344],
      [37, 0.06894493],
      [38, 0.068255484],
      [39, 0.06757293],
      [40, 0.066897206],
    ]);
  });

  it('natural_exp_decay(0.1, s, 1, 0.5), both forms', () => {
    const p = { schedule: 'natural_exp', decaySteps: 1, decayRate: 0.5 } as const;
    expectRates({ ...p, naturalExpForm: 'pow' }, [[1, 0.060653068], [2, 0.036787946], [10, 0.0006737948]]);
    expectRates({ ...p, naturalExpForm: 'exp' }, [[1, 0.060653068]]);
    // The reference's emulation took exp from numpy's SIMD float32 kernel, which is
    // faithful but not correctly rounded: its exp(-1) is 0.36787942 where the
    // correctly rounded value is 0.36787945. lrscope rounds correctly, so these two
    // vectors can differ by the one ulp that exp itself differs by, and no more.
    expectWithinUlps({ ...p, naturalExpForm: 'exp' }, [[2, 0.036787942], [10, 0.00067379465]], 1);
  });

  it('inverse_time_decay(0.1, s, 1, 0.5)', () => {
    expectRates({ schedule: 'inverse_time', decaySteps: 1, decayRate: 0.5 }, [
      [0, 0.1], [1, 0.06666667], [2, 0.05], [3, 0.04],
    ]);
    expectRates({ schedule: 'inverse_time', decaySteps: 2, decayRate: 0.5, staircase: true }, [
      [0, 0.1], [1, 0.1], [2, 0.06666667], [3, 0.06666667],
    ]);
  });

  it('polynomial_decay(0.1, s, 10, 0.01, power=0.5)', () => {
    const p = { schedule: 'polynomial', decaySteps: 10, endLr: 0.01, power: 0.5 } as const;
    expectRates(p, [[0, 0.1], [5, 0.07363961], [10, 0.01], [14, 0.01]]);
    expectRates({ ...p, cycle: true }, [[10, 0.01], [11, 0.07037383], [15, 0.055], [20, 0.01], [21, 0.059295036]]);
  });

  it('piecewise_constant(s, [10, 20], [1.0, 0.5, 0.1])', () => {
    expectRates({ schedule: 'piecewise_constant', boundaries: [10, 20], values: [1, 0.5, 0.1] }, [
      [0, 1], [10, 1], [11, 0.5], [20, 0.5], [21, 0.1],
    ]);
  });

  it('cosine_decay(0.1, s, 10, alpha=0.1)', () => {
    expectRates({ schedule: 'cosine', decaySteps: 10, alpha: 0.1 }, [
      [0, 0.1], [1, 0.09779754], [5, 0.054999996], [9, 0.012202458], [10, 0.010000001], [12, 0.010000001],
    ]);
  });

  it('cosine_decay_restarts(1.0, s, 10, t_mul=2, m_mul=0.5)', () => {
    expectRates({ schedule: 'cosine_restarts', lr: 1, decaySteps: 10, tMul: 2, mMul: 0.5 }, [
      [0, 1], [5, 0.49999997], [9, 0.02447176], [10, 0.5], [20, 0.24999999], [29, 0.0030779094], [30, 0.25], [70, 0.125],
    ]);
    expectRates({ schedule: 'cosine_restarts', lr: 1, decaySteps: 10, tMul: 1, alpha: 0.1 }, [[5, 0.54999995], [10, 1]]);
  });

  it('linear_cosine_decay(0.1, s, 10)', () => {
    expectRates({ schedule: 'linear_cosine', decaySteps: 10 }, [
      [0, 0.1001], [2, 0.072460674], [5, 0.025099998], [10, 0.000100000005], [15, 0.000100000005],
    ]);
    // At s = 8 the reference used numpy's float32 cos, 0.54 ulp off at 4π/5
    // (-0.809017 where the correctly rounded value is -0.80901706). 1 + cos
    // cancels two bits and the later roundings add theirs: 3 ulps of the rate.
    // (Feeding numpy's cos value through the same float32 chain gives the vector exactly.)
    expectWithinUlps({ schedule: 'linear_cosine', decaySteps: 10 }, [[8, 0.0020098302]], 3);
  });
});

describe('warmup and noise', () => {
  it('linear warmup from 0 to lr, then the schedule from its own step 0 (Keras 3 semantics)', () => {
    const p = { ...base, schedule: 'exponential' as const, decaySteps: 1, decayRate: 0.5, warmupSteps: 4, lr: 0.8 };
    // warmup: lr·k/4 for k < 4; then 0.8·0.5^(k−4)
    expect([0, 1, 2, 3, 4, 5, 6].map((k) => learningRate(p, k))).toEqual([0, 0.2, 0.4, 0.6, 0.8, 0.4, 0.2].map(f32));
  });

  it('warmup climbs to the first piecewise rate', () => {
    const p = { ...base, schedule: 'piecewise_constant' as const, boundaries: [2], values: [1, 0.5], warmupSteps: 2 };
    expect([0, 1, 2, 3, 4, 5].map((k) => learningRate(p, k))).toEqual([0, 0.5, 1, 1, 1, 0.5]);
  });

  it('noisy_linear_cosine: seeded, reproducible, and noise of the documented variance', () => {
    const p = { ...base, schedule: 'noisy_linear_cosine' as const, lr: 1, decaySteps: 1e6, initialVariance: 0.01, varianceDecay: 0, beta: 0, alpha: 0, numPeriods: 0 };
    // numPeriods 0 makes the cosine factor exactly 1, and variance_decay 0 keeps the
    // noise standard deviation at √0.01 = 0.1: rate(k) = linear(k) + ε_k.
    const eps: number[] = [];
    for (let k = 0; k < 20000; k++) eps.push(learningRate(p, k) - (1e6 - k) / 1e6);
    const mean = eps.reduce((a, b) => a + b, 0) / eps.length;
    const sd = Math.sqrt(eps.reduce((a, b) => a + (b - mean) ** 2, 0) / (eps.length - 1));
    expect(Math.abs(mean)).toBeLessThan(4 * (0.1 / Math.sqrt(eps.length)));
    expect(sd).toBeGreaterThan(0.097);
    expect(sd).toBeLessThan(0.103);
    expect(learningRate(p, 123)).toBe(learningRate({ ...p }, 123));
    expect(learningRate({ ...p, noiseSeed: 1 }, 123)).not.toBe(learningRate(p, 123));
  });
});

describe('table filling', () => {
  it('fillScheduleFactors writes exactly scheduleFactor, step by step', () => {
    for (const schedule of ['exponential', 'cosine', 'polynomial'] as const) {
      for (const [decayRate, decaySteps, staircase, warmupSteps] of [
        [0.99, 1, false, 0],
        [0.5, 7, true, 3],
        [0.93, 2.5, false, 10],
        [1.01, 13, true, 0],
      ] as const) {
        const p = { ...base, schedule, decayRate, decaySteps, staircase, warmupSteps, endLr: 0.01, power: 2 };
        const out = new Float32Array(300);
        fillScheduleFactors(p, 20, 320, out, 0);
        out.forEach((v, i) => expect(v, `${schedule} step ${20 + i}`).toBe(scheduleFactor(p, 20 + i)));
      }
    }
  });
});
