/**
 * The tiny network of Sohl-Dickstein's fractal-trainability study: two weight
 * layers, no biases, mean-field scaling, mean squared error on a fixed random
 * dataset, trained full batch or on minibatches drawn per step. Its two
 * layers take their own learning rates, so the rates are two axes of a map;
 * an offset added to the input layer's initial weights is another axis.
 *
 *   z = X·W₁/√n,  h = φ(z),  ŷ = h·W₂/√n,  loss = mean((ŷ − y)²)
 *
 * with input dimension = width = n, φ(z) = tanh(√2·z), √2·relu(z) or z, and
 * data and initial weights drawn N(0, 1) from a seed. The parameters w hold
 * W₁ row by row (input k, hidden j at k·n + j), then W₂ (at n² + j).
 *
 * With a minibatch of size S, iterate k's gradient is the mean squared
 * error's over S points drawn for k (scaled by 2/S), the same draw for every
 * trajectory of a grid, as in the paper; the loss stays the full dataset's.
 *
 * The loss and gradient below are the reference for shaders/objective-mlp.wgsl:
 * the same float32 operations in the same order.
 */
import { f32 } from '../float32.js';
import { tanhF } from './f32math.js';
import type { CompiledObjective } from './expression.js';
import type { WgslConstant } from '../engine/kernel.js';

