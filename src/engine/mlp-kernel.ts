/**
 * The network's passes over its data in blocks of points, generated for its
 * width: the layout for long runs (shaders/mlp-points.wgsl is the other, point
 * by point). Both add every sum in the reference's order, so they give the
 * same bits.
 *
 * Why blocks: every trajectory's weights live in the state buffer, and a
 * software adapter (lavapipe) reads storage one lane and one component at a
 * time wherever the address depends on a loop, dozens of instructions per
 * value against one per arithmetic operation. Point by point, each weight is
 * read once per data point and each ∂loss/∂z once per input. Here a weight
 * read serves POINT_BLOCK points and a ∂loss/∂z read SUM_INPUTS sums, the
 * values reused held in registers (named, not arrays, which would be indexed
 * like storage). The price is code: every named load is compiled lane by
 * lane, so the kernel takes seconds longer to compile on lavapipe, which only
 * a long run pays back (defaultNetworkLayout).
 */

/** Data points a forward block runs at once. */
export const POINT_BLOCK = 4;
/** Hidden units × inputs whose input-layer gradient sums are held in registers at once. */
const SUM_UNITS = 4;
const SUM_INPUTS = 4;

/**
 * How a network kernel runs through its data: one invocation per vector of
 * trajectories, point by point or in blocks of points, or a team (a
 * subgroup) per trajectory (src/engine/mlp-team.ts).
 */
export type NetworkLayout = 'points' | 'blocks' | 'team';

/**
 * Work (trajectories × steps × batch points × weights) above which a run
 * takes the block layout: about 15 s point by point on lavapipe, where the
 * block layout's longer compile (about 6 s more) is paid back.
 */
export const BLOCK_LAYOUT_WORK = 1.5e10;

/**
 * The layout a run of this much work takes when not told: teams where the
 * device has subgroups of a fixed size (`team`, that size), else by the work.
 */
export function defaultNetworkLayout(work: number, team?: number): NetworkLayout {
  if (team) return 'team';
  return work >= BLOCK_LAYOUT_WORK ? 'blocks' : 'points';
}

/** Data points whose hidden layer the points or blocks layout keeps in the scratch at once (a team keeps none there). */
export function pointsInHand(layout: Exclude<NetworkLayout, 'team'>): number {
  return layout === 'blocks' ? POINT_BLOCK : 1;
}

const lines = (count: number, line: (i: number) => string): string => Array.from({ length: count }, (_, i) => line(i)).join('\n');

/**
 * forwardBlock: the hidden layer of a block's points (z and h of point p of
 * the block at p·WIDTH of the scratch) and their outputs. Each weight read
 * serves every point of the block.
 */
function forwardBlockWgsl(width: number): string {
  const P = POINT_BLOCK;
  const each = (line: (p: number) => string) => lines(P, line);
  return `// The hidden layer and the outputs of the data points \`points\`.
fn forwardBlock(w: WIn, points: array<u32, ${P}>) -> array<V, ${P}> {
${each((p) => `  let point${p} = points[${p}];`)}
  for (var j = 0u; j < widthCount(); j++) {
    let c0 = wAt(w, j);
${each((p) => `    var s${p} = o(dataX(point${p}, 0u) * c0);`)}
    for (var k = 1u; k < widthCount(); k++) {
      let c = wAt(w, k * WIDTH + j);
${each((p) => `      s${p} = o(s${p} + o(dataX(point${p}, k) * c));`)}
    }
${each((p) => `    setStateAt(Z_FIELD, ${p * width}u + j, o(s${p} * SCALE));`)}
  }
  // The activation in a loop of its own: one copy of its code, not one per point.
  for (var q = 0u; q < POINT_BLOCK * widthCount(); q++) {
    setStateAt(H_FIELD, q, activation(stateAt(Z_FIELD, q)));
  }
  let v0 = wAt(w, W2);
${each((p) => `  var out${p} = o(stateAt(H_FIELD, ${p * width}u) * v0);`)}
  for (var j = 1u; j < widthCount(); j++) {
    let v = wAt(w, W2 + j);
${each((p) => `    out${p} = o(out${p} + o(stateAt(H_FIELD, ${p * width}u + j) * v));`)}
  }
  return array<V, ${P}>(${Array.from({ length: P }, (_, p) => `o(out${p} * SCALE)`).join(', ')});
}`;
}

/**
 * backwardBlock: the block's share of the output layer's gradient sums (W₂[j]
 * and its sum read once per block, the points added in order) and each
 * point's ∂loss/∂z at its place in the batch, for inputGradient.
 */
