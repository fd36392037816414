/**
 * The network's team layout, generated for the width and the team's size:
 * one subgroup of TEAM invocations steps one trajectory, and member m of the
 * team holds the weights of the hidden units m, m + TEAM, … (UNITS of them;
 * those past WIDTH are stand-ins that repeat the last unit and write nothing)
 * in registers for the whole of a gradient. At each data point every member
 * reads its own units' inputs and broadcasts them to the team
 * (subgroupBroadcast), computes its units' z and h, and broadcasts each
 * unit's h·W₂; every member then adds the output up in the reference's order.
 * Each gradient sum belongs to one member, which adds the points to it in
 * order, so the bits are the CPU engine's (src/objectives/mlp.ts).
 *
 * Why: the points and blocks layouts read every weight from the state buffer
 * at every data point. A software adapter (lavapipe) compiles those reads
 * lane by lane, dozens of instructions each; on a GPU they are memory
 * traffic the arithmetic waits for. Here a weight is read once per gradient
 * and a data point's inputs once per team. Each weight and sum is a named
 * value: a private array indexed in a loop would be read like storage.
 * shaders/mlp-team.wgsl holds the steps and the entry point.
 *
 * Where the data fit in a uniform buffer (every device binds 64 KiB) and
 * the team has a member for each vec4 of a point's row, a team can read them
 * as rows: point i's inputs then its target, in whole vec4s (teamRows), one
 * vec4 per member, the values broadcast from there. Lavapipe gathers a
 * uniform buffer's values without a branch per invocation, where a storage
 * read at an index that varies in a loop takes one, so the points can also
 * go two by two, the second's reads and arithmetic overlapping the first's:
 * 1.1–1.2× in all on lavapipe. On SwiftShader the same kernel ran at 0.7×,
 * so the engine asks for rows by adapter (RunOptions.networkRows). Otherwise
 * a team reads axisValues, a point at a time.
 */

/** Hidden units each member of a team holds. */
export function teamUnits(width: number, team: number): number {
  return Math.ceil(width / team);
}

/** The binding of the team layout's data rows (`netRows`), after the entry points' own. */
export const NETWORK_ROWS_BINDING = 7;

/** The largest uniform buffer every WebGPU device binds (maxUniformBufferBindingSize's default). */
const UNIFORM_BYTES_EVERYWHERE = 65536;

/** vec4s per data point's row: its inputs, then its target. */
export function rowVec4s(width: number): number {
  return Math.ceil((width + 1) / 4);
}

/** Whether a team can read its dataset as rows of a uniform buffer: where they fit in one, and one vec4 per member covers a row. */
export function teamRowsFit(width: number, points: number, team: number): boolean {
  return rowVec4s(width) <= team && points * rowVec4s(width) * 16 <= UNIFORM_BYTES_EVERYWHERE;
}

/**
 * The dataset as the rows a team reads: `data` holds X (point by point,
 * `width` inputs each) then y, as the network's `data`; row i is point i's
 * inputs, its target, and zeros to a whole number of vec4s.
 */
export function teamRows(data: ArrayLike<number>, width: number, points: number): Float32Array<ArrayBuffer> {
  const stride = rowVec4s(width) * 4;
  const rows = new Float32Array(points * stride);
  for (let i = 0; i < points; i++) {
    for (let k = 0; k < width; k++) rows[i * stride + k] = data[i * width + k]!;
    rows[i * stride + width] = data[points * width + i]!;
  }
  return rows;
}

const lines = (count: number, line: (i: number) => string): string => Array.from({ length: count }, (_, i) => line(i)).join('\n');

/** Where input or hidden unit j lives in the team: the member's slot u (its unit u) and the member. */
const holder = (j: number, team: number) => ({ u: Math.floor(j / team), member: j % team });

/** A value of input or unit j, broadcast from the member holding it (`name` suffixed by the slot). */
const fromHolder = (name: string, j: number, team: number) => {
  const { u, member } = holder(j, team);
  return `subgroupBroadcast(${name}${u}, ${member}u)`;
};

