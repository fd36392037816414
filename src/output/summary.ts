/** The plain-text summary of a sweep: what ran, where, how fast, and how many trajectories ended in each regime. */
import type { Spec } from '../experiment/index.js';
import type { Cell } from '../experiment/types.js';
import { formatValue } from '../experiment/values.js';
import { gridSize } from '../experiment/index.js';
import { REGIMES, regimeNames, type ChunkResult, type Engine } from '../engine/types.js';
import { addCounts, emptyCounts, type RegimeCounts } from '../sweep.js';
import { BoundaryCounter, type BoxCounting } from '../analysis/fractal.js';
import { ScoreEdgeCounter, type BoxCountSlopes } from '../analysis/score-edges.js';
import type { Shard } from './part.js';

/** The counts under the names the spec gives its regimes (the network's are its own). */
export function namedCounts(spec: Spec, counts: RegimeCounts): Record<string, number> {
  const names = regimeNames(spec);
  return Object.fromEntries(REGIMES.map((r, i) => [names[i]!, counts[r]]));
}

/** What the trainability criterion says of a whole grid: how many runs are trainable, and on a map the score edges' dimension. */
export interface TrainabilityTotals {
  readonly trainable: number;
  readonly total: number;
  /** Two swept axes: the paper's edge map (sign changes of the score) and its median-slope dimension. */
  readonly edges?: BoxCountSlopes;
}

/** Gathers TrainabilityTotals chunk by chunk, in memory that grows with the map's width only. */
export class TrainabilityTally {
  private trainable = 0;
  private total = 0;
  private readonly edges: ScoreEdgeCounter | undefined;

  /** `edges: false` for a slice of the grid, whose edges are not a map's. */
  constructor(spec: Spec, edges = true) {
    const [x, y] = spec.axes;
    this.edges = spec.axes.length === 2 && edges ? new ScoreEdgeCounter(x!.values.length, y!.values.length) : undefined;
  }

  add(chunk: ChunkResult): void {
    if (!chunk.trainable || !chunk.score) return;
    for (let i = 0; i < chunk.count; i++) this.trainable += chunk.trainable[i]!;
    this.total += chunk.count;
    this.edges?.add(chunk.score.subarray(0, chunk.count));
  }

  finish(): TrainabilityTotals {
    return { trainable: this.trainable, total: this.total, ...(this.edges ? { edges: this.edges.finish() } : {}) };
  }
}

/** "score-edge dimension 1.41 (median local slope, as the paper)", or why there is none. */
export function scoreEdgeLine(edges: BoxCountSlopes): string {
  if (edges.dimension === null) return `score-edge dimension: none (${edges.reason})`;
  return `score-edge dimension ${edges.dimension.toFixed(2)} (median local slope of box counts over ${edges.sizes.length} sizes, as Sohl-Dickstein 2024)`;
}

/** "gpu engine: llvmpipe …", and for a df64 run ", in df64"; with fast math, whether it applied (on the GPU engine only). */
export function describeRun(engine: Pick<Engine, 'kind' | 'description'>, base: Pick<Cell, 'precision' | 'fastMath'> = { precision: 'float32', fastMath: false }): string {
  const arithmetic = base.precision === 'df64' ? ', in df64' : base.fastMath ? (engine.kind === 'gpu' ? ', fast math' : ', exact (fast math is the GPU engine’s)') : '';
  return `${engine.kind} engine: ${engine.description}${arithmetic}`;
}

/** "lr: 241 values (0 … 1.2, linear)". */
export function describeAxis(spec: Spec, i: number): string {
  const axis = spec.axes[i]!;
  const n = axis.values.length;
  const format = (v: (typeof axis.values)[number]) => formatValue(v, spec.base.precision);
  const range = axis.scale === 'list' ? axis.values.map(format).join(', ') : `${format(axis.values[0]!)} … ${format(axis.values[n - 1]!)}, ${axis.scale}`;
  return `${axis.name}: ${n} values (${range})`;
}

/** Regime changes listed along a one-axis sweep before the rest are elided. */
const TRANSITION_LINES = 12;

/**
 * What the summary of a sweep needs, gathered chunk by chunk in grid order,
 * in memory that does not grow with the grid: the count of each regime; along
 * a single swept axis, where the regime changes (the first few); on a map of
 * two axes, the box counts of its boundary (src/analysis/fractal.ts).
 * A shard's tally covers its slice of the grid: counts and trainable runs,
 * but no boundary or score edges, which are the whole map's.
 */
