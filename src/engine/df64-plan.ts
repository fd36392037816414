/**
 * The plan of a df64 run (`precision: 'df64'`): every number of a trajectory
 * is a double-float (src/df64.ts), stepped by shaders/df64-trajectory.wgsl on
 * the GPU and by src/engine/df64-cpu.ts on the CPU, the same operations in
 * the same order. Both engines start from what the host writes here: each
 * trajectory's settings and initial state as float32 words, and the schedule
 * as a table of df64 values computed in double precision. The statistics the
 * regimes are decided from stay float32 (from each value's leading part), so
 * a df64 run classifies, maps and writes like a float32 one.
 *
 * What runs in df64: the quadratic, the test functions, typed-in losses and
 * the network; gd, momentum and nesterov; the schedules of DF64_SCHEDULES
 * (src/experiment/rules.ts refuses the rest with a one-line message).
 */
import { df, dfAdd, dfFromF32, DF_ONE, DF_ZERO, df64Wgsl, type Df64 } from '../df64.js';
import { f32, f32Bits } from '../float32.js';
import { cellAt, gridCoords, gridSize, type Cell, type Spec } from '../experiment/index.js';
import { specObjective, type CompiledObjective, type MlpObjective } from '../objectives/catalogue.js';
import { CONVENTIONS } from '../optimizers/index.js';
import { isLrFactorSchedule, type ScheduleParams } from '../schedules.js';
import { wgslConstants } from './kernel.js';
import { LOSS_CAP, LOSS_TAIL, packScalars, wgslStruct, type ScalarField } from './records.js';
import { allRows, largestWindow, scheduleLayout, scheduleRows, tupleIndex, type RowWindow, type ScheduleLayout } from './schedule-table.js';
import { runRange, tailWindows, type ChunkStats, type RunOptions, type TailWindows } from './types.js';
import quadraticSource from '../../shaders/df64-objective-quadratic.wgsl?raw';
import mlpSource from '../../shaders/df64-objective-mlp.wgsl?raw';
import trajectorySource from '../../shaders/df64-trajectory.wgsl?raw';

/** Every WGSL file of the df64 kernel but df64.wgsl itself (for the tuning cache's hash). */
export const DF64_KERNEL_SOURCES: readonly string[] = [quadraticSource, mlpSource, trajectorySource];

/** The df64 kernel's uniforms, rewritten before each dispatch. */
export const DF64_UNIFORM_FIELDS = [
  { name: 'start', type: 'u32' }, // grid index of the chunk's first trajectory (for the record)
  { name: 'count', type: 'u32' }, // trajectories in the chunk
  { name: 'stepBegin', type: 'u32' },
  { name: 'stepEnd', type: 'u32' },
  { name: 'steps', type: 'u32' },
  { name: 'aStart', type: 'u32' }, // tail windows (src/engine/types.ts)
  { name: 'bStart', type: 'u32' },
  { name: 'lossA', type: 'u32' }, // the loss windows' first iterates: one before the tail windows'
  { name: 'lossB', type: 'u32' },
  { name: 'tableBegin', type: 'u32' },
  { name: 'tableStride', type: 'u32' }, // df64 values per table row
  { name: 'traceRows', type: 'u32' },
  { name: 'boundBits', type: 'u32' }, // float32 bits of the divergence bound
  { name: 'tol', type: 'f32' },
  { name: 'zero', type: 'u32' }, // always 0: dfKeep() mixes it in
] as const satisfies readonly ScalarField[];

export type Df64Uniforms = Record<(typeof DF64_UNIFORM_FIELDS)[number]['name'], number>;
export const DF64_UNIFORM_BYTES = Math.ceil((DF64_UNIFORM_FIELDS.length * 4) / 16) * 16;

export function packDf64Uniforms(values: Df64Uniforms): ArrayBuffer {
  const buffer = new ArrayBuffer(DF64_UNIFORM_BYTES);
  packScalars(DF64_UNIFORM_FIELDS, values, new DataView(buffer), 0);
  return buffer;
}

/**
 * The state of a trajectory: the float32 statistics first (the same as the
 * float32 record's, finalLoss as a df64), then w, the gradient, the previous
 * gradient's leading parts, the optimizer's accumulator and the network's
 * hidden layer. Offsets in words.
 */
