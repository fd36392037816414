/**
 * Bifurcation diagrams: for each learning rate of a sweep, the last K
 * iterates of one coordinate of w. Where gradient descent settles on a
 * fixed point the tail is one value; past a period-doubling bifurcation it
 * is two, then four, then a cloud (chaos).
 *
 * Built only on the Engine contract (`trace`), so the GPU engine and the CPU
 * reference give the same diagram bit for bit.
 */
import { CancelledError, SpecError, throwIfAborted } from './errors.js';
import { f32 } from './float32.js';
import type { Engine, Progress } from './engine/types.js';
import { checkTraceLength, fieldName, gridSize, type FieldNaming, type Spec } from './experiment/index.js';

/** Floats the traces of one batch may hold: every iterate, loss and rate of each trajectory traced at once. */
export const BIFURCATION_BUDGET_FLOATS = 1 << 24;

/**
 * Trajectories per `trace` call at most. The GPU engine's trace kernel
 * dispatches one workgroup per trajectory vector along one dimension, which
 * WebGPU caps at 65535 workgroups.
 */
const MAX_TRACES_PER_CALL = 65535;

/** The default tail: the last 100 iterates, or all of them in a shorter run. */
export const DEFAULT_TAIL = 100;

export interface BifurcationOptions {
  /** How many final iterates to keep per learning rate (1 ≤ tail ≤ steps). */
  readonly tail: number;
  /** Which coordinate of w to keep (default 0). */
  readonly component?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Floats one batch of traces may hold (default 2^24). */
  readonly budgetFloats?: number;
}

export interface Bifurcation {
  readonly spec: Spec;
  readonly tail: number;
  readonly component: number;
  /** The swept initial learning rate of each trajectory, in grid order (one value when lr is fixed). */
  readonly lr: readonly number[];
  /** Iterates steps − tail + 1 … steps of w[component]: row i (learning rate i) at i·tail. */
  readonly iterates: Float32Array | Float64Array;
  /** First iterate with some |wᵢ| beyond the bound (or not a number), −1 if none. Its tail is meaningless. */
  readonly escapeStep: Int32Array;
}

/**
 * A bifurcation diagram sweeps the learning rate and nothing else. Throws a
 * SpecError naming the first other swept parameter.
 */
export function checkBifurcationSpec(spec: Spec, naming: FieldNaming = 'key'): void {
  checkTraceLength(spec, naming);
  const other = spec.axes.find((a) => a.key !== 'lr');
  if (other) {
    const lr = fieldName('lr', naming);
    throw new SpecError(
      fieldName(other.key, naming),
      `is swept, but a bifurcation diagram sweeps only ${lr}`,
      `one value here, and a range for ${lr} like ${naming === 'flag' ? '--lr 0.2:0.42:400' : 'lr=0.2:0.42:400'}`,
    );
  }
}

function wholeNumber(raw: string | number, field: string, lo: number, hi: number, what: string): number {
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= lo && value <= hi)) {
    throw new SpecError(field, `"${text}" is not a whole number from ${lo} to ${hi}`, what);
  }
  return value;
}

/** The tail length from a flag or URL value (DEFAULT_TAIL, or every iterate of a shorter run, when absent). */
export function parseTail(raw: string | number | undefined, spec: Spec, naming: FieldNaming = 'key'): number {
  const steps = spec.base.steps;
  if (raw === undefined) return Math.min(DEFAULT_TAIL, steps);
  const field = naming === 'flag' ? '--tail' : 'tail';
  return wholeNumber(raw, field, 1, steps, `a whole number of final iterates from 1 to ${fieldName('steps', naming)} (${steps})`);
}

/** Which coordinate of w to plot (0 when absent). */
export function parseComponent(raw: string | number | undefined, spec: Spec, naming: FieldNaming = 'key'): number {
  if (raw === undefined) return 0;
  const field = naming === 'flag' ? '--component' : 'component';
  const dims = spec.dims;
  return wholeNumber(raw, field, 0, dims - 1, dims === 1 ? '0 (the objective has one dimension)' : `a coordinate of w from 0 to ${dims - 1}`);
}

/** The learning rate of every trajectory of a spec whose only swept parameter is lr. */
function learningRates(spec: Spec): number[] {
  const axis = spec.axes.find((a) => a.key === 'lr');
  return axis ? (axis.values as number[]).slice() : [spec.base.lr];
}

