// Optimizer: Adam, the twin of src/optimizers/adam.ts (struct AdamSlots is
// generated from its slots: m, v per dimension, then b1p, b2p).
// b1p, b2p are the running powers β₁ᵗ, β₂ᵗ (float32 products, starting at β);
// for torch they hold the bias corrections 1 − βᵗ instead, tracked as
// qᵗ⁺¹ = qᵗ·β + (1 − β) from q¹ = 1 − β (no cancellation; PyTorch uses double).
//   tf, keras (TF1 ApplyAdam): α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)
//     m += (g − m)·(1 − β₁);  v += (g² − v)·(1 − β₂);  var -= m·α/(√v + ε)
//   torch: m += (1 − β₁)·(g − m);  v = v·β₂ + (1 − β₂)·g²
//     var -= lr/(1 − β₁ᵗ) · m/(√v/√(1 − β₂ᵗ) + ε)
// h.c1, h.c2 are 1 − β₁, 1 − β₂ rounded as the convention rounds them.

fn adamInit(h: Hyper, convention: u32) -> AdamSlots {
  var s: AdamSlots; // the moments start at 0
  if (convention == TORCH) {
    s.b1p = h.c1;
    s.b2p = h.c2;
  } else {
    s.b1p = h.beta1;
    s.b2p = h.beta2;
  }
  return s;
}

fn adamUpdate(w: ptr<function, array<V, PART>>, g: array<V, PART>, lr: V, slots: ptr<function, AdamSlots>, h: Hyper, convention: u32) {
  let b1p = (*slots).b1p;
  let b2p = (*slots).b2p;
  if (convention == TORCH) {
    let step = lr / b1p;
    let bc2 = sqrt(b2p);
    for (var i = 0u; i < partCount(); i++) {
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
  for (var i = 0u; i < partCount(); i++) {
    let m = (*slots).m[i] + (g[i] - (*slots).m[i]) * h.c1;
    let v = (*slots).v[i] + (g[i] * g[i] - (*slots).v[i]) * h.c2;
    (*slots).m[i] = m;
    (*slots).v[i] = v;
    (*w)[i] = (*w)[i] - (m * alpha) / (sqrt(v) + h.epsilon);
  }
  (*slots).b1p = b1p * h.beta1;
  (*slots).b2p = b2p * h.beta2;
}
