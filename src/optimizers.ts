/**
 * Optimizer update rules in float32. The default convention is TensorFlow 1's
 * kernels, operation by operation (tensorflow/core/kernels/training_ops.cc):
 * slot initial values, where ε sits, β-powers as running float32 products.
 * `torch` and `keras` switch to PyTorch's and Keras 3's forms where they
 * differ numerically. The WGSL twins are shaders/optimizer-*.wgsl; both
 * round every operation in the same order.
 */
import { f32 } from './float32.js';

export const OPTIMIZERS = ['gd', 'momentum', 'nesterov', 'adam', 'rmsprop', 'adagrad', 'adadelta'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const CONVENTIONS = ['tf', 'torch', 'keras'] as const;
export type Convention = (typeof CONVENTIONS)[number];

/** Every optimizer hyperparameter as given (`centered` is 0 or 1). */
export interface HyperValues {
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly rho: number;
  readonly centered: number;
  readonly initialAccumulator: number;
}

export type HyperKey = keyof HyperValues;

export const HYPER_KEYS: readonly HyperKey[] = ['momentum', 'beta1', 'beta2', 'epsilon', 'rho', 'centered', 'initialAccumulator'];

/**
 * The hyperparameters as the kernels read them: float32 values, plus the
 * complements 1 − β₁, 1 − β₂, 1 − ρ rounded as each framework rounds them
 * (see `complement`).
 */
export interface OptimizerHyper extends HyperValues {
  readonly c1: number;
  readonly c2: number;
  readonly cRho: number;
}

/**
 * 1 − β as the frameworks round it: TF subtracts in float32 from the float32
 * β; PyTorch and Keras subtract in double from the value as written, then
 * round once. For β = 0.9 they differ in the last bit.
 */
export function complement(beta: number, convention: Convention): number {
  return convention === 'tf' ? f32(1 - f32(beta)) : f32(1 - beta);
}

/** Rounds the given values for the kernels and adds the complements. */
export function optimizerHyper(values: HyperValues, convention: Convention): OptimizerHyper {
  return {
    momentum: f32(values.momentum),
    beta1: f32(values.beta1),
    beta2: f32(values.beta2),
    epsilon: f32(values.epsilon),
    rho: f32(values.rho),
    centered: values.centered ? 1 : 0,
    initialAccumulator: f32(values.initialAccumulator),
    c1: complement(values.beta1, convention),
    c2: complement(values.beta2, convention),
    cRho: complement(values.rho, convention),
  };
}

/** Parameters each optimizer reads, per convention (TF1's Adagrad has no ε). */
export function optimizerParams(optimizer: OptimizerName, convention: Convention): readonly HyperKey[] {
  switch (optimizer) {
    case 'gd':
      return [];
    case 'momentum':
    case 'nesterov':
      return ['momentum'];
    case 'adam':
      return ['beta1', 'beta2', 'epsilon'];
    case 'rmsprop':
      return ['rho', 'momentum', 'epsilon', 'centered'];
    case 'adagrad':
      return convention === 'tf' ? ['initialAccumulator'] : ['initialAccumulator', 'epsilon'];
    case 'adadelta':
      return ['rho', 'epsilon'];
  }
}

/** Defaults that depend on the optimizer and convention (the frameworks' own). */
export function optimizerDefaults(optimizer: OptimizerName, convention: Convention): HyperValues {
  const table: Record<OptimizerName, Partial<Record<Convention, Partial<HyperValues>>> & { all?: Partial<HyperValues> }> = {
    gd: {},
    momentum: { all: { momentum: 0.9 } },
    nesterov: { all: { momentum: 0.9 } },
    adam: { all: { beta1: 0.9, beta2: 0.999 }, tf: { epsilon: 1e-8 }, torch: { epsilon: 1e-8 }, keras: { epsilon: 1e-7 } },
    rmsprop: {
      all: { momentum: 0, centered: 0 },
      tf: { rho: 0.9, epsilon: 1e-10 },
      torch: { rho: 0.99, epsilon: 1e-8 },
      keras: { rho: 0.9, epsilon: 1e-7 },
    },
    adagrad: {
      tf: { initialAccumulator: 0.1, epsilon: 0 },
      torch: { initialAccumulator: 0, epsilon: 1e-10 },
      keras: { initialAccumulator: 0.1, epsilon: 1e-7 },
    },
    adadelta: { tf: { rho: 0.95, epsilon: 1e-8 }, torch: { rho: 0.9, epsilon: 1e-6 }, keras: { rho: 0.95, epsilon: 1e-7 } },
  };
  const zero: HyperValues = { momentum: 0, beta1: 0, beta2: 0, epsilon: 0, rho: 0, centered: 0, initialAccumulator: 0 };
  return { ...zero, ...table[optimizer].all, ...table[optimizer][convention] };
}

/**
 * Optimizer state per trajectory: `perDimension` values per dimension, then
 * `scalars` values for the trajectory (Adam's β-powers).
 */
export function optimizerSlots(optimizer: OptimizerName): { perDimension: number; scalars: number } {
  switch (optimizer) {
    case 'gd':
      return { perDimension: 0, scalars: 0 };
    case 'momentum':
    case 'nesterov':
    case 'adagrad':
      return { perDimension: 1, scalars: 0 };
    case 'adam':
      return { perDimension: 2, scalars: 2 };
    case 'rmsprop':
      return { perDimension: 3, scalars: 0 };
    case 'adadelta':
      return { perDimension: 2, scalars: 0 };
  }
}

/** Slot words per trajectory. */
export function slotCount(optimizer: OptimizerName, dims: number): number {
  const { perDimension, scalars } = optimizerSlots(optimizer);
  return perDimension * dims + scalars;
}

/** The state before the first step (TF's RMSProp starts its mean square at 1, Adagrad at the initial accumulator). */
export function initialSlots(optimizer: OptimizerName, convention: Convention, dims: number, hyper: OptimizerHyper): Float64Array {
  const slots = new Float64Array(slotCount(optimizer, dims));
  if (optimizer === 'rmsprop' && convention === 'tf') slots.fill(1, 0, dims);
  if (optimizer === 'adagrad') slots.fill(hyper.initialAccumulator);
  if (optimizer === 'adam') {
    // TF and Keras: the running powers β₁ᵗ, β₂ᵗ, at t = 1. PyTorch: the bias
    // corrections 1 − βᵗ themselves (see the adam rule).
    slots[2 * dims] = convention === 'torch' ? hyper.c1 : hyper.beta1;
    slots[2 * dims + 1] = convention === 'torch' ? hyper.c2 : hyper.beta2;
  }
  return slots;
}

/**
 * One update of every dimension, in place: `w` the parameters, `g` the
 * gradient, `lr` the step's rate, `slots` the optimizer state. All values are
 * float32 numbers; every operation rounds once.
 */
export type UpdateRule = (w: Float64Array, g: Float64Array, lr: number, slots: Float64Array, h: OptimizerHyper) => void;

const sqrt = (x: number) => f32(Math.sqrt(x));

export function updateRule(optimizer: OptimizerName, convention: Convention): UpdateRule {
  switch (optimizer) {
    case 'gd':
      // ApplyGradientDescent: var -= grad * lr
      return (w, g, lr) => {
        for (let i = 0; i < w.length; i++) w[i] = f32(w[i]! - f32(g[i]! * lr));
      };
    case 'momentum':
      if (convention === 'keras') {
        // Keras 3 SGD: m = −g·lr + m·μ; var += m (lr inside the velocity)
        return (w, g, lr, slots, { momentum }) => {
          for (let i = 0; i < w.length; i++) {
            const m = f32(f32(-g[i]! * lr) + f32(slots[i]! * momentum));
            slots[i] = m;
            w[i] = f32(w[i]! + m);
          }
        };
      }
      // ApplyMomentum (PyTorch with dampening 0 rounds the same): accum = accum·μ + g; var -= accum·lr
      return (w, g, lr, slots, { momentum }) => {
        for (let i = 0; i < w.length; i++) {
          const accum = f32(f32(slots[i]! * momentum) + g[i]!);
          slots[i] = accum;
          w[i] = f32(w[i]! - f32(accum * lr));
        }
      };
    case 'nesterov':
      if (convention === 'keras') {
        // Keras 3 SGD(nesterov): m = −g·lr + m·μ; var += −g·lr + m·μ
        return (w, g, lr, slots, { momentum }) => {
          for (let i = 0; i < w.length; i++) {
            const step = f32(-g[i]! * lr);
            const m = f32(step + f32(slots[i]! * momentum));
            slots[i] = m;
            w[i] = f32(w[i]! + f32(step + f32(m * momentum)));
          }
        };
      }
      if (convention === 'torch') {
        // PyTorch SGD(nesterov): buf = buf·μ + g; d = g + μ·buf; p -= lr·d
        return (w, g, lr, slots, { momentum }) => {
          for (let i = 0; i < w.length; i++) {
            const buf = f32(f32(slots[i]! * momentum) + g[i]!);
            slots[i] = buf;
            w[i] = f32(w[i]! - f32(lr * f32(g[i]! + f32(momentum * buf))));
          }
        };
      }
      // ApplyMomentum with use_nesterov: var -= grad·lr + accum·μ·lr (the new accum)
      return (w, g, lr, slots, { momentum }) => {
        for (let i = 0; i < w.length; i++) {
          const accum = f32(f32(slots[i]! * momentum) + g[i]!);
          slots[i] = accum;
          w[i] = f32(w[i]! - f32(f32(g[i]! * lr) + f32(f32(accum * momentum) * lr)));
        }
      };
    case 'adam':
      return (w, g, lr, slots, h) => {
        const n = w.length;
        const { c1, c2 } = h;
        if (convention === 'torch') {
          // PyTorch: ε after the bias correction; step = lr/(1 − β₁ᵗ); denom = √v/√(1 − β₂ᵗ) + ε.
          // PyTorch forms 1 − βᵗ in double; float32 powers of float32(β) lose most digits
          // to cancellation (β₂ = 0.999), so the corrections qᵗ = 1 − βᵗ are tracked
          // directly: q¹ = 1 − β, qᵗ⁺¹ = qᵗ·β + (1 − β), which has no cancellation.
          const q1 = slots[2 * n]!;
          const q2 = slots[2 * n + 1]!;
          const step = f32(lr / q1);
          const bc2 = sqrt(q2);
          for (let i = 0; i < n; i++) {
            const m = f32(slots[i]! + f32(c1 * f32(g[i]! - slots[i]!)));
            const v = f32(f32(slots[n + i]! * h.beta2) + f32(c2 * f32(g[i]! * g[i]!)));
            slots[i] = m;
            slots[n + i] = v;
            w[i] = f32(w[i]! - f32(step * f32(m / f32(f32(sqrt(v) / bc2) + h.epsilon))));
          }
          slots[2 * n] = f32(f32(q1 * h.beta1) + c1);
          slots[2 * n + 1] = f32(f32(q2 * h.beta2) + c2);
          return;
        }
        // ApplyAdam (Keras 3 the same form): α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ); ε added to √v (TF's ε̂)
        const b1p = slots[2 * n]!;
        const b2p = slots[2 * n + 1]!;
        const alpha = f32(f32(lr * sqrt(f32(1 - b2p))) / f32(1 - b1p));
        for (let i = 0; i < n; i++) {
          const m = f32(slots[i]! + f32(f32(g[i]! - slots[i]!) * c1));
          const v = f32(slots[n + i]! + f32(f32(f32(g[i]! * g[i]!) - slots[n + i]!) * c2));
          slots[i] = m;
          slots[n + i] = v;
          w[i] = f32(w[i]! - f32(f32(m * alpha) / f32(sqrt(v) + h.epsilon)));
        }
        slots[2 * n] = f32(b1p * h.beta1);
        slots[2 * n + 1] = f32(b2p * h.beta2);
      };
    case 'rmsprop':
      return (w, g, lr, slots, h) => {
        const n = w.length;
        const { rho, cRho: c, momentum: mu, epsilon: eps } = h;
        for (let i = 0; i < n; i++) {
          const gi = g[i]!;
          let ms: number;
          let mg = slots[2 * n + i]!;
          if (convention === 'tf') {
            ms = f32(slots[i]! + f32(f32(f32(gi * gi) - slots[i]!) * c));
            if (h.centered) mg = f32(mg + f32(f32(gi - mg) * c));
          } else {
            ms = f32(f32(rho * slots[i]!) + f32(c * f32(gi * gi)));
            if (h.centered) mg = f32(f32(rho * mg) + f32(c * gi));
          }
          const centered = h.centered ? f32(ms - f32(mg * mg)) : ms;
          let step: number;
          if (convention === 'torch') {
            // PyTorch: ε outside the square root
            const avg = f32(sqrt(centered) + eps);
            step = f32(gi / avg);
            const buf = f32(f32(slots[n + i]! * mu) + step);
            slots[n + i] = buf;
            w[i] = f32(w[i]! - f32(lr * (mu > 0 ? buf : step)));
          } else {
            // TF (and Keras 3): ε inside; mom = mom·μ + g·lr/√(ms + ε); var -= mom
            const increment = f32(f32(gi * lr) / sqrt(f32(centered + eps)));
            const mom = f32(f32(slots[n + i]! * mu) + increment);
            slots[n + i] = mom;
            w[i] = f32(w[i]! - mom);
          }
          slots[i] = ms;
          slots[2 * n + i] = mg;
        }
      };
    case 'adagrad':
      return (w, g, lr, slots, h) => {
        const eps = h.epsilon;
        for (let i = 0; i < w.length; i++) {
          const accum = f32(slots[i]! + f32(g[i]! * g[i]!));
          slots[i] = accum;
          if (convention === 'tf') {
            // ApplyAdagrad: var -= grad·lr·rsqrt(accum)
            w[i] = f32(w[i]! - f32(f32(g[i]! * lr) * f32(1 / sqrt(accum))));
          } else if (convention === 'torch') {
            // PyTorch: p -= lr·g/(√sum + ε)
            w[i] = f32(w[i]! - f32(lr * f32(g[i]! / f32(sqrt(accum) + eps))));
          } else {
            // Keras 3: var -= lr·g/√(accum + ε)
            w[i] = f32(w[i]! - f32(f32(lr * g[i]!) / sqrt(f32(accum + eps))));
          }
        }
      };
    case 'adadelta':
      // ApplyAdadelta (current kernel order; the same for every convention here):
      // accum = accum·ρ + g²·(1−ρ); upd = √(accum_upd + ε)·rsqrt(accum + ε)·g;
      // var -= upd·lr; accum_upd = accum_upd·ρ + upd²·(1−ρ)
      return (w, g, lr, slots, h) => {
        const n = w.length;
        const { rho, cRho: c, epsilon: eps } = h;
        for (let i = 0; i < n; i++) {
          const accum = f32(f32(slots[i]! * rho) + f32(f32(g[i]! * g[i]!) * c));
          const upd = f32(f32(sqrt(f32(slots[n + i]! + eps)) * f32(1 / sqrt(f32(accum + eps)))) * g[i]!);
          w[i] = f32(w[i]! - f32(upd * lr));
          slots[i] = accum;
          slots[n + i] = f32(f32(slots[n + i]! * rho) + f32(f32(upd * upd) * c));
        }
      };
  }
}
