// Objective in df64: the diagonal quadratic f(w) = Σᵢ ½·Lᵢ·(wᵢ − cᵢ)², with
// each trajectory's Lᵢ and cᵢ in its settings (CURVATURE_AT, MINIMUM_AT).
// src/engine/df64-cpu.ts computes the same df64 operations in the same order.

fn curvatureAt(i: u32) -> vec2f {
  return settingPair(CURVATURE_AT + 2u * i);
}

fn minimumAt(i: u32) -> vec2f {
  return settingPair(MINIMUM_AT + 2u * i);
}

// g = L ⊙ (w − c); returns the largest |gᵢ| of the leading parts.
fn dfGradient(k: u32) -> f32 {
  var largest = 0.0;
  for (var i = 0u; i < dimCount(); i++) {
    let gi = dfMul(curvatureAt(i), dfSub(wAt(i), minimumAt(i)));
    setG(i, gi);
    largest = max(largest, abs(gi.x));
  }
  return largest;
}

// (½·Lᵢ)·(eᵢ·eᵢ), summed in index order from the first term; ½·L is exact.
fn lossTerm(i: u32) -> vec2f {
  let e = dfSub(wAt(i), minimumAt(i));
  let L = curvatureAt(i);
  return dfMul(vec2f(L.x * 0.5, L.y * 0.5), dfMul(e, e));
}

fn dfLoss() -> vec2f {
  var total = lossTerm(0u);
  for (var i = 1u; i < dimCount(); i++) {
    total = dfAdd(total, lossTerm(i));
  }
  return total;
}

fn dfRecordedLoss() -> vec2f {
  return dfLoss();
}
