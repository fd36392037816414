/**
 * Heavy-ball momentum and Nesterov (TF1 ApplyMomentum), and their PyTorch
 * and Keras 3 forms. The accumulator starts at 0; Nesterov uses the new one.
 *   tf, torch:  accum = accum·μ + g;  var -= accum·lr
 *   keras:      m = −g·lr + m·μ;      var += m   (lr inside the velocity)
 * Nesterov:
 *   tf:    var -= g·lr + accum·μ·lr
 *   torch: var -= lr·(g + μ·accum)
 *   keras: var += −g·lr + m·μ
 */
import { f32 } from '../float32.js';
import source from '../../shaders/optimizer-momentum.wgsl?raw';
import { defineOptimizer, type Convention, type UpdateRule } from './types.js';

const slots = { accum: 'perDimension' } as const;
type Slots = typeof slots;

function rule(convention: Convention, nesterov: boolean): UpdateRule<Slots> {
  if (convention === 'keras') {
    return (w, g, lr, { accum }, { momentum: mu }) => {
      for (let i = 0; i < w.length; i++) {
        const step = f32(-g[i]! * lr);
        const m = f32(step + f32(accum[i]! * mu));
        accum[i] = m;
        w[i] = f32(w[i]! + (nesterov ? f32(step + f32(m * mu)) : m));
      }
    };
  }
  // PyTorch with dampening 0 rounds the same as TF: accum = accum·μ + g.
  const descent =
    !nesterov
      ? (w: number, _g: number, lr: number, a: number) => f32(w - f32(a * lr))
      : convention === 'torch'
        ? (w: number, g: number, lr: number, a: number, mu: number) => f32(w - f32(lr * f32(g + f32(mu * a))))
        : (w: number, g: number, lr: number, a: number, mu: number) => f32(w - f32(f32(g * lr) + f32(f32(a * mu) * lr)));
  return (w, g, lr, { accum }, { momentum: mu }) => {
    for (let i = 0; i < w.length; i++) {
      const a = f32(f32(accum[i]! * mu) + g[i]!);
      accum[i] = a;
      w[i] = descent(w[i]!, g[i]!, lr, a, mu);
    }
  };
}

/** Momentum or Nesterov: the same state and hyperparameter, one WGSL function with a flag. */
function momentumOptimizer(nesterov: boolean) {
  return defineOptimizer({
    name: nesterov ? 'nesterov' : 'momentum',
    params: () => ['momentum'],
    defaults: { all: { momentum: 0.9 } },
    slots,
    rule: (convention) => rule(convention, nesterov),
    wgsl: { source, prefix: 'momentum', args: String(nesterov) },
  });
}

export const momentum = momentumOptimizer(false);
export const nesterov = momentumOptimizer(true);
