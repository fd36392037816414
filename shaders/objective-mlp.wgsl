// Objective: the tiny network (src/objectives/mlp.ts, operation for operation).
// z = X·W₁/√n, h = φ(z), ŷ = h·W₂/√n, loss = mean((ŷ − y)²); w holds W₁
// (input k, hidden j at k·WIDTH + j), then W₂ (at WIDTH² + j).
// Generated in front: WIDTH, POINTS, BATCH_SIZE (points per gradient),
// MINIBATCH, ACTIVATION, SCALE = 1/√WIDTH, GAIN = √2, TWO_OVER_BATCH,
// ONE_OVER_POINTS, and DATA, where X (POINTS × WIDTH, row by row), then y,
// then with a minibatch the draws (BATCH_SIZE indices per iterate, as exact
// floats) start in axisValues. Every result passes through o()
// (shaders/f32math.wgsl) so the compiler keeps the reference's grouping.
// The network runs in the wide form's state (shaders/wide-state.wgsl): w and
// g are read and written in place through wAt, gAt and gSet. The generated
// struct Objective holds rate, the learning rate of each layer (input,
// output), which scales its gradient. This file holds what every layout
// shares; the gradient and lossSum come in one of three layouts, chosen per
// run (src/engine/mlp-kernel.ts):
// - points (shaders/mlp-wide.wgsl and mlp-points.wgsl): one invocation per
//   vector of trajectories, point by point, the hidden layer's z, h of the
//   point in hand in the state's scratch fields Z_FIELD and H_FIELD, and
//   ∂loss/∂z of every point of the batch in DZ_FIELD;
// - blocks: the same, in blocks of points, generated for the width;
// - team (shaders/mlp-team.wgsl, src/engine/mlp-team.ts): one subgroup per
//   trajectory, each invocation holding a few hidden units' weights; it
//   reads the dataset as rows of a uniform buffer where they fit in one.

// Loops over the hidden units and the data stay loops: unrolled (their counts
// are constants), the width-32 network took ten minutes to compile on lavapipe.
fn widthCount() -> u32 {
  return WIDTH | u.zero;
}

fn pointCount() -> u32 {
  return POINTS | u.zero;
}

fn batchCount() -> u32 {
  return BATCH_SIZE | u.zero;
}

// Where the minibatch draws start: after X and y.
const DRAWS = DATA + POINTS * WIDTH + POINTS;

// The data point at place b of the gradient's batch: iterate gradientStep's
// draw (set by shaders/wide.wgsl before each gradient), or b for the full batch.
fn batchPoint(b: u32) -> u32 {
  if (MINIBATCH) {
    return u32(axisValues[DRAWS + gradientStep * BATCH_SIZE + b]);
  }
  return b;
}

const W2 = WIDTH * WIDTH;

fn dataY(i: u32) -> V {
  return V(axisValues[DATA + POINTS * WIDTH + i]);
}

fn activation(z: V) -> V {
  if (ACTIVATION == 0u) {
    if (FAST_MATH) {
      // The device's tanh, on an input within ±10 (tanh is ±1 in float32 well
      // before): some compute it from exponentials that overflow to NaN.
      return tanh(clamp(GAIN * z, V(-10.0), V(10.0)));
    }
    return f32tanh(o(GAIN * z));
  }
  if (ACTIVATION == 1u) {
    // A select, not max(z, 0): max with a NaN differs between drivers.
    return select(V(0.0), o(GAIN * z), z > V(0.0));
  }
  return z;
}

// dφ/dz at z, given h = φ(z).
fn activationSlope(z: V, h: V) -> V {
  if (ACTIVATION == 0u) {
    return o(GAIN * o(1.0 - o(h * h)));
  }
  if (ACTIVATION == 1u) {
    return select(V(0.0), V(GAIN), z > V(0.0));
  }
  return V(1.0);
}

fn dataX(i: u32, k: u32) -> V {
  return V(axisValues[DATA + i * WIDTH + k]);
}

// Past this magnitude (or not a number) an error signal has overflowed, or
// is about to: products with it would need IEEE infinities, which WGSL does
// not promise (0·∞ is 0 on some drivers, NaN on others).
const OVERFLOW = 1e30f;

fn overflows(x: V) -> VB {
  return (bitcast<VU>(x) & VU(0x7fffffffu)) > VU(bitcast<u32>(OVERFLOW));
}

// The loss's running sum after a data point's output `out` against its target
// y, the first point's (first) starting it: the order lossAt's reference adds
// in, kept by every layout.
fn addSquaredError(total: V, out: V, y: V, first: bool) -> V {
  let r = o(out - y);
  let sq = o(r * r);
  return select(o(total + sq), sq, first);
}

// The loss at the w of the last gradient() over the whole dataset, which
// adds it up as lossAt does, operation for operation: the loss record
// (trackLoss, right after the gradient at the same w) reads it rather than
// making a second pass over the data. A minibatch's gradient sees only its
// draw, so there the record evaluates the loss in full.
var<private> gradientLoss: V;

fn recordedLoss(objective: Objective, w: WIn) -> V {
  if (MINIBATCH) {
    return lossAt(objective, w);
  }
  return gradientLoss;
}

fn lossAt(objective: Objective, w: WIn) -> V {
  return o(lossSum(w) * ONE_OVER_POINTS);
}
