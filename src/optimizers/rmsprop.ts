/**
 * RMSProp. ms is the mean square (TF starts it at 1), mom the momentum
 * buffer, mg the mean gradient (centered only; it stays 0 otherwise).
 *   tf:           ms += (g² − ms)·(1 − ρ);  mg += (g − mg)·(1 − ρ)
 *   torch, keras: ms = ρ·ms + (1 − ρ)·g²;   mg = ρ·mg + (1 − ρ)·g
 *   d = ms, or ms − mg² when centered
 *   tf, keras: mom = mom·μ + g·lr/√(d + ε);  var -= mom   (ε inside the root)
 *   torch:     s = g/(√d + ε);  mom = mom·μ + s;  var -= lr·(μ > 0 ? mom : s)
 */
import { f32 } from '../float32.js';
import source from '../../shaders/optimizer-rmsprop.wgsl?raw';
import { defineOptimizer, type UpdateRule } from './types.js';

const sqrt = (x: number) => f32(Math.sqrt(x));
const slots = { ms: 'perDimension', mom: 'perDimension', mg: 'perDimension' } as const;

export const rmsprop = defineOptimizer({
  name: 'rmsprop',
  params: () => ['rho', 'momentum', 'epsilon', 'centered'],
  defaults: {
    all: { momentum: 0, centered: 0 },
    tf: { rho: 0.9, epsilon: 1e-10 },
    torch: { rho: 0.99, epsilon: 1e-8 },
    keras: { rho: 0.9, epsilon: 1e-7 },
  },
  slots,
  initialize: (s, _h, convention) => {
    if (convention === 'tf') s.ms.fill(1);
  },
  rule: (convention): UpdateRule<typeof slots> => (w, g, lr, s, h) => {
    const { rho, cRho: c, momentum: mu, epsilon: eps } = h;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      let ms: number;
      let mg = s.mg[i]!;
      if (convention === 'tf') {
        ms = f32(s.ms[i]! + f32(f32(f32(gi * gi) - s.ms[i]!) * c));
        if (h.centered) mg = f32(mg + f32(f32(gi - mg) * c));
      } else {
        ms = f32(f32(rho * s.ms[i]!) + f32(c * f32(gi * gi)));
        if (h.centered) mg = f32(f32(rho * mg) + f32(c * gi));
      }
      const d = h.centered ? f32(ms - f32(mg * mg)) : ms;
      if (convention === 'torch') {
        const step = f32(gi / f32(sqrt(d) + eps));
        const buf = f32(f32(s.mom[i]! * mu) + step);
        s.mom[i] = buf;
        w[i] = f32(w[i]! - f32(lr * (mu > 0 ? buf : step)));
      } else {
        const increment = f32(f32(gi * lr) / sqrt(f32(d + eps)));
        const mom = f32(f32(s.mom[i]! * mu) + increment);
        s.mom[i] = mom;
        w[i] = f32(w[i]! - mom);
      }
      s.ms[i] = ms;
      s.mg[i] = mg;
    }
  },
  wgsl: { source, prefix: 'rmsprop' },
});
