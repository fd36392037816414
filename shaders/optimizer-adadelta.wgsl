// Optimizer: Adadelta (TF1 ApplyAdadelta), the twin of the adadelta rule in src/optimizers.ts.
//   accum = accum·ρ + g²·(1 − ρ)
//   upd = √(accumUpdate + ε)·(1/√(accum + ε))·g
//   var -= upd·lr
//   accumUpdate = accumUpdate·ρ + upd²·(1 − ρ)

struct Slots {
  accum: array<V, DIMS>,
  accumUpdate: array<V, DIMS>,
}

fn initialSlots(h: Hyper) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.accum[i] = V(0.0);
    s.accumUpdate[i] = V(0.0);
  }
  return s;
}

fn update(w: ptr<function, array<V, DIMS>>, g: array<V, DIMS>, lr: V, slots: ptr<function, Slots>, h: Hyper) {
  for (var i = 0u; i < dimCount(); i++) {
    let accum = (*slots).accum[i] * h.rho + (g[i] * g[i]) * h.cRho;
    let upd = (sqrt((*slots).accumUpdate[i] + h.epsilon) * (1.0 / sqrt(accum + h.epsilon))) * g[i];
    (*w)[i] = (*w)[i] - upd * lr;
    (*slots).accum[i] = accum;
    (*slots).accumUpdate[i] = (*slots).accumUpdate[i] * h.rho + (upd * upd) * h.cRho;
  }
}

fn selectSlots(keep: Slots, take: Slots, mask: VB) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.accum[i] = select(keep.accum[i], take.accum[i], mask);
    s.accumUpdate[i] = select(keep.accumUpdate[i], take.accumUpdate[i], mask);
  }
  return s;
}

fn loadSlots(slot: u32) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.accum[i] = bitcast<V>(state[slotOf(F_SLOTS + i, slot)]);
    s.accumUpdate[i] = bitcast<V>(state[slotOf(F_SLOTS + DIMS + i, slot)]);
  }
  return s;
}

fn storeSlots(s: Slots, slot: u32) {
  for (var i = 0u; i < dimCount(); i++) {
    state[slotOf(F_SLOTS + i, slot)] = bitcast<VU>(s.accum[i]);
    state[slotOf(F_SLOTS + DIMS + i, slot)] = bitcast<VU>(s.accumUpdate[i]);
  }
}
