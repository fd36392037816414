/**
 * Adagrad: accum += g², starting at the initial accumulator.
 *   tf (ApplyAdagrad): var -= g·lr·(1/√accum)   (no ε)
 *   torch:             var -= lr·(g/(√accum + ε))
 *   keras:             var -= lr·g/√(accum + ε)
 */
import { f32 } from '../float32.js';
import source from '../../shaders/optimizer-adagrad.wgsl?raw';
import { defineOptimizer, type UpdateRule } from './types.js';

const sqrt = (x: number) => f32(Math.sqrt(x));
const slots = { accum: 'perDimension' } as const;

export const adagrad = defineOptimizer({
  name: 'adagrad',
  params: (convention) => (convention === 'tf' ? ['initialAccumulator'] : ['initialAccumulator', 'epsilon']),
  defaults: {
    tf: { initialAccumulator: 0.1, epsilon: 0 },
    torch: { initialAccumulator: 0, epsilon: 1e-10 },
    keras: { initialAccumulator: 0.1, epsilon: 1e-7 },
  },
  slots,
  initialize: (s, h) => {
    s.accum.fill(h.initialAccumulator);
  },
  rule: (convention): UpdateRule<typeof slots> => (w, g, lr, s, h) => {
    for (let i = 0; i < w.length; i++) {
      const accum = f32(s.accum[i]! + f32(g[i]! * g[i]!));
      s.accum[i] = accum;
      if (convention === 'tf') w[i] = f32(w[i]! - f32(f32(g[i]! * lr) * f32(1 / sqrt(accum))));
      else if (convention === 'torch') w[i] = f32(w[i]! - f32(lr * f32(g[i]! / f32(sqrt(accum) + h.epsilon))));
      else w[i] = f32(w[i]! - f32(f32(lr * g[i]!) / sqrt(f32(accum + h.epsilon))));
    }
  },
  wgsl: { source, prefix: 'adagrad' },
});