export const ACTIVATIONS = ['tanh', 'relu', 'identity'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface MlpConfig {
  /** Hidden width, which is also the input dimension. */
  readonly width: number;
  /** Size of the dataset. */
  readonly dataPoints: number;
  readonly activation: Activation;
  /** Seed of the dataset, of the initial weights and of the minibatch draws. */
  readonly seed: number;
  /** Data points per gradient, drawn with replacement; undefined for the full batch. */
  readonly minibatch?: number | undefined;
}

export interface MlpObjective extends Omit<CompiledObjective, 'wgsl' | 'gradient' | 'df64'> {
  readonly config: MlpConfig;
  /** What shaders/objective-mlp.wgsl needs declared in front of it: the sizes and the float32 constants. */
  readonly wgslConstants: readonly WgslConstant[];
  /** Inputs X (dataPoints × width, row by row), then targets y. */
  readonly data: Float32Array;
  /**
   * What the kernel reads at DATA in axisValues for a run of `steps` steps:
   * the data, then (with a minibatch) the draws of iterates 0 … steps
   * (minibatchIndices), as float32 values, which hold them exactly.
   */
  readonly kernelData: (steps: number) => Float32Array;
  /** The initial weights, N(0, 1). */
  readonly w0: readonly number[];
  /**
   * Writes the gradient scaled per layer (rates[0] on W₁, rates[1] on W₂:
   * gradient descent with these as the layers' learning rates at lr = 1) into
   * g; returns max |gᵢ| of the unscaled gradient. Where the backpropagated
   * error overflows (past 1e30), g is NaN and the result ∞: the trajectory
   * escapes at its next update, without relying on IEEE infinities.
   * With a minibatch the gradient is that of iterate `step`'s draw.
   */
  readonly gradient: (w: ArrayLike<number>, g: Float64Array, rates?: readonly number[], step?: number) => number;
  /**
   * The loss at w, called right after `gradient(w, …)`: over the whole dataset,
   * the loss that gradient added up on its way (the same operations as `loss`);
   * with a minibatch, `loss(w)`.
   */
  readonly recordedLoss: (w: ArrayLike<number>) => number;
}

/** Parameters of a network of this width: n² + n. */
export function mlpDims(width: number): number {
  return width * width + width;
}

/**
 * The paper's dataset size: as many points as weights (n² + n) for the
 * nonlinear networks, so they can just fit them; n for the linear one, whose
 * function is a linear map of n inputs.
 */
export function defaultDataPoints(width: number, activation: Activation): number {
  return activation === 'identity' ? width : mlpDims(width);
}

/** The mulberry32 generator: 32-bit draws from a 32-bit seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Standard normal draws from a 32-bit seed: the mulberry32 generator, then
 * Box–Muller in double precision; each draw is rounded to float32 once.
 */
export function normalDraws(seed: number, count: number): Float32Array {
  const next = mulberry32(seed);
  const uniform = () => (next() + 0.5) / 2 ** 32; // in (0, 1): log never sees 0
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const theta = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(theta);
    if (i + 1 < count) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

/**
 * The minibatch draws of a seed: `rows` rows of `size` indices, uniform in
 * [0, points) and drawn with replacement; row k is iterate k's (the gradient
 * at w₀ that sets the tolerance is iterate 0's, like step 0's). They come
 * from their own mulberry32 stream, started from the seed mixed by murmur3's
 * finaliser: mulberry32 walks a counter in fixed strides, so this start lies
 * far (2³¹ strides on average) from the data's and weights' stretch of it.
 * A longer run's rows begin with a shorter one's.
 */
export function minibatchIndices(seed: number, points: number, size: number, rows: number): Uint32Array<ArrayBuffer> {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  const next = mulberry32(h ^ (h >>> 16));
  const out = new Uint32Array(rows * size);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor((next() * points) / 2 ** 32);
  return out;
}

/**
 * The weights a trajectory starts from: w₀ with `offset` added to each
 * weight of the input layer W₁ (the first n²), every sum rounded to float32,
 * as the kernel's w0At adds it.
 */
export function offsetWeights(w0: ArrayLike<number>, width: number, offset: number): Float64Array {
  const o = f32(offset);
  return Float64Array.from({ length: w0.length }, (_, d) => (d < width * width ? f32(f32(w0[d]!) + o) : f32(w0[d]!)));
}

/** Constants both engines use, each a float32 value. */
export function mlpConstants(config: MlpConfig) {
  return {
    SCALE: f32(1 / Math.sqrt(config.width)),
    GAIN: f32(Math.SQRT2),
    TWO_OVER_BATCH: f32(2 / (config.minibatch ?? config.dataPoints)),
    ONE_OVER_POINTS: f32(1 / config.dataPoints),
  };
}

const cache = new Map<string, MlpObjective>();

export function mlpObjective(config: MlpConfig): MlpObjective {
  const key = JSON.stringify(config);
  let objective = cache.get(key);
  if (!objective) {
    objective = buildMlp(config);
    cache.set(key, objective);
  }
  return objective;
}

function buildMlp(config: MlpConfig): MlpObjective {
  const n = config.width;
  const B = config.dataPoints;
  const dims = mlpDims(n);
  // One stream per seed: data first, then weights, so a wider dataset keeps the weights' draws apart.
  const draws = normalDraws(config.seed, B * n + B + dims);
  const data = draws.slice(0, B * n + B);
  const w0 = Array.from(draws.subarray(B * n + B));
  const { SCALE, GAIN, TWO_OVER_BATCH, ONE_OVER_POINTS } = mlpConstants(config);
  const S = config.minibatch;
  // The draws so far; a later step extends them (the stream's prefix stays).
  let drawn: Uint32Array<ArrayBuffer> = new Uint32Array(0);
  const batchDraws = (rows: number): Uint32Array => {
    if (S !== undefined && drawn.length < rows * S) drawn = minibatchIndices(config.seed, B, S, Math.max(rows, (2 * drawn.length) / S));
    return drawn.subarray(0, rows * (S ?? 0));
  };
  const kernelData = (steps: number): Float32Array => {
    if (S === undefined) return data;
    const out = new Float32Array(data.length + (steps + 1) * S);
    out.set(data);
    out.set(batchDraws(steps + 1), data.length);
    return out;
  };
  const f = f32;
  const W2 = n * n;
  const z = new Float64Array(n);
  const h = new Float64Array(n);
  const dz = new Float64Array(n);
  const act =
    config.activation === 'tanh'
      ? (x: number) => tanhF(f(GAIN * x))
      : config.activation === 'relu'
        ? (x: number) => (x > 0 ? f(GAIN * x) : 0)
        : (x: number) => x;
  const slope =
    config.activation === 'tanh'
      ? (_x: number, t: number) => f(GAIN * f(1 - f(t * t)))
      : config.activation === 'relu'
        ? (x: number) => (x > 0 ? GAIN : 0)
        : () => 1;

  /** Hidden layer and output of data point i. */
  const forward = (w: ArrayLike<number>, i: number): number => {
    const x = i * n;
    for (let j = 0; j < n; j++) {
      let s = f(data[x]! * w[j]!);
      for (let k = 1; k < n; k++) s = f(s + f(data[x + k]! * w[k * n + j]!));
      z[j] = f(s * SCALE);
      h[j] = act(z[j]!);
    }
    let s = f(h[0]! * w[W2]!);
    for (let j = 1; j < n; j++) s = f(s + f(h[j]! * w[W2 + j]!));
    return f(s * SCALE);
  };

  const loss = (w: ArrayLike<number>): number => {
    let total = 0;
    for (let i = 0; i < B; i++) {
      const r = f(forward(w, i) - data[B * n + i]!);
      const sq = f(r * r);
      total = i === 0 ? sq : f(total + sq);
    }
    return f(total * ONE_OVER_POINTS);
  };

  // Past this an error signal has overflowed or is about to (see shaders/objective-mlp.wgsl).
  const OVERFLOW = f(1e30);
  const overflows = (x: number) => !(Math.abs(x) <= OVERFLOW);

  // The loss at the w of the last gradient over the whole dataset, added up as `loss` does:
  // recordedLoss, the twin of the kernel's, hands it to the loss record without a second pass.
  let gradientLoss = Number.NaN;

  const gradient = (w: ArrayLike<number>, g: Float64Array, rates: readonly number[] = [1, 1], step = 0): number => {
    g.fill(0, 0, dims);
    let overflowed = false;
    let total = 0;
    const batch = S === undefined ? undefined : batchDraws(step + 1).subarray(step * S);
    for (let b = 0; b < (S ?? B); b++) {
      const i = batch ? batch[b]! : b;
      const r = f(forward(w, i) - data[B * n + i]!);
      if (!batch) {
        const sq = f(r * r);
        total = b === 0 ? sq : f(total + sq);
      }
      const dOut = f(r * TWO_OVER_BATCH);
      if (overflows(dOut)) overflowed = true;
      for (let j = 0; j < n; j++) {
        g[W2 + j] = f(g[W2 + j]! + f(dOut * h[j]!));
        const dh = f(f(dOut * w[W2 + j]!) * SCALE);
        if (overflows(dh)) overflowed = true;
        dz[j] = f(dh * slope(z[j]!, h[j]!));
      }
      for (let k = 0; k < n; k++) {
        const x = data[i * n + k]!;
        for (let j = 0; j < n; j++) g[k * n + j] = f(g[k * n + j]! + f(x * dz[j]!));
      }
    }
    let largest = 0;
    const r0 = f(rates[0]!);
    const r1 = f(rates[1]!);
    for (let d = 0; d < dims; d++) {
      const gd = f(g[d]! * SCALE);
      const a = Math.abs(gd);
      if (a > largest) largest = a; // NaN ignored, as the kernel's max
      g[d] = overflowed ? NaN : f(gd * (d < W2 ? r0 : r1));
    }
    if (!batch) gradientLoss = f(total * ONE_OVER_POINTS);
    return overflowed ? Infinity : largest;
  };

  const recordedLoss = (w: ArrayLike<number>): number => (S === undefined ? gradientLoss : loss(w));

  const batchText = S === undefined ? '' : `, minibatch ${S}`;
  const source = `mlp ${n}-${n}-1 ${config.activation}, ${B} points${batchText}, seed ${config.seed}`;
  return { source, variables: [], dims, loss, gradient, recordedLoss, wgslConstants: mlpWgslConstants(config), config, data, kernelData, w0 };
}

/** The sizes and constants shaders/objective-mlp.wgsl reads (ACTIVATION: the index in ACTIVATIONS). */
function mlpWgslConstants(config: MlpConfig): WgslConstant[] {
  return [
    { name: 'WIDTH', type: 'u32', value: config.width },
    { name: 'POINTS', type: 'u32', value: config.dataPoints },
    { name: 'BATCH_SIZE', type: 'u32', value: config.minibatch ?? config.dataPoints },
    { name: 'MINIBATCH', type: 'bool', value: config.minibatch !== undefined },
    { name: 'ACTIVATION', type: 'u32', value: ACTIVATIONS.indexOf(config.activation) },
    ...Object.entries(mlpConstants(config)).map(([name, value]) => ({ name, type: 'f32', value }) as const),
  ];
}
