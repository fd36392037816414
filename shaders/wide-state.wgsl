// The wide form's state and its phases, shared by the wide form's steps
// (shaders/wide.wgsl) and the network's team layout (shaders/mlp-team.wgsl):
// every per-dimension value of a trajectory (w, the previous gradient, the
// gradient being computed, the optimizer's slots) lives in the state buffer,
// which is field-major, and is read and written in place. The steps here
// cover the dimensions an invocation holds; each form says which they are
// (heldCount, heldDim, holds) and how the largest |w| and the turn g·g′ over
// every dimension are found (largestOfAll, turnOfAll, TURN_INLINE): all of
// them in one invocation in the wide form, a member's share in a team.

// The vector this invocation steps.
var<private> current: u32;

// The iterate whose gradient is being computed (the network's minibatch draw).
var<private> gradientStep: u32;

fn stateAt(field: u32, i: u32) -> V {
  return bitcast<V>(state[slotOf(field + i, current)]);
}

fn setStateAt(field: u32, i: u32, x: V) {
  state[slotOf(field + i, current)] = bitcast<VU>(x);
}

// How objectives and optimizers see the dimensions (shaders/trajectory.wgsl
// defines the same names over private arrays): w and g are fields of the
// state, and an optimizer's call covers one dimension.
alias WIn = u32;
alias GOut = u32;
const PART = 1u;

fn partCount() -> u32 {
  return 1u;
}

fn wAt(w: WIn, i: u32) -> V {
  return stateAt(w, i);
}

fn gAt(g: GOut, i: u32) -> V {
  return stateAt(g, i);
}

fn gSet(g: GOut, i: u32, x: V) {
  setStateAt(g, i, x);
}

// What a vector of trajectories is: fixed for the dispatch.
struct Setting {
  objective: Objective,
  multiplier: V, // lr for lr × factor schedules, 1 otherwise
  hyper: Hyper, // the optimizer's hyperparameters
  row: VU, // schedule-table row of each lane
}

// A dispatch is a sequence of gradient evaluations: at w₀ if it starts the
// run (phase −1), before each of its steps, and at the final iterate if it
// ends the run (phase u.steps). Both entry points step through the phases
// with one call of gradient(): the network's is long, and a call site is a copy.
fn firstPhase(s: ptr<function, Lanes>, setting: Setting, vector: u32) -> i32 {
  current = vector;
  if (u.stepBegin == 0u) {
    startLanes(s, setting);
    return -1;
  }
  *s = loadLanes(vector);
  return i32(u.stepBegin);
}

fn endPhase() -> i32 {
  return i32(u.stepEnd) + select(0, 1, u.stepEnd == u.steps);
}

fn phase(s: ptr<function, Lanes>, setting: Setting, e: i32) {
  gradientStep = u32(max(e, 0)); // the gradient at w₀ (e = −1) draws as step 0
  let G = gradient(setting.objective, W_FIELD, G_FIELD);
  if (e < 0) {
    startGradient(s, G);
  } else if (u32(e) == u.steps) {
    finishLanes(s, setting, G);
  } else {
    stepLanes(s, setting, u32(e), G);
  }
}

// A sweep's vector through this dispatch's phases: its lanes, to be stored.
fn advanceVector(vector: u32) -> Lanes {
  var setting: Setting;
  decodeChunkVector(&setting, vector);
  var s: Lanes;
  let last = endPhase();
  for (var e = firstPhase(&s, setting, vector); e < last; e++) {
    phase(&s, setting, e);
  }
  return s;
}

// One update with every check, in place, from the gradient just computed
// into G_FIELD (G, its largest component): one pass over the dimensions this
// invocation holds, each stepped and kept only for live lanes, and the turn
// g·g′ in window B, in index order before g′ is overwritten (in that pass
// where one invocation holds every dimension, TURN_INLINE, else before it).
fn stepLanes(s: ptr<function, Lanes>, setting: Setting, k: u32, G: V) {
  let live = (*s).escapeStep < VI(0);
  trackLoss(s, setting, W_FIELD, k, live);
  let lr = rateAt(setting, k);
  (*s).lastAbove = select((*s).lastAbove, VI(i32(k)), live & (G > (*s).gradTol));
  let inB = k >= u.bStart;
  var turn = V(0.0);
  if (inB) {
    (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
    if (!TURN_INLINE) {
      turn = turnOfAll();
    }
  } else if (k >= u.aStart) {
    (*s).gradA = select((*s).gradA, G, live & (G > (*s).gradA));
  }
  // The slots' scalars as they were before this step: each dimension's call starts from them.
  let slots = (*s).slots;
  var stepped = slots;
  var m = VU(0u);
  for (var n = 0u; n < heldCount(); n++) {
    let i = heldDim(n);
    let gi = stateAt(G_FIELD, i);
    let gp = stateAt(G_PREV_FIELD, i);
    if (inB && TURN_INLINE) {
      turn = select(turn + gi * gp, gi * gp, i == 0u);
    }
    var before = slots;
    loadSlotsPart(&before, i);
    var after = before;
    let wi = stateAt(W_FIELD, i);
    var w = array<V, PART>(wi);
    update(&w, array<V, PART>(gi), lr, &after, setting.hyper);
    // Every invocation steps the scalars alike, a team's stand-ins too.
    stepped = after;
    if (holds(n)) {
      storeSlotsPart(selectSlots(before, after, live), i);
      setStateAt(W_FIELD, i, select(wi, w[0], live));
      setStateAt(G_PREV_FIELD, i, select(gp, gi, live));
      m = max(m, magnitudeBits(w[0]));
    }
  }
  m = largestOfAll(m);
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
  for (var n = 0u; n < heldCount(); n++) {
    if (holds(n)) {
      let i = heldDim(n);
      let w0 = w0At(setting.objective, i);
      setStateAt(W_FIELD, i, w0);
      storeSlotsPart(fresh.slots, i);
      m = max(m, magnitudeBits(w0));
    }
  }
  m = largestOfAll(m);
  fresh.lastAbove = VI(-1);
  fresh.peak = m;
  fresh.escapeStep = select(VI(-1), VI(0), m > VU(u.boundBits));
  *s = fresh;
}

// The tolerance and the first previous gradient, from the gradient at w₀.
fn startGradient(s: ptr<function, Lanes>, G0: V) {
  for (var n = 0u; n < heldCount(); n++) {
    if (holds(n)) {
      let i = heldDim(n);
      setStateAt(G_PREV_FIELD, i, stateAt(G_FIELD, i));
    }
  }
  (*s).gradTol = V(u.tol) * G0;
}

// After the last step the final iterate joins the bookkeeping; then the loss.
fn finishLanes(s: ptr<function, Lanes>, setting: Setting, G: V) {
  let live = (*s).escapeStep < VI(0);
  let turn = turnOfAll();
  (*s).lastAbove = select((*s).lastAbove, VI(i32(u.steps)), live & (G > (*s).gradTol));
  (*s).gradB = select((*s).gradB, G, live & (G > (*s).gradB));
  (*s).flips = (*s).flips + select(VU(0u), VU(1u), live & (turn < V(0.0)));
  (*s).finalLoss = lossAt(setting.objective, W_FIELD);
}