export interface Df64StateLayout {
  readonly gradTol: number;
  readonly lastAbove: number;
  readonly escapeStep: number;
  readonly peak: number;
  readonly gradA: number;
  readonly gradB: number;
  readonly flips: number;
  readonly finalLoss: number;
  readonly loss0: number;
  readonly lossSum: number;
  readonly lossInvSum: number;
  readonly lossTail: number;
  readonly lossA: number;
  readonly lossB: number;
  readonly lossRise: number;
  readonly lossPrev: number;
  readonly w: number;
  readonly g: number;
  readonly gPrev: number;
  readonly accum: number;
  /** The network's z, h and ∂loss/∂z of one data point (width df64 values each); 0 elsewhere. */
  readonly z: number;
  readonly h: number;
  readonly dz: number;
  readonly words: number;
}

/** The settings record of a trajectory, offsets in words. */
export interface Df64SettingLayout {
  readonly multiplier: number;
  readonly momentum: number;
  readonly rate: number;
  readonly row: number;
  readonly variant: number;
  readonly convention: number;
  readonly curvature: number;
  readonly minimum: number;
  readonly words: number;
}

export const DF64_VARIANTS = ['gd', 'momentum', 'nesterov'] as const;

export interface Df64Plan {
  readonly spec: Spec;
  readonly dims: number;
  readonly steps: number;
  readonly begin: number;
  readonly end: number;
  readonly chunk: number;
  readonly windows: TailWindows;
  readonly objective: CompiledObjective | MlpObjective | undefined;
  readonly network: MlpObjective | undefined;
  readonly schedule: ScheduleLayout;
  /** The most schedule-table rows one chunk reads (tableWindow): each chunk's table holds only its own rows. */
  readonly tableRows: number;
  /** Steps per schedule-table block: a block of a chunk's rows fits the table budget. */
  readonly block: number;
  readonly state: Df64StateLayout;
  readonly setting: Df64SettingLayout;
}

/** Trajectories per chunk: at most this many, and at most STATE_BUDGET_BYTES of state. */
const MAX_CHUNK = 1 << 16;
const STATE_BUDGET_BYTES = 64 << 20;
/** df64 values a schedule table may hold per block. */
const TABLE_BUDGET = 1 << 22;

export function df64StateLayout(dims: number, momentum: boolean, network: MlpObjective | undefined): Df64StateLayout {
  const width = network?.config.width ?? 0;
  const w = 17;
  const g = w + 2 * dims;
  const gPrev = g + 2 * dims;
  const accum = gPrev + dims;
  const z = accum + (momentum ? 2 * dims : 0);
  const h = z + 2 * width;
  const dz = h + 2 * width;
  return {
    gradTol: 0,
    lastAbove: 1,
    escapeStep: 2,
    peak: 3,
    gradA: 4,
    gradB: 5,
    flips: 6,
    finalLoss: 7,
    loss0: 9,
    lossSum: 10,
    lossInvSum: 11,
    lossTail: 12,
    lossA: 13,
    lossB: 14,
    lossRise: 15,
    lossPrev: 16,
    w,
    g,
    gPrev,
    accum,
    z: network ? z : 0,
    h: network ? h : 0,
    dz: network ? dz : 0,
    words: dz + 2 * width,
  };
}

function df64SettingLayout(dims: number, quadratic: boolean): Df64SettingLayout {
  return { multiplier: 0, momentum: 2, rate: 4, row: 8, variant: 9, convention: 10, curvature: 11, minimum: 11 + 2 * dims, words: 11 + (quadratic ? 4 * dims : 0) };
}

/** The plan of a df64 run over a range of the grid. */
export function planDf64Run(spec: Spec, options: RunOptions = {}, limits?: { readonly maxStorageBufferBindingSize: number }): Df64Plan {
  const { begin, end } = runRange(gridSize(spec), options.range);
  const objective = specObjective(spec);
  const network = objective && 'config' in objective ? objective : undefined;
  const variants = spec.axes.find((a) => a.key === 'optimizer')?.values ?? [spec.base.optimizer];
  const momentum = variants.some((v) => v !== 'gd');
  const state = df64StateLayout(spec.dims, momentum, network);
  const budget = Math.min(STATE_BUDGET_BYTES, limits?.maxStorageBufferBindingSize ?? Infinity);
  const fit = Math.max(1, Math.floor(budget / (4 * state.words)));
  const chunk = Math.max(1, Math.min(options.chunkSize ?? MAX_CHUNK, fit, Math.max(1, end - begin)));
  const schedule = scheduleLayout(spec);
  const steps = spec.base.steps;
  const tableRows = largestWindow(spec, schedule, begin, end, chunk);
  return {
    spec,
    dims: spec.dims,
    steps,
    begin,
    end,
    chunk,
    windows: tailWindows(steps),
    objective,
    network,
    schedule,
    tableRows,
    block: Math.max(1, Math.min(steps, Math.floor((options.tableBudgetFloats ?? 2 * TABLE_BUDGET) / 2 / tableRows))),
    state,
    setting: df64SettingLayout(spec.dims, objective === undefined),
  };
}

