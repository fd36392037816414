// Optimizer: heavy-ball momentum and Nesterov, the twin of the momentum and
// nesterov rules in src/optimizers/momentum.ts (struct MomentumSlots is
// generated from their slots); h.momentum holds the lanes' μ.
//   tf, torch:  accum = accum·μ + g;  var -= accum·lr
//   keras:      m = −g·lr + m·μ;      var += m
// Nesterov (with the new accumulator):
//   tf:    var -= g·lr + accum·μ·lr
//   torch: var -= lr·(g + μ·accum)
//   keras: var += −g·lr + m·μ
// opaque() (shaders/trajectory.wgsl) keeps these sums as written: lavapipe
// would otherwise factor g·lr + a·μ·lr into (g + a·μ)·lr.

fn momentumInit(h: Hyper, convention: u32) -> MomentumSlots {
  var s: MomentumSlots; // the accumulator starts at 0
  return s;
}

fn momentumUpdate(w: ptr<function, array<V, PART>>, g: array<V, PART>, lr: V, slots: ptr<function, MomentumSlots>, h: Hyper, convention: u32, nesterov: bool) {
  let mu = h.momentum;
  for (var i = 0u; i < partCount(); i++) {
    if (convention == KERAS) {
      let step = -g[i] * lr;
      let m = step + (*slots).accum[i] * mu;
      (*slots).accum[i] = m;
      if (nesterov) {
        (*w)[i] = (*w)[i] + opaque(step + m * mu);
      } else {
        (*w)[i] = (*w)[i] + m;
      }
    } else {
      let accum = (*slots).accum[i] * mu + g[i];
      (*slots).accum[i] = accum;
      if (!nesterov) {
        (*w)[i] = (*w)[i] - accum * lr;
      } else if (convention == TORCH) {
        (*w)[i] = (*w)[i] - lr * (g[i] + mu * accum);
      } else {
        (*w)[i] = (*w)[i] - opaque(opaque(g[i] * lr) + opaque(accum * mu) * lr);
      }
    }
  }
}
