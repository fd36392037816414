/**
 * Learning-rate schedules: TensorFlow 1.x's (`tf.train.*_decay`), evaluated in
 * float32 with every operation rounded in TensorFlow's source order;
 * PyTorch's `lr_scheduler` and the transformers schedules, evaluated in
 * double as Python does and rounded once to float32 (the rate a float32
 * parameter update uses); and optax's warmup-cosine schedule in float32 as
 * JAX computes it.
 *
 * Step convention (TF1): the update at step k (0-based) uses `learningRate(p, k)`;
 * after it, `global_step` is k + 1.
 *
 * The GPU engine never evaluates these formulas itself: WGSL's `pow` and `cos`
 * are far looser than TensorFlow's float32 kernels. The host evaluates them here
 * and uploads the values as a table (see `scheduleTable`), so both engines use
 * bit-identical rates.
 */
import { add, cos, div, exp, f32, mul, PI_F32, pow, powSeries, sqrt, sub } from './float32.js';

export const SCHEDULES = [
  'constant',
  'exponential',
  'inverse_time',
  'natural_exp',
  'polynomial',
  'piecewise_constant',
  'cosine',
  'cosine_restarts',
  'linear_cosine',
  'noisy_linear_cosine',
  'step-lr',
  'multi-step-lr',
  'exponential-lr',
  'cosine-annealing-lr',
  'cosine-annealing-warm-restarts',
  'one-cycle-lr',
  'cyclic-lr',
  'linear-lr',
  'polynomial-lr',
  'warmup-cosine-decay',
  'linear-with-warmup',
  'cosine-with-warmup',
] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

export const ANNEAL_STRATEGIES = ['cos', 'linear'] as const;
export const CYCLIC_MODES = ['triangular', 'triangular2', 'exp_range'] as const;

/** Schedules with a warmup of their own: they read warmupSteps themselves, and no generic warmup goes in front. */
const OWN_WARMUP: ReadonlySet<ScheduleName> = new Set(['warmup-cosine-decay', 'linear-with-warmup', 'cosine-with-warmup']);

export const NATURAL_EXP_FORMS = ['pow', 'exp'] as const;
export type NaturalExpForm = (typeof NATURAL_EXP_FORMS)[number];

/** Everything a schedule can read. Numbers are as the user gave them; rounding to float32 happens here. */
export interface ScheduleParams {
  schedule: ScheduleName;
  lr: number;
  decaySteps: number;
  decayRate: number;
  staircase: boolean;
  endLr: number;
  power: number;
  cycle: boolean;
  alpha: number;
  tMul: number;
  mMul: number;
  numPeriods: number;
  beta: number;
  initialVariance: number;
  varianceDecay: number;
  noiseSeed: number;
  boundaries: readonly number[];
  values: readonly number[];
  naturalExpForm: NaturalExpForm;
  warmupSteps: number;
  etaMin: number;
  tMult: number;
  pctStart: number;
  annealStrategy: (typeof ANNEAL_STRATEGIES)[number];
  divFactor: number;
  finalDivFactor: number;
  threePhase: boolean;
  maxLr: number;
  stepSizeUp: number;
  stepSizeDown: number | undefined;
  cyclicMode: (typeof CYCLIC_MODES)[number];
  cyclicGamma: number;
  startFactor: number;
  endFactor: number;
  totalIters: number;
  initLr: number;
}

/**
 * Schedules whose rate is `lr × factor(step)` in TensorFlow's own op order.
 * For these the factor does not depend on `lr`, so trajectories that differ
 * only in `lr` share one table row and the kernel does the final multiply.
 */