export class SweepTally {
  readonly counts: RegimeCounts = emptyCounts();
  private readonly boundary: BoundaryCounter | undefined;
  private readonly changes: string[] = [];
  private last = -1;
  private next = 0;
  private readonly criterion: TrainabilityTally | undefined;
  private criterionTotals: TrainabilityTotals | undefined;

  constructor(
    private readonly spec: Spec,
    private readonly slice?: { readonly shard: Shard; readonly start: number; readonly count: number },
  ) {
    const [x, y] = spec.axes;
    this.boundary = spec.axes.length === 2 && !slice ? new BoundaryCounter(x!.values.length, y!.values.length) : undefined;
    this.criterion = spec.base.trainability ? new TrainabilityTally(spec, !slice) : undefined;
    this.next = slice?.start ?? 0;
  }

  add(chunk: ChunkResult): void {
    if (chunk.start !== this.next) throw new RangeError(`SweepTally: chunk at ${chunk.start}, expected ${this.next} (chunks come in grid order)`);
    this.next += chunk.count;
    addCounts(this.counts, chunk);
    this.boundary?.add(chunk.regime);
    this.criterion?.add(chunk);
    if (this.spec.axes.length === 1) this.noteChanges(chunk);
  }

  /** "lr 0.995 → 1: converged → oscillating", the first TRANSITION_LINES of them, then "…". */
  private noteChanges(chunk: ChunkResult): void {
    const axis = this.spec.axes[0]!;
    const names = regimeNames(this.spec);
    for (let i = 0; i < chunk.count && this.changes.length <= TRANSITION_LINES; i++) {
      const regime = chunk.regime[i]!;
      const index = chunk.start + i;
      if (this.last >= 0 && regime !== this.last) {
        if (this.changes.length === TRANSITION_LINES) this.changes.push('  …');
        else this.changes.push(`  ${axis.name} ${formatValue(axis.values[index - 1]!)} → ${formatValue(axis.values[index]!)}: ${names[this.last]} → ${names[regime]}`);
      }
      this.last = regime;
    }
  }

  /** The box-counting fit of a map's boundary, once every chunk has come; undefined unless two axes are swept. */
  boundaryFit(): BoxCounting | undefined {
    return this.boundary?.finish();
  }

  /** The trainability criterion over the grid, once every chunk has come; undefined without the loss record. */
  trainability(): TrainabilityTotals | undefined {
    this.criterionTotals ??= this.criterion?.finish();
    return this.criterionTotals;
  }

  /** The summary printed by `lrscope sweep` (and `merge`); `run` says what ran it (describeRun). */
  text(run: string, seconds: number): string {
    const { spec, counts, slice } = this;
    const total = slice ? slice.count : gridSize(spec);
    const steps = spec.base.steps;
    const rate = (total * steps) / seconds / 1e6;
    const lines = [
      `${total} trajectories × ${steps} steps in ${seconds.toFixed(2)} s (${rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3)} million steps/s), ${run}`,
    ];
    if (slice) {
      const { shard, start, count } = slice;
      lines.push(`shard ${shard.index}/${shard.of}: grid indices ${start} … ${start + count - 1} of ${gridSize(spec)} (counts below are this slice's; lrscope merge gives the whole grid's)`);
    }
    spec.axes.forEach((_, i) => lines.push(describeAxis(spec, i)));
    const width = String(total).length;
    const share = (n: number) => (total ? ((100 * n) / total).toFixed(1) : '0.0').padStart(5);
    const names = regimeNames(spec);
    REGIMES.forEach((regime, i) => lines.push(`${names[i]!.padEnd(13)}${String(counts[regime]).padStart(width)}  ${share(counts[regime])}%`));
    if (this.changes.length) lines.push('regime changes:', ...this.changes);
    const fit = this.boundaryFit();
    if (fit) lines.push(boundaryLine(fit));
    const criterion = this.trainability();
    if (criterion) {
      lines.push(`${'trainable'.padEnd(13)}${String(criterion.trainable).padStart(width)}  ${share(criterion.trainable)}%  (mean of the last 20 losses below the first)`);
      if (criterion.edges) lines.push(scoreEdgeLine(criterion.edges));
    }
    return `${lines.join('\n')}\n`;
  }
}

/** "boundary dimension 1.02 (box counting, r² 0.999)", or why there is none. */
export function boundaryLine(fit: BoxCounting): string {
  if (fit.dimension === null) return `boundary dimension: none (${fit.reason})`;
  const r2 = fit.r2 === null ? '' : `, r² ${fit.r2.toFixed(3)}`;
  return `boundary dimension ${fit.dimension.toFixed(2)} (box counting${r2})`;
}
