// Optimizer: heavy-ball momentum and Nesterov, the twin of the momentum and
// nesterov rules in src/optimizers.ts. NESTEROV and CONVENTION are generated
// in front of this file; h.momentum holds the lanes' μ.
//   tf, torch:  accum = accum·μ + g;  var -= accum·lr
//   keras:      m = −g·lr + m·μ;      var += m
// Nesterov (with the new accumulator):
//   tf:    var -= g·lr + accum·μ·lr
//   torch: var -= lr·(g + μ·accum)
//   keras: var += −g·lr + m·μ
// opaque() (shaders/trajectory.wgsl) keeps these sums as written: lavapipe
// would otherwise factor g·lr + a·μ·lr into (g + a·μ)·lr.

struct Slots {
  accum: array<V, DIMS>,
}

fn initialSlots(h: Hyper) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.accum[i] = V(0.0);
  }
  return s;
}

fn update(w: ptr<function, array<V, DIMS>>, g: array<V, DIMS>, lr: V, slots: ptr<function, Slots>, h: Hyper) {
  let mu = h.momentum;
  for (var i = 0u; i < dimCount(); i++) {
    if (CONVENTION == KERAS) {
      let step = -g[i] * lr;
      let m = step + (*slots).accum[i] * mu;
      (*slots).accum[i] = m;
      if (NESTEROV) {
        (*w)[i] = (*w)[i] + opaque(step + m * mu);
      } else {
        (*w)[i] = (*w)[i] + m;
      }
    } else {
      let accum = (*slots).accum[i] * mu + g[i];
      (*slots).accum[i] = accum;
      if (!NESTEROV) {
        (*w)[i] = (*w)[i] - accum * lr;
      } else if (CONVENTION == TORCH) {
        (*w)[i] = (*w)[i] - lr * (g[i] + mu * accum);
      } else {
        (*w)[i] = (*w)[i] - opaque(opaque(g[i] * lr) + opaque(accum * mu) * lr);
      }
    }
  }
}

fn selectSlots(keep: Slots, take: Slots, mask: VB) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.accum[i] = select(keep.accum[i], take.accum[i], mask);
  }
  return s;
}

fn loadSlots(slot: u32) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.accum[i] = bitcast<V>(state[slotOf(F_SLOTS + i, slot)]);
  }
  return s;
}

fn storeSlots(s: Slots, slot: u32) {
  for (var i = 0u; i < dimCount(); i++) {
    state[slotOf(F_SLOTS + i, slot)] = bitcast<VU>(s.accum[i]);
  }
}
