// Optimizer: Adam, the twin of the adam rule in src/optimizers.ts.
// b1p, b2p are the running powers β₁ᵗ, β₂ᵗ (float32 products, starting at β);
// for torch they hold the bias corrections 1 − βᵗ instead, tracked as
// qᵗ⁺¹ = qᵗ·β + (1 − β) from q¹ = 1 − β (no cancellation; PyTorch uses double).
//   tf, keras (TF1 ApplyAdam): α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)
//     m += (g − m)·(1 − β₁);  v += (g² − v)·(1 − β₂);  var -= m·α/(√v + ε)
//   torch: m += (1 − β₁)·(g − m);  v = v·β₂ + (1 − β₂)·g²
//     var -= lr/(1 − β₁ᵗ) · m/(√v/√(1 − β₂ᵗ) + ε)
// h.c1, h.c2 are 1 − β₁, 1 − β₂ rounded as the convention rounds them.

struct Slots {
  m: array<V, DIMS>,
  v: array<V, DIMS>,
  b1p: V,
  b2p: V,
}

fn initialSlots(h: Hyper) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.m[i] = V(0.0);
    s.v[i] = V(0.0);
  }
  if (CONVENTION == TORCH) {
    s.b1p = h.c1;
    s.b2p = h.c2;
  } else {
    s.b1p = h.beta1;
    s.b2p = h.beta2;
  }
  return s;
}

fn update(w: ptr<function, array<V, DIMS>>, g: array<V, DIMS>, lr: V, slots: ptr<function, Slots>, h: Hyper) {
  let b1p = (*slots).b1p;
  let b2p = (*slots).b2p;
  if (CONVENTION == TORCH) {
    let step = lr / b1p;
    let bc2 = sqrt(b2p);
    for (var i = 0u; i < dimCount(); i++) {
      let m = (*slots).m[i] + h.c1 * (g[i] - (*slots).m[i]);
      let v = (*slots).v[i] * h.beta2 + h.c2 * (g[i] * g[i]);
      (*slots).m[i] = m;
      (*slots).v[i] = v;
      (*w)[i] = (*w)[i] - step * (m / (sqrt(v) / bc2 + h.epsilon));
    }
    (*slots).b1p = b1p * h.beta1 + h.c1;
    (*slots).b2p = b2p * h.beta2 + h.c2;
    return;
  }
  let alpha = (lr * sqrt(1.0 - b2p)) / (1.0 - b1p);
  for (var i = 0u; i < dimCount(); i++) {
    let m = (*slots).m[i] + (g[i] - (*slots).m[i]) * h.c1;
    let v = (*slots).v[i] + (g[i] * g[i] - (*slots).v[i]) * h.c2;
    (*slots).m[i] = m;
    (*slots).v[i] = v;
    (*w)[i] = (*w)[i] - (m * alpha) / (sqrt(v) + h.epsilon);
  }
  (*slots).b1p = b1p * h.beta1;
  (*slots).b2p = b2p * h.beta2;
}

fn selectSlots(keep: Slots, take: Slots, mask: VB) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.m[i] = select(keep.m[i], take.m[i], mask);
    s.v[i] = select(keep.v[i], take.v[i], mask);
  }
  s.b1p = select(keep.b1p, take.b1p, mask);
  s.b2p = select(keep.b2p, take.b2p, mask);
  return s;
}

fn loadSlots(slot: u32) -> Slots {
  var s: Slots;
  for (var i = 0u; i < dimCount(); i++) {
    s.m[i] = bitcast<V>(state[slotOf(F_SLOTS + i, slot)]);
    s.v[i] = bitcast<V>(state[slotOf(F_SLOTS + DIMS + i, slot)]);
  }
  s.b1p = bitcast<V>(state[slotOf(F_SLOTS + 2u * DIMS, slot)]);
  s.b2p = bitcast<V>(state[slotOf(F_SLOTS + 2u * DIMS + 1u, slot)]);
  return s;
}

fn storeSlots(s: Slots, slot: u32) {
  for (var i = 0u; i < dimCount(); i++) {
    state[slotOf(F_SLOTS + i, slot)] = bitcast<VU>(s.m[i]);
    state[slotOf(F_SLOTS + DIMS + i, slot)] = bitcast<VU>(s.v[i]);
  }
  state[slotOf(F_SLOTS + 2u * DIMS, slot)] = bitcast<VU>(s.b1p);
  state[slotOf(F_SLOTS + 2u * DIMS + 1u, slot)] = bitcast<VU>(s.b2p);
}
