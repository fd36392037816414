/**
 * The df64 reference engine: shaders/df64-trajectory.wgsl in TypeScript, the
 * same df64 operations (src/df64.ts) and the same float32 bookkeeping in the
 * same order, so the GPU and CPU engines agree bit for bit in df64 as they
 * do in float32. It starts from the settings and states the host stages
 * (src/engine/df64-plan.ts), as the kernel does.
 */
import { DF_ZERO, dfAdd, dfMul, dfMulF, dfNeg, dfSub, dfTanh, dfFromF32, type Df64 } from '../df64.js';
import { f32, f32Bits } from '../float32.js';
import { throwIfAborted, yieldToEventLoop } from '../errors.js';
import { ChunkTable, indicesWindow, tableWindow } from './schedule-table.js';
import type { MlpObjective } from '../objectives/catalogue.js';
import { cellAt, checkTraceLength, type Spec } from '../experiment/index.js';
import { emptyBookkeeping, emptyLossRecord, recordLoss, type Bookkeeping, type LossRecord } from './records.js';
import { buildDf64Table, df64NetworkConstants, df64Rates, df64Uniforms, planDf64Run, stageTrajectories, trajectoryWords, unpackDf64Stats, type Df64Plan, type Df64Uniforms } from './df64-plan.js';
import type { ChunkStats, RunOptions, Trace } from './types.js';

/** A df64 objective on the CPU: the gradient into g (returning the largest |gᵢ| of the leading parts) and the losses. */
interface Df64Evaluator {
  gradient(w: readonly Df64[], g: Df64[], k: number): number;
  loss(w: readonly Df64[]): Df64;
  recordedLoss(w: readonly Df64[]): Df64;
}

const magnitudeBits = (x: number) => f32Bits(x) & 0x7fffffff;

/** One trajectory's state, as the kernel's record holds it. */
interface State extends Bookkeeping, LossRecord {
  readonly settings: Float32Array;
  readonly settingU: Uint32Array;
  w: Df64[];
  g: Df64[];
  gPrev: Float64Array;
  accum: Df64[];
  finalLoss: Df64;
}

const pairAt = (a: Float32Array, i: number): Df64 => ({ hi: a[i]!, lo: a[i + 1]! });

/** The quadratic in df64, as shaders/df64-objective-quadratic.wgsl. */
function quadratic(plan: Df64Plan, settings: () => Float32Array): Df64Evaluator {
  const { dims, setting: S } = plan;
  const L = (i: number) => pairAt(settings(), S.curvature + 2 * i);
  const c = (i: number) => pairAt(settings(), S.minimum + 2 * i);
  const term = (w: readonly Df64[], i: number) => {
    const e = dfSub(w[i]!, c(i));
    const l = L(i);
    return dfMul({ hi: l.hi * 0.5, lo: l.lo * 0.5 }, dfMul(e, e));
  };
  const loss = (w: readonly Df64[]) => {
    let total = term(w, 0);
    for (let i = 1; i < dims; i++) total = dfAdd(total, term(w, i));
    return total;
  };
  return {
    gradient(w, g) {
      let largest = 0;
      for (let i = 0; i < dims; i++) {
        const gi = dfMul(L(i), dfSub(w[i]!, c(i)));
        g[i] = gi;
        const a = Math.abs(gi.hi);
        if (a > largest) largest = a;
      }
      return largest;
    },
    loss,
    recordedLoss: loss,
  };
}

