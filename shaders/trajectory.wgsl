// The sweep kernel: each invocation advances LANES trajectories (one per
// vector lane) through the steps [u.stepBegin, u.stepEnd) of this dispatch.
// Bookkeeping matches src/engine/cpu.ts operation for operation; the regime
// itself is decided on the host (src/classify.ts) from what is stored here.
//
// Generated in front of this file (src/engine/shader.ts): the lane aliases
// V/VU/VI/VB, LANES, DIMS, WORKGROUP, FAST_BLOCK, struct Uniforms, the state
// field offsets F_*, and fn setting(), which decodes a grid index into its
// objective, lr multiplier and schedule-table row.

@group(0) @binding(0) var<uniform> u: Uniforms;
@group(0) @binding(1) var<storage, read> axisValues: array<f32>;
@group(0) @binding(2) var<storage, read> rates: array<vec4f>; // rows padded to whole vec4s
@group(0) @binding(3) var<storage, read_write> state: array<VU>;

// Everything a trajectory carries between dispatches.
struct Lanes {
  w: array<V, DIMS>,
  slots: Slots, // the optimizer's state (shaders/optimizer-*.wgsl)
  gPrev: array<V, DIMS>,
  gradTol: V,
  lastAbove: VI,
  escape: VI,
  peak: VU, // largest |wᵢ| so far, as float32 magnitude bits (ordered like the values; NaN largest)
  gradA: V,
  gradB: V,
  flips: VU,
}

var<private> objective: Objective;
var<private> multiplier: V; // lr for lr × factor schedules, 1 otherwise
var<private> row: VU; // schedule-table row of each lane

fn slotOf(field: u32, slot: u32) -> u32 {
  return field * u.slotVectors + slot;
}

fn magnitudeBits(x: V) -> VU {
  return bitcast<VU>(x) & VU(0x7fffffffu);
}

fn largestMagnitude(w: array<V, DIMS>) -> VU {
  var m = VU(0u);
  for (var i = 0u; i < DIMS; i++) {
    m = max(m, magnitudeBits(w[i]));
  }
  return m;
}

// Table value for lane j at step k: table[row][k − tableBegin].
fn tableValue(j: u32, k: u32) -> f32 {
  let i = laneU(row, j) * u.tableStride + (k - u.tableBegin);
  return rates[i >> 2u][i & 3u];
}

// lr for step k: A × table value. When every lane of an invocation shares its
// row (ROW_SHARED, decided per spec), one load serves all lanes.
fn rateAt(k: u32) -> V {
  if (ROW_SHARED) {
    return multiplier * V(tableValue(0u, k));
  }
  var factor: V;
  for (var j = 0u; j < LANES; j++) {
    factor = setLane(factor, j, tableValue(j, k));
  }
  return multiplier * factor;
}

// lr for steps k … k + 3 (k a multiple of 4): one vec4 load per row.
fn ratesAt4(k: u32) -> array<V, 4> {
  var out: array<V, 4>;
  if (ROW_SHARED) {
    let m = rates[(laneU(row, 0u) * u.tableStride + (k - u.tableBegin)) >> 2u];
    for (var t = 0u; t < 4u; t++) {
      out[t] = multiplier * V(m[t]);
    }
    return out;
  }
  var factor: array<V, 4>;
  for (var j = 0u; j < LANES; j++) {
    let m = rates[(laneU(row, j) * u.tableStride + (k - u.tableBegin)) >> 2u];
    for (var t = 0u; t < 4u; t++) {
      factor[t] = setLane(factor[t], j, m[t]);
    }
  }
  for (var t = 0u; t < 4u; t++) {
    out[t] = multiplier * factor[t];
  }
  return out;
}

// a·b in index order, starting from the first product (see lossAt).
fn dotLanes(a: array<V, DIMS>, b: array<V, DIMS>) -> V {
  var d = a[0] * b[0];
  for (var i = 1u; i < DIMS; i++) {
    d = d + a[i] * b[i];
  }
  return d;
}

