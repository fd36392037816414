// Optimizer: Adadelta (TF1 ApplyAdadelta), the twin of src/optimizers/adadelta.ts
// (struct AdadeltaSlots is generated from its slots; both start at 0).
//   accum = accum·ρ + g²·(1 − ρ)
//   upd = √(accumUpdate + ε)·(1/√(accum + ε))·g
//   var -= upd·lr
//   accumUpdate = accumUpdate·ρ + upd²·(1 − ρ)

fn adadeltaInit(h: Hyper, convention: u32) -> AdadeltaSlots {
  var s: AdadeltaSlots;
  return s;
}

fn adadeltaUpdate(w: ptr<function, array<V, PART>>, g: array<V, PART>, lr: V, slots: ptr<function, AdadeltaSlots>, h: Hyper, convention: u32) {
  for (var i = 0u; i < partCount(); i++) {
    let accum = (*slots).accum[i] * h.rho + (g[i] * g[i]) * h.cRho;
    let upd = (sqrt((*slots).accumUpdate[i] + h.epsilon) * (1.0 / sqrt(accum + h.epsilon))) * g[i];
    (*w)[i] = (*w)[i] - upd * lr;
    (*slots).accum[i] = accum;
    (*slots).accumUpdate[i] = (*slots).accumUpdate[i] * h.rho + (upd * upd) * h.cRho;
  }
}