/** The network in df64, as shaders/df64-objective-mlp.wgsl, operation for operation. */
function network(plan: Df64Plan, net: MlpObjective, settings: () => Float32Array): Df64Evaluator {
  const { width: n, dataPoints: B, minibatch, activation } = net.config;
  const { SCALE, GAIN, TWO_OVER_BATCH, ONE_OVER_POINTS } = df64NetworkConstants(net);
  const data = net.kernelData(plan.steps);
  const W2 = n * n;
  const dims = plan.dims;
  const batch = minibatch ?? B;
  const draws = B * n + B;
  const OVERFLOW = f32(1e30);
  const overflows = (x: Df64) => magnitudeBits(x.hi) > f32Bits(OVERFLOW);
  const ONE = dfFromF32(1);
  const x = (i: number, k: number) => data[i * n + k]!;
  const y = (i: number) => dfFromF32(data[B * n + i]!);
  const point = (b: number, k: number) => (minibatch === undefined ? b : data[draws + k * batch + b]!);
  const act =
    activation === 'tanh' ? (z: Df64) => dfTanh(dfMul(GAIN, z)) : activation === 'relu' ? (z: Df64) => (z.hi > 0 ? dfMul(GAIN, z) : DF_ZERO) : (z: Df64) => z;
  const slope =
    activation === 'tanh'
      ? (_z: Df64, h: Df64) => dfMul(GAIN, dfSub(ONE, dfMul(h, h)))
      : activation === 'relu'
        ? (z: Df64) => (z.hi > 0 ? GAIN : DF_ZERO)
        : () => ONE;
  const z: Df64[] = new Array<Df64>(n).fill(DF_ZERO);
  const h: Df64[] = new Array<Df64>(n).fill(DF_ZERO);
  const dz: Df64[] = new Array<Df64>(n).fill(DF_ZERO);
  const forward = (w: readonly Df64[], i: number): Df64 => {
    for (let j = 0; j < n; j++) {
      let s = dfMulF(w[j]!, x(i, 0));
      for (let k = 1; k < n; k++) s = dfAdd(s, dfMulF(w[k * n + j]!, x(i, k)));
      z[j] = dfMul(s, SCALE);
      h[j] = act(z[j]!);
    }
    let s = dfMul(h[0]!, w[W2]!);
    for (let j = 1; j < n; j++) s = dfAdd(s, dfMul(h[j]!, w[W2 + j]!));
    return dfMul(s, SCALE);
  };
  const loss = (w: readonly Df64[]): Df64 => {
    let total = DF_ZERO;
    for (let i = 0; i < B; i++) {
      const r = dfSub(forward(w, i), y(i));
      const sq = dfMul(r, r);
      total = i === 0 ? sq : dfAdd(total, sq);
    }
    return dfMul(total, ONE_OVER_POINTS);
  };
  let gradientLoss = DF_ZERO;
  return {
    gradient(w, g, k) {
      for (let d = 0; d < dims; d++) g[d] = DF_ZERO;
      let overflowed = false;
      let total = DF_ZERO;
      for (let b = 0; b < batch; b++) {
        const i = point(b, k);
        const r = dfSub(forward(w, i), y(i));
        if (minibatch === undefined) {
          const sq = dfMul(r, r);
          total = b === 0 ? sq : dfAdd(total, sq);
        }
        const dOut = dfMul(r, TWO_OVER_BATCH);
        overflowed = overflowed || overflows(dOut);
        for (let j = 0; j < n; j++) {
          g[W2 + j] = dfAdd(g[W2 + j]!, dfMul(dOut, h[j]!));
          const dh = dfMul(dfMul(dOut, w[W2 + j]!), SCALE);
          overflowed = overflowed || overflows(dh);
          dz[j] = dfMul(dh, slope(z[j]!, h[j]!));
        }
        for (let k2 = 0; k2 < n; k2++) {
          const xi = x(i, k2);
          for (let j = 0; j < n; j++) g[k2 * n + j] = dfAdd(g[k2 * n + j]!, dfMulF(dz[j]!, xi));
        }
      }
      let largest = 0;
      const s = settings();
      const rates = [pairAt(s, plan.setting.rate), pairAt(s, plan.setting.rate + 2)];
      for (let d = 0; d < dims; d++) {
        const gd = dfMul(g[d]!, SCALE);
        const a = Math.abs(gd.hi);
        if (a > largest) largest = a;
        g[d] = overflowed ? { hi: NaN, lo: NaN } : dfMul(gd, rates[d < W2 ? 0 : 1]!);
      }
      if (minibatch === undefined) gradientLoss = dfMul(total, ONE_OVER_POINTS);
      return overflowed ? Infinity : largest;
    },
    loss,
    recordedLoss: (w) => (minibatch === undefined ? gradientLoss : loss(w)),
  };
}

/** The objective of a plan, reading the current trajectory's settings through `settings`. */
function evaluator(plan: Df64Plan, settings: () => Float32Array): Df64Evaluator {
  const { objective } = plan;
  if (!objective) return quadratic(plan, settings);
  if ('config' in objective) return network(plan, objective, settings);
  const code = objective.df64();
  return { gradient: (w, g) => code.gradient(w, g), loss: code.loss, recordedLoss: code.loss };
}

/** Steps one trajectory at a time, as the kernel's invocations do. */
class Stepper {
  private current!: State;
  readonly objective: Df64Evaluator;
  constructor(
    private readonly plan: Df64Plan,
    private readonly u: Df64Uniforms,
  ) {
    this.objective = evaluator(plan, () => this.current.settings);
  }