// One update with every check: frozen lanes stay put, escapes are recorded,
// and the tail windows are tracked. Used for the tail and to replay a block
// in which some lane escaped.
fn carefulStep(s: ptr<function, Lanes>, k: u32) {
  let live = (*s).escape < VI(0);
  let lr = rateAt(k);
  var g: array<V, DIMS>;
  let G = gradient(objective, (*s).w, &g);
  (*s).lastAbove = select((*s).lastAbove, VI(i32(k)), live & (G > (*s).gradTol));
  if (k >= u.bStart) {
    (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
    (*s).flips = (*s).flips + select(VU(0u), VU(1u), live & (dotLanes(g, (*s).gPrev) < V(0.0)));
  } else if (k >= u.aStart) {
    (*s).gradA = select((*s).gradA, G, live & (G > (*s).gradA));
  }
  var w = (*s).w;
  var slots = (*s).slots;
  update(&w, g, lr, &slots);
  let m = largestMagnitude(w);
  let escaping = live & (m > VU(u.boundBits));
  for (var i = 0u; i < DIMS; i++) {
    (*s).gPrev[i] = select((*s).gPrev[i], g[i], live);
    (*s).w[i] = select((*s).w[i], w[i], live);
  }
  (*s).slots = selectSlots((*s).slots, slots, live);
  (*s).peak = select((*s).peak, max((*s).peak, m), live);
  (*s).escape = select((*s).escape, VI(i32(k + 1u)), escaping);
}

// One update without escape checks or freezing. In the tail windows it also
// tracks the gradient's size and turns: `window` is 0 before them, 1 in
// window A, 2 in window B (the same for every invocation, so the branches
// cost next to nothing).
fn fastStep(t: ptr<function, Lanes>, k: u32, lr: V, window: u32, blockPeak: ptr<function, VU>) {
  var g: array<V, DIMS>;
  let G = gradient(objective, (*t).w, &g);
  (*t).lastAbove = select((*t).lastAbove, VI(i32(k)), G > (*t).gradTol);
  if (window != 0u) {
    if (window == 2u) {
      (*t).gradB = max((*t).gradB, G);
      (*t).flips = (*t).flips + select(VU(0u), VU(1u), dotLanes(g, (*t).gPrev) < V(0.0));
    } else {
      (*t).gradA = max((*t).gradA, G);
    }
    (*t).gPrev = g;
  }
  // Copies, because WGSL forbids two pointers into one variable in a call.
  var w = (*t).w;
  var slots = (*t).slots;
  update(&w, g, lr, &slots);
  (*t).w = w;
  (*t).slots = slots;
  *blockPeak = max(*blockPeak, largestMagnitude((*t).w));
}

// Steps [k0, k1) of one window kind, reading rates four at a time where aligned.
fn fastSteps(t: ptr<function, Lanes>, k0: u32, k1: u32, window: u32, blockPeak: ptr<function, VU>) {
  var k = k0;
  for (; k < k1 && (k & 3u) != 0u; k++) {
    fastStep(t, k, rateAt(k), window, blockPeak);
  }
  for (; k + 4u <= k1; k += 4u) {
    let lr = ratesAt4(k);
    fastStep(t, k, lr[0], window, blockPeak);
    fastStep(t, k + 1u, lr[1], window, blockPeak);
    fastStep(t, k + 2u, lr[2], window, blockPeak);
    fastStep(t, k + 3u, lr[3], window, blockPeak);
  }
  for (; k < k1; k++) {
    fastStep(t, k, rateAt(k), window, blockPeak);
  }
}

// Up to FAST_BLOCK updates without per-step escape checks or freezing. If a
// lane that was still live crossed the bound, the block is replayed step by
// step from its start until every such lane has escaped, so the recorded
// escape step and frozen point are exact. Returns the next step to run.
fn fastBlock(s: ptr<function, Lanes>, k0: u32, k1: u32) -> u32 {
  let saved = *s;
  let live = (*s).escape < VI(0);
  var t = *s; // advanced in place; lanes that were frozen are restored below
  var blockPeak = VU(0u);
  let aBegin = clamp(u.aStart, k0, k1);
  let bBegin = clamp(u.bStart, k0, k1);
  fastSteps(&t, k0, aBegin, 0u, &blockPeak);
  fastSteps(&t, aBegin, bBegin, 1u, &blockPeak);
  fastSteps(&t, bBegin, k1, 2u, &blockPeak);
  let crossing = live & (blockPeak > VU(u.boundBits));
  if (any(crossing)) {
    for (var r = k0; r < k1; r++) {
      carefulStep(s, r);
      if (!any(crossing & ((*s).escape < VI(0)))) {
        return r + 1u;
      }
    }
    return k1;
  }
  t.peak = max(t.peak, blockPeak);
  for (var i = 0u; i < DIMS; i++) {
    (*s).w[i] = select(saved.w[i], t.w[i], live);
    (*s).gPrev[i] = select(saved.gPrev[i], t.gPrev[i], live);
  }
  (*s).slots = selectSlots(saved.slots, t.slots, live);
  (*s).lastAbove = select(saved.lastAbove, t.lastAbove, live);
  (*s).peak = select(saved.peak, t.peak, live);
  (*s).gradA = select(saved.gradA, t.gradA, live);
  (*s).gradB = select(saved.gradB, t.gradB, live);
  (*s).flips = select(saved.flips, t.flips, live);
  return k1;
}

fn initialLanes() -> Lanes {
  var s: Lanes;
  s.w = initialW;
  s.slots = initialSlots();
  var g: array<V, DIMS>;
  let G0 = gradient(objective, s.w, &g);
  s.gPrev = g;
  s.gradTol = V(u.tol) * G0;
  s.lastAbove = VI(-1);
  s.peak = largestMagnitude(s.w);
  s.escape = select(VI(-1), VI(0), s.peak > VU(u.boundBits));
  s.gradA = V(0.0);
  s.gradB = V(0.0);
  s.flips = VU(0u);
  return s;
}

fn loadLanes(slot: u32) -> Lanes {
  var s: Lanes;
  for (var i = 0u; i < DIMS; i++) {
    s.w[i] = bitcast<V>(state[slotOf(F_W + i, slot)]);
    s.gPrev[i] = bitcast<V>(state[slotOf(F_GPREV + i, slot)]);
  }
  s.gradTol = bitcast<V>(state[slotOf(F_GRADTOL, slot)]);
  s.lastAbove = bitcast<VI>(state[slotOf(F_LASTABOVE, slot)]);
  s.escape = bitcast<VI>(state[slotOf(F_ESCAPE, slot)]);
  s.peak = state[slotOf(F_PEAK, slot)];
  s.gradA = bitcast<V>(state[slotOf(F_GRADA, slot)]);
  s.gradB = bitcast<V>(state[slotOf(F_GRADB, slot)]);
  s.flips = state[slotOf(F_FLIPS, slot)];
  s.slots = loadSlots(slot);
  return s;
}

fn storeLanes(s: Lanes, slot: u32) {
  for (var i = 0u; i < DIMS; i++) {
    state[slotOf(F_W + i, slot)] = bitcast<VU>(s.w[i]);
    state[slotOf(F_GPREV + i, slot)] = bitcast<VU>(s.gPrev[i]);
  }
  state[slotOf(F_GRADTOL, slot)] = bitcast<VU>(s.gradTol);
  state[slotOf(F_LASTABOVE, slot)] = bitcast<VU>(s.lastAbove);
  state[slotOf(F_ESCAPE, slot)] = bitcast<VU>(s.escape);
  state[slotOf(F_PEAK, slot)] = s.peak;
  state[slotOf(F_GRADA, slot)] = bitcast<VU>(s.gradA);
  state[slotOf(F_GRADB, slot)] = bitcast<VU>(s.gradB);
  state[slotOf(F_FLIPS, slot)] = s.flips;
  storeSlots(s.slots, slot);
}

fn startLanes(slot: u32) -> Lanes {
  if (u.stepBegin == 0u) {
    return initialLanes();
  }
  return loadLanes(slot);
}

// After the last step the final iterate joins the bookkeeping; then the loss.
fn finishLanes(s: ptr<function, Lanes>, slot: u32) {
  let live = (*s).escape < VI(0);
  var g: array<V, DIMS>;
  let G = gradient(objective, (*s).w, &g);
  (*s).lastAbove = select((*s).lastAbove, VI(i32(u.steps)), live & (G > (*s).gradTol));
  (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
  (*s).flips = (*s).flips + select(VU(0u), VU(1u), live & (dotLanes(g, (*s).gPrev) < V(0.0)));
  state[slotOf(F_LOSS, slot)] = bitcast<VU>(lossAt(objective, (*s).w));
}

@compute @workgroup_size(WORKGROUP)
fn advance(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let slot = gid.x + gid.y * groups.x * WORKGROUP;
  if (slot >= u.slotVectors) {
    return;
  }
  for (var j = 0u; j < LANES; j++) {
    decodeLane(j, u.start + min(slot * LANES + j, u.count - 1u));
  }
  var s = startLanes(slot);
  var k = u.stepBegin;
  while (k < u.stepEnd) {
    k = fastBlock(&s, k, min(k + FAST_BLOCK, u.stepEnd));
  }
  if (u.stepEnd == u.steps) {
    finishLanes(&s, slot);
  }
  storeLanes(s, slot);
}

// Step-by-step record of a few trajectories (listed by grid index in
// traceIndex): row 0 holds iterate stepBegin, row r iterate stepBegin + r,
// each as DIMS components of w followed by the loss.
@group(0) @binding(4) var<storage, read_write> traceOut: array<f32>;
@group(0) @binding(5) var<storage, read> traceIndex: array<u32>;

fn recordLanes(s: Lanes, slot: u32, rowIndex: u32) {
  let loss = lossAt(objective, s.w);
  for (var j = 0u; j < LANES; j++) {
    let base = ((slot * LANES + j) * u.traceRows + rowIndex) * (DIMS + 1u);
    for (var i = 0u; i < DIMS; i++) {
      traceOut[base + i] = laneF(s.w[i], j);
    }
    traceOut[base + DIMS] = laneF(loss, j);
  }
}

@compute @workgroup_size(1)
fn trace(@builtin(global_invocation_id) gid: vec3u) {
  let slot = gid.x;
  if (slot >= u.slotVectors) {
    return;
  }
  for (var j = 0u; j < LANES; j++) {
    decodeLane(j, traceIndex[min(slot * LANES + j, u.count - 1u)]);
  }
  var s = startLanes(slot);
  recordLanes(s, slot, 0u);
  for (var k = u.stepBegin; k < u.stepEnd; k++) {
    carefulStep(&s, k);
    recordLanes(s, slot, k + 1u - u.stepBegin);
  }
  if (u.stepEnd == u.steps) {
    finishLanes(&s, slot);
  }
  storeLanes(s, slot);
}