/** This member's units' weights from the state: a{u}_{k} from input k, v{u} to the output. */
function loadWeights(width: number, units: number): string {
  return lines(units, (u) =>
    [`  let j${u} = unitIndex(${u}u);`, `  let real${u} = unitReal(${u}u);`, ...Array.from({ length: width }, (_, k) => `  let a${u}_${k} = wAt(w, ${k * width}u + j${u});`), `  let v${u} = wAt(w, W2 + j${u});`].join('\n'),
  );
}

/**
 * Data point i's inputs x0 …, in every member: from the rows (member m reads
 * vec4 m of the point's row; the target comes with them, as yi), or from
 * axisValues (each member its units' inputs; the target is read where it is
 * used, targetOf).
 */
function pointData(width: number, team: number, units: number, rows: boolean): string[] {
  if (!rows) {
    return [
      ...Array.from({ length: units }, (_, u) => `let xr${u} = dataX(i, j${u});`),
      ...Array.from({ length: width }, (_, k) => `let x${k} = ${fromHolder('xr', k, team)};`),
    ];
  }
  // Value k of the row: component k % 4 of vec4 ⌊k / 4⌋, member ⌊k / 4⌋'s (teamRowsFit: the team has a member per vec4).
  const value = (k: number) => `subgroupBroadcast(row[${k % 4}], ${Math.floor(k / 4)}u)`;
  return [
    `let row = netRows[i * ROW_VEC4S + min(member, ROW_VEC4S - 1u)];`,
    ...Array.from({ length: width }, (_, k) => `let x${k} = ${value(k)};`),
    `let yi = ${value(width)};`,
  ];
}

/** Data point i's target: yi, read with the row, or from axisValues. */
const targetOf = (rows: boolean) => (rows ? 'yi' : 'dataY(i)');

/** The forward pass at data point `i`: every member ends with its units' z{u}, h{u} and the output `out`. */
function forward(width: number, team: number, units: number, rows: boolean, pad: string): string {
  const body = [
    ...pointData(width, team, units, rows),
    ...Array.from({ length: units }, (_, u) => [
      `var s${u} = o(x0 * a${u}_0);`,
      ...Array.from({ length: width - 1 }, (_, k) => `s${u} = o(s${u} + o(x${k + 1} * a${u}_${k + 1}));`),
      `let z${u} = o(s${u} * SCALE);`,
      `let h${u} = activation(z${u});`,
      `let p${u} = o(h${u} * v${u});`,
    ]).flat(),
    `var out = ${fromHolder('p', 0, team)};`,
    ...Array.from({ length: width - 1 }, (_, j) => `out = o(out + ${fromHolder('p', j + 1, team)});`),
    `out = o(out * SCALE);`,
  ];
  return body.map((line) => `${pad}${line}`).join('\n');
}

/** The backward pass at data point `i`: the output's error signal, and this member's units' gradient sums. */
function backward(width: number, units: number, rows: boolean, pad: string): string {
  const body = [
    `let dOut = o(o(out - ${targetOf(rows)}) * TWO_OVER_BATCH);`,
    `overflowed = overflowed | overflows(dOut);`,
    ...Array.from({ length: units }, (_, u) => [
      `gV${u} = o(gV${u} + o(dOut * h${u}));`,
      `let dh${u} = o(o(dOut * v${u}) * SCALE);`,
      `overflowed = overflowed | (overflows(dh${u}) & real${u});`,
      `let dz${u} = o(dh${u} * activationSlope(z${u}, h${u}));`,
      ...Array.from({ length: width }, (_, k) => `gA${u}_${k} = o(gA${u}_${k} + o(x${k} * dz${u}));`),
    ]).flat(),
  ];
  return body.map((line) => `${pad}${line}`).join('\n');
}

/**
 * gradient(), lossSum() and teamTurn() of the team layout for this width and
 * team size, reading the data as rows of a uniform buffer where `rows`.
 */
