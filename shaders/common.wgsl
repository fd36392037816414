// What both kernel forms share: the bindings, the loops over the dimensions,
// opaque(), and the schedule table's rates. shaders/trajectory.wgsl steps a
// vector's state in private memory (few dimensions), shaders/wide.wgsl in
// place in the state buffer (many dimensions, and the network).

@group(0) @binding(0) var<uniform> u: Uniforms;
@group(0) @binding(1) var<storage, read> axes: array<AxisLayout>;
@group(0) @binding(2) var<storage, read> axisValues: array<f32>;
@group(0) @binding(3) var<storage, read> rates: array<vec4f>; // the chunk's rows of the table, from tableFirstRow, padded to whole vec4s
@group(0) @binding(4) var<storage, read_write> state: array<VU>;

// Whether every lane of a vector reads the same schedule-table row (set per pipeline).
override ROW_SHARED: bool = false;

// Step-by-step record of a few trajectories (listed by grid index in
// traceIndex): row 0 holds iterate stepBegin, row r iterate stepBegin + r,
// each as DIMS components of w followed by the loss.
@group(0) @binding(5) var<storage, read_write> traceOut: array<f32>;
@group(0) @binding(6) var<storage, read> traceIndex: array<u32>;

// Loops over the dimensions: unrolled by the compiler for a few, kept as
// loops for many (unrolled, 42 dimensions took over a minute to compile on lavapipe).
fn dimCount() -> u32 {
  return select(DIMS | u.zero, DIMS, DIMS <= 8u);
}

// x, hidden from the compiler's algebra. Lavapipe's compiler regroups
// floating-point arithmetic: it factors g·lr + a·μ·lr into (g + a·μ)·lr and
// moves constants through products, which rounds differently from the
// reference engine. Passing a value through the integers, XORed with a
// uniform that is always 0 (but not known to be), keeps the grouping written.
fn opaque(x: V) -> V {
  return bitcast<V>(bitcast<VU>(x) ^ VU(u.zero));
}

fn slotOf(field: u32, vector: u32) -> u32 {
  return field * u.slotVectors + vector;
}

fn magnitudeBits(x: V) -> VU {
  return bitcast<VU>(x) & VU(0x7fffffffu);
}

// Where row `row`, step k sits in the buffer: its row counted from tableFirstRow, its step from tableBegin.
fn tableIndex(row: u32, k: u32) -> u32 {
  return (row - u.tableFirstRow) * u.tableStride + (k - u.tableBegin);
}

// Table value for lane j at step k.
fn tableValue(row: VU, j: u32, k: u32) -> f32 {
  let i = tableIndex(laneU(row, j), k);
  return rates[i >> 2u][i & 3u];
}

// lr for step k: A × table value. When every lane shares its row
// (ROW_SHARED), one load serves all lanes.
fn rateAt(setting: Setting, k: u32) -> V {
  if (ROW_SHARED) {
    return setting.multiplier * V(tableValue(setting.row, 0u, k));
  }
  var factor: V;
  for (var j = 0u; j < LANES; j++) {
    factor = setLane(factor, j, tableValue(setting.row, j, k));
  }
  return setting.multiplier * factor;
}

// lr for steps k … k + 3 (k a multiple of 4): one vec4 load per row.
fn ratesAt4(setting: Setting, k: u32) -> array<V, 4> {
  var out: array<V, 4>;
  if (ROW_SHARED) {
    let m = rates[tableIndex(laneU(setting.row, 0u), k) >> 2u];
    for (var t = 0u; t < 4u; t++) {
      out[t] = setting.multiplier * V(m[t]);
    }
    return out;
  }
  var factor: array<V, 4>;
  for (var j = 0u; j < LANES; j++) {
    let m = rates[tableIndex(laneU(setting.row, j), k) >> 2u];
    for (var t = 0u; t < 4u; t++) {
      factor[t] = setLane(factor[t], j, m[t]);
    }
  }
  for (var t = 0u; t < 4u; t++) {
    out[t] = setting.multiplier * factor[t];
  }
  return out;
}

// A vector's Setting for a sweep: lane j is the chunk's trajectory
// vector·LANES + j (the last one repeated where the chunk ends mid-vector).
fn decodeChunkVector(setting: ptr<function, Setting>, vector: u32) {
  for (var j = 0u; j < LANES; j++) {
    decodeLane(setting, j, u.start + min(vector * LANES + j, u.count - 1u));
  }
}

// A vector's Setting for a trace: lane j is the trajectory traceIndex lists there.
fn decodeTracedVector(setting: ptr<function, Setting>, vector: u32) {
  for (var j = 0u; j < LANES; j++) {
    decodeLane(setting, j, traceIndex[min(vector * LANES + j, u.count - 1u)]);
  }
}

// A row of the trace: each lane's iterate w, then its loss.
fn recordLanes(w: WIn, setting: Setting, vector: u32, rowIndex: u32) {
  let loss = lossAt(setting.objective, w);
  for (var j = 0u; j < LANES; j++) {
    let base = ((vector * LANES + j) * u.traceRows + rowIndex) * (DIMS + 1u);
    for (var i = 0u; i < dimCount(); i++) {
      traceOut[base + i] = laneF(wAt(w, i), j);
    }
    traceOut[base + DIMS] = laneF(loss, j);
  }
}
