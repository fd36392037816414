/**
 * A bifurcation diagram as text: JSON, CSV (one row per iterate) and the
 * plain summary (what the tail does along lr). Numbers are written as numpy
 * prints a float32, like every other output; the iterates of a learning rate
 * whose trajectory diverged are null in JSON and empty in CSV.
 */
import { describeTail, periodBands, sameValue, summaryBands, tailOf, type Bifurcation } from '../bifurcation.js';
import { formatDf64, formatFloat32 } from '../float32.js';
import type { Engine } from '../engine/types.js';
import { formatValue } from '../experiment/values.js';
import { describeAxis, describeRun } from './summary.js';
import type { TextSink } from './sink.js';

/** How a run's numbers print: as numpy prints a float32, or (df64 runs) with every digit their df64 holds. */
const formatOf = (result: Bifurcation) => (result.spec.base.precision === 'df64' ? formatDf64 : formatFloat32);

/** The name of the plotted coordinate: `w` in one dimension, `w[i]` in several. */
export function componentName(result: Bifurcation): string {
  return result.spec.dims === 1 ? 'w' : `w[${result.component}]`;
}

/** Iterate index of tail position j. */
const stepOf = (result: Bifurcation, j: number) => result.spec.base.steps - result.tail + 1 + j;

/**
 * `{ "spec", "engine", "steps", "tail", "component", "lr": [N], "escapeStep": [N], "period": [N], "iterates": [[tail] × N] }`:
 * `iterates[i][j]` is w[component] after step steps − tail + 1 + j at lr[i];
 * `escapeStep[i]` the step it passed the bound (null if never; then iterates[i] is null);
 * `period[i]` the tail's period (null if none within the tail, or diverged).
 */
export async function writeBifurcationJson(sink: TextSink, result: Bifurcation, engine: Engine): Promise<void> {
  const { spec, tail } = result;
  const n = result.lr.length;
  const periods = Array.from({ length: n }, () => 'null');
  for (const band of periodBands(result)) {
    if (band.tail.kind === 'period') periods.fill(String(band.tail.period), band.first, band.last + 1);
  }
  const format = formatOf(result);
  const jsonNumber = (x: number) => (Number.isFinite(x) ? format(x) : 'null');
  const head = [
    `"spec":${JSON.stringify(spec.input)}`,
    `"engine":${JSON.stringify(engine.description)}`,
    `"steps":${spec.base.steps}`,
    `"tail":${tail}`,
    `"component":${result.component}`,
    `"lr":[${result.lr.map(jsonNumber).join(',')}]`,
    `"escapeStep":[${Array.from(result.escapeStep, (s) => (s >= 0 ? String(s) : 'null')).join(',')}]`,
    `"period":[${periods.join(',')}]`,
  ];
  await sink.write(`{${head.join(',')},"iterates":[`);
  let block = '';
  for (let i = 0; i < n; i++) {
    const row = result.escapeStep[i]! >= 0 ? 'null' : `[${Array.from(result.iterates.subarray(i * tail, (i + 1) * tail), jsonNumber).join(',')}]`;
    block += `${i === 0 ? '\n' : ',\n'}${row}`;
    if (block.length > 1 << 16) {
      await sink.write(block);
      block = '';
    }
  }
  await sink.write(`${block}\n]}\n`);
}

/** `lr,step,w`: one row per iterate of the tail, learning rates in grid order. */
export async function writeBifurcationCsv(sink: TextSink, result: Bifurcation): Promise<void> {
  const { tail } = result;
  const format = formatOf(result);
  let block = `lr,step,${componentName(result)}\n`;
  for (let i = 0; i < result.lr.length; i++) {
    const lr = format(result.lr[i]!);
    const diverged = result.escapeStep[i]! >= 0;
    for (let j = 0; j < tail; j++) {
      const w = result.iterates[i * tail + j]!;
      block += `${lr},${stepOf(result, j)},${diverged || !Number.isFinite(w) ? '' : format(w)}\n`;
    }
    if (block.length > 1 << 16) {
      await sink.write(block);
      block = '';
    }
  }
  await sink.write(block);
}

