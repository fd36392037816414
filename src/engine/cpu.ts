/**
 * The float32 reference engine: plain TypeScript, every operation rounded to
 * float32 in the order the WGSL kernel (shaders/) performs it. It is the
 * oracle the GPU engine is tested against, and the fallback where no GPU is.
 */
import { f32 } from '../float32.js';
import { learningRate, scheduleFactor } from '../schedules.js';
import { cellAt, checkTraceLength, gridCoords, type Cell, type Spec } from '../experiment/index.js';
import { throwIfAborted, yieldToEventLoop } from '../errors.js';
import type { CompiledObjective, MlpObjective } from '../objectives/catalogue.js';
import { offsetWeights } from '../objectives/mlp.js';
import { initialSlots, optimizerHyper, updateRule, type OptimizerHyper, type SlotValues, type UpdateRule } from '../optimizers/index.js';
import { blocksOf, chunksOf, planRun, type RunPlan } from './plan.js';
import { emptyBookkeeping, emptyLossRecord, emptyStats, recordLoss, statFields, type Bookkeeping, type LossRecord } from './records.js';
import { buildScheduleTable, ChunkTable, lrMultiplier, tableStride, tableWindow, tupleIndex } from './schedule-table.js';
import type { ChunkStats, Engine, RunOptions, Trace } from './types.js';
import { runDf64Cpu, traceDf64Cpu } from './df64-cpu.js';

/**
 * Per-trajectory state carried from one step block to the next: the fields
 * of the trajectory record (src/engine/records.ts), the loss record among
 * them where the spec keeps it, and what the CPU engine keeps beside them.
 */
interface TrajectoryState extends Bookkeeping, LossRecord {
  readonly dims: number;
  w: Float64Array;
  gPrev: Float64Array;
  L: Float64Array;
  c: Float64Array;
  /** A typed-in or test-function objective; undefined for the quadratic (L, c). */
  expr: CompiledObjective | MlpObjective | undefined;
  /** The tiny network's layer rates (input, output); [1, 1] elsewhere. */
  rates: readonly number[];
  A: number;
  /** The optimizer's state and hyperparameters. */
  slots: SlotValues;
  hyper: OptimizerHyper;
  update: UpdateRule;
  row: number;
  finalLoss: number;
}

/** Largest |x| over the vector; NaN if any component is NaN (as the kernel's bit-pattern max). */
function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a !== a) return NaN; // NaN wins, like the kernel's max over magnitude bits
    if (a > m) m = a;
  }
  return m;
}

/** g = L ⊙ (w − c), rounded per operation (or the objective's compiled gradient, at iterate k's minibatch); returns max |gᵢ|. */
function gradient(s: TrajectoryState, g: Float64Array, k = 0): number {
  if (s.expr) return s.expr.gradient(s.w, g, s.rates, k);
  let G = 0;
  for (let i = 0; i < s.dims; i++) {
    const gi = f32(s.L[i]! * f32(s.w[i]! - s.c[i]!));
    g[i] = gi;
    const a = Math.abs(gi);
    if (a > G) G = a;
  }
  return G;
}

/** Σ ½·Lᵢ·(wᵢ − cᵢ)², rounded per operation in index order, starting from the first term (as the kernel). */
function loss(s: TrajectoryState): number {
  if (s.expr) return s.expr.loss(s.w);
  const term = (i: number) => {
    const e = f32(s.w[i]! - s.c[i]!);
    return f32(f32(0.5 * s.L[i]!) * f32(e * e));
  };
  let total = term(0);
  for (let i = 1; i < s.dims; i++) total = f32(total + term(i));
  return total;
}

/** a·b in index order, starting from the first product. */
function dot(a: Float64Array, b: Float64Array): number {
  let d = f32(a[0]! * b[0]!);
  for (let i = 1; i < a.length; i++) d = f32(d + f32(a[i]! * b[i]!));
  return d;
}

/** A trajectory's state at its start; `expr` is the spec's compiled objective (specObjective), looked up once per run. */
function initialState(spec: Spec, expr: TrajectoryState['expr'], index: number, row: number): TrajectoryState {
  const cell = cellAt(spec, index);
  const dims = spec.dims;
  const hyper = cellHyper(cell);
  const s: TrajectoryState = {
    dims,
    w: expr && 'config' in expr ? offsetWeights(cell.w0, cell.width, cell.initOffset) : Float64Array.from(cell.w0, f32),
    gPrev: new Float64Array(dims),
    L: Float64Array.from(cell.curvature, f32),
    c: Float64Array.from(cell.minimum, f32),
    expr,
    rates: [cell.inputLr ?? 1, cell.outputLr ?? 1],
    A: lrMultiplier(cell),
    slots: initialSlots(cell.optimizer, cell.convention, dims, hyper),
    hyper,
    update: updateRule(cell.optimizer, cell.convention),
    row,
    ...emptyBookkeeping(),
    finalLoss: 0,
    ...emptyLossRecord(),
  };
  const G0 = gradient(s, s.gPrev);
  s.gradTol = f32(f32(spec.base.tol) * G0);
  s.peak = maxAbs(s.w);
  if (!(s.peak <= f32(spec.base.bound))) s.escapeStep = 0;
  return s;
}