const LR_FACTOR: Record<ScheduleName, boolean> = {
  constant: true,
  exponential: true,
  inverse_time: false,
  natural_exp: true,
  polynomial: false,
  piecewise_constant: false,
  cosine: true,
  cosine_restarts: true,
  linear_cosine: true,
  noisy_linear_cosine: true,
  // PyTorch and transformers: lr × factor in double, rounded once; optax:
  // a warmup that is not of that form. All rates in the table.
  'step-lr': false,
  'multi-step-lr': false,
  'exponential-lr': false,
  'cosine-annealing-lr': false,
  'cosine-annealing-warm-restarts': false,
  'one-cycle-lr': false,
  'cyclic-lr': false,
  'linear-lr': false,
  'polynomial-lr': false,
  'warmup-cosine-decay': false,
  'linear-with-warmup': false,
  'cosine-with-warmup': false,
};

/** Whether `learningRate(p, k) === fl(lr × scheduleFactor(p, k))` for every step. */
export function isLrFactorSchedule(schedule: ScheduleName): boolean {
  return LR_FACTOR[schedule];
}

/** Which parameters each schedule reads (besides `schedule` and `warmupSteps`). */
export const SCHEDULE_PARAMS: Record<ScheduleName, readonly (keyof ScheduleParams)[]> = {
  constant: ['lr'],
  exponential: ['lr', 'decaySteps', 'decayRate', 'staircase'],
  inverse_time: ['lr', 'decaySteps', 'decayRate', 'staircase'],
  natural_exp: ['lr', 'decaySteps', 'decayRate', 'staircase', 'naturalExpForm'],
  polynomial: ['lr', 'decaySteps', 'endLr', 'power', 'cycle'],
  piecewise_constant: ['boundaries', 'values'],
  cosine: ['lr', 'decaySteps', 'alpha'],
  cosine_restarts: ['lr', 'decaySteps', 'tMul', 'mMul', 'alpha'],
  linear_cosine: ['lr', 'decaySteps', 'numPeriods', 'alpha', 'beta'],
  noisy_linear_cosine: [
    'lr',
    'decaySteps',
    'numPeriods',
    'alpha',
    'beta',
    'initialVariance',
    'varianceDecay',
    'noiseSeed',
  ],
  // PyTorch's names in brackets.
  'step-lr': ['lr', 'decaySteps', 'decayRate'], // step_size, gamma
  'multi-step-lr': ['lr', 'boundaries', 'decayRate'], // milestones, gamma
  'exponential-lr': ['lr', 'decayRate'], // gamma
  'cosine-annealing-lr': ['lr', 'decaySteps', 'etaMin'], // T_max, eta_min
  'cosine-annealing-warm-restarts': ['lr', 'decaySteps', 'tMult', 'etaMin'], // T_0, T_mult, eta_min
  'one-cycle-lr': ['lr', 'decaySteps', 'pctStart', 'annealStrategy', 'divFactor', 'finalDivFactor', 'threePhase'], // max_lr, total_steps
  'cyclic-lr': ['lr', 'maxLr', 'stepSizeUp', 'stepSizeDown', 'cyclicMode', 'cyclicGamma'], // base_lr, max_lr, …, mode, gamma
  'linear-lr': ['lr', 'startFactor', 'endFactor', 'totalIters'],
  'polynomial-lr': ['lr', 'totalIters', 'power'],
  // optax warmup_cosine_decay_schedule(init_value, peak_value = lr, warmup_steps, decay_steps, end_value = etaMin)
  'warmup-cosine-decay': ['lr', 'initLr', 'warmupSteps', 'decaySteps', 'etaMin'],
  // transformers get_linear/cosine_schedule_with_warmup(num_warmup_steps, num_training_steps = decaySteps, num_cycles = numPeriods)
  'linear-with-warmup': ['lr', 'warmupSteps', 'decaySteps'],
  'cosine-with-warmup': ['lr', 'warmupSteps', 'decaySteps', 'numPeriods'],
};

/** Whether a schedule brings its own warmup (and reads warmupSteps itself). */
export function hasOwnWarmup(schedule: ScheduleName): boolean {
  return OWN_WARMUP.has(schedule);
}

/** 0.5 * (1 + cos(π·x)) in float32, TF's order. */
function halfCosine(x: number): number {
  return mul(0.5, add(1, cos(mul(PI_F32, x))));
}