  /** A trajectory's state from its staged words. */
  load(settings: Float32Array, state: Float32Array): State {
    const { dims, state: L } = this.plan;
    const w = Array.from({ length: dims }, (_, i) => pairAt(state, L.w + 2 * i));
    return {
      settings,
      settingU: new Uint32Array(settings.buffer, settings.byteOffset, settings.length),
      w,
      g: new Array<Df64>(dims).fill(DF_ZERO),
      gPrev: new Float64Array(dims),
      accum: new Array<Df64>(dims).fill(DF_ZERO),
      ...emptyBookkeeping(),
      finalLoss: DF_ZERO,
      ...emptyLossRecord(),
    };
  }

  private largestMagnitude(s: State): number {
    let m = 0;
    for (const w of s.w) m = Math.max(m, magnitudeBits(w.hi));
    return m;
  }

  private keepTurn(s: State): void {
    s.g.forEach((g, i) => (s.gPrev[i] = g.hi));
  }

  private turnDot(s: State): number {
    let d = f32(s.g[0]!.hi * s.gPrev[0]!);
    for (let i = 1; i < s.g.length; i++) d = f32(d + f32(s.g[i]!.hi * s.gPrev[i]!));
    return d;
  }

  start(s: State): void {
    this.current = s;
    const G0 = this.objective.gradient(s.w, s.g, 0);
    this.keepTurn(s);
    s.gradTol = f32(this.u.tol * G0);
    s.peak = this.largestMagnitude(s);
    s.lastAbove = -1;
    s.escapeStep = s.peak > this.u.boundBits ? 0 : -1;
  }

  private observe(s: State, k: number, G: number): void {
    if (G > s.gradTol) s.lastAbove = k;
    if (k < this.u.aStart) return;
    if (k >= this.u.bStart) {
      if (G > s.gradB) s.gradB = G;
      if (this.turnDot(s) < 0) s.flips++;
    } else if (G > s.gradA) {
      s.gradA = G;
    }
    this.keepTurn(s);
  }

  /** The optimizer's update, as update() in the kernel. */
  private update(s: State, lr: Df64): void {
    const { setting: S } = this.plan;
    const variant = s.settingU[S.variant]!;
    const convention = s.settingU[S.convention]!;
    const mu = pairAt(s.settings, S.momentum);
    for (let i = 0; i < s.w.length; i++) {
      const g = s.g[i]!;
      const w = s.w[i]!;
      if (variant === 0) {
        s.w[i] = dfSub(w, dfMul(g, lr));
        continue;
      }
      const nesterov = variant === 2;
      const a = s.accum[i]!;
      if (convention === 2) {
        const step = dfMul(dfNeg(g), lr);
        const m = dfAdd(step, dfMul(a, mu));
        s.accum[i] = m;
        s.w[i] = nesterov ? dfAdd(w, dfAdd(step, dfMul(m, mu))) : dfAdd(w, m);
      } else {
        const accum = dfAdd(dfMul(a, mu), g);
        s.accum[i] = accum;
        if (!nesterov) s.w[i] = dfSub(w, dfMul(accum, lr));
        else if (convention === 1) s.w[i] = dfSub(w, dfMul(lr, dfAdd(g, dfMul(mu, accum))));
        else s.w[i] = dfSub(w, dfAdd(dfMul(g, lr), dfMul(dfMul(accum, mu), lr)));
      }
    }
  }

  /** Step k with the table's value for it. */
  step(s: State, k: number, tableValue: Df64): void {
    this.current = s;
    const lr = dfMul(pairAt(s.settings, this.plan.setting.multiplier), tableValue);
    const G = this.objective.gradient(s.w, s.g, k);
    if (this.plan.spec.base.trainability) recordLoss(s, k, this.objective.recordedLoss(s.w).hi, this.u);
    this.observe(s, k, G);
    this.update(s, lr);
    const m = this.largestMagnitude(s);
    s.peak = Math.max(s.peak, m);
    if (m > this.u.boundBits) s.escapeStep = k + 1;
  }

  finish(s: State): void {
    this.current = s;
    if (s.escapeStep < 0) this.observe(s, this.u.steps, this.objective.gradient(s.w, s.g, this.u.steps));
    s.finalLoss = this.objective.loss(s.w);
  }

  loss(s: State): Df64 {
    this.current = s;
    return this.objective.loss(s.w);
  }
}

/** Trajectories per CPU chunk: a df64 step costs tens of float32 ones. */
const CPU_CHUNK = 256;

