/** Tick positions and labels for map axes: 1-2-5 steps on linear axes, decades on log axes. */
import type { Axis } from '../experiment/index.js';
import { formatValue } from '../experiment/values.js';
import { axisPosition } from './map.js';

export interface Tick {
  /** Fractional grid index along the axis. */
  readonly position: number;
  readonly label: string;
}

function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const residual = raw / magnitude;
  const nice = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10;
  return nice * magnitude;
}

/**
 * Short label for a tick value: 3–4 significant digits, or as many as tell
 * ticks `step` apart on a deep zoom (0.100000000025 on a 10¹⁰× view of 0.1).
 */
export function tickLabel(x: number, step = 0): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  const needed = step > 0 ? Math.ceil(Math.log10(a / step)) + 1 : 0;
  if (a >= 1e4 || a < 1e-3) {
    const [m, e] = x.toExponential().split('e') as [string, string];
    const mantissa = Number(Number(m).toPrecision(Math.min(17, Math.max(3, needed))));
    return mantissa === 1 ? `1e${Number(e)}` : `${mantissa}e${Number(e)}`;
  }
  return String(Number(x.toPrecision(Math.min(17, Math.max(4, needed)))));
}

export function axisTicks(axis: Axis, target = 6): Tick[] {
  const n = axis.values.length;
  if (typeof axis.values[0] !== 'number' || axis.scale === 'list') {
    // Categories, booleans, vectors and hand-written lists: label the values themselves.
    const every = Math.max(1, Math.ceil(n / (target * 2)));
    const ticks: Tick[] = [];
    for (let i = 0; i < n; i += every) ticks.push({ position: i, label: formatValue(axis.values[i]!) });
    return ticks;
  }
  const values = axis.values as readonly number[];
  const lo = Math.min(values[0]!, values[n - 1]!);
  const hi = Math.max(values[0]!, values[n - 1]!);
  const inside = (v: number) => v >= lo * (1 - 1e-12) - 1e-300 && v <= hi * (1 + 1e-12) + 1e-300;
  const ticks: Tick[] = [];
  if (axis.scale === 'log') {
    const d0 = Math.floor(Math.log10(lo));
    const d1 = Math.ceil(Math.log10(hi));
    const decades = d1 - d0;
    const stride = Math.max(1, Math.ceil(decades / target));
    const multiples = decades <= 2 ? [1, 2, 5] : [1];
    for (let d = d0; d <= d1; d += stride) {
      for (const m of multiples) {
        const v = m * Math.pow(10, d);
        if (inside(v)) ticks.push({ position: axisPosition(axis, v), label: tickLabel(v) });
      }
    }
    if (ticks.length >= 2) return ticks;
  }
  const step = niceStep(hi - lo, target);
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    // Snap the accumulated step to 0 where the axis crosses it (not 5.55e-17).
    const digits = Math.min(17, Math.max(12, Math.ceil(Math.log10(Math.abs(v) / step)) + 3));
    const rounded = Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(digits));
    ticks.push({ position: axisPosition(axis, rounded), label: tickLabel(rounded, step) });
  }
  return ticks;
}