function backwardBlockWgsl(width: number): string {
  const P = POINT_BLOCK;
  const point = (p: number) =>
    [
      `      let h = stateAt(H_FIELD, ${p * width}u + j);`,
      `      sum = o(sum + o(dOut${p} * h));`,
      `      let dh = o(o(dOut${p} * v) * SCALE);`,
      `      overflowed = overflowed | overflows(dh);`,
      `      setStateAt(DZ_FIELD, (b0 + ${p}u) * WIDTH + j, o(dh * activationSlope(stateAt(Z_FIELD, ${p * width}u + j), h)));`,
    ].join('\n');
  return `// The output layer's gradient and ∂loss/∂z for the block of places b0 … of the
// batch (data points \`points\`, outputs \`outs\`); returns the lanes whose error
// signals overflowed.
fn backwardBlock(w: WIn, points: array<u32, ${P}>, b0: u32, outs: array<V, ${P}>, g: GOut) -> VB {
${lines(P, (p) => `  let live${p} = b0 + ${p}u < batchCount();\n  let dOut${p} = o(o(outs[${p}] - dataY(points[${p}])) * TWO_OVER_BATCH);`)}
  var overflowed = overflows(dOut0);
${lines(P - 1, (q) => `  overflowed = overflowed | (overflows(dOut${q + 1}) & VB(live${q + 1}));`)}
  for (var j = 0u; j < widthCount(); j++) {
    let v = wAt(w, W2 + j);
    var sum = gAt(g, W2 + j);
${lines(P, (p) => (p === 0 ? `    {\n${point(p)}\n    }` : `    if (live${p}) {\n${point(p)}\n    }`))}
    gSet(g, W2 + j, sum);
  }
  return overflowed;
}`;
}

/**
 * inputGradient: the input layer's gradient sums, Σ_b x_bk·∂loss/∂z_bj over
 * the batch in order, SUM_UNITS × SUM_INPUTS of them at a time in registers.
 */
function inputGradientWgsl(): string {
  const J = SUM_UNITS;
  const K = SUM_INPUTS;
  const sums = (line: (a: number, c: number) => string) => lines(J * K, (q) => line(Math.floor(q / K), q % K));
  return `// The input layer's gradient sums, ${J} hidden units × ${K} inputs at a time.
fn inputGradient(g: GOut, zero: V) {
  for (var j0 = 0u; j0 < widthCount(); j0 += ${J}u) {
    for (var k0 = 0u; k0 < widthCount(); k0 += ${K}u) {
${sums((a, c) => `      var s${a}_${c} = zero;`)}
      for (var b = 0u; b < batchCount(); b++) {
        let i = batchPoint(b);
${lines(K, (c) => `        let x${c} = dataX(i, min(k0 + ${c}u, WIDTH - 1u));`)}
${lines(J, (a) => `        let dz${a} = stateAt(DZ_FIELD, b * WIDTH + min(j0 + ${a}u, WIDTH - 1u));`)}
${sums((a, c) => `        s${a}_${c} = o(s${a}_${c} + o(x${c} * dz${a}));`)}
      }
      // One store in a loop, its sum picked by selects: a store written out
      // once per sum would be compiled lane by lane, each.
      for (var q = 0u; q < ${J * K}u; q++) {
        let j = j0 + q / ${K}u;
        let k = k0 + q % ${K}u;
        if (j < WIDTH && k < WIDTH) {
          var sum = s0_0;
${lines(J * K - 1, (q) => `          sum = select(sum, s${Math.floor((q + 1) / K)}_${(q + 1) % K}, q == ${q + 1}u);`)}
          gSet(g, k * WIDTH + j, sum);
        }
      }
    }
  }
}`;
}

const PASSES = `// The data points of the block at places b0 … of \`count\` (the dataset, or
// the batch's draws), the last repeated past the end.
fn blockPoints(b0: u32, count: u32, batch: bool) -> array<u32, POINT_BLOCK> {
  var points: array<u32, POINT_BLOCK>;
  for (var p = 0u; p < POINT_BLOCK; p++) {
    let b = min(b0 + p, count - 1u);
    if (batch) {
      points[p] = batchPoint(b);
    } else {
      points[p] = b;
    }
  }
  return points;
}

// The loss over the whole dataset, summed as lossAt's reference does.
fn lossSum(w: WIn) -> V {
  var total = V(0.0);
  for (var i0 = 0u; i0 < pointCount(); i0 += POINT_BLOCK) {
    let outs = forwardBlock(w, blockPoints(i0, pointCount(), false));
    for (var p = 0u; p < POINT_BLOCK && i0 + p < pointCount(); p++) {
      total = addSquaredError(total, outs[p], dataY(i0 + p), i0 + p == 0u);
    }
  }
  return total;
}

// Forward and backward over the batch, a block of points at a time: the
// output layer's gradient sums, each point's ∂loss/∂z, and (full batch) the
// loss's sum in *total. Returns the lanes whose error signals overflowed.
fn batchPasses(w: WIn, g: GOut, total: ptr<function, V>) -> VB {
  var overflowed = VB(false);
  for (var b0 = 0u; b0 < batchCount(); b0 += POINT_BLOCK) {
    let points = blockPoints(b0, batchCount(), true);
    let outs = forwardBlock(w, points);
    if (!MINIBATCH) {
      // lossSum's sum, operation for operation (see gradientLoss).
      for (var p = 0u; p < POINT_BLOCK && b0 + p < batchCount(); p++) {
        *total = addSquaredError(*total, outs[p], dataY(points[p]), b0 + p == 0u);
      }
    }
    overflowed = overflowed | backwardBlock(w, points, b0, outs, g);
  }
  return overflowed;
}`;

/** The block layout's passes over the data, for a network of this width. */
export function mlpBlocksWgsl(width: number): string {
  return `// The network's passes over the data in blocks of ${POINT_BLOCK} points, generated by
// src/engine/mlp-kernel.ts for width ${width}.

${PASSES}

${forwardBlockWgsl(width)}

${backwardBlockWgsl(width)}

${inputGradientWgsl()}`;
}
