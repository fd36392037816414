/**
 * The contract both engines fulfil: the same statistics for every trajectory,
 * computed with the same float32 operations in the same order.
 */
import type { Spec } from '../experiment/index.js';
import type { NetworkLayout } from './mlp-kernel.js';
import type { HostArray, StatField } from './records.js';

type LossField = Extract<StatField, { readonly loss: true }>;

export const REGIMES = ['converged', 'converging', 'oscillating', 'stalled', 'diverged'] as const;
export type Regime = (typeof REGIMES)[number];

/**
 * The regimes' names for runs judged by their loss (the network: src/classify.ts
 * classifyByLoss), regime by regime: each keeps its index, colour and place.
 */
export const LOSS_REGIME_NAMES: Readonly<Record<Regime, string>> = {
  converged: 'trained',
  converging: 'decreasing',
  oscillating: 'oscillating',
  stalled: 'not-learning',
  diverged: 'diverged',
};

/** Whether a spec's runs are judged by their loss rather than their gradient: the network's. */
export function judgedByLoss(spec: { readonly base: { readonly objective: string } }): boolean {
  return spec.base.objective === 'mlp';
}

/** What a spec calls each regime, in REGIMES order. */
export function regimeNames(spec: { readonly base: { readonly objective: string } }): readonly string[] {
  return judgedByLoss(spec) ? REGIMES.map((r) => LOSS_REGIME_NAMES[r]) : REGIMES;
}

/**
 * Raw per-trajectory statistics of a contiguous range of the grid, as an
 * engine returns them: one typed array per field of the trajectory record
 * marked `stat` in src/engine/records.ts (finalW, gradTol, lastAbove,
 * escapeStep, peak, gradA, gradB, flips, finalLoss), `dims` values per
 * trajectory for finalW and one for the others.
 */
export type ChunkStats = {
  /** Grid index of the first trajectory. */
  readonly start: number;
  readonly count: number;
  readonly dims: number;
} & { readonly [F in Exclude<StatField, LossField> as F['stat']]: HostArray<F> } & {
  /** The loss record's statistics, where the spec asks for them (`trainability`). */
  readonly [F in LossField as F['stat']]?: HostArray<F>;
} & {
  /** df64 runs: the trailing float32 parts of finalW and finalLoss (each value is finalW + finalWLo). */
  readonly finalWLo?: Float32Array;
  readonly finalLossLo?: Float32Array;
};

/** Statistics plus what the host derives from them. */
export type ChunkResult = ChunkStats & {
  /** Index into REGIMES. */
  readonly regime: Uint8Array;
  /** Converged: first iterate from which it stayed within tolerance. Diverged: escape step. Else -1. */
  readonly regimeStep: Int32Array;
  /** Contraction rate per step over the tail: (gradB / gradA)^(1/W). */
  readonly rate: Float64Array;
  /** With the loss record: the trainability criterion (1 = trainable) and score of src/trainability.ts. */
  readonly trainable?: Uint8Array;
  readonly score?: Float32Array;
};

/** One trajectory followed step by step. */
export interface Trace {
  /** Grid index. */
  readonly index: number;
  /** lr(k) for k = 0…K: row k holds the rate the next update (step k) uses. */
  readonly lr: Float32Array | Float64Array;
  /** Iterates w₀…w_K, `dims` per iterate (df64 runs: each df64 value as the double hi + lo, which holds it exactly). */
  readonly w: Float32Array | Float64Array;
  /** Loss at each iterate. */
  readonly loss: Float32Array | Float64Array;
}

export interface Progress {
  /** Trajectory-steps done so far, and in all. */
  readonly done: number;
  readonly total: number;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Trajectories per chunk (the engine picks one when omitted). */
  readonly chunkSize?: number;
  /**
   * Split the run into at least this many chunks where they stay large enough
   * to keep the device busy: for a consumer with much to do per chunk (writing
   * rows), which overlaps each chunk with the computing of the next, but not
   * the first or the last.
   */
  readonly minChunks?: number;
  /** Most steps one GPU dispatch advances (the engine picks when omitted). */
  readonly stepsPerDispatch?: number;
  /** Float32 values a schedule table may hold; sets the step-block length (default 2^24). */
  readonly tableBudgetFloats?: number;
  /** Only these grid indices (to share a grid among workers or devices); the whole grid by default. */
  readonly range?: { readonly start: number; readonly count: number };
  /**
   * Let a yielded chunk's arrays be reused for a later chunk once the next one
   * is asked for, so a long run allocates them once (see ChunkArrays in
   * src/engine/records.ts). For a consumer that is done with each chunk within
   * its loop iteration, copying whatever it keeps; engines may ignore it.
   */
  readonly recycle?: boolean;
  /**
   * How a network's GPU kernel runs through its data: 'team', a subgroup per
   * trajectory with the weights in registers (src/engine/mlp-team.ts; only
   * where the device has subgroups of one fixed size, and not for traces);
   * or one invocation per vector of trajectories, 'points', one data point at
   * a time (the quickest of those two to compile), or 'blocks' of points,
   * which reads the weights a quarter as often and takes seconds longer to
   * compile on a software adapter. By default a run takes teams where it
   * can, else blocks when its work (trajectories × steps × batch points ×
   * weights) reaches BLOCK_LAYOUT_WORK (src/engine/mlp-kernel.ts). The
   * results are the same bits in every layout.
   */
  readonly networkLayout?: NetworkLayout;
  /**
   * Whether a network's teams read the dataset as rows of a uniform buffer,
   * two points a turn (src/engine/mlp-team.ts), where the rows fit in one and
   * a member's one load covers a row. The GPU engine's default is its
   * adapter's: on where it was measured to gain (lavapipe), off elsewhere.
   * The results are the same bits either way.
   */
  readonly networkRows?: boolean;
}

/** The grid indices a run covers: [begin, end). */
export function runRange(total: number, range: RunOptions['range']): { begin: number; end: number } {
  if (!range) return { begin: 0, end: total };
  const begin = Math.max(0, Math.min(total, range.start));
  return { begin, end: Math.max(begin, Math.min(total, range.start + range.count)) };
}

/** A simulation engine: the float32 CPU reference or the WebGPU engine. */
export interface Engine {
  readonly kind: 'cpu' | 'gpu';
  /** What runs it, e.g. the adapter's name. */
  readonly description: string;
  /** Streams the grid's statistics chunk by chunk, in grid order. */
  run(spec: Spec, options?: RunOptions): AsyncIterable<ChunkStats>;
  /** Follows the given trajectories step by step. */
  trace(spec: Spec, indices: readonly number[], options?: RunOptions): Promise<Trace[]>;
  /** Releases the device (no-op for the CPU engine). */
  dispose(): void;
  /** GPU engines: shader modules and pipelines compiled so far (a zoom or a new grid shape reuses them). */
  readonly created?: { readonly modules: number; readonly pipelines: number };
}

/** Tail windows over iterate indices 0…K: B is the last W iterates, A the W before them. */
export interface TailWindows {
  readonly width: number;
  /** First iterate of window A (clipped at 0) and of window B. */
  readonly aStart: number;
  readonly bStart: number;
}

export function tailWindows(steps: number): TailWindows {
  const width = Math.max(1, Math.min(100, Math.floor(steps / 4)));
  return { width, aStart: Math.max(0, steps - 2 * width + 1), bStart: steps - width + 1 };
}