/**
 * Learning rate i with as many digits as its grid needs to tell neighbours
 * apart: 0.2495 on 0.2:0.42:1000, not 0.24954955.
 */
export function lrLabel(result: Bifurcation, i: number): string {
  const axis = result.spec.axes[0];
  const lr = result.lr;
  if (!axis || axis.scale === 'list' || lr.length < 2) return formatValue(lr[i]!, result.spec.base.precision);
  const spacing = axis.scale === 'log' ? Math.abs(Math.log10(lr[1]! / lr[0]!)) : Math.abs(lr[1]! - lr[0]!) / Math.max(Math.abs(lr[i]!), 1e-300);
  // Relative spacing s needs about 1 − log10(s) significant digits.
  const digits = Math.min(result.spec.base.precision === 'df64' ? 17 : 9, Math.max(2, Math.ceil(1 - Math.log10(spacing))));
  return String(Number(lr[i]!.toPrecision(digits)));
}

/** One line per band of learning rates, e.g. "lr 0.2501–0.3088 (269 lrs): period 2". */
export function bandLines(result: Bifurcation, limit = 24): string[] {
  const bands = summaryBands(result);
  const lines = bands.slice(0, limit).map((band) => {
    const count = band.last - band.first + 1;
    const range = count === 1 ? `lr ${lrLabel(result, band.first)}` : `lr ${lrLabel(result, band.first)}–${lrLabel(result, band.last)} (${count} lrs)`;
    const { tail } = band;
    if (tail.kind !== 'mixed') return `${range}: ${describeTail(tail, result.tail)}`;
    const parts = [
      ...(tail.aperiodic ? [`no period up to ${Math.floor(result.tail / 2)} at ${tail.aperiodic}`] : []),
      ...(tail.periods.length ? [`windows of period ${tail.periods.slice(0, 8).join(', ')}${tail.periods.length > 8 ? ', …' : ''}`] : []),
      ...(tail.diverged ? [`${tail.diverged} diverged`] : []),
    ];
    return `${range}: ${parts.join('; ')}`;
  });
  if (bands.length > limit) lines.push(`… ${bands.length - limit} more bands (--format json has each lr's period)`);
  return lines;
}

export function bifurcationSummary(result: Bifurcation, engine: Engine, seconds: number): string {
  const { spec } = result;
  const n = result.lr.length;
  const steps = spec.base.steps;
  const rate = (n * steps) / seconds / 1e6;
  const lines = [
    `${n} learning rate${n === 1 ? '' : 's'} × ${steps} steps in ${seconds.toFixed(2)} s (${rate >= 100 ? rate.toFixed(0) : rate.toPrecision(3)} million steps/s), ${describeRun(engine, spec.base)}`,
    `${spec.axes.length ? describeAxis(spec, 0) : `lr: ${formatValue(result.lr[0]!)}`}; the last ${result.tail} iterates of ${componentName(result)}`,
    ...bandLines(result).map((line) => `  ${line}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** The range of w shown: every settled iterate, with a margin. */
export function wRange(result: Bifurcation): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  result.lr.forEach((_, i) => {
    if (result.escapeStep[i]! >= 0) return;
    for (const w of tailOf(result, i)) {
      if (w < lo) lo = w;
      if (w > hi) hi = w;
    }
  });
  if (!(lo <= hi)) return [-1, 1];
  // Every tail on one value (as the same value counts for the period): centre it.
  if (sameValue(lo, hi)) {
    const centre = (lo + hi) / 2;
    const pad = Math.max(0.1 * Math.abs(centre), 1);
    return [centre - pad, centre + pad];
  }
  const pad = 0.04 * (hi - lo);
  return [lo - pad, hi + pad];
}