/** A run's uniforms for the steps [k0, k1) of the table block [b0, b1). */
export function df64Uniforms(plan: Df64Plan, p: { start: number; count: number; k0: number; k1: number; b0: number; b1: number; traceRows: number }): Df64Uniforms {
  const { aStart, bStart } = plan.windows;
  return {
    start: p.start,
    count: p.count,
    stepBegin: p.k0,
    stepEnd: p.k1,
    steps: plan.steps,
    aStart,
    bStart,
    lossA: Math.max(aStart, 1) - 1,
    lossB: bStart - 1,
    tableBegin: p.b0,
    tableStride: p.b1 - p.b0,
    traceRows: p.traceRows,
    boundBits: f32Bits(f32(plan.spec.base.bound)),
    tol: f32(plan.spec.base.tol),
    zero: 0,
  };
}

// ---------------------------------------------------------------- the host's part

/**
 * The schedule at step k in double precision: the factor for lr × factor
 * schedules, the rate for the others (as src/schedules.ts scheduleFactor,
 * whose float32 forms follow each framework's rounding; here every value is
 * as close to the exact one as double precision allows).
 */
export function scheduleValue64(p: ScheduleParams, step: number): number {
  const warmup = p.warmupSteps;
  if (warmup > 0 && step < warmup) {
    const frac = step / warmup;
    return isLrFactorSchedule(p.schedule) ? frac : p.lr * frac;
  }
  const k = step - warmup;
  const periods = p.staircase ? Math.floor(k / p.decaySteps) : k / p.decaySteps;
  switch (p.schedule) {
    case 'constant':
      return 1;
    case 'exponential':
      return Math.pow(p.decayRate, periods);
    case 'natural_exp':
      return p.naturalExpForm === 'exp' ? Math.exp(-p.decayRate * periods) : Math.pow(Math.exp(-p.decayRate), periods);
    case 'inverse_time':
      return p.lr / (1 + p.decayRate * periods);
    case 'step-lr':
      return p.lr * Math.pow(p.decayRate, Math.floor(k / p.decaySteps));
    case 'multi-step-lr':
      return p.lr * Math.pow(p.decayRate, p.boundaries.filter((m) => m <= k).length);
    case 'exponential-lr':
      return p.lr * Math.pow(p.decayRate, k);
    default:
      throw new Error(`schedule ${p.schedule} has no df64 version`);
  }
}

/**
 * The df64 schedule table of steps [k0, k1) for the rows in `rows` (all of them unless given):
 * row r, step k at 2·((r − rows.first)·(k1 − k0) + k − k0), hi then lo.
 */
export function buildDf64Table(plan: Df64Plan, k0: number, k1: number, rows: RowWindow = allRows(plan.schedule)): Float32Array<ArrayBuffer> {
  const stride = k1 - k0;
  const table = new Float32Array(rows.count * stride * 2);
  let row = 0;
  for (const cell of scheduleRows(plan.spec, plan.schedule, rows)) {
    for (let k = k0; k < k1; k++) {
      const v = df(scheduleValue64(cell, k));
      const at = 2 * (row * stride + k - k0);
      table[at] = v.hi;
      table[at + 1] = v.lo;
    }
    row++;
  }
  return table;
}

/** What the table value is multiplied by: lr (df64) for factor schedules, 1 for the others. */
export function df64Multiplier(cell: Cell): Df64 {
  return isLrFactorSchedule(cell.schedule) ? df(cell.lr) : DF_ONE;
}

/** The learning rate of each step 0 … steps (the last repeated for the trace's final row), in double. */
export function df64Rates(cell: Cell, multiplier: (a: Df64, b: Df64) => Df64, steps: number): Float64Array {
  const A = df64Multiplier(cell);
  const out = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) {
    const r = multiplier(A, df(scheduleValue64(cell, k)));
    out[k] = r.hi + r.lo;
  }
  return out;
}

