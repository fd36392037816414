/**
 * What theory predicts for a spec, where it predicts anything: the quadratic
 * Σ ½·Lᵢ·(wᵢ − cᵢ)², whose eigenvalues are the curvatures, under gradient
 * descent, heavy-ball or Nesterov momentum (shared/reference, "Stability of
 * gradient descent"). It feeds the JSON's `theory` field and the overlays
 * drawn on maps.
 *
 * - A constant rate is stable iff lr·λ < k(μ) for every eigenvalue λ:
 *   k = 2 (gradient descent), 2(1 + μ) (heavy ball), (2 + 2μ)/(1 + 2μ) (Nesterov).
 * - An exponentially decaying rate η_t = η₀·d^(t/T) (gradient descent) is
 *   unstable along λ while λ·η_t > 2, that is until t* = T·ln(λη₀/2)/ln(1/d).
 *   The error is multiplied by ∏(1 − λη_t); it grows until t* and the
 *   trajectory escapes iff that growth carries |w| past the bound.
 */
import type { OptimizerName } from './optimizers/index.js';
import { cellAt, type Axis, type Spec } from './experiment/index.js';

/**
 * The edge of stability at a constant rate: a step is stable while
 * lr·L < k(μ). Keras's momentum forms equal these at a constant rate.
 * Adaptive optimizers rescale the step by the gradient's history and have no
 * such fixed edge.
 */
export function stabilityEdge(optimizer: OptimizerName): { readonly k: (mu: number) => number; readonly formula: string } | undefined {
  switch (optimizer) {
    case 'gd':
      return { k: () => 2, formula: 'lr·L = 2' };
    case 'momentum':
      return { k: (mu) => 2 * (1 + mu), formula: 'lr·L = 2(1 + μ)' };
    case 'nesterov':
      return { k: (mu) => (2 + 2 * mu) / (1 + 2 * mu), formula: 'lr·L = (2 + 2μ)/(1 + 2μ)' };
    default:
      return undefined;
  }
}

/** The rate's exponential decay, for the schedules that are one: η_t = η₀·d^(t/T) (floored with a staircase). */
interface ExponentialDecay {
  readonly rate: number;
  readonly steps: number;
  readonly staircase: boolean;
}

function exponentialDecay(spec: Pick<Spec, 'base'>): ExponentialDecay | undefined {
  const b = spec.base;
  if (b.warmupSteps > 0) return undefined;
  if (b.schedule === 'exponential') return { rate: b.decayRate, steps: b.decaySteps, staircase: b.staircase };
  if (b.schedule === 'exponential-lr') return { rate: b.decayRate, steps: 1, staircase: false };
  return undefined;
}

/** The rate at step t. */
function decayedRate(lr: number, decay: ExponentialDecay, t: number): number {
  const p = t / decay.steps;
  return lr * Math.pow(decay.rate, decay.staircase ? Math.floor(p) : p);
}

/**
 * Onset analysis of gradient descent along one eigenvalue under exponential
 * decay: t* (continuous), the first step whose rate is stable, the growth
 * of the error up to there, and whether |w| passes the bound on the way
 * (the exact product in double precision, from w₀ = c + e₀).
 */
export function decayOnset(L: number, lr: number, decay: ExponentialDecay, e0: number, c: number, bound: number, steps: number) {
  const unstableAtStart = L * lr > 2;
  const tStar = unstableAtStart && decay.rate < 1 ? (decay.steps * Math.log((L * lr) / 2)) / Math.log(1 / decay.rate) : unstableAtStart ? Infinity : 0;
  let e = e0;
  let growth = 1;
  let peakGrowth = 1;
  let firstStableStep: number | null = null;
  let escapeStep: number | null = null;
  for (let t = 0; t < steps; t++) {
    const eta = decayedRate(lr, decay, t);
    if (firstStableStep === null && L * eta <= 2) firstStableStep = t;
    const factor = 1 - L * eta;
    e *= factor;
    growth *= Math.abs(factor);
    peakGrowth = Math.max(peakGrowth, growth);
    if (escapeStep === null && !(Math.abs(c + e) <= bound)) escapeStep = t + 1;
    if (decay.rate <= 1 && firstStableStep !== null && escapeStep === null && t > firstStableStep) break; // only contracting from here on
  }
  return { tStar, firstStableStep, peakGrowth, escapeStep };
}

