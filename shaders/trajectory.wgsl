// The narrow form: a vector of LANES trajectories (one per vector lane)
// stepped in private memory, for few dimensions. Here are the fast and careful
// steps, the bookkeeping the regimes are decided from, and the trace entry
// point; shaders/advance.wgsl is the sweep's entry point, shaders/common.wgsl
// holds what both forms share. Bookkeeping matches src/engine/cpu.ts
// operation for operation; the regime itself is decided on the host
// (src/classify.ts) from what is stored here.
//
// Generated in front of this file (src/engine/kernel.ts): the lane aliases
// V/VU/VI/VB, LANES, GROUPS, DIMS, COMPACT, the structs Uniforms, AxisLayout,
// Objective, Hyper, Slots and Lanes (with loadLanes, storeLanes, selectLanes;
// see src/engine/records.ts), the optimizer glue initialSlots() and update(),
// and decodeLane(), which turns a grid index into a lane of a Setting.

// How objectives and optimizers see the dimensions (shaders/wide.wgsl defines
// the same names over the state buffer): w by value, g through a pointer, and
// an optimizer's call covering every dimension at once.
alias WIn = array<V, DIMS>;
alias GOut = ptr<function, array<V, DIMS>>;
const PART = DIMS;

fn partCount() -> u32 {
  return dimCount();
}

fn wAt(w: WIn, i: u32) -> V {
  return w[i];
}

fn gAt(g: GOut, i: u32) -> V {
  return (*g)[i];
}

fn gSet(g: GOut, i: u32, x: V) {
  (*g)[i] = x;
}

// What a vector of trajectories is: fixed for the dispatch.
struct Setting {
  objective: Objective,
  initialW: array<V, DIMS>,
  multiplier: V, // lr for lr × factor schedules, 1 otherwise
  hyper: Hyper, // the optimizer's hyperparameters
  row: VU, // schedule-table row of each lane
}

fn largestMagnitude(w: array<V, DIMS>) -> VU {
  var m = VU(0u);
  for (var i = 0u; i < dimCount(); i++) {
    m = max(m, magnitudeBits(w[i]));
  }
  return m;
}

// a·b in index order, starting from the first product (see lossAt).
fn dotLanes(a: array<V, DIMS>, b: array<V, DIMS>) -> V {
  var d = a[0] * b[0];
  for (var i = 1u; i < dimCount(); i++) {
    d = d + a[i] * b[i];
  }
  return d;
}

// One update with every check: frozen lanes stay put, escapes are recorded,
// and the tail windows are tracked. Used to replay a block in which some lane
// escaped, and for traces.
fn carefulStep(s: ptr<function, Lanes>, setting: Setting, k: u32) {
  let live = (*s).escapeStep < VI(0);
  trackLoss(s, setting, (*s).w, k, live);
  let lr = rateAt(setting, k);
  var g: array<V, DIMS>;
  let G = gradient(setting.objective, (*s).w, &g);
  (*s).lastAbove = select((*s).lastAbove, VI(i32(k)), live & (G > (*s).gradTol));
  if (k >= u.bStart) {
    (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
    (*s).flips = (*s).flips + select(VU(0u), VU(1u), live & (dotLanes(g, (*s).gPrev) < V(0.0)));
  } else if (k >= u.aStart) {
    (*s).gradA = select((*s).gradA, G, live & (G > (*s).gradA));
  }
  var w = (*s).w;
  var slots = (*s).slots;
  update(&w, g, lr, &slots, setting.hyper);
  let m = largestMagnitude(w);
  let escaping = live & (m > VU(u.boundBits));
  for (var i = 0u; i < dimCount(); i++) {
    (*s).gPrev[i] = select((*s).gPrev[i], g[i], live);
    (*s).w[i] = select((*s).w[i], w[i], live);
  }
  (*s).slots = selectSlots((*s).slots, slots, live);
  (*s).peak = select((*s).peak, max((*s).peak, m), live);
  (*s).escapeStep = select((*s).escapeStep, VI(i32(k + 1u)), escaping);
}

// Keeps a fast block's results (t, with the block's peak) for the lanes that
// were live before it, and the saved state for lanes already frozen. A fast
// block changes neither the tolerance nor the escape step, so taking every
// field from t for the live lanes is the same as taking what it changed.
fn keepLive(s: ptr<function, Lanes>, t: Lanes, blockPeak: VU) {
  var advanced = t;
  advanced.peak = max(t.peak, blockPeak);
  *s = selectLanes(*s, advanced, (*s).escapeStep < VI(0));
}

fn initialLanes(setting: Setting) -> Lanes {
  var s: Lanes; // zero: the tail windows' maxima, turns and the loss start at 0
  s.w = setting.initialW;
  s.slots = initialSlots(setting.hyper);
  var g: array<V, DIMS>;
  let G0 = gradient(setting.objective, s.w, &g);
  s.gPrev = g;
  s.gradTol = V(u.tol) * G0;
  s.lastAbove = VI(-1);
  s.peak = largestMagnitude(s.w);
  s.escapeStep = select(VI(-1), VI(0), s.peak > VU(u.boundBits));
  return s;
}

// A vector's lanes at the start of a dispatch: fresh at step 0, else as the last dispatch left them.
fn startLanes(setting: Setting, vector: u32) -> Lanes {
  if (u.stepBegin == 0u) {
    return initialLanes(setting);
  }
  return loadLanes(vector);
}

// After the last step the final iterate joins the bookkeeping; then the loss.
fn finishLanes(s: ptr<function, Lanes>, setting: Setting) {
  let live = (*s).escapeStep < VI(0);
  var g: array<V, DIMS>;
  let G = gradient(setting.objective, (*s).w, &g);
  (*s).lastAbove = select((*s).lastAbove, VI(i32(u.steps)), live & (G > (*s).gradTol));
  (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
  (*s).flips = (*s).flips + select(VU(0u), VU(1u), live & (dotLanes(g, (*s).gPrev) < V(0.0)));
  (*s).finalLoss = lossAt(setting.objective, (*s).w);
}

@compute @workgroup_size(1)
fn trace(@builtin(global_invocation_id) gid: vec3u) {
  let vector = gid.x;
  if (vector >= u.slotVectors) {
    return;
  }
  var setting: Setting;
  decodeTracedVector(&setting, vector);
  var s = startLanes(setting, vector);
  recordLanes(s.w, setting, vector, 0u);
  for (var k = u.stepBegin; k < u.stepEnd; k++) {
    carefulStep(&s, setting, k);
    recordLanes(s.w, setting, vector, k + 1u - u.stepBegin);
  }
  if (u.stepEnd == u.steps) {
    finishLanes(&s, setting);
  }
  storeLanes(s, vector);
}
