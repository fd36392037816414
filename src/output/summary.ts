/** The plain-text summary of a sweep: what ran, where, how fast, and how many trajectories ended in each regime. */
import type { Spec } from '../experiment/index.js';
import { formatValue } from '../experiment/values.js';
import { gridSize } from '../experiment/index.js';
import { REGIMES, type ChunkResult, type Engine } from '../engine/types.js';
import { addCounts, emptyCounts, type RegimeCounts } from '../sweep.js';
import { BoundaryCounter, type BoxCounting } from '../analysis/fractal.js';

export function describeRun(engine: Engine): string {
  return `${engine.kind} engine: ${engine.description}`;
}

/** "lr: 241 values (0 … 1.2, linear)". */
export function describeAxis(spec: Spec, i: number): string {
  const axis = spec.axes[i]!;
  const n = axis.values.length;
  const first = formatValue(axis.values[0]!);
  const last = formatValue(axis.values[n - 1]!);
  const range = axis.scale === 'list' ? axis.values.map(formatValue).join(', ') : `${first} … ${last}, ${axis.scale}`;
  return `${axis.name}: ${n} values (${range})`;
}

/** Regime changes listed along a one-axis sweep before the rest are elided. */
const TRANSITION_LINES = 12;

/**
 * What the summary of a sweep needs, gathered chunk by chunk in grid order,
 * in memory that does not grow with the grid: the count of each regime; along
 * a single swept axis, where the regime changes (the first few); on a map of
 * two axes, the box counts of its boundary (src/analysis/fractal.ts).
 */
export class SweepTally {
  readonly counts: RegimeCounts = emptyCounts();
  private readonly boundary: BoundaryCounter | undefined;
  private readonly changes: string[] = [];
  private last = -1;
  private next = 0;

  constructor(private readonly spec: Spec) {
    const [x, y] = spec.axes;
    this.boundary = spec.axes.length === 2 ? new BoundaryCounter(x!.values.length, y!.values.length) : undefined;
  }

  add(chunk: ChunkResult): void {
    if (chunk.start !== this.next) throw new RangeError(`SweepTally: chunk at ${chunk.start}, expected ${this.next} (chunks come in grid order)`);
    this.next += chunk.count;
    addCounts(this.counts, chunk);
    this.boundary?.add(chunk.regime);
    if (this.spec.axes.length === 1) this.noteChanges(chunk);
  }

  /** "lr 0.995 → 1: converged → oscillating", the first TRANSITION_LINES of them, then "…". */
  private noteChanges(chunk: ChunkResult): void {
    const axis = this.spec.axes[0]!;
    for (let i = 0; i < chunk.count && this.changes.length <= TRANSITION_LINES; i++) {
      const regime = chunk.regime[i]!;
      const index = chunk.start + i;
      if (this.last >= 0 && regime !== this.last) {
        if (this.changes.length === TRANSITION_LINES) this.changes.push('  …');
        else this.changes.push(`  ${axis.name} ${formatValue(axis.values[index - 1]!)} → ${formatValue(axis.values[index]!)}: ${REGIMES[this.last]} → ${REGIMES[regime]}`);
      }
      this.last = regime;
    }
  }

  /** The box-counting fit of a map's boundary, once every chunk has come; undefined unless two axes are swept. */
  boundaryFit(): BoxCounting | undefined {
    return this.boundary?.finish();
  }

  /** The summary printed by `lrscope sweep`. */
  text(engine: Engine, seconds: number): string {
    const { spec, counts } = this;
    const total = gridSize(spec);
    const steps = spec.base.steps;
    const rate = (total * steps) / seconds / 1e6;
    const lines = [
      `${total} trajectories × ${steps} steps in ${seconds.toFixed(2)} s (${rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3)} million steps/s), ${describeRun(engine)}`,
    ];
    spec.axes.forEach((_, i) => lines.push(describeAxis(spec, i)));
    const width = String(total).length;
    for (const regime of REGIMES) {
      const share = total ? ((100 * counts[regime]) / total).toFixed(1) : '0.0';
      lines.push(`${regime.padEnd(12)}${String(counts[regime]).padStart(width)}  ${share.padStart(5)}%`);
    }
    if (this.changes.length) lines.push('regime changes:', ...this.changes);
    const fit = this.boundaryFit();
    if (fit) lines.push(boundaryLine(fit));
    return `${lines.join('\n')}\n`;
  }
}

/** "boundary dimension 1.02 (box counting, r² 0.999)", or why there is none. */
export function boundaryLine(fit: BoxCounting): string {
  if (fit.dimension === null) return `boundary dimension: none (${fit.reason})`;
  const r2 = fit.r2 === null ? '' : `, r² ${fit.r2.toFixed(3)}`;
  return `boundary dimension ${fit.dimension.toFixed(2)} (box counting${r2})`;
}
