/**
 * Optimizer update rules in float32, TensorFlow 1's kernels operation by
 * operation (tensorflow/core/kernels/training_ops.cc). The WGSL twins are in
 * shaders/optimizer-*.wgsl; both round every operation in the same order.
 */
import { f32 } from './float32.js';

export const OPTIMIZERS = ['gd', 'momentum', 'nesterov'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Parameters each optimizer reads, and how many state values it keeps per dimension. */
export const OPTIMIZER_PARAMS: Record<OptimizerName, readonly string[]> = {
  gd: [],
  momentum: ['momentum'],
  nesterov: ['momentum'],
};

export const OPTIMIZER_SLOTS: Record<OptimizerName, number> = {
  gd: 0,
  momentum: 1,
  nesterov: 1,
};

export interface OptimizerHyper {
  /** float32 momentum coefficient μ. */
  readonly momentum: number;
}

/**
 * One update of every dimension, in place: `w` the parameters, `g` the
 * gradient, `lr` the step's rate, `slots` the optimizer state (`dims` values
 * per slot). All values are float32 numbers.
 */
export type UpdateRule = (w: Float64Array, g: Float64Array, lr: number, slots: Float64Array, hyper: OptimizerHyper) => void;

export const UPDATE_RULES: Record<OptimizerName, UpdateRule> = {
  // ApplyGradientDescent: var -= grad * lr
  gd: (w, g, lr) => {
    for (let i = 0; i < w.length; i++) w[i] = f32(w[i]! - f32(g[i]! * lr));
  },
  // ApplyMomentum: accum = accum * momentum + grad; var -= accum * lr
  momentum: (w, g, lr, slots, { momentum }) => {
    for (let i = 0; i < w.length; i++) {
      const accum = f32(f32(slots[i]! * momentum) + g[i]!);
      slots[i] = accum;
      w[i] = f32(w[i]! - f32(accum * lr));
    }
  },
  // ApplyMomentum with use_nesterov: var -= grad * lr + accum * momentum * lr (with the new accum)
  nesterov: (w, g, lr, slots, { momentum }) => {
    for (let i = 0; i < w.length; i++) {
      const accum = f32(f32(slots[i]! * momentum) + g[i]!);
      slots[i] = accum;
      w[i] = f32(w[i]! - f32(f32(g[i]! * lr) + f32(f32(accum * momentum) * lr)));
    }
  },
};
