/**
 * The axes of the page's charts: a swept axis as an evenly spaced range, the
 * cells' edges around its values, and tick labels (linear ones with as many
 * decimals as the spacing needs, log ones at 1, 2 and 5 × 10^k). The map and
 * the bifurcation view share them.
 */
import type uPlot from 'uplot';
import { f32, formatNumber, type Axis, type Precision, type Spec, type SpecInput } from '../src/core';

/** 1e-45 … 1e39: every power of ten a float32 can hold. */
export const POWERS_OF_TEN = Array.from({ length: 85 }, (_, i) => Number(`1e${i - 45}`));

/** Evenly spaced range of an axis, as the spec gave it. */
export interface AxisRange {
  readonly start: number;
  readonly stop: number;
  readonly count: number;
  readonly log: boolean;
}

export function axisRange(axis: Axis): AxisRange {
  const values = axis.values as readonly number[];
  return { start: values[0]!, stop: values[values.length - 1]!, count: values.length, log: axis.scale === 'log' };
}

/**
 * A range in the value syntax: ends with ten significant digits where that
 * moves them by less than a thousandth of a step, else with every digit a
 * df64 tells apart (a deep zoom's ends differ only in their last digits).
 */
export function rangeText(r: AxisRange): string {
  const step = r.count > 1 ? Math.abs(r.log ? Math.log(r.stop / r.start) : r.stop - r.start) / (r.count - 1) : Infinity;
  const short = (x: number) => Number(x.toPrecision(10));
  const moved = (x: number) => (r.log ? Math.abs(Math.log(short(x) / x)) : Math.abs(short(x) - x));
  const full = moved(r.start) > 1e-3 * step || moved(r.stop) > 1e-3 * step;
  const n = (x: number) => (full ? formatNumber(x, 'df64') : String(short(x)));
  return `${n(r.start)}:${n(r.stop)}:${r.count}${r.log ? ':log' : ''}`;
}

/** The index of the range's value nearest to v, or undefined outside the range's cells. */
export function nearestIndex(r: AxisRange, v: number): number | undefined {
  const t = r.log ? Math.log(v / r.start) / Math.log(r.stop / r.start) : (v - r.start) / (r.stop - r.start);
  const i = r.count === 1 ? 0 : Math.round(t * (r.count - 1));
  return i >= 0 && i < r.count ? i : undefined;
}

/** Outer edges of the cells whose centres are the range's values. */
export function rangeEdges(r: AxisRange): [number, number] {
  if (r.count === 1) return r.log ? [r.start / 1.1, r.start * 1.1] : [r.start - 0.5, r.start + 0.5];
  if (r.log) {
    const half = Math.pow(r.stop / r.start, 0.5 / (r.count - 1));
    return [r.start / half, r.stop * half];
  }
  const half = (r.stop - r.start) / (r.count - 1) / 2;
  return [r.start - half, r.stop + half];
}

/** A range of `count` cells covering the same edges (a coarse pass lines up with the fine one). */
export function rangeWithEdges(edges: [number, number], count: number, log: boolean): AxisRange {
  const [a, b] = edges;
  if (log) {
    const step = Math.pow(b / a, 1 / count);
    return { start: a * Math.sqrt(step), stop: b / Math.sqrt(step), count, log };
  }
  const step = (b - a) / count;
  return { start: a + step / 2, stop: b - step / 2, count, log };
}

/**
 * Edges of a window `factor` times as wide as `edges` (in log space on a log
 * axis), centred on `centre` but shifted to lie within `bounds`, and no wider
 * than they are: the keyboard's zoom in (factor ½) and out (factor 2) around its cursor.
 */
export function zoomEdges(edges: [number, number], centre: number, factor: number, log: boolean, bounds: [number, number]): [number, number] {
  const to = log ? Math.log : (v: number) => v;
  const from = log ? Math.exp : (v: number) => v;
  const [lo, hi] = [to(bounds[0]), to(bounds[1])];
  const half = Math.min((factor * (to(edges[1]) - to(edges[0]))) / 2, (hi - lo) / 2);
  const c = Math.min(Math.max(to(centre), lo + half), hi - half);
  // The bounds themselves where the window reaches them (to rounding), so zooming out lands back on them exactly.
  const near = 1e-9 * (hi - lo);
  return [c - half <= lo + near ? bounds[0] : from(c - half), c + half >= hi - near ? bounds[1] : from(c + half)];
}

/** The spec input with the two map axes replaced. */
export function withAxes(input: SpecInput, spec: Spec, x: AxisRange, y: AxisRange): SpecInput {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    out[key] = key === spec.axes[0]!.key ? rangeText(x) : key === spec.axes[1]!.key ? rangeText(y) : value;
  }
  return out as SpecInput;
}

