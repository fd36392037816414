// Objective in df64: the tiny network of src/objectives/mlp.ts,
// z = X·W₁/√n, h = φ(z), ŷ = h·W₂/√n, loss = mean((ŷ − y)²), with w, z, h,
// ∂loss/∂z and the gradient in df64 (the data are float32 values, exact in
// df64). src/engine/df64-cpu.ts (mlpDf64) is its twin, operation for operation.
// Generated in front: WIDTH, POINTS, BATCH_SIZE, MINIBATCH, ACTIVATION, the
// df64 constants SCALE = 1/√n, GAIN = √2, TWO_OVER_BATCH and ONE_OVER_POINTS,
// and the state's scratch offsets Z_AT, H_AT, DZ_AT (WIDTH df64 values each).
// The layers' rates sit in the settings at RATE_AT (input, then output).

const W2 = WIDTH * WIDTH;
// Where the minibatch draws start in `data`: after X and y.
const DRAWS = POINTS * WIDTH + POINTS;
// Past this an error signal has overflowed, or is about to (see shaders/objective-mlp.wgsl).
const OVERFLOW = 1e30f;

// Loops stay loops: unrolled, their constant counts make the compile slow.
fn widthCount() -> u32 {
  return WIDTH | u.zero;
}

fn pointCount() -> u32 {
  return POINTS | u.zero;
}

fn batchCount() -> u32 {
  return BATCH_SIZE | u.zero;
}

fn batchPoint(b: u32, k: u32) -> u32 {
  if (MINIBATCH) {
    return u32(data[DRAWS + k * BATCH_SIZE + b]);
  }
  return b;
}

// An input, a float32 value: products with it take dfMulF, about half a df64 product's work.
fn dataX(i: u32, k: u32) -> f32 {
  return data[i * WIDTH + k];
}

fn dataY(i: u32) -> vec2f {
  return vec2f(data[POINTS * WIDTH + i], 0.0);
}

fn overflows(x: vec2f) -> bool {
  return magnitudeBits(x.x) > bitcast<u32>(OVERFLOW);
}

fn activation(z: vec2f) -> vec2f {
  if (ACTIVATION == 0u) {
    return dfTanh(dfMul(GAIN, z));
  }
  if (ACTIVATION == 1u) {
    return select(vec2f(0.0), dfMul(GAIN, z), z.x > 0.0);
  }
  return z;
}

// dφ/dz at z, given h = φ(z).
fn activationSlope(z: vec2f, h: vec2f) -> vec2f {
  if (ACTIVATION == 0u) {
    return dfMul(GAIN, dfSub(vec2f(1.0, 0.0), dfMul(h, h)));
  }
  if (ACTIVATION == 1u) {
    return select(vec2f(0.0), GAIN, z.x > 0.0);
  }
  return vec2f(1.0, 0.0);
}

// The network on data point i: z and h into the scratch, the output returned.
fn forward(i: u32) -> vec2f {
  for (var j = 0u; j < widthCount(); j++) {
    var s = dfMulF(wAt(j), dataX(i, 0u));
    for (var k = 1u; k < widthCount(); k++) {
      s = dfAdd(s, dfMulF(wAt(k * WIDTH + j), dataX(i, k)));
    }
    let z = dfMul(s, SCALE);
    setPair(Z_AT + 2u * j, z);
    setPair(H_AT + 2u * j, activation(z));
  }
  var s = dfMul(pair(H_AT), wAt(W2));
  for (var j = 1u; j < widthCount(); j++) {
    s = dfAdd(s, dfMul(pair(H_AT + 2u * j), wAt(W2 + j)));
  }
  return dfMul(s, SCALE);
}

fn dfLoss() -> vec2f {
  var total = vec2f(0.0);
  for (var i = 0u; i < pointCount(); i++) {
    let r = dfSub(forward(i), dataY(i));
    let sq = dfMul(r, r);
    total = select(dfAdd(total, sq), sq, i == 0u);
  }
  return dfMul(total, ONE_OVER_POINTS);
}

// The loss the last full-batch gradient added up on its way (see shaders/objective-mlp.wgsl).
var<private> gradientLoss: vec2f;

fn dfRecordedLoss() -> vec2f {
  if (MINIBATCH) {
    return dfLoss();
  }
  return gradientLoss;
}

// Backpropagation over iterate k's batch: g gets each layer's gradient times
// its rate; returns the largest |component| of the plain gradient. Where an
// error signal overflowed, g is NaN and the result ∞ (the trajectory escapes
// at its next update).
fn dfGradient(k: u32) -> f32 {
  for (var d = 0u; d < dimCount(); d++) {
    setG(d, vec2f(0.0));
  }
  var overflowed = false;
  var total = vec2f(0.0);
  for (var b = 0u; b < batchCount(); b++) {
    let i = batchPoint(b, k);
    let r = dfSub(forward(i), dataY(i));
    if (!MINIBATCH) {
      let sq = dfMul(r, r);
      total = select(dfAdd(total, sq), sq, b == 0u);
    }
    let dOut = dfMul(r, TWO_OVER_BATCH);
    overflowed = overflowed || overflows(dOut);
    for (var j = 0u; j < widthCount(); j++) {
      let h = pair(H_AT + 2u * j);
      setG(W2 + j, dfAdd(gAt(W2 + j), dfMul(dOut, h)));
      let dh = dfMul(dfMul(dOut, wAt(W2 + j)), SCALE);
      overflowed = overflowed || overflows(dh);
      setPair(DZ_AT + 2u * j, dfMul(dh, activationSlope(pair(Z_AT + 2u * j), h)));
    }
    for (var k2 = 0u; k2 < widthCount(); k2++) {
      let x = dataX(i, k2);
      for (var j = 0u; j < widthCount(); j++) {
        setG(k2 * WIDTH + j, dfAdd(gAt(k2 * WIDTH + j), dfMulF(pair(DZ_AT + 2u * j), x)));
      }
    }
  }
  var largest = 0.0;
  let nan = bitcast<f32>(0x7fc00000u | u.zero);
  for (var d = 0u; d < dimCount(); d++) {
    let gd = dfMul(gAt(d), SCALE);
    largest = max(largest, abs(gd.x));
    let rate = settingPair(RATE_AT + select(2u, 0u, d < W2));
    setG(d, select(dfMul(gd, rate), vec2f(nan), overflowed));
  }
  if (!MINIBATCH) {
    gradientLoss = dfMul(total, ONE_OVER_POINTS);
  }
  return select(largest, bitcast<f32>(0x7f800000u | u.zero), overflowed);
}