/** The cell's optimizer hyperparameters as the kernels read them. */
export function cellHyper(cell: Cell): OptimizerHyper {
  return optimizerHyper({ ...cell, centered: cell.centered ? 1 : 0 }, cell.convention);
}

/** Run-wide constants of the step loop. */
interface StepContext {
  readonly aStart: number;
  readonly bStart: number;
  readonly bound: number;
  readonly steps: number;
  /** Whether to keep the loss record, and its windows' first iterates. */
  readonly trainability: boolean;
  readonly lossA: number;
  readonly lossB: number;
}

function stepContext(plan: RunPlan): StepContext {
  const { aStart, bStart } = plan.windows;
  return {
    aStart,
    bStart,
    bound: f32(plan.spec.base.bound),
    steps: plan.steps,
    trainability: plan.state.trainability,
    lossA: Math.max(aStart, 1) - 1,
    lossB: bStart - 1,
  };
}

/** The loss record at iterate k, as trackLoss in the kernel (src/engine/kernel.ts). */
function trackLoss(s: TrajectoryState, k: number, ctx: StepContext): void {
  // Right after the gradient at w_k: the network's gradient has added up the loss already.
  recordLoss(s, k, s.expr && 'recordedLoss' in s.expr ? s.expr.recordedLoss(s.w) : loss(s), ctx);
}

/** Bookkeeping for iterate k (gradient g at w_k, G = max |gᵢ|). */
function observe(s: TrajectoryState, k: number, g: Float64Array, G: number, ctx: StepContext): void {
  if (G > s.gradTol) s.lastAbove = k;
  if (k < ctx.aStart) return;
  if (k >= ctx.bStart) {
    if (G > s.gradB) s.gradB = G;
    if (dot(g, s.gPrev) < 0) s.flips++;
  } else if (G > s.gradA) {
    s.gradA = G;
  }
  s.gPrev.set(g);
}

/**
 * Advances one trajectory through steps [k0, k1): the update at step k
 * turns iterate w_k into w_{k+1}, with the table value `rates[offset + k]`.
 */
function advance(
  s: TrajectoryState,
  k0: number,
  k1: number,
  rates: Float32Array,
  offset: number,
  ctx: StepContext,
  g: Float64Array,
  record?: (k: number) => void,
): void {
  const { bound } = ctx;
  for (let k = k0; k < k1; k++) {
    if (s.escapeStep >= 0) return; // frozen
    const lr = f32(s.A * rates[offset + k]!);
    const G = gradient(s, g, k);
    if (ctx.trainability) trackLoss(s, k, ctx);
    observe(s, k, g, G, ctx);
    s.update(s.w, g, lr, s.slots, s.hyper);
    const m = maxAbs(s.w);
    if (!(m <= s.peak)) s.peak = m;
    if (!(m <= bound)) s.escapeStep = k + 1;
    record?.(k + 1);
  }
}

/**
 * `advance` for plain gradient descent in one dimension, with the state in local variables: the same
 * operations in the same order (the GPU ≡ CPU tests hold both paths to the
 * kernel), about three times faster.
 */
function advanceScalar(s: TrajectoryState, k0: number, k1: number, rates: Float32Array, offset: number, ctx: StepContext): void {
  if (s.escapeStep >= 0) return;
  const { aStart, bStart, bound } = ctx;
  const L = s.L[0]!;
  const c = s.c[0]!;
  const A = s.A;
  const gradTol = s.gradTol;
  let w = s.w[0]!;
  let gPrev = s.gPrev[0]!;
  let { lastAbove, peak, gradA, gradB, flips } = s;
  let escapeStep = -1;
  for (let k = k0; k < k1; k++) {
    const lr = f32(A * rates[offset + k]!);
    const g = f32(L * f32(w - c));
    const G = Math.abs(g);
    if (G > gradTol) lastAbove = k;
    if (k >= aStart) {
      if (k >= bStart) {
        if (G > gradB) gradB = G;
        if (f32(g * gPrev) < 0) flips++;
      } else if (G > gradA) {
        gradA = G;
      }
      gPrev = g;
    }
    w = f32(w - f32(g * lr));
    const m = Math.abs(w);
    if (!(m <= peak)) peak = m;
    if (!(m <= bound)) {
      escapeStep = k + 1;
      break;
    }
  }
  s.w[0] = w;
  s.gPrev[0] = gPrev;
  Object.assign(s, { lastAbove, peak, gradA, gradB, flips, escapeStep });
}

/** After the last step: the final iterate's gradient joins the bookkeeping. */
function finish(s: TrajectoryState, ctx: StepContext, g: Float64Array): number {
  if (s.escapeStep < 0) {
    const G = gradient(s, g, ctx.steps);
    observe(s, ctx.steps, g, G, ctx);
  }
  return loss(s);
}


