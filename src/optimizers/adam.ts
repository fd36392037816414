/**
 * Adam. TF1 ApplyAdam (Keras 3 the same form): α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ),
 * ε added to √v. PyTorch: ε after the bias correction. b1p, b2p hold the
 * running powers β₁ᵗ, β₂ᵗ as float32 products (starting at β); for torch
 * they hold the bias corrections qᵗ = 1 − βᵗ, tracked as qᵗ⁺¹ = qᵗ·β + (1 − β)
 * from q¹ = 1 − β: PyTorch forms 1 − βᵗ in double, and float32 powers of β₂
 * = 0.999 would lose most digits to cancellation.
 */
import { f32 } from '../float32.js';
import source from '../../shaders/optimizer-adam.wgsl?raw';
import { defineOptimizer, type UpdateRule } from './types.js';

const sqrt = (x: number) => f32(Math.sqrt(x));
const slots = { m: 'perDimension', v: 'perDimension', b1p: 'scalar', b2p: 'scalar' } as const;

export const adam = defineOptimizer({
  name: 'adam',
  params: () => ['beta1', 'beta2', 'epsilon'],
  defaults: { all: { beta1: 0.9, beta2: 0.999 }, tf: { epsilon: 1e-8 }, torch: { epsilon: 1e-8 }, keras: { epsilon: 1e-7 } },
  slots,
  initialize: (s, h, convention) => {
    s.b1p = convention === 'torch' ? h.c1 : h.beta1;
    s.b2p = convention === 'torch' ? h.c2 : h.beta2;
  },
  rule: (convention): UpdateRule<typeof slots> => {
    if (convention === 'torch') {
      // step = lr/(1 − β₁ᵗ); denom = √v/√(1 − β₂ᵗ) + ε
      return (w, g, lr, s, h) => {
        const step = f32(lr / s.b1p);
        const bc2 = sqrt(s.b2p);
        for (let i = 0; i < w.length; i++) {
          const m = f32(s.m[i]! + f32(h.c1 * f32(g[i]! - s.m[i]!)));
          const v = f32(f32(s.v[i]! * h.beta2) + f32(h.c2 * f32(g[i]! * g[i]!)));
          s.m[i] = m;
          s.v[i] = v;
          w[i] = f32(w[i]! - f32(step * f32(m / f32(f32(sqrt(v) / bc2) + h.epsilon))));
        }
        s.b1p = f32(f32(s.b1p * h.beta1) + h.c1);
        s.b2p = f32(f32(s.b2p * h.beta2) + h.c2);
      };
    }
    return (w, g, lr, s, h) => {
      const alpha = f32(f32(lr * sqrt(f32(1 - s.b2p))) / f32(1 - s.b1p));
      for (let i = 0; i < w.length; i++) {
        const m = f32(s.m[i]! + f32(f32(g[i]! - s.m[i]!) * h.c1));
        const v = f32(s.v[i]! + f32(f32(f32(g[i]! * g[i]!) - s.v[i]!) * h.c2));
        s.m[i] = m;
        s.v[i] = v;
        w[i] = f32(w[i]! - f32(f32(m * alpha) / f32(sqrt(v) + h.epsilon)));
      }
      s.b1p = f32(s.b1p * h.beta1);
      s.b2p = f32(s.b2p * h.beta2);
    };
  },
  wgsl: { source, prefix: 'adam' },
});