/**
 * The onset analysis of one grid point (gradient descent on the quadratic
 * under exponential decay, largest curvature), or undefined elsewhere.
 */
export function onsetAt(spec: Spec, index: number): ReturnType<typeof decayOnset> | undefined {
  const cell = cellAt(spec, index);
  if (cell.objective !== 'quadratic' || cell.optimizer !== 'gd') return undefined;
  const decay = exponentialDecay({ base: cell });
  if (!decay) return undefined;
  const lmax = Math.max(...cell.curvature);
  const i = cell.curvature.indexOf(lmax);
  return decayOnset(lmax, cell.lr, decay, cell.w0[i]! - cell.minimum[i]!, cell.minimum[i]!, cell.bound, cell.steps);
}

export interface Theory {
  /** What the prediction is for. */
  readonly model: string;
  /** The stability condition, e.g. "lr·λ < 2 for every eigenvalue λ (the curvatures)". */
  readonly condition: string;
  /** For the base (first) cell: the curvatures and each one's critical rate k/λ. */
  readonly eigenvalues: ReadonlyArray<{ readonly curvature: number; readonly criticalLr: number | null }>;
  /** The largest stable constant rate of the base cell: k/λmax (null with a non-positive curvature). */
  readonly criticalLr: number | null;
  /** Under exponential decay, for the base cell's largest eigenvalue. */
  readonly decay?: {
    readonly formula: string;
    /** Steps of instability, continuous: T·ln(λη₀/2)/ln(1/d); 0 if stable from the start. */
    readonly tStar: number;
    readonly firstStableStep: number | null;
    /** Largest growth of the error, ∏|1 − λη_t| up to its peak. */
    readonly peakGrowth: number;
    /** The step where |w| passes the bound, by the exact product; null if it never does. */
    readonly escapeStep: number | null;
  };
  /** The boundary drawn on this spec's map, if it has one. */
  readonly boundary?: { readonly formula: string };
}

/** The theory of a spec, or undefined where there is none (other objectives, adaptive optimizers). */
export function theoryOf(spec: Spec): Theory | undefined {
  const b = spec.base;
  if (b.objective !== 'quadratic') return undefined;
  const edge = stabilityEdge(b.optimizer);
  if (!edge || spec.axes.some((a) => a.key === 'optimizer')) return undefined;
  const decay = exponentialDecay(spec);
  if (b.schedule !== 'constant' && !(decay && b.optimizer === 'gd')) return undefined;
  const k = edge.k(b.momentum);
  const kText = edge.formula.replace('lr·L = ', '');
  const eigenvalues = b.curvature.map((L) => ({ curvature: L, criticalLr: L > 0 ? k / L : null }));
  const lmax = Math.max(...b.curvature);
  const model = `${b.optimizer === 'gd' ? 'gradient descent' : b.optimizer === 'momentum' ? 'heavy-ball momentum' : 'Nesterov momentum'} on Σ ½·Lᵢ·(wᵢ − cᵢ)²`;
  const theory: { -readonly [K in keyof Theory]: Theory[K] } = {
    model,
    condition: `lr·λ < ${kText} for every eigenvalue λ (the curvatures)${b.curvature.some((L) => L < 0) ? '; a negative curvature diverges at any rate' : ''}`,
    eigenvalues,
    criticalLr: b.curvature.every((L) => L > 0) ? k / lmax : null,
  };
  if (decay) {
    const i = b.curvature.indexOf(lmax);
    const onset = decayOnset(lmax, b.lr, decay, b.w0[i]! - b.minimum[i]!, b.minimum[i]!, b.bound, b.steps);
    theory.decay = { formula: 't* = T·ln(λη₀/2)/ln(1/d)', ...onset };
  }
  const boundary = analyticBoundary(spec);
  if (boundary) theory.boundary = { formula: boundary.formula };
  return theory;
}

export interface AnalyticBoundary {
  /** Points (x value, y value) in the map's own axes. */
  readonly points: Array<[number, number]>;
  /** The edge, e.g. "lr·L = 2(1 + μ)". */
  readonly formula: string;
  /** A stability edge (lr·L = k), or where the exact product under decay carries |w| to the bound. */
  readonly kind: 'edge' | 'escape';
}

function axisEnds(axis: Axis): [number, number] {
  const values = axis.values as readonly number[];
  return [values[0]!, values[values.length - 1]!];
}