/**
 * Traces every learning rate of the spec in batches that hold at most
 * `budgetFloats` floats, keeping only the last `tail` iterates of each.
 */
export async function bifurcation(spec: Spec, engine: Engine, options: BifurcationOptions): Promise<Bifurcation> {
  checkBifurcationSpec(spec);
  const { tail, signal } = options;
  const component = options.component ?? 0;
  const steps = spec.base.steps;
  const dims = spec.dims;
  if (!Number.isInteger(tail) || tail < 1 || tail > steps) throw new RangeError(`tail ${tail} is not from 1 to ${steps}`);
  if (!Number.isInteger(component) || component < 0 || component >= dims) throw new RangeError(`component ${component} is not from 0 to ${dims - 1}`);
  const count = gridSize(spec);
  // A trace holds w (dims per iterate), the loss and the rate: (steps + 1)·(dims + 2) floats.
  const perTrace = (steps + 1) * (dims + 2);
  const batch = Math.max(1, Math.min(MAX_TRACES_PER_CALL, Math.floor((options.budgetFloats ?? BIFURCATION_BUDGET_FLOATS) / perTrace)));
  // df64 traces hold each iterate as the double hi + lo: kept whole.
  const iterates = spec.base.precision === 'df64' ? new Float64Array(count * tail) : new Float32Array(count * tail);
  const escapeStep = new Int32Array(count);
  const bound = f32(spec.base.bound);
  const total = count * steps;
  for (let start = 0; start < count; start += batch) {
    throwIfAborted(signal);
    const indices = Array.from({ length: Math.min(batch, count - start) }, (_, i) => start + i);
    const done = start * steps;
    const traces = await engine.trace(spec, indices, {
      signal,
      onProgress: options.onProgress && ((p) => options.onProgress!({ done: done + p.done, total })),
    });
    if (signal?.aborted) throw new CancelledError();
    for (const trace of traces) {
      const i = trace.index;
      const w = trace.w;
      // The engines compare every component's magnitude with the float32 bound, NaN included.
      let escaped = -1;
      for (let k = 0; k <= steps && escaped < 0; k++) {
        for (let d = 0; d < dims; d++) {
          if (!(Math.abs(w[k * dims + d]!) <= bound)) {
            escaped = k;
            break;
          }
        }
      }
      escapeStep[i] = escaped;
      for (let j = 0; j < tail; j++) iterates[i * tail + j] = w[(steps - tail + 1 + j) * dims + component]!;
    }
    options.onProgress?.({ done: Math.min(count, start + batch) * steps, total });
  }
  return { spec, tail, component, lr: learningRates(spec), iterates, escapeStep };
}

/** The tail of learning rate i. */
export function tailOf(result: Bifurcation, i: number): Float32Array | Float64Array {
  return result.iterates.subarray(i * result.tail, (i + 1) * result.tail);
}

/**
 * When two iterates count as the same value: within `relative` of the larger
 * magnitude, or within `absolute` (so a tail that has settled on 0, down to
 * float32's subnormal ±1e-45 flicker, is one value).
 */
export interface Tolerance {
  readonly relative: number;
  readonly absolute: number;
}

export const PERIOD_TOLERANCE: Tolerance = { relative: 1e-4, absolute: 1e-6 };

export function sameValue(a: number, b: number, tolerance: Tolerance = PERIOD_TOLERANCE): boolean {
  return Math.abs(a - b) <= Math.max(tolerance.absolute, tolerance.relative * Math.max(Math.abs(a), Math.abs(b)));
}

/**
 * The distinct values of a tail, ascending: sorted values split wherever two
 * neighbours are not the same value; each group is represented by its mean.
 */
export function distinctValues(values: ArrayLike<number>, tolerance: Tolerance = PERIOD_TOLERANCE): number[] {
  const sorted = Float64Array.from(values).sort();
  const groups: number[] = [];
  let sum = 0;
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (n > 0 && !sameValue(sorted[i - 1]!, sorted[i]!, tolerance)) {
      groups.push(sum / n);
      sum = 0;
      n = 0;
    }
    sum += sorted[i]!;
    n++;
  }
  if (n > 0) groups.push(sum / n);
  return groups;
}

/**
 * The smallest period p ≤ tail/2 with tail[j] the same value as tail[j + p]
 * for every j, or undefined when there is none (chaos, or a trajectory
 * still settling). A tail of one iterate has period 1.
 */
