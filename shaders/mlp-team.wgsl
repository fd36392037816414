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

// The gradient's component d of its sum: scaled, times the layer's rate (NaN
// where the team's error signals overflowed); returns the running largest
// |component| of the plain gradient.
fn component(objective: Objective, g: GOut, d: u32, sum: V, bad: bool, largest: V) -> V {
  let gd = o(sum * SCALE);
  gSet(g, d, select(o(gd * objective.rate[select(1u, 0u, d < W2)]), fromBits(0x7fc00000u), bad));
  return max(largest, abs(gd));
}

// The dimensions this member steps (shaders/wide-state.wgsl's steps call
// these): n < UNITS·(WIDTH + 1), unit n / (WIDTH + 1)'s row n % (WIDTH + 1);
// a stand-in's are another member's, which it reads but does not write.
fn heldCount() -> u32 {
  return UNITS * (WIDTH + 1u);
}

fn heldDim(n: u32) -> u32 {
  return unitDim(n % (WIDTH + 1u), unitIndex(n / (WIDTH + 1u)));
}

fn holds(n: u32) -> bool {
  return unitReal(n / (WIDTH + 1u));
}

fn largestOfAll(m: VU) -> VU {
  return subgroupMax(m);
}

// The turn's term of dimension d: g·g′, as the wide form forms it.
fn turnTerm(d: u32) -> V {
  return stateAt(G_FIELD, d) * stateAt(G_PREV_FIELD, d);
}

// Each member holds a share of the dimensions: the team adds the turn up before a step's pass.
const TURN_INLINE = false;

fn turnOfAll() -> V {
  return teamTurn();
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
  let s = advanceVector(vector);
  // Every member holds the same scalars; the first stores them.
  if (member == 0u) {
    storeLanes(s, vector);
  }
}