/** The restart index of SGDR with geometric periods: the largest i with (tⁱ − 1)/(t − 1) ≤ fraction. */
function restartIndex(fraction: number, tMul: number): number {
  // TF takes floor(log(1 − f(1 − t)) / log(t)) in float32, which lands one
  // period early whenever the ratio rounds just below an integer; count instead.
  let i = 0;
  let periodsEnd = 1; // (t^(i+1) − 1)/(t − 1), accumulated exactly for integer t
  let period = 1;
  while (periodsEnd <= fraction && i < 4096) {
    i += 1;
    period *= tMul;
    periodsEnd += period;
  }
  return i;
}

/** Counter-based standard normal sample for (seed, step): reproducible anywhere. */
export function seededNormal(seed: number, step: number): number {
  const u1 = (hash32(seed, step, 0) + 0.5) / 4294967296;
  const u2 = (hash32(seed, step, 1) + 0.5) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function hash32(seed: number, step: number, lane: number): number {
  // murmur3's finaliser over a mix of the three words: a well-spread 32-bit hash.
  let h = Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(step >>> 0, 0x85ebca77) ^ Math.imul(lane + 1, 0xc2b2ae3d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The factor m(k) of a factor schedule (rate = fl(lr × m)), or the rate itself
 * for the others, at schedule-local step k ≥ 0 (warmup excluded).
 */
function decayFactorOrRate(p: ScheduleParams, k: number): number {
  const step = f32(k);
  const ds = f32(p.decaySteps);
  switch (p.schedule) {
    case 'constant':
      return 1;
    case 'exponential': {
      let e = div(step, ds);
      if (p.staircase) e = Math.floor(e);
      return pow(f32(p.decayRate), e);
    }
    case 'natural_exp': {
      let e = div(step, ds);
      if (p.staircase) e = Math.floor(e);
      const rate = f32(p.decayRate);
      // TF ≤ 1.12: lr·exp(−rate·p); later: lr·pow(exp(−rate), p).
      return p.naturalExpForm === 'exp' ? exp(mul(-rate, e)) : pow(exp(-rate), e);
    }
    case 'inverse_time': {
      let e = div(step, ds);
      if (p.staircase) e = Math.floor(e);
      return div(f32(p.lr), add(1, mul(f32(p.decayRate), e)));
    }
    case 'polynomial': {
      let gs = step;
      let steps = ds;
      if (p.cycle) {
        const multiplier = gs === 0 ? 1 : Math.ceil(div(gs, ds));
        steps = mul(ds, multiplier);
      } else {
        gs = Math.min(gs, ds);
      }
      const frac = div(gs, steps);
      const end = f32(p.endLr);
      return add(mul(sub(f32(p.lr), end), pow(sub(1, frac), f32(p.power))), end);
    }
    case 'piecewise_constant': {
      const { boundaries, values } = p;
      let i = 0;
      while (i < boundaries.length && k > boundaries[i]!) i++;
      return f32(values[i]!);
    }
    case 'cosine': {
      const frac = div(Math.min(step, ds), ds);
      // TF keeps alpha a Python float here: (1 − alpha) is rounded once from double.
      return add(mul(f32(1 - p.alpha), halfCosine(frac)), f32(p.alpha));
    }
    case 'cosine_restarts': {
      let frac = div(step, ds);
      const t = f32(p.tMul);
      let i: number;
      if (t === 1) {
        i = Math.floor(frac);
        frac = sub(frac, i);
      } else {
        i = restartIndex(frac, t);
        const ti = pow(t, i);
        const sumR = div(sub(1, ti), sub(1, t));
        frac = div(sub(frac, sumR), ti);
      }
      const alpha = f32(p.alpha);
      const decayed = mul(mul(0.5, pow(f32(p.mMul), i)), add(1, cos(mul(PI_F32, frac))));
      return add(mul(sub(1, alpha), decayed), alpha);
    }
    case 'linear_cosine':
    case 'noisy_linear_cosine': {
      const gs = Math.min(step, ds);
      let linear = div(sub(ds, gs), ds);
      if (p.schedule === 'noisy_linear_cosine') {
        const variance = div(f32(p.initialVariance), pow(add(1, gs), f32(p.varianceDecay)));
        linear = add(linear, mul(sqrt(variance), f32(seededNormal(p.noiseSeed, k))));
      }
      const fraction = mul(mul(2, f32(p.numPeriods)), div(gs, ds));
      return add(mul(add(f32(p.alpha), linear), halfCosine(fraction)), f32(p.beta));
    }
    default:
      return frameworkRate(p, k);
  }
}

/** ½(1 + cos(π·x)) in double, as Python's math module computes it. */
const halfCosine64 = (x: number) => (1 + Math.cos(Math.PI * x)) / 2;

/**
 * The PyTorch, transformers and optax schedules at step k. PyTorch's closed
 * forms (and transformers' multipliers) are double-precision Python; the
 * update rounds the rate to float32 once. optax runs in float32.
 */
function frameworkRate(p: ScheduleParams, k: number): number {
  const lr = p.lr;
  switch (p.schedule) {
    case 'step-lr':
      return f32(lr * Math.pow(p.decayRate, Math.floor(k / p.decaySteps)));
    case 'multi-step-lr':
      // γ^(bisect_right(sorted(milestones), k)): one factor per milestone ≤ k, repeats included.
      return f32(lr * Math.pow(p.decayRate, p.boundaries.filter((m) => m <= k).length));
    case 'exponential-lr':
      return f32(lr * Math.pow(p.decayRate, k));
    case 'cosine-annealing-lr':
      // No clamp: past T_max the rate rises again, as PyTorch's does.
      return f32(p.etaMin + (lr - p.etaMin) * halfCosine64(k / p.decaySteps));
    case 'cosine-annealing-warm-restarts': {
      // T_cur counts steps into the current period T_i; periods grow by T_mult.
      let tCur = k;
      let tI = p.decaySteps;
      if (p.tMult === 1) tCur = k % tI;
      else {
        while (tCur >= tI) {
          tCur -= tI;
          tI *= p.tMult;
        }
      }
      return f32(p.etaMin + (lr - p.etaMin) * halfCosine64(tCur / tI));
    }
    case 'one-cycle-lr': {
      const total = p.decaySteps;
      const initial = lr / p.divFactor;
      const min = initial / p.finalDivFactor;
      const up = p.pctStart * total - 1;
      const phases: Array<[end: number, from: number, to: number]> = p.threePhase
        ? [
            [up, initial, lr],
            [2 * p.pctStart * total - 2, lr, initial],
            [total - 1, initial, min],
          ]
        : [
            [up, initial, lr],
            [total - 1, lr, min],
          ];
      let start = 0;
      for (let i = 0; i < phases.length; i++) {
        const [end, from, to] = phases[i]!;
        if (k <= end || i === phases.length - 1) {
          const pct = (k - start) / (end - start);
          return f32(p.annealStrategy === 'cos' ? to + ((from - to) / 2) * (Math.cos(Math.PI * pct) + 1) : (to - from) * pct + from);
        }
        start = end;
      }
      return f32(lr); // not reached
    }
    case 'cyclic-lr': {
      const up = p.stepSizeUp;
      const total = up + (p.stepSizeDown ?? up);
      const ratio = up / total;
      const cycle = Math.floor(1 + k / total);
      const x = 1 + k / total - cycle;
      const scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
      const height = (p.maxLr - lr) * scale;
      const amplitude =
        p.cyclicMode === 'triangular' ? 1 : p.cyclicMode === 'triangular2' ? 1 / Math.pow(2, cycle - 1) : Math.pow(p.cyclicGamma, k);
      return f32(lr + height * amplitude);
    }
    case 'linear-lr':
      return f32(lr * (p.startFactor + ((p.endFactor - p.startFactor) * Math.min(p.totalIters, k)) / p.totalIters));
    case 'polynomial-lr':
      return f32(lr * Math.pow(1 - Math.min(p.totalIters, k) / p.totalIters, p.power));
    case 'warmup-cosine-decay': {
      // optax, float32: a linear ramp init → peak, then cosine_decay_schedule on
      // count − warmup over decay_steps − warmup with α = end / peak.
      const w = p.warmupSteps;
      const peak = f32(lr);
      if (k < w) {
        const frac = sub(1, div(f32(k), f32(w)));
        return add(mul(sub(f32(p.initLr), peak), frac), peak);
      }
      const steps = f32(p.decaySteps - w);
      const count = Math.min(f32(k - w), steps);
      const cosine = mul(0.5, add(1, cos(div(mul(PI_F32, count), steps))));
      const alpha = p.etaMin / lr; // a Python float
      return mul(peak, add(mul(f32(1 - alpha), cosine), f32(alpha)));
    }
    case 'linear-with-warmup': {
      const w = p.warmupSteps;
      const m = k < w ? k / Math.max(1, w) : Math.max(0, (p.decaySteps - k) / Math.max(1, p.decaySteps - w));
      return f32(lr * m);
    }
    case 'cosine-with-warmup': {
      const w = p.warmupSteps;
      if (k < w) return f32(lr * (k / Math.max(1, w)));
      const progress = (k - w) / Math.max(1, p.decaySteps - w);
      return f32(lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * p.numPeriods * 2 * progress))));
    }
    default:
      throw new Error(`unknown schedule ${p.schedule}`);
  }
}

