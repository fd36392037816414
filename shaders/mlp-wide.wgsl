// The network's gradient in the points and blocks layouts (see
// shaders/objective-mlp.wgsl): one invocation steps a vector of trajectories,
// its passes over the data (batchPasses, inputGradient) in
// shaders/mlp-points.wgsl or generated in blocks (src/engine/mlp-kernel.ts).

// Backpropagation over the batch (the whole dataset, or iterate
// gradientStep's draw); g gets each layer's gradient times
// its rate, and the result is the largest |component| of the plain gradient.
// A lane whose error signals overflowed gets a NaN gradient (so it escapes
// at the next update, on every driver alike) and an infinite largest component.
fn gradient(objective: Objective, w: WIn, g: GOut) -> V {
  // Sums start from an opaque zero: a literal 0 + x may be folded to x, which keeps a −0.
  let zero = o(V(0.0));
  for (var j = 0u; j < widthCount(); j++) {
    gSet(g, W2 + j, zero);
  }
  var total = V(0.0);
  let overflowed = batchPasses(w, g, &total);
  if (!MINIBATCH) {
    gradientLoss = o(total * ONE_OVER_POINTS);
  }
  inputGradient(g, zero);
  var largest = V(0.0);
  let nan = fromBits(0x7fc00000u);
  for (var d = 0u; d < dimCount(); d++) {
    let gd = o(gAt(g, d) * SCALE);
    largest = max(largest, abs(gd));
    gSet(g, d, select(o(gd * objective.rate[select(1u, 0u, d < W2)]), nan, overflowed));
  }
  return select(largest, infinity(), overflowed);
}