/** The df64 run of a spec on the CPU, chunk by chunk. */
export async function* runDf64Cpu(spec: Spec, options: RunOptions = {}): AsyncIterable<ChunkStats> {
  const plan = planDf64Run(spec, { ...options, chunkSize: options.chunkSize ?? CPU_CHUNK });
  const total = (plan.end - plan.begin) * plan.steps;
  const stepper = new Stepper(plan, df64Uniforms(plan, { start: 0, count: 0, k0: 0, k1: 0, b0: 0, b1: 0, traceRows: 0 }));
  let done = 0;
  const tables = new ChunkTable((rows, b0, b1) => buildDf64Table(plan, b0, b1, rows));
  for (let start = plan.begin; start < plan.end; start += plan.chunk) {
    throwIfAborted(options.signal);
    const count = Math.min(plan.chunk, plan.end - start);
    const rows = tableWindow(spec, plan.schedule, start, count);
    const { settings, state } = stageTrajectories(plan, range(start, count), count, rows.first);
    const { setting: S, state: L } = plan;
    const states = Array.from({ length: count }, (_, t) => stepper.load(trajectoryWords(settings, S.words, count, t), trajectoryWords(state, L.words, count, t)));
    states.forEach((s) => stepper.start(s));
    for (let b0 = 0; b0 < plan.steps; b0 += plan.block) {
      const b1 = Math.min(plan.steps, b0 + plan.block);
      const { table } = tables.get(rows, b0, b1);
      const stride = b1 - b0;
      for (const s of states) {
        const row = s.settingU[S.row]!;
        for (let k = b0; k < b1 && s.escapeStep < 0; k++) stepper.step(s, k, pairAt(table, 2 * (row * stride + k - b0)));
        done += b1 - b0;
        options.onProgress?.({ done, total });
        await yieldToEventLoop();
        throwIfAborted(options.signal);
      }
    }
    states.forEach((s) => stepper.finish(s));
    yield collect(plan, start, states);
  }
}

function* range(start: number, count: number): Generator<number> {
  for (let i = start; i < start + count; i++) yield i;
}

/** A chunk's statistics: its states written into the kernel's record, and read back as the GPU engine reads them. */
function collect(plan: Df64Plan, start: number, states: State[]): ChunkStats {
  const L = plan.state;
  const count = states.length;
  const words = new Float32Array(count * L.words);
  const i32 = new Int32Array(words.buffer);
  const u32 = new Uint32Array(words.buffer);
  states.forEach((s, t) => {
    const at = (word: number) => word * count + t;
    words[at(L.gradTol)] = s.gradTol;
    i32[at(L.lastAbove)] = s.lastAbove;
    i32[at(L.escapeStep)] = s.escapeStep;
    u32[at(L.peak)] = s.peak;
    words[at(L.gradA)] = s.gradA;
    words[at(L.gradB)] = s.gradB;
    u32[at(L.flips)] = s.flips;
    words[at(L.finalLoss)] = s.finalLoss.hi;
    words[at(L.finalLoss + 1)] = s.finalLoss.lo;
    for (const field of ['loss0', 'lossSum', 'lossInvSum', 'lossTail', 'lossA', 'lossB', 'lossRise', 'lossPrev'] as const) words[at(L[field])] = s[field];
    s.w.forEach((w, d) => {
      words[at(L.w + 2 * d)] = w.hi;
      words[at(L.w + 2 * d + 1)] = w.lo;
    });
  });
  return unpackDf64Stats(plan, start, count, words.buffer);
}

/** df64 traces on the CPU: every iterate and loss in double (each df64 value hi + lo). */
export async function traceDf64Cpu(spec: Spec, indices: readonly number[], options: RunOptions = {}): Promise<Trace[]> {
  checkTraceLength(spec, 'key');
  const plan = planDf64Run(spec);
  const { steps, dims } = plan;
  const stepper = new Stepper(plan, df64Uniforms(plan, { start: 0, count: 0, k0: 0, k1: 0, b0: 0, b1: 0, traceRows: 0 }));
  const rows = indicesWindow(spec, plan.schedule, indices);
  const table = buildDf64Table(plan, 0, steps, rows);
  const traces: Trace[] = [];
  for (const index of indices) {
    throwIfAborted(options.signal);
    const { settings, state } = stageTrajectories(plan, [index], 1, rows.first);
    const s = stepper.load(settings, state);
    const row = s.settingU[plan.setting.row]!;
    const w = new Float64Array((steps + 1) * dims);
    const loss = new Float64Array(steps + 1);
    const record = (k: number) => {
      s.w.forEach((x, d) => (w[k * dims + d] = x.hi + x.lo));
      const l = stepper.loss(s);
      loss[k] = l.hi + l.lo;
    };
    stepper.start(s);
    record(0);
    for (let k = 0; k < steps; k++) {
      if (s.escapeStep < 0) stepper.step(s, k, pairAt(table, 2 * (row * steps + k)));
      record(k + 1);
      if ((k & 0xffff) === 0xffff) await yieldToEventLoop();
    }
    traces.push({ index, lr: df64Rates(cellAt(spec, index), dfMul, steps), w, loss });
  }
  return traces;
}

