// The sweep's entry point: each invocation steps GROUPS vectors of LANES
// trajectories side by side, so the compiler can overlap their independent
// dependency chains. src/engine/shader.ts writes each line that holds @g once
// per group, with @g replaced by the group's index (0, or 0 and 1).

// Steps [k0, k1) of one window kind (0 before the tail, 1 window A, 2 window B),
// reading rates four at a time where aligned.
fn fastSteps(
  t@g: ptr<function, Lanes>, setting@g: Setting, peak@g: ptr<function, VU>,
  k0: u32,
  k1: u32,
  window: u32,
) {
  var k = k0;
  for (; k < k1 && (k & 3u) != 0u; k++) {
    fastStep(t@g, setting@g, k, rateAt(setting@g, k), window, peak@g);
  }
  // COMPACT kernels (costly objectives, whose code every call site repeats)
  // skip the four-step unrolling: one call site instead of five.
  for (; !COMPACT && k + 4u <= k1; k += 4u) {
    let lr@g = ratesAt4(setting@g, k);
    fastStep(t@g, setting@g, k, lr@g[0], window, peak@g);
    fastStep(t@g, setting@g, k + 1u, lr@g[1], window, peak@g);
    fastStep(t@g, setting@g, k + 2u, lr@g[2], window, peak@g);
    fastStep(t@g, setting@g, k + 3u, lr@g[3], window, peak@g);
  }
  for (; k < k1; k++) {
    fastStep(t@g, setting@g, k, rateAt(setting@g, k), window, peak@g);
  }
}

// Up to FAST_BLOCK updates without per-step escape checks or freezing. If a
// lane that was still live crossed the bound, every group is replayed step by
// step from the block's start until every such lane has escaped, so the
// recorded escape steps and frozen points are exact. Returns the next step.
fn fastBlock(
  s@g: ptr<function, Lanes>, setting@g: Setting,
  k0: u32,
  k1: u32,
) -> u32 {
  var t@g = *s@g; // advanced in place; lanes that were frozen are restored by keepLive
  var peak@g = VU(0u);
  let aBegin = clamp(u.aStart, k0, k1);
  let bBegin = clamp(u.bStart, k0, k1);
  if (COMPACT) {
    // One call site, the window decided at run time.
    let bounds = array<u32, 4>(k0, aBegin, bBegin, k1);
    for (var window = 0u; window < 3u; window++) {
      fastSteps(
        &t@g, setting@g, &peak@g,
        bounds[window], bounds[window + 1u], window);
    }
  } else {
    fastSteps(
      &t@g, setting@g, &peak@g,
      k0, aBegin, 0u);
    fastSteps(
      &t@g, setting@g, &peak@g,
      aBegin, bBegin, 1u);
    fastSteps(
      &t@g, setting@g, &peak@g,
      bBegin, k1, 2u);
  }
  var crossing = false;
  let crossing@g = ((*s@g).escape < VI(0)) & (peak@g > VU(u.boundBits));
  crossing = crossing || any(crossing@g);
  if (crossing) {
    for (var r = k0; r < k1; r++) {
      carefulStep(s@g, setting@g, r);
      var pending = false;
      pending = pending || any(crossing@g & ((*s@g).escape < VI(0)));
      if (!pending) {
        return r + 1u;
      }
    }
    return k1;
  }
  keepLive(s@g, t@g, peak@g);
  return k1;
}

@compute @workgroup_size(WORKGROUP)
fn advance(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let invocation = gid.x + gid.y * groups.x * WORKGROUP;
  if (invocation * GROUPS >= u.slotVectors) {
    return;
  }
  let vector@g = invocation * GROUPS + @gu;
  var setting@g: Setting;
  for (var j = 0u; j < LANES; j++) {
    decodeLane(&setting@g, j, u.start + min(vector@g * LANES + j, u.count - 1u));
  }
  var s@g = startLanes(setting@g, vector@g);
  var k = u.stepBegin;
  while (k < u.stepEnd) {
    k = fastBlock(
      &s@g, setting@g,
      k, min(k + FAST_BLOCK, u.stepEnd));
  }
  if (u.stepEnd == u.steps) {
    finishLanes(&s@g, setting@g, vector@g);
  }
  storeLanes(s@g, vector@g);
}