/** Whether two spec inputs say the same: the same keys, in any order, with the same values as text (a preset's 40 and a URL's '40'). */
export function sameInput(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => a[k] !== undefined || b[k] !== undefined));
  return [...keys].every((k) => String(a[k]) === String(b[k]));
}

/**
 * Whether two numbers are one to an engine computing in this precision: the
 * same float32, or the same df64 (hi = float32(x), lo = float32(x − hi)).
 */
export function sameIn(precision: Precision, a: number, b: number): boolean {
  const [ha, hb] = [f32(a), f32(b)];
  if (ha !== hb || precision === 'float32') return ha === hb;
  return f32(a - ha) === f32(b - hb);
}

/**
 * Axes whose neighbouring values collapse to the same number in this
 * precision: the view is past its resolution.
 */
export function unresolvedAxes(spec: Spec, precision: Precision = 'float32'): string[] {
  return spec.axes
    .filter((axis) => {
      const values = axis.values as readonly unknown[];
      if (typeof values[0] !== 'number') return false;
      for (let i = 1; i < values.length; i++) if (sameIn(precision, values[i] as number, values[i - 1] as number)) return true;
      return false;
    })
    .map((a) => a.name);
}

/** Decimals of x's shortest form once the float noise of adding steps is gone (0.30000000000000004 → 1). */
function decimalsOf(x: number): number {
  const [mantissa, exponent] = String(Number(x.toPrecision(12))).split('e') as [string, string | undefined];
  return Math.max(0, (mantissa.split('.')[1] ?? '').length - Number(exponent ?? 0));
}

/**
 * Linear tick labels, all with as many decimals as the most precise tick
 * needs: 0.25 and 0.875 stay as they are (uPlot's default stops at three
 * decimals, and decimals taken from the step's order of magnitude round 0.25 to 0.3).
 */
export function linearTickLabels(splits: number[]): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1]! - splits[0]!) : Math.abs(splits[0] ?? 1);
  // At least the step's own decimals: a deep zoom's ticks differ beyond the twelve digits decimalsOf keeps.
  const decimals = Math.min(20, Math.max(0, ...splits.filter((v) => Math.abs(v) >= step / 2).map(decimalsOf), step > 0 ? decimalsOf(Number(step.toPrecision(3))) : 0));
  return splits.map((v) => {
    const a = Math.abs(v);
    if (a < step / 2) return (0).toFixed(decimals); // where the axis crosses 0, not 5.55e-17
    if (a >= 1e6 || a < 1e-4) return v.toExponential(Math.max(0, Math.min(6, decimals - Math.floor(-Math.log10(a)))));
    return v.toFixed(decimals);
  });
}

/**
 * Ticks for a log axis whose ends are not powers of ten (uPlot's own log
 * splits assume they are): 1, 2 and 5 × 10^k over a decade or two, fewer over many.
 */
export function logSplits(min: number, max: number): number[] {
  const d0 = Math.floor(Math.log10(min));
  const d1 = Math.ceil(Math.log10(max));
  const multiples = d1 - d0 <= 2 ? [1, 2, 5] : [1];
  const stride = Math.max(1, Math.ceil((d1 - d0) / 8));
  const ticks: number[] = [];
  for (let d = d0; d <= d1; d += stride) {
    for (const m of multiples) {
      const v = Number(`${m}e${d}`);
      if (v >= min && v <= max) ticks.push(v);
    }
  }
  return ticks;
}

/**
 * Characters in the longest label of a linear axis over [min, max] with
 * about five ticks: a deep zoom's labels are long, and the map gives them the room.
 */
export function linearLabelChars(min: number, max: number): number {
  const step = Math.abs(max - min) / 5;
  if (!(step > 0)) return 1;
  const decimals = Math.max(0, Math.ceil(-Math.log10(step)));
  const whole = String(Math.trunc(Math.max(Math.abs(min), Math.abs(max)))).length + (Math.min(min, max) < 0 ? 1 : 0);
  return Math.min(24, whole + (decimals ? decimals + 1 : 0));
}

/** uPlot's tick options for a linear or a log axis of a range. */
export function axisTicks(log: boolean): Partial<uPlot.Axis> {
  if (!log) return { values: (_u, splits) => linearTickLabels(splits) };
  return {
    splits: (_u, _i, min, max) => logSplits(min, max),
    incrs: POWERS_OF_TEN,
    filter: (_u, splits) => splits,
    values: (_u, splits) => splits.map((v) => (v >= 1e4 || v < 1e-3 ? v.toExponential(0) : String(v))),
  };
}
