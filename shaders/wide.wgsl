// The wide form: for many dimensions and for the network. Every per-dimension
// value of a trajectory (w, the previous gradient, the gradient being
// computed, the optimizer's slots) is read and written in place in the state
// buffer, which is field-major, rather than held in private arrays. Compile
// time then stays flat as the dimensions grow: private arrays of a few
// hundred elements took minutes to compile on lavapipe, and spill on real GPUs.
//
// Each invocation steps one vector of LANES trajectories, every step checked
// (the narrow form's careful step, done in place): with many dimensions the
// checks cost little beside the step. The arithmetic, and the order of every
// sum, is that of shaders/trajectory.wgsl and src/engine/cpu.ts. The state's
// accessors and the phases of a dispatch are in shaders/wide-state.wgsl.
//
// Generated in front of this file (src/engine/kernel.ts): the lane aliases,
// the structural constants, W_FIELD, G_PREV_FIELD, G_FIELD (offsets of the
// per-dimension fields in the state), the structs Objective (with
// curvatureAt, minimumAt and w0At, which read a lane's values from
// axisValues), Hyper, Slots and Lanes (its scalar fields only), with
// loadSlotsPart and storeSlotsPart, which move one dimension of the slots.

override WORKGROUP: u32 = 64u;

// One update with every check, in place, from the gradient just computed
// into G_FIELD (G, its largest component): one pass over the dimensions takes
// the turn g·g′ in window B (in index order), steps each dimension and keeps it only for
// live lanes.
fn stepLanes(s: ptr<function, Lanes>, setting: Setting, k: u32, G: V) {
  let live = (*s).escapeStep < VI(0);
  trackLoss(s, setting, W_FIELD, k, live);
  let lr = rateAt(setting, k);
  (*s).lastAbove = select((*s).lastAbove, VI(i32(k)), live & (G > (*s).gradTol));
  let inB = k >= u.bStart;
  if (inB) {
    (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
  } else if (k >= u.aStart) {
    (*s).gradA = select((*s).gradA, G, live & (G > (*s).gradA));
  }
  // The slots' scalars as they were before this step: each dimension's call starts from them.
  let slots = (*s).slots;
  var stepped = slots;
  var turn = V(0.0);
  var m = VU(0u);
  for (var i = 0u; i < dimCount(); i++) {
    let gi = stateAt(G_FIELD, i);
    let gp = stateAt(G_PREV_FIELD, i);
    if (inB) {
      turn = select(turn + gi * gp, gi * gp, i == 0u);
    }
    var before = slots;
    loadSlotsPart(&before, i);
    var after = before;
    let wi = stateAt(W_FIELD, i);
    var w = array<V, PART>(wi);
    update(&w, array<V, PART>(gi), lr, &after, setting.hyper);
    storeSlotsPart(selectSlots(before, after, live), i);
    stepped = after;
    setStateAt(W_FIELD, i, select(wi, w[0], live));
    setStateAt(G_PREV_FIELD, i, select(gp, gi, live));
    m = max(m, magnitudeBits(w[0]));
  }
  if (inB) {
    (*s).flips = (*s).flips + select(VU(0u), VU(1u), live & (turn < V(0.0)));
  }
  (*s).slots = selectSlots(slots, stepped, live);
  (*s).peak = select((*s).peak, max((*s).peak, m), live);
  (*s).escapeStep = select((*s).escapeStep, VI(i32(k + 1u)), live & (m > VU(u.boundBits)));
}

// w₀ into the state, the slots' starting values, and the lanes' first fields.
fn startLanes(s: ptr<function, Lanes>, setting: Setting) {
  var fresh: Lanes; // zero: the tail windows' maxima, turns and the loss start at 0
  fresh.slots = initialSlots(setting.hyper);
  var m = VU(0u);
  for (var i = 0u; i < dimCount(); i++) {
    let w0 = w0At(setting.objective, i);
    setStateAt(W_FIELD, i, w0);
    storeSlotsPart(fresh.slots, i);
    m = max(m, magnitudeBits(w0));
  }
  fresh.lastAbove = VI(-1);
  fresh.peak = m;
  fresh.escapeStep = select(VI(-1), VI(0), m > VU(u.boundBits));
  *s = fresh;
}

// The tolerance and the first previous gradient, from the gradient at w₀.
fn startGradient(s: ptr<function, Lanes>, G0: V) {
  for (var i = 0u; i < dimCount(); i++) {
    setStateAt(G_PREV_FIELD, i, stateAt(G_FIELD, i));
  }
  (*s).gradTol = V(u.tol) * G0;
}

// After the last step the final iterate joins the bookkeeping; then the loss.
fn finishLanes(s: ptr<function, Lanes>, setting: Setting, G: V) {
  let live = (*s).escapeStep < VI(0);
  var turn = V(0.0);
  for (var i = 0u; i < dimCount(); i++) {
    let t = stateAt(G_FIELD, i) * stateAt(G_PREV_FIELD, i);
    turn = select(turn + t, t, i == 0u);
  }
  (*s).lastAbove = select((*s).lastAbove, VI(i32(u.steps)), live & (G > (*s).gradTol));
  (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
  (*s).flips = (*s).flips + select(VU(0u), VU(1u), live & (turn < V(0.0)));
  (*s).finalLoss = lossAt(setting.objective, W_FIELD);
}

@compute @workgroup_size(WORKGROUP)
fn advance(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let vector = gid.x + gid.y * groups.x * WORKGROUP;
  if (vector >= u.slotVectors) {
    return;
  }
  var setting: Setting;
  decodeChunkVector(&setting, vector);
  var s: Lanes;
  let last = endPhase();
  for (var e = firstPhase(&s, setting, vector); e < last; e++) {
    phase(&s, setting, e);
  }
  storeLanes(s, vector);
}

@compute @workgroup_size(1)
fn trace(@builtin(global_invocation_id) gid: vec3u) {
  let vector = gid.x;
  if (vector >= u.slotVectors) {
    return;
  }
  var setting: Setting;
  decodeTracedVector(&setting, vector);
  var s: Lanes;
  let last = endPhase();
  for (var e = firstPhase(&s, setting, vector); e < last; e++) {
    // Iterate e is in the state before its step: row e − stepBegin; the last row follows the loop.
    if (e >= i32(u.stepBegin)) {
      recordLanes(W_FIELD, setting, vector, u32(e) - u.stepBegin);
    }
    phase(&s, setting, e);
  }
  if (u.stepEnd < u.steps) {
    recordLanes(W_FIELD, setting, vector, u.stepEnd - u.stepBegin);
  }
  storeLanes(s, vector);
}
