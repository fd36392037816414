// Objective: the tiny network (src/objectives/mlp.ts, operation for operation).
// z = X·W₁/√n, h = φ(z), ŷ = h·W₂/√n, loss = mean((ŷ − y)²); w holds W₁
// (input k, hidden j at k·WIDTH + j), then W₂ (at WIDTH² + j).
// Generated in front: WIDTH, POINTS, ACTIVATION, SCALE = 1/√WIDTH, GAIN = √2,
// TWO_OVER_POINTS, ONE_OVER_POINTS, and DATA, where X (POINTS × WIDTH, row by
// row) and then y start in axisValues. Every result passes through o()
// (shaders/f32math.wgsl) so the compiler keeps the reference's grouping.

struct Objective {
  rate: array<V, 2>, // learning rate of each layer (input, output), scaling its gradient
}

const W2 = WIDTH * WIDTH;

fn dataY(i: u32) -> V {
  return V(axisValues[DATA + POINTS * WIDTH + i]);
}

fn activation(z: V) -> V {
  if (ACTIVATION == 0u) {
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

struct Forward {
  z: array<V, WIDTH>,
  h: array<V, WIDTH>,
  out: V,
}

// The network on data point i. The weights come by pointer: a copy per point would cost more than the point.
fn forward(w: ptr<function, array<V, DIMS>>, i: u32) -> Forward {
  var f: Forward;
  for (var j = 0u; j < WIDTH; j++) {
    var s = o(dataX(i, 0u) * (*w)[j]);
    for (var k = 1u; k < WIDTH; k++) {
      s = o(s + o(dataX(i, k) * (*w)[k * WIDTH + j]));
    }
    f.z[j] = o(s * SCALE);
    f.h[j] = activation(f.z[j]);
  }
  var s = o(f.h[0] * (*w)[W2]);
  for (var j = 1u; j < WIDTH; j++) {
    s = o(s + o(f.h[j] * (*w)[W2 + j]));
  }
  f.out = o(s * SCALE);
  return f;
}

// Past this magnitude (or not a number) an error signal has overflowed, or
// is about to: products with it would need IEEE infinities, which WGSL does
// not promise (0·∞ is 0 on some drivers, NaN on others).
const OVERFLOW = 1e30f;

fn overflows(x: V) -> VB {
  return (bitcast<VU>(x) & VU(0x7fffffffu)) > VU(bitcast<u32>(OVERFLOW));
}

// Adds data point i's share to the gradient sums (scaled by 1/√WIDTH once,
// at the end); returns the lanes whose error signals overflowed.
fn backward(w: ptr<function, array<V, DIMS>>, i: u32, f: Forward, g: ptr<function, array<V, DIMS>>) -> VB {
  let dOut = o(o(f.out - dataY(i)) * TWO_OVER_POINTS);
  var overflowed = overflows(dOut);
  var dz: array<V, WIDTH>;
  for (var j = 0u; j < WIDTH; j++) {
    (*g)[W2 + j] = o((*g)[W2 + j] + o(dOut * f.h[j]));
    let dh = o(o(dOut * (*w)[W2 + j]) * SCALE);
    overflowed = overflowed | overflows(dh);
    dz[j] = o(dh * activationSlope(f.z[j], f.h[j]));
  }
  for (var k = 0u; k < WIDTH; k++) {
    let x = dataX(i, k);
    for (var j = 0u; j < WIDTH; j++) {
      (*g)[k * WIDTH + j] = o((*g)[k * WIDTH + j] + o(x * dz[j]));
    }
  }
  return overflowed;
}

fn lossAt(objective: Objective, w: array<V, DIMS>) -> V {
  var weights = w;
  var total = V(0.0);
  for (var i = 0u; i < POINTS; i++) {
    let r = o(forward(&weights, i).out - dataY(i));
    let sq = o(r * r);
    total = select(o(total + sq), sq, i == 0u);
  }
  return o(total * ONE_OVER_POINTS);
}

// Backpropagation over the whole dataset; g gets each layer's gradient times
// its rate, and the result is the largest |component| of the plain gradient.
// A lane whose error signals overflowed gets a NaN gradient (so it escapes
// at the next update, on every driver alike) and an infinite largest component.
fn gradient(objective: Objective, w: array<V, DIMS>, g: ptr<function, array<V, DIMS>>) -> V {
  // Sums start from an opaque zero: a literal 0 + x may be folded to x, which keeps a −0.
  var weights = w;
  let zero = o(V(0.0));
  for (var d = 0u; d < dimCount(); d++) {
    (*g)[d] = zero;
  }
  var overflowed = VB(false);
  for (var i = 0u; i < POINTS; i++) {
    overflowed = overflowed | backward(&weights, i, forward(&weights, i), g);
  }
  var largest = V(0.0);
  let nan = fromBits(0x7fc00000u);
  for (var d = 0u; d < dimCount(); d++) {
    let gd = o((*g)[d] * SCALE);
    largest = max(largest, abs(gd));
    (*g)[d] = select(o(gd * objective.rate[select(1u, 0u, d < W2)]), nan, overflowed);
  }
  return select(largest, infinity(), overflowed);
}
