// Optimizer: Adagrad, the twin of src/optimizers/adagrad.ts (struct
// AdagradSlots is generated from its slots).
//   accum += g²  (starting at the initial accumulator)
//   tf (ApplyAdagrad): var -= g·lr·(1/√accum)
//   torch:             var -= lr·(g/(√accum + ε))
//   keras:             var -= lr·g/√(accum + ε)

fn adagradInit(h: Hyper, convention: u32) -> AdagradSlots {
  var s: AdagradSlots;
  for (var i = 0u; i < partCount(); i++) {
    s.accum[i] = h.initialAccumulator;
  }
  return s;
}

fn adagradUpdate(w: ptr<function, array<V, PART>>, g: array<V, PART>, lr: V, slots: ptr<function, AdagradSlots>, h: Hyper, convention: u32) {
  for (var i = 0u; i < partCount(); i++) {
    let accum = (*slots).accum[i] + g[i] * g[i];
    (*slots).accum[i] = accum;
    if (convention == TF) {
      (*w)[i] = (*w)[i] - (g[i] * lr) * (1.0 / sqrt(accum));
    } else if (convention == TORCH) {
      (*w)[i] = (*w)[i] - lr * (g[i] / (sqrt(accum) + h.epsilon));
    } else {
      (*w)[i] = (*w)[i] - (lr * g[i]) / sqrt(accum + h.epsilon);
    }
  }
}
