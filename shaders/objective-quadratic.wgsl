// Objective: the diagonal quadratic f(w) = Σᵢ ½·Lᵢ·(wᵢ − cᵢ)².
// Each function rounds exactly as the CPU reference engine does (src/engine/cpu.ts).
// Generated in front (src/engine/kernel.ts): struct Objective, with
// curvatureAt(o, i) = Lᵢ and minimumAt(o, i) = cᵢ of each lane.

// g = L ⊙ (w − c); returns the largest |gᵢ| per lane.
fn gradient(o: Objective, w: WIn, g: GOut) -> V {
  var largest = V(0.0);
  for (var i = 0u; i < dimCount(); i++) {
    let gi = curvatureAt(o, i) * (wAt(w, i) - minimumAt(o, i));
    gSet(g, i, gi);
    largest = max(largest, abs(gi)); // finite until a lane escapes, so max is exact
  }
  return largest;
}

// Σ (½·Lᵢ)·(eᵢ·eᵢ), accumulated in index order. The sum starts from the
// first term, not from 0: compilers fold 0 + x into x, which keeps a −0
// that IEEE addition would turn into +0.
fn lossTerm(o: Objective, w: WIn, i: u32) -> V {
  let e = wAt(w, i) - minimumAt(o, i);
  return (0.5 * curvatureAt(o, i)) * (e * e);
}

fn lossAt(o: Objective, w: WIn) -> V {
  var total = lossTerm(o, w, 0u);
  for (var i = 1u; i < dimCount(); i++) {
    total = total + lossTerm(o, w, i);
  }
  return total;
}