export function tailPeriod(values: ArrayLike<number>, tolerance: Tolerance = PERIOD_TOLERANCE): number | undefined {
  const n = values.length;
  if (n === 1) return 1;
  for (let p = 1; p <= Math.floor(n / 2); p++) {
    let periodic = true;
    for (let j = 0; j + p < n && periodic; j++) periodic = sameValue(values[j]!, values[j + p]!, tolerance);
    if (periodic) return p;
  }
  return undefined;
}

/** What the tail of one learning rate does. */
export type TailKind = { readonly kind: 'period'; readonly period: number } | { readonly kind: 'aperiodic' } | { readonly kind: 'diverged' };

export function tailKind(result: Bifurcation, i: number, tolerance: Tolerance = PERIOD_TOLERANCE): TailKind {
  if (result.escapeStep[i]! >= 0) return { kind: 'diverged' };
  const period = tailPeriod(tailOf(result, i), tolerance);
  return period === undefined ? { kind: 'aperiodic' } : { kind: 'period', period };
}

/** A run of neighbouring learning rates whose tails do the same thing. */
export interface PeriodBand {
  /** Indices of the first and last learning rate of the band. */
  readonly first: number;
  readonly last: number;
  readonly tail: TailKind;
}

/** Neighbouring learning rates grouped by what their tails do, in grid order. */
export function periodBands(result: Bifurcation, tolerance: Tolerance = PERIOD_TOLERANCE): PeriodBand[] {
  const bands: PeriodBand[] = [];
  const same = (a: TailKind, b: TailKind) => a.kind === b.kind && (a.kind !== 'period' || a.period === (b as { period: number }).period);
  let current: { first: number; last: number; tail: TailKind } | undefined;
  for (let i = 0; i < result.lr.length; i++) {
    const tail = tailKind(result, i, tolerance);
    if (current && same(current.tail, tail)) current.last = i;
    else {
      if (current) bands.push(current);
      current = { first: i, last: i, tail };
    }
  }
  if (current) bands.push(current);
  return bands;
}

/** "period 2", "no period up to 50 (chaotic or still settling)", "diverged". */
export function describeTail(tail: TailKind, tailLength: number): string {
  if (tail.kind === 'diverged') return 'diverged';
  if (tail.kind === 'aperiodic') return `no period up to ${Math.floor(tailLength / 2)} (chaotic or still settling)`;
  return `period ${tail.period}`;
}

/** Bands as a reader wants them: short bands between long ones merged, with the periods they had. */
export interface SummaryBand {
  readonly first: number;
  readonly last: number;
  /** One kind for a band kept whole; for merged short bands, every period seen and how many lrs had none. */
  readonly tail: TailKind | { readonly kind: 'mixed'; readonly periods: readonly number[]; readonly aperiodic: number; readonly diverged: number };
}

/**
 * Periodic or diverged bands of at least `minCount` learning rates (default:
 * 1 % of them, at least 3) stay whole; everything between them (tails without
 * a period, and the short periodic windows inside a chaotic range) becomes
 * one mixed band, unless it is a single band.
 */
export function summaryBands(result: Bifurcation, minCount = Math.max(3, Math.ceil(result.lr.length / 100)), tolerance: Tolerance = PERIOD_TOLERANCE): SummaryBand[] {
  const out: SummaryBand[] = [];
  let run: PeriodBand[] = [];
  const flush = () => {
    if (run.length === 1) out.push(run[0]!);
    else if (run.length > 1) {
      const periods = [...new Set(run.flatMap((b) => (b.tail.kind === 'period' ? [b.tail.period] : [])))].sort((a, b) => a - b);
      const count = (kind: TailKind['kind']) => run.reduce((n, b) => n + (b.tail.kind === kind ? b.last - b.first + 1 : 0), 0);
      out.push({ first: run[0]!.first, last: run[run.length - 1]!.last, tail: { kind: 'mixed', periods, aperiodic: count('aperiodic'), diverged: count('diverged') } });
    }
    run = [];
  };
  for (const band of periodBands(result, tolerance)) {
    if (band.tail.kind !== 'aperiodic' && band.last - band.first + 1 >= minCount) {
      flush();
      out.push(band);
    } else {
      run.push(band);
    }
  }
  flush();
  return out;
}
