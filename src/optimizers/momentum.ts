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
import { defineOptimizer, type UpdateRule } from './types.js';

const slots = { accum: 'perDimension' } as const;
type Slots = typeof slots;

export const momentum = defineOptimizer({
  name: 'momentum',
  params: () => ['momentum'],
  defaults: { all: { momentum: 0.9 } },
  slots,
  rule: (convention): UpdateRule<Slots> => {
    if (convention === 'keras') {
      return (w, g, lr, { accum }, { momentum: mu }) => {
        for (let i = 0; i < w.length; i++) {
          const m = f32(f32(-g[i]! * lr) + f32(accum[i]! * mu));
          accum[i] = m;
          w[i] = f32(w[i]! + m);
        }
      };
    }
    // PyTorch with dampening 0 rounds the same as TF.
    return (w, g, lr, { accum }, { momentum: mu }) => {
      for (let i = 0; i < w.length; i++) {
        const a = f32(f32(accum[i]! * mu) + g[i]!);
        accum[i] = a;
        w[i] = f32(w[i]! - f32(a * lr));
      }
    };
  },
  wgsl: { source, prefix: 'momentum', args: 'false' },
});

export const nesterov = defineOptimizer({
  name: 'nesterov',
  params: () => ['momentum'],
  defaults: { all: { momentum: 0.9 } },
  slots,
  rule: (convention): UpdateRule<Slots> => {
    if (convention === 'keras') {
      return (w, g, lr, { accum }, { momentum: mu }) => {
        for (let i = 0; i < w.length; i++) {
          const step = f32(-g[i]! * lr);
          const m = f32(step + f32(accum[i]! * mu));
          accum[i] = m;
          w[i] = f32(w[i]! + f32(step + f32(m * mu)));
        }
      };
    }
    if (convention === 'torch') {
      // buf = buf·μ + g; d = g + μ·buf; p -= lr·d
      return (w, g, lr, { accum }, { momentum: mu }) => {
        for (let i = 0; i < w.length; i++) {
          const buf = f32(f32(accum[i]! * mu) + g[i]!);
          accum[i] = buf;
          w[i] = f32(w[i]! - f32(lr * f32(g[i]! + f32(mu * buf))));
        }
      };
    }
    return (w, g, lr, { accum }, { momentum: mu }) => {
      for (let i = 0; i < w.length; i++) {
        const a = f32(f32(accum[i]! * mu) + g[i]!);
        accum[i] = a;
        w[i] = f32(w[i]! - f32(f32(g[i]! * lr) + f32(f32(a * mu) * lr)));
      }
    };
  },
  wgsl: { source, prefix: 'momentum', args: 'true' },
});
