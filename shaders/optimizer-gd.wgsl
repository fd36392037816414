// Optimizer: plain gradient descent, w ← w − g·lr (TF1 ApplyGradientDescent:
// var -= grad * lr), the twin of src/optimizers/gd.ts. It keeps no state;
// GdSlots is generated from that module's (empty) slots.

fn gdInit(h: Hyper, convention: u32) -> GdSlots {
  var s: GdSlots;
  return s;
}

fn gdUpdate(w: ptr<function, array<V, PART>>, g: array<V, PART>, lr: V, slots: ptr<function, GdSlots>, h: Hyper, convention: u32) {
  for (var i = 0u; i < partCount(); i++) {
    (*w)[i] = (*w)[i] - g[i] * lr;
  }
}
