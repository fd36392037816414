// Optimizer: heavy-ball momentum, TF1 ApplyMomentum:
//   accum = accum * momentum + grad
//   var -= accum * lr                                  (momentum)
//   var -= grad * lr + accum * momentum * lr           (nesterov, with the new accum)
// NESTEROV is generated in front of this file; `hyper` holds the lanes' μ.

struct Slots {
  accum: array<V, DIMS>,
}

fn initialSlots() -> Slots {
  var s: Slots;
  for (var i = 0u; i < DIMS; i++) {
    s.accum[i] = V(0.0);
  }
  return s;
}

fn update(w: ptr<function, array<V, DIMS>>, g: array<V, DIMS>, lr: V, slots: ptr<function, Slots>, momentum: V) {
  for (var i = 0u; i < DIMS; i++) {
    let accum = (*slots).accum[i] * momentum + g[i];
    (*slots).accum[i] = accum;
    if (NESTEROV) {
      (*w)[i] = (*w)[i] - (g[i] * lr + (accum * momentum) * lr);
    } else {
      (*w)[i] = (*w)[i] - accum * lr;
    }
  }
}

fn selectSlots(keep: Slots, take: Slots, mask: VB) -> Slots {
  var s: Slots;
  for (var i = 0u; i < DIMS; i++) {
    s.accum[i] = select(keep.accum[i], take.accum[i], mask);
  }
  return s;
}

fn loadSlots(slot: u32) -> Slots {
  var s: Slots;
  for (var i = 0u; i < DIMS; i++) {
    s.accum[i] = bitcast<V>(state[slotOf(F_SLOTS + i, slot)]);
  }
  return s;
}

fn storeSlots(s: Slots, slot: u32) {
  for (var i = 0u; i < DIMS; i++) {
    state[slotOf(F_SLOTS + i, slot)] = bitcast<VU>(s.accum[i]);
  }
}
