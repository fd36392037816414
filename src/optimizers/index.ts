/**
 * The optimizers, registered in one table. Each is a module in this folder
 * (its hyperparameters, defaults per convention, state and float32 update
 * rule) beside its WGSL twin in shaders/optimizer-*.wgsl. The default
 * convention is TensorFlow 1's kernels, operation by operation
 * (tensorflow/core/kernels/training_ops.cc); `torch` and `keras` switch to
 * PyTorch's and Keras 3's forms where they differ numerically.
 *
 * A new optimizer: a module like ./adam.ts, a WGSL file like
 * shaders/optimizer-adam.wgsl, and one line in OPTIMIZER_TABLE.
 */
import { f32 } from '../float32.js';
import { adadelta } from './adadelta.js';
import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { gd } from './gd.js';
import { momentum, nesterov } from './momentum.js';
import { rmsprop } from './rmsprop.js';
import type { Convention, HyperKey, HyperValues, Optimizer, OptimizerHyper, SlotValues, UpdateRule } from './types.js';

export const OPTIMIZER_TABLE = { gd, momentum, nesterov, adam, rmsprop, adagrad, adadelta } as const satisfies Record<string, Optimizer>;

export type OptimizerName = keyof typeof OPTIMIZER_TABLE;
export const OPTIMIZERS = Object.keys(OPTIMIZER_TABLE) as OptimizerName[];

export function optimizer(name: OptimizerName): Optimizer {
  return OPTIMIZER_TABLE[name];
}

/**
 * 1 − β as the frameworks round it: TF subtracts in float32 from the float32
 * β; PyTorch and Keras subtract in double from the value as written, then
 * round once. For β = 0.9 they differ in the last bit.
 */
export function complement(beta: number, convention: Convention): number {
  return convention === 'tf' ? f32(1 - f32(beta)) : f32(1 - beta);
}

/** Rounds the given values for the update rules and adds the complements. */
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

/** The hyperparameters an optimizer reads in a convention (TF1's Adagrad has no ε). */
export function optimizerParams(name: OptimizerName, convention: Convention): readonly HyperKey[] {
  return optimizer(name).params(convention);
}

const ZERO: HyperValues = { momentum: 0, beta1: 0, beta2: 0, epsilon: 0, rho: 0, centered: 0, initialAccumulator: 0 };

/** Defaults that depend on the optimizer and convention (the frameworks' own). */
export function optimizerDefaults(name: OptimizerName, convention: Convention): HyperValues {
  const { defaults } = optimizer(name);
  return { ...ZERO, ...defaults.all, ...defaults[convention] };
}

/** Words of state an optimizer keeps per trajectory. */
export function slotCount(name: OptimizerName, dims: number): number {
  return Object.values(optimizer(name).slots).reduce((n, kind) => n + (kind === 'perDimension' ? dims : 1), 0);
}

/** The state before the first step (TF's RMSProp starts its mean square at 1, Adagrad at the initial accumulator). */
export function initialSlots(name: OptimizerName, convention: Convention, dims: number, hyper: OptimizerHyper): SlotValues {
  const o = optimizer(name);
  const slots: SlotValues = {};
  for (const [slot, kind] of Object.entries(o.slots)) slots[slot] = kind === 'perDimension' ? new Float64Array(dims) : 0;
  o.initialize?.(slots, hyper, convention);
  return slots;
}

/** The float32 update rule of an optimizer in a convention. */
export function updateRule(name: OptimizerName, convention: Convention): UpdateRule {
  return optimizer(name).rule(convention);
}

export * from './types.js';
