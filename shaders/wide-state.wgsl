// The wide form's state and its phases, shared by the wide form's steps
// (shaders/wide.wgsl) and the network's team layout (shaders/mlp-team.wgsl):
// every per-dimension value of a trajectory (w, the previous gradient, the
// gradient being computed, the optimizer's slots) lives in the state buffer,
// which is field-major, and is read and written in place. Each form defines
// startLanes, startGradient, stepLanes and finishLanes, which the phases call.

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
