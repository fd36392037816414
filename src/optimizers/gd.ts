/** Plain gradient descent, w ← w − g·lr (TF1 ApplyGradientDescent: var -= grad * lr). It keeps no state. */
import { f32 } from '../float32.js';
import source from '../../shaders/optimizer-gd.wgsl?raw';
import { defineOptimizer } from './types.js';

export const gd = defineOptimizer({
  name: 'gd',
  params: () => [],
  defaults: {},
  slots: {},
  rule: () => (w, g, lr) => {
    for (let i = 0; i < w.length; i++) w[i] = f32(w[i]! - f32(g[i]! * lr));
  },
  wgsl: { source, prefix: 'gd' },
});