function samplesAlong(axis: Axis, samples: number): number[] {
  const [v0, v1] = axisEnds(axis);
  return Array.from({ length: samples + 1 }, (_, i) => (axis.scale === 'log' ? v0 * Math.pow(v1 / v0, i / samples) : v0 + ((v1 - v0) * i) / samples));
}

/**
 * The analytic boundary on a map of the quadratic whose axes are lr and one
 * of: the curvature (or one of its components), the momentum μ (constant
 * rate), or the decay rate of an exponential schedule (gradient descent, one
 * dimension: where the exact product carries |w| to the bound). Undefined for
 * any other map.
 */
export function analyticBoundary(spec: Spec, samples = 400): AnalyticBoundary | undefined {
  const [xAxis, yAxis] = spec.axes;
  const b = spec.base;
  if (!xAxis || !yAxis || spec.axes.length !== 2 || b.objective !== 'quadratic') return undefined;
  if (xAxis.scale === 'list' || yAxis.scale === 'list') return undefined;
  const edge = stabilityEdge(b.optimizer);
  if (!edge) return undefined;
  const lrAxis = xAxis.key === 'lr' ? xAxis : yAxis.key === 'lr' ? yAxis : undefined;
  const other = lrAxis === xAxis ? yAxis : xAxis;
  if (!lrAxis || lrAxis.component !== undefined) return undefined;
  const place = (lr: number, v: number): [number, number] => (lrAxis === xAxis ? [lr, v] : [v, lr]);

  const decay = exponentialDecay(spec);
  if (other.key === 'decayRate' && decay && b.optimizer === 'gd' && spec.dims === 1) {
    return { points: escapeBoundary(spec, lrAxis, other, samples), formula: 'escape: |w₀ − c|·∏|1 − L·η_t| reaches the bound', kind: 'escape' };
  }
  if (b.schedule !== 'constant' || b.warmupSteps > 0) return undefined;
  const points: Array<[number, number]> = [];
  if (other.key === 'curvature') {
    // The largest eigenvalue decides: the swept one, or a fixed larger one.
    const fixed = other.component === undefined ? -Infinity : Math.max(...b.curvature.filter((_, i) => i !== other.component));
    for (const v of samplesAlong(other, samples)) {
      const L = Math.max(v, fixed);
      if (L > 0) points.push(place(edge.k(b.momentum) / L, v));
    }
    return { points, formula: spec.dims > 1 ? `${edge.formula.replace('L', 'λmax')}` : edge.formula, kind: 'edge' };
  }
  if (other.key === 'momentum' && b.optimizer !== 'gd') {
    const L = Math.max(...b.curvature);
    if (!(L > 0)) return undefined;
    for (const mu of samplesAlong(other, samples)) points.push(place(edge.k(mu) / L, mu));
    return { points, formula: spec.dims > 1 ? edge.formula.replace('L', 'λmax') : edge.formula, kind: 'edge' };
  }
  return undefined;
}

/**
 * For each decay rate, the initial rate above which gradient descent escapes
 * (bisection: the peak growth rises with η₀ because every unstable factor
 * λη_t − 1 does).
 */
function escapeBoundary(spec: Spec, lrAxis: Axis, decayAxis: Axis, samples: number): Array<[number, number]> {
  const b = spec.base;
  const L = b.curvature[0]!;
  const c = b.minimum[0]!;
  const e0 = b.w0[0]! - c;
  const [lo0, hi0] = axisEnds(lrAxis).sort((p, q) => p - q) as [number, number];
  const points: Array<[number, number]> = [];
  for (const d of samplesAlong(decayAxis, Math.min(samples, 200))) {
    const decay = { rate: d, steps: b.decaySteps, staircase: b.schedule === 'exponential' && b.staircase };
    const escapes = (lr: number) => decayOnset(L, lr, decay, e0, c, b.bound, b.steps).escapeStep !== null;
    if (escapes(lo0) || !escapes(hi0)) continue;
    let lo = lo0;
    let hi = hi0;
    for (let i = 0; i < 50; i++) {
      const mid = lrAxis.scale === 'log' ? Math.sqrt(lo * hi) : (lo + hi) / 2;
      if (escapes(mid)) hi = mid;
      else lo = mid;
    }
    points.push(lrAxis === spec.axes[0] ? [hi, d] : [d, hi]);
  }
  return points;
}
