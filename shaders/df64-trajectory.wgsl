// The df64 kernel (--precision df64): one trajectory per invocation, every
// number of it (w, the gradient, the optimizer's accumulator, the learning
// rate and the hyperparameters) a df64 value, vec2f(hi, lo), stepped with
// shaders/df64.wgsl. The bookkeeping the regimes are decided from is float32,
// taken from each value's leading part (hi, the value rounded to float32),
// as src/engine/df64-cpu.ts does operation for operation.
//
// Generated in front (src/engine/df64-plan.ts): the struct Uniforms, DIMS,
// SETTING_WORDS and STATE_WORDS, the state's field offsets (*_AT), TRAINABILITY
// and the loss record's constants, the objective's constants and code
// (dfGradient(k), dfLoss, dfRecordedLoss), and shaders/df64.wgsl.
//
// The state of the chunk's trajectories is word-major: word i of trajectory t
// at i·count + t, so neighbouring invocations read neighbouring words. So
// are their settings (written by the host for each chunk), SETTING_WORDS
// words each.

@group(0) @binding(0) var<uniform> u: Uniforms;
@group(0) @binding(1) var<storage, read> settings: array<f32>;
@group(0) @binding(2) var<storage, read> rates: array<f32>; // df64 table: row-major, two words per step
@group(0) @binding(3) var<storage, read> data: array<f32>; // the network's X, y and minibatch draws
@group(0) @binding(4) var<storage, read_write> state: array<f32>;
@group(0) @binding(5) var<storage, read_write> traceOut: array<f32>;

override WORKGROUP: u32 = 64u;

// x, hidden from the compiler's algebra (see opaque() in shaders/common.wgsl):
// the error-free transformations of shaders/df64.wgsl depend on it.
fn dfKeep(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) ^ u.zero);
}

// This invocation's trajectory: its place in the chunk.
var<private> lane: u32;

// Where word i of this trajectory's state or settings is.
fn at(i: u32) -> u32 {
  return i * u.count + lane;
}

fn dimCount() -> u32 {
  return DIMS | u.zero;
}

fn word(i: u32) -> f32 {
  return state[at(i)];
}

fn setWord(i: u32, x: f32) {
  state[at(i)] = x;
}

fn wordU(i: u32) -> u32 {
  return bitcast<u32>(state[at(i)]);
}

fn setWordU(i: u32, x: u32) {
  state[at(i)] = bitcast<f32>(x);
}

fn wordI(i: u32) -> i32 {
  return bitcast<i32>(state[at(i)]);
}

fn setWordI(i: u32, x: i32) {
  state[at(i)] = bitcast<f32>(x);
}

fn pair(i: u32) -> vec2f {
  return vec2f(state[at(i)], state[at(i + 1u)]);
}

fn setPair(i: u32, x: vec2f) {
  state[at(i)] = x.x;
  state[at(i + 1u)] = x.y;
}

fn wAt(i: u32) -> vec2f {
  return pair(W_AT + 2u * i);
}

fn setW(i: u32, x: vec2f) {
  setPair(W_AT + 2u * i, x);
}

fn gAt(i: u32) -> vec2f {
  return pair(G_AT + 2u * i);
}

fn setG(i: u32, x: vec2f) {
  setPair(G_AT + 2u * i, x);
}

fn setting(i: u32) -> f32 {
  return settings[at(i)];
}

fn settingPair(i: u32) -> vec2f {
  return vec2f(settings[at(i)], settings[at(i + 1u)]);
}

fn settingU(i: u32) -> u32 {
  return bitcast<u32>(settings[at(i)]);
}

fn magnitudeBits(x: f32) -> u32 {
  return bitcast<u32>(x) & 0x7fffffffu;
}

// The largest |wᵢ| as float32 magnitude bits (they order like the values, NaN largest).
fn largestMagnitude() -> u32 {
  var m = 0u;
  for (var i = 0u; i < dimCount(); i++) {
    m = max(m, magnitudeBits(wAt(i).x));
  }
  return m;
}