/** Steps of a trace between yields to the event loop. */
const TRACE_BLOCK = 1 << 16;

export class CpuEngine implements Engine {
  readonly kind = 'cpu' as const;
  readonly description = 'CPU reference (TypeScript)';

  async *run(spec: Spec, options: RunOptions = {}): AsyncIterable<ChunkStats> {
    if (spec.base.precision === 'df64') yield* runDf64Cpu(spec, options);
    else yield* this.execute(planRun(spec, options), options);
  }

  /** Runs a plan chunk by chunk; within a chunk, block by block, every trajectory in turn. */
  async *execute(plan: RunPlan, options: Pick<RunOptions, 'signal' | 'onProgress'> = {}): AsyncIterable<ChunkStats> {
    const { spec } = plan;
    const total = (plan.end - plan.begin) * plan.steps;
    const g = new Float64Array(plan.dims);
    const ctx = stepContext(plan);
    const scalar = plan.dims === 1 && spec.base.objective === 'quadratic' && plan.variants.every((v) => v.optimizer === 'gd') && !ctx.trainability;
    const step = scalar ? advanceScalar : advance;
    // The chunk's rows of the schedule table (tableWindow) for a block of steps, built in one reused buffer.
    const scratch = new Float32Array(plan.tableRows * tableStride(plan.block));
    const tables = new ChunkTable((rows, b0, b1) => buildScheduleTable(spec, plan.schedule, b0, b1, rows, scratch));
    let done = 0;
    for (const { start, count } of chunksOf(plan)) {
      throwIfAborted(options.signal);
      const states: TrajectoryState[] = [];
      for (let i = 0; i < count; i++) states.push(initialState(spec, plan.objective, start + i, tupleIndex(plan.schedule, gridCoords(spec, start + i))));
      const rows = tableWindow(spec, plan.schedule, start, count);
      for (const { b0, b1 } of blocksOf(plan)) {
        const { table } = tables.get(rows, b0, b1);
        const stride = tableStride(b1 - b0);
        for (const s of states) step(s, b0, b1, table, (s.row - rows.first) * stride - b0, ctx, g);
        done += count * (b1 - b0);
        options.onProgress?.({ done, total });
        // Yield to the event loop so progress shows and cancellation can land.
        await yieldToEventLoop();
        throwIfAborted(options.signal);
      }
      yield collect(plan, start, states, ctx, g);
    }
  }

  async trace(spec: Spec, indices: readonly number[], options: RunOptions = {}): Promise<Trace[]> {
    checkTraceLength(spec, 'key');
    if (spec.base.precision === 'df64') return traceDf64Cpu(spec, indices, options);
    const plan = planRun(spec);
    const { steps, dims } = plan;
    const g = new Float64Array(dims);
    const ctx = stepContext(plan);
    const traces: Trace[] = [];
    for (const index of indices) {
      throwIfAborted(options.signal);
      const cell = cellAt(spec, index);
      const s = initialState(spec, plan.objective, index, 0);
      const lr = new Float32Array(steps + 1);
      for (let k = 0; k <= steps; k++) lr[k] = learningRate(cell, k);
      const w = new Float32Array((steps + 1) * dims);
      const lossTrace = new Float32Array(steps + 1);
      const record = (k: number) => {
        w.set(s.w, k * dims);
        lossTrace[k] = loss(s);
      };
      record(0);
      const factors = new Float32Array(steps);
      for (let k = 0; k < steps; k++) factors[k] = scheduleFactor(cell, k);
      // In blocks, so progress shows and cancellation lands on long traces.
      for (let k0 = 0; k0 < steps; k0 += TRACE_BLOCK) {
        advance(s, k0, Math.min(steps, k0 + TRACE_BLOCK), factors, 0, ctx, g, record);
        await yieldToEventLoop();
        throwIfAborted(options.signal);
      }
      // Frozen trajectories keep their last iterate.
      if (s.escapeStep >= 0) for (let k = s.escapeStep + 1; k <= steps; k++) {
        w.copyWithin(k * dims, s.escapeStep * dims, (s.escapeStep + 1) * dims);
        lossTrace[k] = lossTrace[s.escapeStep]!;
      }
      traces.push({ index, lr, w, loss: lossTrace });
    }
    return traces;
  }

  dispose(): void {}
}

/** A chunk's statistics, field by field as the trajectory record lists them. */
function collect(plan: RunPlan, start: number, states: TrajectoryState[], ctx: StepContext, g: Float64Array): ChunkStats {
  const { dims } = plan;
  const stats = emptyStats(states.length, dims, ctx.trainability);
  const fields = statFields(ctx.trainability);
  states.forEach((s, i) => {
    s.finalLoss = finish(s, ctx, g);
    for (const field of fields) {
      const value = s[field.name];
      if (typeof value === 'number') stats[field.stat]![i] = value;
      else stats[field.stat]!.set(value, i * dims);
    }
  });
  return { start, count: states.length, dims, ...stats } as ChunkStats;
}