/** The initial weights in df64: w₀, or the network's with the input layer's offset added in df64. */
export function df64InitialW(plan: Df64Plan, cell: Cell): Df64[] {
  if (!plan.network) return cell.w0.map(df);
  const n2 = plan.network.config.width ** 2;
  const offset = df(cell.initOffset);
  return cell.w0.map((w, d) => (d < n2 ? dfAdd(dfFromF32(f32(w)), offset) : dfFromF32(f32(w))));
}

/**
 * The settings and initial states of the `count` trajectories at the given
 * grid indices, float32 words as both engines read them, word-major: word i
 * of trajectory t at i·count + t (`settings` has setting.words words per
 * trajectory, `state` state.words), so that neighbouring invocations of the
 * kernel read neighbouring words.
 */
export function stageTrajectories(plan: Df64Plan, indices: Iterable<number>, count: number, firstRow = 0): { settings: Float32Array<ArrayBuffer>; state: Float32Array<ArrayBuffer> } {
  const { setting: S, state: L, spec } = plan;
  const settings = new Float32Array(Math.max(4, count * S.words));
  const state = new Float32Array(Math.max(4, count * L.words));
  const settingU = new Uint32Array(settings.buffer);
  const stateI = new Int32Array(state.buffer);
  let t = 0;
  const put = (array: Float32Array, word: number, v: Df64) => {
    array[word * count + t] = v.hi;
    array[(word + 1) * count + t] = v.lo;
  };
  for (const index of indices) {
    const cell = cellAt(spec, index);
    put(settings, S.multiplier, df64Multiplier(cell));
    put(settings, S.momentum, cell.optimizer === 'gd' ? DF_ZERO : df(cell.momentum));
    put(settings, S.rate, df(cell.inputLr ?? 1));
    put(settings, S.rate + 2, df(cell.outputLr ?? 1));
    // The row in the table the engine stages: counted from its first row (a chunk's tableWindow).
    settingU[S.row * count + t] = tupleIndex(plan.schedule, gridCoords(spec, index)) - firstRow;
    settingU[S.variant * count + t] = DF64_VARIANTS.indexOf(cell.optimizer as (typeof DF64_VARIANTS)[number]);
    settingU[S.convention * count + t] = CONVENTIONS.indexOf(cell.convention);
    if (!plan.objective) {
      for (let i = 0; i < plan.dims; i++) {
        put(settings, S.curvature + 2 * i, df(cell.curvature[i]!));
        put(settings, S.minimum + 2 * i, df(cell.minimum[i]!));
      }
    }
    stateI[L.lastAbove * count + t] = -1;
    stateI[L.escapeStep * count + t] = -1;
    df64InitialW(plan, cell).forEach((w, i) => put(state, L.w + 2 * i, w));
    t++;
  }
  return { settings, state };
}

/** Trajectory t's words of a word-major record of `count` trajectories, `words` each, in order. */
export function trajectoryWords(record: Float32Array, words: number, count: number, t: number): Float32Array {
  const out = new Float32Array(words);
  for (let i = 0; i < words; i++) out[i] = record[i * count + t]!;
  return out;
}

/** The statistics of a chunk from its states' words (word-major, as stageTrajectories lays them out). */
export function unpackDf64Stats(plan: Df64Plan, start: number, count: number, words: ArrayBuffer): ChunkStats {
  const { state: L, dims } = plan;
  const f = new Float32Array(words);
  const i32 = new Int32Array(words);
  const u32 = new Uint32Array(words);
  const column = <T extends Float32Array | Int32Array | Uint32Array>(source: T, offset: number): T => {
    const out = new (source.constructor as new (n: number) => T)(count);
    out.set(source.subarray(offset * count, (offset + 1) * count));
    return out;
  };
  const finalW = new Float32Array(count * dims);
  const finalWLo = new Float32Array(count * dims);
  for (let t = 0; t < count; t++) {
    for (let d = 0; d < dims; d++) {
      finalW[t * dims + d] = f[(L.w + 2 * d) * count + t]!;
      finalWLo[t * dims + d] = f[(L.w + 2 * d + 1) * count + t]!;
    }
  }
  const peakBits = column(u32, L.peak);
  const loss = plan.spec.base.trainability
    ? {
        loss0: column(f, L.loss0),
        lossSum: column(f, L.lossSum),
        lossInvSum: column(f, L.lossInvSum),
        lossTail: column(f, L.lossTail),
        lossA: column(f, L.lossA),
        lossB: column(f, L.lossB),
        lossRise: column(f, L.lossRise),
      }
    : {};
  return {
    start,
    count,
    dims,
    finalW,
    finalWLo,
    gradTol: column(f, L.gradTol),
    lastAbove: column(i32, L.lastAbove),
    escapeStep: column(i32, L.escapeStep),
    peak: new Float32Array(peakBits.buffer),
    gradA: column(f, L.gradA),
    gradB: column(f, L.gradB),
    flips: column(u32, L.flips),
    finalLoss: column(f, L.finalLoss),
    finalLossLo: column(f, L.finalLoss + 1),
    ...loss,
  };
}