export function mlpTeamWgsl(width: number, team: number, rows: boolean): string {
  const units = teamUnits(width, team);
  const eachUnit = (line: (u: number) => string) => lines(units, line);
  const sums = (line: (u: number, k: number) => string) => eachUnit((u) => lines(width, (k) => line(u, k)));
  // One data point of the gradient's batch, at place b, in a block of its own.
  const point = (b: string, pad: string) => `${pad}{
${pad}  let i = batchPoint(${b});
${forward(width, team, units, rows, `${pad}  `)}
${pad}  if (!MINIBATCH) {
${pad}    // lossSum's sum, operation for operation (see gradientLoss).
${pad}    total = addSquaredError(total, out, ${targetOf(rows)}, ${b} == 0u);
${pad}  }
${backward(width, units, rows, `${pad}  `)}
${pad}}`;
  // With rows, two points per turn of the loop (the points' order is kept).
  const batchLoop = rows
    ? `  var b = 0u;
  for (; b + 2u <= batchCount(); b += 2u) {
${point('b', '    ')}
${point('b + 1u', '    ')}
  }
  if (b < batchCount()) {
${point('b', '    ')}
  }`
    : `  for (var b = 0u; b < batchCount(); b++) {
${point('b', '    ')}
  }`;
  const rowsDeclared = rows
    ? `
// The data as rows (teamRows): point i's inputs, then its target, in ROW_VEC4S vec4s.
const ROW_VEC4S = ${rowVec4s(width)}u;
@group(0) @binding(${NETWORK_ROWS_BINDING}) var<uniform> netRows: array<vec4f, POINTS * ROW_VEC4S>;
`
    : '';
  return `// The network's passes over the data in teams, generated by src/engine/mlp-team.ts
// for width ${width} and teams of ${team}: each member holds ${units} hidden unit${units === 1 ? '' : 's'}.
const TEAM = ${team}u;
const UNITS = ${units}u;
${rowsDeclared}
// Backpropagation over the batch (the whole dataset, or iterate gradientStep's
// draw), as shaders/mlp-wide.wgsl's gradient(): this member's gradient
// components into g, each times its layer's rate; returns the team's largest
// |component| of the plain gradient (∞, and NaN components, where an error
// signal overflowed).
fn gradient(objective: Objective, w: WIn, g: GOut) -> V {
  // Sums start from an opaque zero: a literal 0 + x may be folded to x, which keeps a −0.
  let zero = o(V(0.0));
${loadWeights(width, units)}
${sums((u, k) => `  var gA${u}_${k} = zero;`)}
${eachUnit((u) => `  var gV${u} = zero;`)}
  var total = V(0.0);
  var overflowed = false;
${batchLoop}
  if (!MINIBATCH) {
    gradientLoss = o(total * ONE_OVER_POINTS);
  }
  let bad = subgroupAny(overflowed);
  var largest = V(0.0);
${eachUnit((u) => `  if (real${u}) {\n${lines(width, (k) => `    largest = component(objective, g, ${k * width}u + j${u}, gA${u}_${k}, bad, largest);`)}\n    largest = component(objective, g, W2 + j${u}, gV${u}, bad, largest);\n  }`)}
  return select(subgroupMax(largest), infinity(), bad);
}

// The loss over the whole dataset, summed as lossAt's reference does.
fn lossSum(w: WIn) -> V {
${loadWeights(width, units)}
  var total = V(0.0);
  for (var i = 0u; i < pointCount(); i++) {
${forward(width, team, units, rows, '    ')}
    total = addSquaredError(total, out, ${targetOf(rows)}, i == 0u);
  }
  return total;
}

// g·g′ over the dimensions in index order (W₁ row by row, then W₂), starting
// from the first product, as the wide form's turn: each member forms its
// units' products, and every member adds them up from the broadcasts.
fn teamTurn() -> V {
  var turn = V(0.0);
  for (var k = 0u; k <= WIDTH; k++) {
${eachUnit((u) => `    let t${u} = turnTerm(unitDim(k, unitIndex(${u}u)));`)}
    turn = select(turn + ${fromHolder('t', 0, team)}, ${fromHolder('t', 0, team)}, k == 0u);
${lines(width - 1, (j) => `    turn = turn + ${fromHolder('t', j + 1, team)};`)}
  }
  return turn;
}`;
}
