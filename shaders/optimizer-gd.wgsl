// Optimizer: plain gradient descent, w ← w − g·lr (TF1 ApplyGradientDescent: var -= grad * lr).
// It keeps no state; Slots is a placeholder the generic code can copy around.

struct Slots {
  none: u32,
}

fn initialSlots(h: Hyper) -> Slots {
  return Slots(0u);
}

fn update(w: ptr<function, array<V, DIMS>>, g: array<V, DIMS>, lr: V, slots: ptr<function, Slots>, h: Hyper) {
  for (var i = 0u; i < dimCount(); i++) {
    (*w)[i] = (*w)[i] - g[i] * lr;
  }
}

fn selectSlots(keep: Slots, take: Slots, mask: VB) -> Slots {
  return keep;
}

fn loadSlots(slot: u32) -> Slots {
  return Slots(0u);
}

fn storeSlots(slots: Slots, slot: u32) {}
