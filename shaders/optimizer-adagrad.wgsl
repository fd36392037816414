// Optimizer: Adagrad, the twin of the adagrad rule in src/optimizers.ts.
//   accum += g²  (starting at the initial accumulator)
//   tf (ApplyAdagrad): var -= g·lr·(1/√accum)
//   torch:             var -= lr·(g/(√accum + ε))
//   keras:             var -= lr·g/√(accum + ε)

struct Slots {
  accum: array<V, DIMS>,
}

fn initialSlots(h: Hyper) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.accum[i] = h.initialAccumulator;
  }
  return s;
}

fn update(w: ptr<function, array<V, DIMS>>, g: array<V, DIMS>, lr: V, slots: ptr<function, Slots>, h: Hyper) {
  for (var i = 0u; i < dimCount(); i++) {
    let accum = (*slots).accum[i] + g[i] * g[i];
    (*slots).accum[i] = accum;
    if (CONVENTION == TF) {
      (*w)[i] = (*w)[i] - (g[i] * lr) * (1.0 / sqrt(accum));
    } else if (CONVENTION == TORCH) {
      (*w)[i] = (*w)[i] - lr * (g[i] / (sqrt(accum) + h.epsilon));
    } else {
      (*w)[i] = (*w)[i] - (lr * g[i]) / sqrt(accum + h.epsilon);
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