// ---------------------------------------------------------------- the kernel

/** A df64 constant as WGSL: vec2f(hi, lo). */
export function df64Literal(v: Df64): string {
  const f = (x: number) => (Object.is(x, -0) ? '-0.0' : `${x}`) + (Number.isInteger(x) ? '.0' : '');
  return `vec2f(${f(v.hi)}, ${f(v.lo)})`;
}

/** The network's df64 constants, shared by the kernel and src/engine/df64-cpu.ts. */
export function df64NetworkConstants(network: MlpObjective): Record<'SCALE' | 'GAIN' | 'TWO_OVER_BATCH' | 'ONE_OVER_POINTS', Df64> {
  const { width, dataPoints, minibatch } = network.config;
  return {
    SCALE: df(1 / Math.sqrt(width)),
    GAIN: df(Math.SQRT2),
    TWO_OVER_BATCH: df(2 / (minibatch ?? dataPoints)),
    ONE_OVER_POINTS: df(1 / dataPoints),
  };
}

/** The df64 kernel's WGSL: both entry points, `advance` and `trace`. */
export function df64KernelWgsl(plan: Df64Plan): string {
  const { state: L, setting: S, objective } = plan;
  const u32 = (name: string, value: number) => ({ name, type: 'u32' as const, value });
  const constants = wgslConstants([
    u32('DIMS', plan.dims),
    u32('STATE_WORDS', L.words),
    u32('SETTING_WORDS', S.words),
    ...(['gradTol', 'lastAbove', 'escapeStep', 'peak', 'gradA', 'gradB', 'flips', 'finalLoss', 'loss0', 'lossSum', 'lossInvSum', 'lossTail', 'lossA', 'lossB', 'lossRise', 'lossPrev', 'w', 'g', 'gPrev', 'accum', 'z', 'h', 'dz'] as const).map((k) =>
      u32(`${constantName(k)}_AT`, L[k]),
    ),
    ...(['multiplier', 'momentum', 'rate', 'row', 'variant', 'convention', 'curvature', 'minimum'] as const).map((k) => u32(`${constantName(k)}_AT`, S[k])),
    { name: 'TRAINABILITY', type: 'bool', value: plan.spec.base.trainability },
    { name: 'LOSS_CAP', type: 'f32', value: LOSS_CAP },
    { name: 'LOSS_FLOOR', type: 'f32', value: f32(1 / LOSS_CAP) },
    u32('LOSS_TAIL', LOSS_TAIL),
  ]);
  let objectiveCode: string;
  if (!objective) objectiveCode = quadraticSource;
  else if ('config' in objective) {
    const { width, dataPoints, minibatch, activation } = objective.config;
    const dfConstants = Object.entries(df64NetworkConstants(objective)).map(([name, v]) => `const ${name} = ${df64Literal(v)};`);
    objectiveCode = `${wgslConstants([
      u32('WIDTH', width),
      u32('POINTS', dataPoints),
      u32('BATCH_SIZE', minibatch ?? dataPoints),
      { name: 'MINIBATCH', type: 'bool', value: minibatch !== undefined },
      u32('ACTIVATION', ['tanh', 'relu', 'identity'].indexOf(activation)),
    ])}\n${dfConstants.join('\n')}\n\n${mlpSource}`;
  } else objectiveCode = objective.df64().wgsl;
  const header = `// Generated by src/engine/df64-plan.ts: ${plan.dims} dimension${plan.dims === 1 ? '' : 's'}, objective ${plan.spec.base.objective}, df64.`;
  return [header, wgslStruct('Uniforms', DF64_UNIFORM_FIELDS), constants, df64Wgsl(), objectiveCode, trajectorySource].join('\n\n');
}

/** gradTol → GRAD_TOL, escapeStep → ESCAPE, and so on. */
function constantName(key: string): string {
  if (key === 'escapeStep') return 'ESCAPE';
  return key.replace(/([A-Z])/g, '_$1').toUpperCase();
}
