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
// accessors, the phases of a dispatch and the steps are in
// shaders/wide-state.wgsl; here are the dimensions an invocation holds (all)
// and the entry points.
//
// Generated in front of this file (src/engine/kernel.ts): the lane aliases,
// the structural constants, W_FIELD, G_PREV_FIELD, G_FIELD (offsets of the
// per-dimension fields in the state), the structs Objective (with
// curvatureAt, minimumAt and w0At, which read a lane's values from
// axisValues), Hyper, Slots and Lanes (its scalar fields only), with
// loadSlotsPart and storeSlotsPart, which move one dimension of the slots.

override WORKGROUP: u32 = 64u;

// The dimensions this invocation steps (shaders/wide-state.wgsl's steps call
// these): every one, in index order.
fn heldCount() -> u32 {
  return dimCount();
}

fn heldDim(n: u32) -> u32 {
  return n;
}

fn holds(n: u32) -> bool {
  return true;
}

// The largest |w| bits over every dimension: this invocation's own.
fn largestOfAll(m: VU) -> VU {
  return m;
}

// g·g′ over the dimensions in index order, starting from the first product;
// a step adds it up in its pass over the dimensions.
const TURN_INLINE = true;

fn turnOfAll() -> V {
  var turn = V(0.0);
  for (var i = 0u; i < dimCount(); i++) {
    let t = stateAt(G_FIELD, i) * stateAt(G_PREV_FIELD, i);
    turn = select(turn + t, t, i == 0u);
  }
  return turn;
}

@compute @workgroup_size(WORKGROUP)
fn advance(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let vector = gid.x + gid.y * groups.x * WORKGROUP;
  if (vector >= u.slotVectors) {
    return;
  }
  storeLanes(advanceVector(vector), vector);
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
