/** The plain-text summary of a sweep: what ran, where, how fast, and how many trajectories ended in each regime. */
import type { Spec } from '../spec/spec.js';
import { formatValue } from '../spec/values.js';
import { gridSize } from '../spec/spec.js';
import { REGIMES, type Engine } from '../engine/types.js';
import type { RegimeCounts } from '../sweep.js';

export function describeRun(engine: Engine): string {
  return `${engine.kind} engine: ${engine.description}`;
}

function describeAxis(spec: Spec, i: number): string {
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

export function summaryText(spec: Spec, engine: Engine, counts: RegimeCounts, seconds: number, regimesAlongAxis?: Uint8Array): string {
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
  if (regimesAlongAxis && spec.axes.length === 1) {
    const changes = transitions(spec, regimesAlongAxis);
    if (changes.length) lines.push('regime changes:', ...changes);
  }
  return `${lines.join('\n')}\n`;
}
