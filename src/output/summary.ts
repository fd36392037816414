/** The plain-text summary of a sweep: what ran, where, how fast, and how many trajectories ended in each regime. */
import type { Spec } from '../experiment/index.js';
import { formatValue } from '../experiment/values.js';
import { gridSize } from '../experiment/index.js';
import { REGIMES, type Engine } from '../engine/types.js';
import type { RegimeCounts } from '../sweep.js';
import { boundaryDimension } from '../analysis/fractal.js';

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

/**
 * Regime changes along a single swept axis, e.g. "lr 0.995 → 1: converged → oscillating".
 * Only for one-axis sweeps; `regimes` holds every trajectory's regime in grid order.
 */
export function transitions(spec: Spec, regimes: Uint8Array, limit = 12): string[] {
  const axis = spec.axes[0]!;
  const lines: string[] = [];
  for (let i = 1; i < regimes.length; i++) {
    if (regimes[i] === regimes[i - 1]) continue;
    if (lines.length === limit) {
      lines.push('  …');
      break;
    }
    const from = formatValue(axis.values[i - 1]!);
    const to = formatValue(axis.values[i]!);
    lines.push(`  ${axis.name} ${from} → ${to}: ${REGIMES[regimes[i - 1]!]} → ${REGIMES[regimes[i]!]}`);
  }
  return lines;
}

/** "boundary dimension 1.02 (box counting, r² 0.999)" for a 2-D map whose regimes are given in grid order. */
export function boundaryLine(spec: Spec, regimes: Uint8Array): string {
  const fit = boundaryDimension(regimes, spec.axes[0]!.values.length, spec.axes[1]!.values.length);
  if (fit.dimension === null) return `boundary dimension: none (${fit.reason})`;
  const r2 = fit.r2 === null ? '' : `, r² ${fit.r2.toFixed(3)}`;
  return `boundary dimension ${fit.dimension.toFixed(2)} (box counting${r2})`;
}

/**
 * The summary printed by `lrscope sweep`. `regimes` holds every trajectory's
 * regime in grid order; with it, a 1-D sweep lists where the regime changes and
 * a 2-D map gives its boundary's dimension.
 */
export function summaryText(spec: Spec, engine: Engine, counts: RegimeCounts, seconds: number, regimes?: Uint8Array): string {
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
  if (regimes && spec.axes.length === 1) {
    const changes = transitions(spec, regimes);
    if (changes.length) lines.push('regime changes:', ...changes);
  }
  if (regimes && spec.axes.length === 2) lines.push(boundaryLine(spec, regimes));
  return `${lines.join('\n')}\n`;
}
