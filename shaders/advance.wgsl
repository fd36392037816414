// The sweep's entry point: each invocation steps GROUPS vectors of LANES
// trajectories through the steps [u.stepBegin, u.stepEnd) of a dispatch.
// GROUPS is 2 for eight lanes: two vectors stepped side by side, whose
// dependency chains are independent, so the compiler can overlap them. The
// second vector's work sits behind `GROUPS > 1u`, a constant, so with one
// group it compiles away.

override WORKGROUP: u32 = 64u;
// Steps between escape checks in the fast loop.
override FAST_BLOCK: u32 = 256u;

// One update without escape checks or freezing. In the tail windows it also
// tracks the gradient's size and turns: `window` is 0 before them, 1 in
// window A, 2 in window B (a constant at every call, so the branches fold away).
fn fastStep(t: ptr<function, Lanes>, setting: Setting, k: u32, lr: V, window: u32, blockPeak: ptr<function, VU>) {
  // Every lane: those that were frozen get their saved state back (keepLive).
  trackLoss(t, setting, (*t).w, k, VB(true));
  var g: array<V, DIMS>;
  let G = gradient(setting.objective, (*t).w, &g);
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
  update(&w, g, lr, &slots, setting.hyper);
  (*t).w = w;
  (*t).slots = slots;
  *blockPeak = max(*blockPeak, largestMagnitude(w));
}

// Steps [k0, k1) of one window kind (0 before the tail, 1 window A, 2 window B),
// reading rates four at a time where aligned.
fn fastSteps(
  t0: ptr<function, Lanes>, setting0: Setting, peak0: ptr<function, VU>,
  t1: ptr<function, Lanes>, setting1: Setting, peak1: ptr<function, VU>,
  k0: u32, k1: u32, window: u32,
) {
  var k = k0;
  for (; k < k1 && (k & 3u) != 0u; k++) {
    fastStep(t0, setting0, k, rateAt(setting0, k), window, peak0);
    if (GROUPS > 1u) {
      fastStep(t1, setting1, k, rateAt(setting1, k), window, peak1);
    }
  }
  // COMPACT kernels (costly objectives, whose code every call site repeats)
  // skip the four-step unrolling: one call site instead of five.
  for (; !COMPACT && k + 4u <= k1; k += 4u) {
    let lr0 = ratesAt4(setting0, k);
    var lr1: array<V, 4>;
    if (GROUPS > 1u) {
      lr1 = ratesAt4(setting1, k);
    }
    for (var step = 0u; step < 4u; step++) {
      fastStep(t0, setting0, k + step, lr0[step], window, peak0);
      if (GROUPS > 1u) {
        fastStep(t1, setting1, k + step, lr1[step], window, peak1);
      }
    }
  }
  for (; k < k1; k++) {
    fastStep(t0, setting0, k, rateAt(setting0, k), window, peak0);
    if (GROUPS > 1u) {
      fastStep(t1, setting1, k, rateAt(setting1, k), window, peak1);
    }
  }
}

// Up to FAST_BLOCK updates without per-step escape checks or freezing. If a
// lane that was still live crossed the bound, both groups are replayed step
// by step from the block's start until every such lane has escaped, so the
// recorded escape steps and frozen points are exact. Returns the next step.
fn fastBlock(s0: ptr<function, Lanes>, setting0: Setting, s1: ptr<function, Lanes>, setting1: Setting, k0: u32, k1: u32) -> u32 {
  // Advanced in place; lanes that were frozen are restored by keepLive.
  var t0 = *s0;
  var t1 = *s1;
  var peak0 = VU(0u);
  var peak1 = VU(0u);
  let aBegin = clamp(u.aStart, k0, k1);
  let bBegin = clamp(u.bStart, k0, k1);
  if (COMPACT) {
    // One call site, the window decided at run time.
    let bounds = array<u32, 4>(k0, aBegin, bBegin, k1);
    for (var window = 0u; window < 3u; window++) {
      fastSteps(&t0, setting0, &peak0, &t1, setting1, &peak1, bounds[window], bounds[window + 1u], window);
    }
  } else {
    fastSteps(&t0, setting0, &peak0, &t1, setting1, &peak1, k0, aBegin, 0u);
    fastSteps(&t0, setting0, &peak0, &t1, setting1, &peak1, aBegin, bBegin, 1u);
    fastSteps(&t0, setting0, &peak0, &t1, setting1, &peak1, bBegin, k1, 2u);
  }
  let crossing0 = ((*s0).escapeStep < VI(0)) & (peak0 > VU(u.boundBits));
  let crossing1 = ((*s1).escapeStep < VI(0)) & (peak1 > VU(u.boundBits)) & VB(GROUPS > 1u);
  if (any(crossing0) || any(crossing1)) {
    for (var r = k0; r < k1; r++) {
      carefulStep(s0, setting0, r);
      if (GROUPS > 1u) {
        carefulStep(s1, setting1, r);
      }
      let pending = any(crossing0 & ((*s0).escapeStep < VI(0))) || any(crossing1 & ((*s1).escapeStep < VI(0)));
      if (!pending) {
        return r + 1u;
      }
    }
    return k1;
  }
  keepLive(s0, t0, peak0);
  if (GROUPS > 1u) {
    keepLive(s1, t1, peak1);
  }
  return k1;
}

// The Setting and the starting lanes of a vector.
fn setupVector(setting: ptr<function, Setting>, s: ptr<function, Lanes>, vector: u32) {
  decodeChunkVector(setting, vector);
  *s = startLanes(*setting, vector);
}

// After a dispatch: the final bookkeeping if the run is over, then the state.
fn finishVector(s: ptr<function, Lanes>, setting: Setting, vector: u32) {
  if (u.stepEnd == u.steps) {
    finishLanes(s, setting);
  }
  storeLanes(*s, vector);
}

@compute @workgroup_size(WORKGROUP)
fn advance(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let invocation = gid.x + gid.y * groups.x * WORKGROUP;
  if (invocation * GROUPS >= u.slotVectors) {
    return;
  }
  var setting0: Setting;
  var setting1: Setting;
  var s0: Lanes;
  var s1: Lanes;
  setupVector(&setting0, &s0, invocation * GROUPS);
  if (GROUPS > 1u) {
    setupVector(&setting1, &s1, invocation * GROUPS + 1u);
  }
  var k = u.stepBegin;
  while (k < u.stepEnd) {
    k = fastBlock(&s0, setting0, &s1, setting1, k, min(k + FAST_BLOCK, u.stepEnd));
  }
  finishVector(&s0, setting0, invocation * GROUPS);
  if (GROUPS > 1u) {
    finishVector(&s1, setting1, invocation * GROUPS + 1u);
  }
}
