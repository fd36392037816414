// The network's passes over the data point by point (see
// shaders/objective-mlp.wgsl): the layout for short runs, whose code compiles
// fastest. src/engine/mlp-kernel.ts generates the other, in blocks of points.

// The network on data point i: z and h into the scratch fields, the output returned.
fn forward(w: WIn, i: u32) -> V {
  for (var j = 0u; j < widthCount(); j++) {
    var s = o(dataX(i, 0u) * wAt(w, j));
    for (var k = 1u; k < widthCount(); k++) {
      s = o(s + o(dataX(i, k) * wAt(w, k * WIDTH + j)));
    }
    let z = o(s * SCALE);
    setStateAt(Z_FIELD, j, z);
    setStateAt(H_FIELD, j, activation(z));
  }
  var s = o(stateAt(H_FIELD, 0u) * wAt(w, W2));
  for (var j = 1u; j < widthCount(); j++) {
    s = o(s + o(stateAt(H_FIELD, j) * wAt(w, W2 + j)));
  }
  return o(s * SCALE);
}

// Adds data point i's share to the output layer's gradient sums (scaled by
// 1/√WIDTH once, at the end) and keeps its ∂loss/∂z for the input layer's
// (inputGradient) at place b of the batch; returns the lanes whose error
// signals overflowed.
fn backward(w: WIn, i: u32, b: u32, out: V, g: GOut) -> VB {
  let dOut = o(o(out - dataY(i)) * TWO_OVER_BATCH);
  var overflowed = overflows(dOut);
  for (var j = 0u; j < widthCount(); j++) {
    let h = stateAt(H_FIELD, j);
    gSet(g, W2 + j, o(gAt(g, W2 + j) + o(dOut * h)));
    let dh = o(o(dOut * wAt(w, W2 + j)) * SCALE);
    overflowed = overflowed | overflows(dh);
    setStateAt(DZ_FIELD, b * WIDTH + j, o(dh * activationSlope(stateAt(Z_FIELD, j), h)));
  }
  return overflowed;
}

// The input layer's gradient sums, Σᵢ xᵢₖ·∂loss/∂zᵢⱼ over the batch's points
// in order, as the reference adds them point by point; each sum is held in a
// register rather than read and written back in storage once per point.
fn inputGradient(g: GOut, zero: V) {
  for (var k = 0u; k < widthCount(); k++) {
    for (var j = 0u; j < widthCount(); j++) {
      var sum = zero;
      for (var b = 0u; b < batchCount(); b++) {
        sum = o(sum + o(dataX(batchPoint(b), k) * stateAt(DZ_FIELD, b * WIDTH + j)));
      }
      gSet(g, k * WIDTH + j, sum);
    }
  }
}

// The loss over the whole dataset, summed as lossAt's reference does.
fn lossSum(w: WIn) -> V {
  var total = V(0.0);
  for (var i = 0u; i < pointCount(); i++) {
    total = addSquaredError(total, forward(w, i), dataY(i), i == 0u);
  }
  return total;
}

// Forward and backward over the batch, point by point: the output layer's
// gradient sums, each point's ∂loss/∂z, and (full batch) the loss's sum in
// *total. Returns the lanes whose error signals overflowed.
fn batchPasses(w: WIn, g: GOut, total: ptr<function, V>) -> VB {
  var overflowed = VB(false);
  for (var b = 0u; b < batchCount(); b++) {
    let i = batchPoint(b);
    let out = forward(w, i);
    if (!MINIBATCH) {
      // lossSum's sum, operation for operation (see gradientLoss).
      *total = addSquaredError(*total, out, dataY(i), b == 0u);
    }
    overflowed = overflowed | backward(w, i, b, out, g);
  }
  return overflowed;
}