// g·g′ in float32 over the leading parts, in index order from the first product.
fn turnDot() -> f32 {
  var d = dfKeep(gAt(0u).x * word(G_PREV_AT));
  for (var i = 1u; i < dimCount(); i++) {
    d = dfKeep(d + dfKeep(gAt(i).x * word(G_PREV_AT + i)));
  }
  return d;
}

fn keepTurn() {
  for (var i = 0u; i < dimCount(); i++) {
    setWord(G_PREV_AT + i, gAt(i).x);
  }
}

// lr at step k: A × the table's df64 value.
fn rateAt(k: u32) -> vec2f {
  let i = 2u * (settingU(ROW_AT) * u.tableStride + (k - u.tableBegin));
  return dfMul(settingPair(MULTIPLIER_AT), vec2f(rates[i], rates[i + 1u]));
}

// The loss record at iterate k (src/engine/df64-cpu.ts trackLoss is its twin).
fn trackLoss(k: u32, loss: f32) {
  if (k == 0u) {
    setWord(LOSS0_AT, loss);
  }
  let ratio = dfKeep(loss / word(LOSS0_AT));
  let v = select(select(ratio, LOSS_FLOOR, ratio < LOSS_FLOOR), LOSS_CAP, !(ratio <= LOSS_CAP));
  setWord(LOSS_SUM_AT, dfKeep(word(LOSS_SUM_AT) + v));
  setWord(LOSS_INV_SUM_AT, dfKeep(word(LOSS_INV_SUM_AT) + dfKeep(1.0 / v)));
  if (k + LOSS_TAIL >= u.steps) {
    setWord(LOSS_TAIL_AT, dfKeep(word(LOSS_TAIL_AT) + v));
  }
  if (k >= u.lossB) {
    setWord(LOSS_B_AT, dfKeep(word(LOSS_B_AT) + v));
    if (k > 0u && v > word(LOSS_PREV_AT)) {
      setWord(LOSS_RISE_AT, dfKeep(word(LOSS_RISE_AT) + dfKeep(v - word(LOSS_PREV_AT))));
    }
  } else if (k >= u.lossA) {
    setWord(LOSS_A_AT, dfKeep(word(LOSS_A_AT) + v));
  }
  setWord(LOSS_PREV_AT, v);
}

// Bookkeeping for iterate k, whose gradient (largest |gᵢ| G) was just computed.
fn observe(k: u32, G: f32) {
  if (G > word(GRAD_TOL_AT)) {
    setWordI(LAST_ABOVE_AT, i32(k));
  }
  if (k < u.aStart) {
    return;
  }
  if (k >= u.bStart) {
    if (G > word(GRAD_B_AT)) {
      setWord(GRAD_B_AT, G);
    }
    if (turnDot() < 0.0) {
      setWordU(FLIPS_AT, wordU(FLIPS_AT) + 1u);
    }
  } else if (G > word(GRAD_A_AT)) {
    setWord(GRAD_A_AT, G);
  }
  keepTurn();
}

// The optimizer's update of every component (src/engine/df64-cpu.ts update is its twin):
//   gd:                 w ← w − g·lr
//   momentum tf, torch: a ← a·μ + g;  w ← w − a·lr
//   keras:              m ← −g·lr + m·μ;  w ← w + m
// and Nesterov's forms, as shaders/optimizer-momentum.wgsl.
fn update(lr: vec2f) {
  let variant = settingU(VARIANT_AT);
  let convention = settingU(CONVENTION_AT);
  let mu = settingPair(MOMENTUM_AT);
  for (var i = 0u; i < dimCount(); i++) {
    let g = gAt(i);
    let w = wAt(i);
    if (variant == 0u) {
      setW(i, dfSub(w, dfMul(g, lr)));
      continue;
    }
    let nesterov = variant == 2u;
    let a = pair(ACCUM_AT + 2u * i);
    if (convention == 2u) {
      let step = dfMul(dfNeg(g), lr);
      let m = dfAdd(step, dfMul(a, mu));
      setPair(ACCUM_AT + 2u * i, m);
      if (nesterov) {
        setW(i, dfAdd(w, dfAdd(step, dfMul(m, mu))));
      } else {
        setW(i, dfAdd(w, m));
      }
    } else {
      let accum = dfAdd(dfMul(a, mu), g);
      setPair(ACCUM_AT + 2u * i, accum);
      if (!nesterov) {
        setW(i, dfSub(w, dfMul(accum, lr)));
      } else if (convention == 1u) {
        setW(i, dfSub(w, dfMul(lr, dfAdd(g, dfMul(mu, accum)))));
      } else {
        setW(i, dfSub(w, dfAdd(dfMul(g, lr), dfMul(dfMul(accum, mu), lr))));
      }
    }
  }
}

