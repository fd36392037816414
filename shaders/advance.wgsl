// The sweep's entry point: each invocation steps GROUPS vectors of LANES
// trajectories side by side (GROUPS is 2 for eight lanes, else 1), through
// the steps [u.stepBegin, u.stepEnd) of a dispatch. The groups' dependency
// chains are independent, so the compiler can overlap them; the loops over
// the groups have a constant count and unroll.

override WORKGROUP: u32 = 64u;
// Steps between escape checks in the fast loop.
override FAST_BLOCK: u32 = 256u;

alias Group = array<Lanes, GROUPS>;
alias GroupSettings = array<Setting, GROUPS>;
alias GroupValues = array<V, GROUPS>;
alias GroupBits = array<VU, GROUPS>;

// One fast step of every group, each at its own rate.
fn fastStepGroups(t: ptr<function, Group>, settings: GroupSettings, peaks: ptr<function, GroupBits>, k: u32, lr: GroupValues, window: u32) {
  for (var gi = 0u; gi < GROUPS; gi++) {
    var lanes = (*t)[gi];
    var peak = (*peaks)[gi];
    fastStep(&lanes, settings[gi], k, lr[gi], window, &peak);
    (*t)[gi] = lanes;
    (*peaks)[gi] = peak;
  }
}

fn groupRates(settings: GroupSettings, k: u32) -> GroupValues {
  var lr: GroupValues;
  for (var gi = 0u; gi < GROUPS; gi++) {
    lr[gi] = rateAt(settings[gi], k);
  }
  return lr;
}

// Steps [k0, k1) of one window kind (0 before the tail, 1 window A, 2 window B),
// reading rates four at a time where aligned.
fn fastSteps(t: ptr<function, Group>, settings: GroupSettings, peaks: ptr<function, GroupBits>, k0: u32, k1: u32, window: u32) {
  var k = k0;
  for (; k < k1 && (k & 3u) != 0u; k++) {
    fastStepGroups(t, settings, peaks, k, groupRates(settings, k), window);
  }
  // COMPACT kernels (costly objectives, whose code every call site repeats)
  // skip the four-step unrolling: one call site instead of five.
  for (; !COMPACT && k + 4u <= k1; k += 4u) {
    var lr4: array<array<V, 4>, GROUPS>;
    for (var gi = 0u; gi < GROUPS; gi++) {
      lr4[gi] = ratesAt4(settings[gi], k);
    }
    for (var step = 0u; step < 4u; step++) {
      var lr: GroupValues;
      for (var gi = 0u; gi < GROUPS; gi++) {
        lr[gi] = lr4[gi][step];
      }
      fastStepGroups(t, settings, peaks, k + step, lr, window);
    }
  }
  for (; k < k1; k++) {
    fastStepGroups(t, settings, peaks, k, groupRates(settings, k), window);
  }
}

// Up to FAST_BLOCK updates without per-step escape checks or freezing. If a
// lane that was still live crossed the bound, every group is replayed step by
// step from the block's start until every such lane has escaped, so the
// recorded escape steps and frozen points are exact. Returns the next step.
fn fastBlock(s: ptr<function, Group>, settings: GroupSettings, k0: u32, k1: u32) -> u32 {
  var t = *s; // advanced in place; lanes that were frozen are restored by keepLive
  var peaks: GroupBits;
  let aBegin = clamp(u.aStart, k0, k1);
  let bBegin = clamp(u.bStart, k0, k1);
  if (COMPACT) {
    // One call site, the window decided at run time.
    let bounds = array<u32, 4>(k0, aBegin, bBegin, k1);
    for (var window = 0u; window < 3u; window++) {
      fastSteps(&t, settings, &peaks, bounds[window], bounds[window + 1u], window);
    }
  } else {
    fastSteps(&t, settings, &peaks, k0, aBegin, 0u);
    fastSteps(&t, settings, &peaks, aBegin, bBegin, 1u);
    fastSteps(&t, settings, &peaks, bBegin, k1, 2u);
  }
  var crossing: array<VB, GROUPS>;
  var anyCrossing = false;
  for (var gi = 0u; gi < GROUPS; gi++) {
    crossing[gi] = ((*s)[gi].escapeStep < VI(0)) & (peaks[gi] > VU(u.boundBits));
    anyCrossing = anyCrossing || any(crossing[gi]);
  }
  if (anyCrossing) {
    for (var r = k0; r < k1; r++) {
      var pending = false;
      for (var gi = 0u; gi < GROUPS; gi++) {
        var lanes = (*s)[gi];
        carefulStep(&lanes, settings[gi], r);
        (*s)[gi] = lanes;
        pending = pending || any(crossing[gi] & (lanes.escapeStep < VI(0)));
      }
      if (!pending) {
        return r + 1u;
      }
    }
    return k1;
  }
  for (var gi = 0u; gi < GROUPS; gi++) {
    var lanes = (*s)[gi];
    keepLive(&lanes, t[gi], peaks[gi]);
    (*s)[gi] = lanes;
  }
  return k1;
}

@compute @workgroup_size(WORKGROUP)
fn advance(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let invocation = gid.x + gid.y * groups.x * WORKGROUP;
  if (invocation * GROUPS >= u.slotVectors) {
    return;
  }
  var settings: GroupSettings;
  var s: Group;
  for (var gi = 0u; gi < GROUPS; gi++) {
    let vector = invocation * GROUPS + gi;
    var setting: Setting;
    for (var j = 0u; j < LANES; j++) {
      decodeLane(&setting, j, u.start + min(vector * LANES + j, u.count - 1u));
    }
    settings[gi] = setting;
    s[gi] = startLanes(setting, vector);
  }
  var k = u.stepBegin;
  while (k < u.stepEnd) {
    k = fastBlock(&s, settings, k, min(k + FAST_BLOCK, u.stepEnd));
  }
  for (var gi = 0u; gi < GROUPS; gi++) {
    var lanes = s[gi];
    if (u.stepEnd == u.steps) {
      finishLanes(&lanes, settings[gi]);
    }
    storeLanes(lanes, invocation * GROUPS + gi);
  }
}