/** The rate a linear warmup climbs to: `lr`, or the first piecewise value. */
function warmupTarget(p: ScheduleParams): number {
  return p.schedule === 'piecewise_constant' ? f32(p.values[0] ?? 0) : f32(p.lr);
}

/**
 * What the kernel multiplies `lr` by at step k (factor schedules), or the
 * rate itself (other schedules). Warmup included: during the first
 * `warmupSteps` steps the rate climbs linearly from 0, as Keras 3 does
 * (`target · step / warmup_steps`), and the schedule then starts at its own step 0.
 */
export function scheduleFactor(p: ScheduleParams, step: number): number {
  const w = hasOwnWarmup(p.schedule) ? 0 : p.warmupSteps;
  if (w > 0 && step < w) {
    const frac = div(step, w);
    return isLrFactorSchedule(p.schedule) ? frac : mul(warmupTarget(p), frac);
  }
  return decayFactorOrRate(p, step - w);
}

/**
 * scheduleFactor for the steps [k0, k1), written to out[offset …]. The same
 * values, with a tight loop for the exponential schedule (the common case of
 * large sweeps, whose tables the host builds for every decay rate).
 */
export function fillScheduleFactors(p: ScheduleParams, k0: number, k1: number, out: Float32Array, offset: number): void {
  const w = hasOwnWarmup(p.schedule) ? 0 : p.warmupSteps;
  let k = k0;
  if (p.schedule === 'exponential') {
    for (; k < k1 && k < w; k++) out[offset + k - k0] = scheduleFactor(p, k);
    const rate = f32(p.decayRate);
    const lnRate = Math.log(rate);
    const ds = f32(p.decaySteps);
    if (ds === 1 && k1 - w <= 2 ** 24) {
      // Exponents k − w, whole numbers in a row (exact in float32 up to 2²⁴): a series of powers.
      powSeries(rate, k - w, k1 - k, out, offset + k - k0);
      return;
    }
    for (; k < k1; k++) {
      let e = f32(f32(k - w) / ds);
      if (p.staircase) e = Math.floor(e);
      out[offset + k - k0] = pow(rate, e, lnRate);
    }
    return;
  }
  for (; k < k1; k++) out[offset + k - k0] = scheduleFactor(p, k);
}

/** The learning rate used by the update at 0-based step `step`. */
export function learningRate(p: ScheduleParams, step: number): number {
  const m = scheduleFactor(p, step);
  return isLrFactorSchedule(p.schedule) ? mul(f32(p.lr), m) : m;
}