// Iterate 0: the tolerance from the first gradient, the peak from w₀.
fn startTrajectory() {
  let G0 = dfGradient(0u);
  keepTurn();
  setWord(GRAD_TOL_AT, dfKeep(u.tol * G0));
  let peak = largestMagnitude();
  setWordU(PEAK_AT, peak);
  setWordI(LAST_ABOVE_AT, -1);
  setWordI(ESCAPE_AT, select(-1, 0, peak > u.boundBits));
}

// One update: step k turns iterate w_k into w_{k+1}.
fn step(k: u32) {
  let lr = rateAt(k);
  let G = dfGradient(k);
  if (TRAINABILITY) {
    trackLoss(k, dfRecordedLoss().x);
  }
  observe(k, G);
  update(lr);
  let m = largestMagnitude();
  setWordU(PEAK_AT, max(wordU(PEAK_AT), m));
  if (m > u.boundBits) {
    setWordI(ESCAPE_AT, i32(k + 1u));
  }
}

// After the last step: the final iterate's gradient joins the bookkeeping (unless escaped), then the loss.
fn finishTrajectory() {
  if (wordI(ESCAPE_AT) < 0) {
    observe(u.steps, dfGradient(u.steps));
  }
  setPair(FINAL_LOSS_AT, dfLoss());
}

// A row of the trace: w (hi, lo per component), then the loss (hi, lo).
fn recordRow(trajectory: u32, row: u32) {
  let at = (trajectory * u.traceRows + row) * (2u * DIMS + 2u);
  for (var i = 0u; i < dimCount(); i++) {
    let w = wAt(i);
    traceOut[at + 2u * i] = w.x;
    traceOut[at + 2u * i + 1u] = w.y;
  }
  let loss = dfLoss();
  traceOut[at + 2u * DIMS] = loss.x;
  traceOut[at + 2u * DIMS + 1u] = loss.y;
}

fn place(trajectory: u32) {
  lane = trajectory;
}

@compute @workgroup_size(WORKGROUP)
fn advance(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let trajectory = gid.x + gid.y * groups.x * WORKGROUP;
  if (trajectory >= u.count) {
    return;
  }
  place(trajectory);
  if (u.stepBegin == 0u) {
    startTrajectory();
  }
  for (var k = u.stepBegin; k < u.stepEnd; k++) {
    if (wordI(ESCAPE_AT) >= 0) {
      break;
    }
    step(k);
  }
  if (u.stepEnd == u.steps) {
    finishTrajectory();
  }
}

// A trace: every iterate of the steps [stepBegin, stepEnd) recorded (a frozen
// trajectory repeats its last iterate); row 0 is iterate stepBegin.
@compute @workgroup_size(1)
fn trace(@builtin(global_invocation_id) gid: vec3u) {
  let trajectory = gid.x;
  if (trajectory >= u.count) {
    return;
  }
  place(trajectory);
  if (u.stepBegin == 0u) {
    startTrajectory();
  }
  recordRow(trajectory, 0u);
  for (var k = u.stepBegin; k < u.stepEnd; k++) {
    if (wordI(ESCAPE_AT) < 0) {
      step(k);
    }
    recordRow(trajectory, k + 1u - u.stepBegin);
  }
  if (u.stepEnd == u.steps) {
    finishTrajectory();
  }
}
