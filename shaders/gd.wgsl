// Optimizer: plain gradient descent, w ← w − g·lr (TF1 ApplyGradientDescent: var -= grad * lr).

fn update(w: ptr<function, array<V, DIMS>>, g: array<V, DIMS>, lr: V) {
  for (var i = 0u; i < DIMS; i++) {
    (*w)[i] = (*w)[i] - g[i] * lr;
  }
}
