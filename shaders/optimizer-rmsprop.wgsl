// Optimizer: RMSProp, the twin of src/optimizers/rmsprop.ts (struct
// RmspropSlots is generated from its slots). ms is the mean square (TF starts
// it at 1), mom the momentum buffer, mg the mean gradient (centered only; it
// stays 0 otherwise).
//   tf:           ms += (g² − ms)·(1 − ρ);  mg += (g − mg)·(1 − ρ)
//   torch, keras: ms = ρ·ms + (1 − ρ)·g²;   mg = ρ·mg + (1 − ρ)·g
//   d = ms, or ms − mg² when centered
//   tf, keras: mom = mom·μ + g·lr/√(d + ε);  var -= mom
//   torch:     s = g/(√d + ε);  mom = mom·μ + s;  var -= lr·(μ > 0 ? mom : s)

fn rmspropInit(h: Hyper, convention: u32) -> RmspropSlots {
  var s: RmspropSlots;
  for (var i = 0u; i < partCount(); i++) {
    s.ms[i] = select(V(0.0), V(1.0), convention == TF);
  }
  return s;
}

fn rmspropUpdate(w: ptr<function, array<V, PART>>, g: array<V, PART>, lr: V, slots: ptr<function, RmspropSlots>, h: Hyper, convention: u32) {
  let centered = h.centered > V(0.5);
  for (var i = 0u; i < partCount(); i++) {
    let gi = g[i];
    var ms: V;
    var mg = (*slots).mg[i];
    if (convention == TF) {
      ms = (*slots).ms[i] + (gi * gi - (*slots).ms[i]) * h.cRho;
      mg = select(mg, mg + (gi - mg) * h.cRho, centered);
    } else {
      ms = h.rho * (*slots).ms[i] + h.cRho * (gi * gi);
      mg = select(mg, h.rho * mg + h.cRho * gi, centered);
    }
    let d = select(ms, ms - mg * mg, centered);
    if (convention == TORCH) {
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
