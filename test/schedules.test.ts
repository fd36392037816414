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
  etaMin: 0,
  tMult: 1,
  pctStart: 0.3,
  annealStrategy: 'cos',
  divFactor: 25,
  finalDivFactor: 1e4,
  threePhase: false,
  maxLr: 0.1,
  stepSizeUp: 2000,
  stepSizeDown: undefined,
  cyclicMode: 'triangular',
  cyclicGamma: 1,
  startFactor: 1 / 3,
  endFactor: 1,
  totalIters: 5,
  initLr: 0,
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

/**
 * PyTorch's vectors (§6) are double-precision runs printed to 8 significant
 * digits; lrscope rounds the double rate to float32 once, so it is within
 * one float32 ulp of each printed value.
 */
function expectNear(p: Partial<ScheduleParams>, vectors: Array<[number, number]>) {
  const params = { ...base, ...p };
  for (const [step, expected] of vectors) {
    const got = learningRate(params, step);
    expect(ulpDistance(got, f32(expected)), `step ${step}: ${got} vs ${expected}`).toBeLessThanOrEqual(1);
  }
}

describe('PyTorch lr_scheduler (reference §6, double precision)', () => {
  it('step-lr: StepLR(0.05, step_size 3, gamma 0.1)', () => {
    expectNear({ schedule: 'step-lr', lr: 0.05, decaySteps: 3, decayRate: 0.1 }, [
      [0, 0.05], [2, 0.05], [3, 0.005], [5, 0.005], [6, 0.0005],
    ]);
  });
  it('cosine-annealing-lr: CosineAnnealingLR(T_max 10), rising again past T_max', () => {
    expectNear({ schedule: 'cosine-annealing-lr', lr: 1, decaySteps: 10 }, [
      [0, 1], [1, 0.97552826], [2, 0.9045085], [3, 0.79389263], [4, 0.6545085], [5, 0.5], [11, 0.02447174],
    ]);
  });
  it('cosine-annealing-warm-restarts: T_0 10, T_mult 2', () => {
    expectNear({ schedule: 'cosine-annealing-warm-restarts', lr: 1, decaySteps: 10, tMult: 2 }, [
      [5, 0.5], [10, 1], [20, 0.5], [29, 0.00615583], [30, 1],
    ]);
  });
  it('one-cycle-lr: OneCycleLR(max 1, total 10), cos', () => {
    const expected = [0.04, 0.52, 1.0, 0.95048463, 0.81174565, 0.61126202, 0.38874198, 0.18825835, 0.04951937, 4e-6];
    expectNear({ schedule: 'one-cycle-lr', lr: 1, decaySteps: 10 }, expected.map((v, k) => [k, v]));
  });
  it('cyclic-lr: CyclicLR(0.01, 0.1, step_size_up 10)', () => {
    expectNear({ schedule: 'cyclic-lr', lr: 0.01, maxLr: 0.1, stepSizeUp: 10 }, [
      [0, 0.01], [5, 0.055], [10, 0.1], [15, 0.055], [20, 0.01],
    ]);
  });
});

describe('PyTorch and transformers schedules without reference vectors: closed forms', () => {
  // Values worked by hand from the documented formulas (reference §3, §4).
  it('multi-step-lr: ×γ at each milestone, repeated milestones counting twice', () => {
    expectNear({ schedule: 'multi-step-lr', lr: 1, boundaries: [2, 4, 4], decayRate: 0.5 }, [
      [0, 1], [1, 1], [2, 0.5], [3, 0.5], [4, 0.125], [9, 0.125],
    ]);
  });
  it('exponential-lr: lr·γ^k', () => {
    expectNear({ schedule: 'exponential-lr', lr: 1, decayRate: 0.5 }, [[0, 1], [1, 0.5], [3, 0.125], [10, 1 / 1024]]);
  });
  it('linear-lr: start factor 1/3 to 1 over 5 steps, then flat', () => {
    expectNear({ schedule: 'linear-lr', lr: 0.3 }, [[0, 0.1], [1, 0.14], [4, 0.26], [5, 0.3], [50, 0.3]]);
  });
  it('polynomial-lr: (1 − k/5)^2', () => {
    expectNear({ schedule: 'polynomial-lr', lr: 1, power: 2 }, [[0, 1], [1, 0.64], [4, 0.04], [5, 0], [9, 0]]);
  });
  it('one-cycle-lr, linear and three-phase', () => {
    // Linear: 0.04 → 1 over steps 0…2, then 1 → 4e-6 over 2…9.
    expectNear({ schedule: 'one-cycle-lr', lr: 1, decaySteps: 10, annealStrategy: 'linear' }, [[1, 0.52], [2, 1], [9, 4e-6]]);
    // Three phases: up to step 2, down to 0.04 at step 4, then to 4e-6 at 9.
    expectNear({ schedule: 'one-cycle-lr', lr: 1, decaySteps: 10, threePhase: true }, [[2, 1], [3, 0.52], [4, 0.04], [9, 4e-6]]);
  });
  it('cyclic-lr triangular2 halves the amplitude each cycle; exp_range scales it by γ^k', () => {
    expectNear({ schedule: 'cyclic-lr', lr: 0, maxLr: 1, stepSizeUp: 10, cyclicMode: 'triangular2' }, [[10, 1], [30, 0.5], [50, 0.25]]);
    expectNear({ schedule: 'cyclic-lr', lr: 0, maxLr: 1, stepSizeUp: 2, cyclicMode: 'exp_range', cyclicGamma: 0.5 }, [[2, 0.25], [6, 1 / 64]]);
  });
  it('linear-with-warmup: k/W, then down to 0 at decay-steps', () => {
    expectNear({ schedule: 'linear-with-warmup', lr: 1, warmupSteps: 4, decaySteps: 12 }, [[0, 0], [2, 0.5], [4, 1], [8, 0.5], [12, 0], [20, 0]]);
  });
  it('cosine-with-warmup: k/W, then half a cosine to 0', () => {
    expectNear({ schedule: 'cosine-with-warmup', lr: 1, warmupSteps: 4, decaySteps: 12 }, [[2, 0.5], [4, 1], [8, 0.5], [12, 0]]);
  });
});

describe('optax warmup_cosine_decay_schedule (reference §6)', () => {
  it('init 0, peak 1, warmup 10, decay 110, end 0.1', () => {
    // lrscope follows JAX's float32 op order. The reference's values are
    // double-precision ones: 0.86819805 at c = 35 is 0.8681980515…, where float32
    // ops give 0.8681981; at c = 60, cos(float32(π)/2) = −4.4e-8 gives
    // 0.54999995. Each is one float32 ulp from the double value, as numpy
    // float32 gives with the same order.
    const p = { schedule: 'warmup-cosine-decay' as const, lr: 1, initLr: 0, warmupSteps: 10, decaySteps: 110, etaMin: 0.1 };
    expectNear(p, [[0, 0], [5, 0.5], [10, 1], [35, 0.86819805], [60, 0.55], [110, 0.1], [200, 0.1]]);
    expectRates(p, [[0, 0], [5, 0.5], [10, 1], [110, 0.1], [200, 0.1]]);
  });
  it('its warmup is its own: no second warmup in front', () => {
    const p = { ...base, schedule: 'warmup-cosine-decay' as const, lr: 1, warmupSteps: 10, decaySteps: 110 };
    expect(learningRate(p, 10)).toBe(1);
  });
});
