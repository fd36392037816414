// The network's team layout: one subgroup (a team of TEAM invocations) steps
// one trajectory, in the wide form's state (shaders/wide-state.wgsl). Member m
// owns the hidden units m, m + TEAM, … (UNITS of them): their input weights
// k·WIDTH + j and output weight W2 + j, with the gradient components, the
// previous gradient and the optimizer's slots of those dimensions. A member
// reads and writes only what it owns, and the team shares values through
// subgroup operations alone, so no barrier is needed. The passes over the
// data (gradient, lossSum) and the turn g·g′ are generated for the width
// (src/engine/mlp-team.ts). Every member keeps the same scalar bookkeeping
// (Lanes), from the team's reductions; the first stores it.
//
// Generated in front: TEAM, UNITS, and what the wide form's state needs.
// Lanes hold one trajectory each (LANES is 1).

override WORKGROUP: u32 = 64u;

// This invocation's place in its team.
var<private> member: u32;

// This member's hidden unit u; a stand-in past WIDTH repeats the last unit.
fn unitIndex(u: u32) -> u32 {
  return min(member + u * TEAM, WIDTH - 1u);
}

fn unitReal(u: u32) -> bool {
  return member + u * TEAM < WIDTH;
}

// The dimension of hidden unit j's weight from input k, or (k = WIDTH) to the output.
fn unitDim(k: u32, j: u32) -> u32 {
  return select(k * WIDTH + j, W2 + j, k == WIDTH);
}

// This member's dimension n (n < UNITS·(WIDTH + 1)), and whether it owns it.
fn ownDim(n: u32) -> u32 {
  return unitDim(n % (WIDTH + 1u), unitIndex(n / (WIDTH + 1u)));
}

fn owns(n: u32) -> bool {
  return unitReal(n / (WIDTH + 1u));
}

const OWN = UNITS * (WIDTH + 1u);

// The turn's term of dimension d: g·g′, as the wide form forms it.
fn turnTerm(d: u32) -> V {
  return stateAt(G_FIELD, d) * stateAt(G_PREV_FIELD, d);
}

// The gradient's component d of its sum: scaled, times the layer's rate (NaN
// where the team's error signals overflowed); returns the running largest
// |component| of the plain gradient.
fn component(objective: Objective, g: GOut, d: u32, sum: V, bad: bool, largest: V) -> V {
  let gd = o(sum * SCALE);
  gSet(g, d, select(o(gd * objective.rate[select(1u, 0u, d < W2)]), fromBits(0x7fc00000u), bad));
  return max(largest, abs(gd));
}

// One update with every check, as shaders/wide.wgsl's stepLanes, over this
// member's dimensions; the turn and the largest |w| are the team's.
fn stepLanes(s: ptr<function, Lanes>, setting: Setting, k: u32, G: V) {
  let live = (*s).escapeStep < VI(0);
  trackLoss(s, setting, W_FIELD, k, live);
  let lr = rateAt(setting, k);
  (*s).lastAbove = select((*s).lastAbove, VI(i32(k)), live & (G > (*s).gradTol));
  if (k >= u.bStart) {
    (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
    (*s).flips = (*s).flips + select(VU(0u), VU(1u), live & (teamTurn() < V(0.0)));
  } else if (k >= u.aStart) {
    (*s).gradA = select((*s).gradA, G, live & (G > (*s).gradA));
  }
  // The slots' scalars as they were before this step: each dimension's call starts from them.
  let slots = (*s).slots;
  var stepped = slots;
  var m = VU(0u);
  for (var n = 0u; n < OWN; n++) {
    let i = ownDim(n);
    let gi = stateAt(G_FIELD, i);
    let gp = stateAt(G_PREV_FIELD, i);
    var before = slots;
    loadSlotsPart(&before, i);
    var after = before;
    let wi = stateAt(W_FIELD, i);
    var w = array<V, PART>(wi);
    update(&w, array<V, PART>(gi), lr, &after, setting.hyper);
    // Every member steps the scalars alike, a stand-in too.
    stepped = after;
    if (owns(n)) {
      storeSlotsPart(selectSlots(before, after, live), i);
      setStateAt(W_FIELD, i, select(wi, w[0], live));
      setStateAt(G_PREV_FIELD, i, select(gp, gi, live));
      m = max(m, magnitudeBits(w[0]));
    }
  }
  m = subgroupMax(m);
  (*s).slots = selectSlots(slots, stepped, live);
  (*s).peak = select((*s).peak, max((*s).peak, m), live);
  (*s).escapeStep = select((*s).escapeStep, VI(i32(k + 1u)), live & (m > VU(u.boundBits)));
}

// w₀ into the state, the slots' starting values, and the lanes' first fields.
fn startLanes(s: ptr<function, Lanes>, setting: Setting) {
  var fresh: Lanes; // zero: the tail windows' maxima, turns and the loss start at 0
  fresh.slots = initialSlots(setting.hyper);
  var m = VU(0u);
  for (var n = 0u; n < OWN; n++) {
    if (owns(n)) {
      let i = ownDim(n);
      let w0 = w0At(setting.objective, i);
      setStateAt(W_FIELD, i, w0);
      storeSlotsPart(fresh.slots, i);
      m = max(m, magnitudeBits(w0));
    }
  }
  m = subgroupMax(m);
  fresh.lastAbove = VI(-1);
  fresh.peak = m;
  fresh.escapeStep = select(VI(-1), VI(0), m > VU(u.boundBits));
  *s = fresh;
}

// The tolerance and the first previous gradient, from the gradient at w₀.
fn startGradient(s: ptr<function, Lanes>, G0: V) {
  for (var n = 0u; n < OWN; n++) {
    if (owns(n)) {
      let i = ownDim(n);
      setStateAt(G_PREV_FIELD, i, stateAt(G_FIELD, i));
    }
  }
  (*s).gradTol = V(u.tol) * G0;
}

// After the last step the final iterate joins the bookkeeping; then the loss.
fn finishLanes(s: ptr<function, Lanes>, setting: Setting, G: V) {
  let live = (*s).escapeStep < VI(0);
  let turn = teamTurn();
  (*s).lastAbove = select((*s).lastAbove, VI(i32(u.steps)), live & (G > (*s).gradTol));
  (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
  (*s).flips = (*s).flips + select(VU(0u), VU(1u), live & (turn < V(0.0)));
  (*s).finalLoss = lossAt(setting.objective, W_FIELD);
}

// A team is TEAM consecutive invocations of a workgroup, one subgroup: the
// engine checks that the device forms its subgroups so before it runs teams
// (GpuEngine's team check), and member = the subgroup invocation id.
@compute @workgroup_size(WORKGROUP)
fn advance(@builtin(workgroup_id) group: vec3u, @builtin(num_workgroups) groups: vec3u, @builtin(local_invocation_index) local: u32) {
  let vector = ((group.x + group.y * groups.x) * WORKGROUP + local) / TEAM;
  member = local % TEAM;
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
  // Every member holds the same scalars; the first stores them.
  if (member == 0u) {
    storeLanes(s, vector);
  }
}
