// Optimizer: RMSProp, the twin of the rmsprop rule in src/optimizers.ts.
// ms is the mean square (TF starts it at 1), mom the momentum buffer, mg the
// mean gradient (centered only; it stays 0 otherwise).
//   tf:           ms += (g² − ms)·(1 − ρ);  mg += (g − mg)·(1 − ρ)
//   torch, keras: ms = ρ·ms + (1 − ρ)·g²;   mg = ρ·mg + (1 − ρ)·g
//   d = ms, or ms − mg² when centered
//   tf, keras: mom = mom·μ + g·lr/√(d + ε);  var -= mom
//   torch:     s = g/(√d + ε);  mom = mom·μ + s;  var -= lr·(μ > 0 ? mom : s)

struct Slots {
  ms: array<V, DIMS>,
  mom: array<V, DIMS>,
  mg: array<V, DIMS>,
}

fn initialSlots(h: Hyper) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.ms[i] = select(V(0.0), V(1.0), CONVENTION == TF);
    s.mom[i] = V(0.0);
    s.mg[i] = V(0.0);
  }
  return s;
}

fn update(w: ptr<function, array<V, DIMS>>, g: array<V, DIMS>, lr: V, slots: ptr<function, Slots>, h: Hyper) {
  let centered = h.centered > V(0.5);
  for (var i = 0u; i < dimCount(); i++) {
    let gi = g[i];
    var ms: V;
    var mg = (*slots).mg[i];
    if (CONVENTION == TF) {
      ms = (*slots).ms[i] + (gi * gi - (*slots).ms[i]) * h.cRho;
      mg = select(mg, mg + (gi - mg) * h.cRho, centered);
    } else {
      ms = h.rho * (*slots).ms[i] + h.cRho * (gi * gi);
      mg = select(mg, h.rho * mg + h.cRho * gi, centered);
    }
    let d = select(ms, ms - mg * mg, centered);
    if (CONVENTION == TORCH) {
      let s = gi / (sqrt(d) + h.epsilon);
      let buf = (*slots).mom[i] * h.momentum + s;
      (*slots).mom[i] = buf;
      (*w)[i] = (*w)[i] - lr * select(s, buf, h.momentum > V(0.0));
    } else {
      let increment = (gi * lr) / sqrt(d + h.epsilon);
      let mom = (*slots).mom[i] * h.momentum + increment;
      (*slots).mom[i] = mom;
      (*w)[i] = (*w)[i] - mom;
    }
    (*slots).ms[i] = ms;
    (*slots).mg[i] = mg;
  }
}

fn selectSlots(keep: Slots, take: Slots, mask: VB) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.ms[i] = select(keep.ms[i], take.ms[i], mask);
    s.mom[i] = select(keep.mom[i], take.mom[i], mask);
    s.mg[i] = select(keep.mg[i], take.mg[i], mask);
  }
  return s;
}

fn loadSlots(slot: u32) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.ms[i] = bitcast<V>(state[slotOf(F_SLOTS + i, slot)]);
    s.mom[i] = bitcast<V>(state[slotOf(F_SLOTS + DIMS + i, slot)]);
    s.mg[i] = bitcast<V>(state[slotOf(F_SLOTS + 2u * DIMS + i, slot)]);
  }
  return s;
}

fn storeSlots(s: Slots, slot: u32) {
  for (var i = 0u; i < dimCount(); i++) {
    state[slotOf(F_SLOTS + i, slot)] = bitcast<VU>(s.ms[i]);
    state[slotOf(F_SLOTS + DIMS + i, slot)] = bitcast<VU>(s.mom[i]);
    state[slotOf(F_SLOTS + 2u * DIMS + i, slot)] = bitcast<VU>(s.mg[i]);
  }
}
