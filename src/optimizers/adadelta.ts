/**
 * Adadelta (TF1 ApplyAdadelta, current kernel order; the same for every convention here):
 *   accum = accum·ρ + g²·(1 − ρ)
 *   upd = √(accumUpdate + ε)·(1/√(accum + ε))·g
 *   var -= upd·lr
 *   accumUpdate = accumUpdate·ρ + upd²·(1 − ρ)
 */
import { f32 } from '../float32.js';
import source from '../../shaders/optimizer-adadelta.wgsl?raw';
import { defineOptimizer, type UpdateRule } from './types.js';

const sqrt = (x: number) => f32(Math.sqrt(x));
const slots = { accum: 'perDimension', accumUpdate: 'perDimension' } as const;

export const adadelta = defineOptimizer({
  name: 'adadelta',
  params: () => ['rho', 'epsilon'],
  defaults: { tf: { rho: 0.95, epsilon: 1e-8 }, torch: { rho: 0.9, epsilon: 1e-6 }, keras: { rho: 0.95, epsilon: 1e-7 } },
  slots,
  rule: (): UpdateRule<typeof slots> => (w, g, lr, s, h) => {
    const { rho, cRho: c, epsilon: eps } = h;
    for (let i = 0; i < w.length; i++) {
      const accum = f32(f32(s.accum[i]! * rho) + f32(f32(g[i]! * g[i]!) * c));
      const upd = f32(f32(sqrt(f32(s.accumUpdate[i]! + eps)) * f32(1 / sqrt(f32(accum + eps)))) * g[i]!);
      w[i] = f32(w[i]! - f32(upd * lr));
      s.accum[i] = accum;
      s.accumUpdate[i] = f32(f32(s.accumUpdate[i]! * rho) + f32(f32(upd * upd) * c));
    }
  },
  wgsl: { source, prefix: 'adadelta' },
});
