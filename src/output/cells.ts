/**
 * One record per grid point, shared by the JSON, CSV and Arrow writers: every
 * swept parameter under its camelCase name, then what became of the trajectory.
 */
import { formatFloat32 } from '../float32.js';
import { gridCoords, type Axis, type Spec, type Value } from '../experiment/index.js';
import { REGIMES, type ChunkResult } from '../engine/types.js';

/** A field value, already formatted: numbers as numpy prints float32, null for non-finite. */
export type Field = { readonly kind: 'number'; readonly text: string | null } | { readonly kind: 'string'; readonly text: string } | { readonly kind: 'raw'; readonly text: string };

/** Where a column takes its values from: a swept axis, one component of finalW, or a statistic of the trajectory. */
export type CellSource =
  | { readonly kind: 'axis'; readonly axis: number }
  | { readonly kind: 'finalW'; readonly component: number }
  | { readonly kind: 'regime' | 'regimeStep' | 'finalLoss' | 'peak' | 'rate' };

export interface CellColumn {
  readonly name: string;
  readonly source: CellSource;
}

export interface CellColumns {
  readonly names: readonly string[];
  /** Fields of trajectory i of the chunk, in the order of `names`. */
  readonly fields: (chunk: ChunkResult, i: number) => Field[];
}

const number = (x: number): Field => ({ kind: 'number', text: Number.isFinite(x) ? formatFloat32(x) : null });

/** The powers of ten a double holds exactly. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The contraction rate as the outputs give it: Number(x.toPrecision(7)), a
 * double-precision figure to 7 significant digits, or NaN where it was not
 * measured. toPrecision takes about a microsecond, most of an Arrow file's
 * time on a large grid, so the digits are found by arithmetic wherever that
 * gives the same result, and by toPrecision elsewhere.
 */
export function rateFigure(x: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  const a = Math.abs(x);
  if (a === 0) return 0; // toPrecision drops the sign of -0
  const k = 6 - Math.floor(Math.log10(a));
  if (k >= 0 && k <= 22) {
    const y = a * POWERS_OF_TEN[k]!;
    // y is a's 7 leading digits and a fraction, off by at most an ulp (< 2⁻²⁹): rounding it is toPrecision's
    // rounding unless the fraction is that close to one half, or the digits are 6 or carry into an 8th.
    if (y >= 1e6 && y < 1e7 - 0.5 && Math.abs(y - Math.floor(y) - 0.5) > 1e-6) {
      // Both exact, so the quotient is the double nearest the 7-digit decimal, as parsing it gives.
      return (x < 0 ? -Math.round(y) : Math.round(y)) / POWERS_OF_TEN[k]!;
    }
  }
  return Number(x.toPrecision(7));
}

const figure = (x: number): Field => ({ kind: 'number', text: Number.isFinite(x) ? String(rateFigure(x)) : null });

export function axisField(value: Value): Field {
  if (typeof value === 'number') return number(value);
  if (typeof value === 'boolean') return { kind: 'raw', text: String(value) };
  if (typeof value === 'string') return { kind: 'string', text: value };
  return { kind: 'raw', text: `[${value.map((x) => formatFloat32(x)).join(',')}]` };
}

/** Every column, in the order the outputs write them unless told otherwise. */
export function allCellColumns(spec: Spec): CellColumn[] {
  const dims = spec.dims;
  const finalW: CellColumn[] =
    dims === 1 ? [{ name: 'finalW', source: { kind: 'finalW', component: 0 } }] : Array.from({ length: dims }, (_, d) => ({ name: `finalW[${d}]`, source: { kind: 'finalW', component: d } }));
  return [
    ...spec.axes.map((a: Axis, axis): CellColumn => ({ name: a.name, source: { kind: 'axis', axis } })),
    { name: 'regime', source: { kind: 'regime' } },
    { name: 'regimeStep', source: { kind: 'regimeStep' } },
    { name: 'finalLoss', source: { kind: 'finalLoss' } },
    ...finalW,
    { name: 'peak', source: { kind: 'peak' } },
    { name: 'rate', source: { kind: 'rate' } },
  ];
}

type Getter = (chunk: ChunkResult, i: number, coords: readonly number[]) => Field;

function getter(spec: Spec, source: CellSource): Getter {
  const dims = spec.dims;
  switch (source.kind) {
    case 'axis': {
      const axis = spec.axes[source.axis]!;
      return (_, __, coords) => axisField(axis.values[coords[source.axis]!]!);
    }
    case 'regime':
      return (chunk, i) => ({ kind: 'string', text: REGIMES[chunk.regime[i]!]! });
    case 'regimeStep':
      return (chunk, i) => {
        const step = chunk.regimeStep[i]!;
        return step >= 0 ? { kind: 'raw', text: String(step) } : { kind: 'number', text: null };
      };
    case 'finalLoss':
      return (chunk, i) => number(chunk.finalLoss[i]!);
    case 'finalW':
      return (chunk, i) => number(chunk.finalW[i * dims + source.component]!);
    case 'peak':
      return (chunk, i) => number(chunk.peak[i]!);
    case 'rate':
      return (chunk, i) => figure(chunk.rate[i]!);
  }
}

/** The formatted fields of the given columns (all of them by default). */
export function cellColumns(spec: Spec, columns: readonly CellColumn[] = allCellColumns(spec)): CellColumns {
  const getters = columns.map((c) => getter(spec, c.source));
  // The grid coordinates cost a division per axis: worked out only when an axis is written.
  const needsCoords = columns.some((c) => c.source.kind === 'axis');
  const none: readonly number[] = [];
  return {
    names: columns.map((c) => c.name),
    fields: (chunk, i) => {
      const coords = needsCoords ? gridCoords(spec, chunk.start + i) : none;
      return getters.map((get) => get(chunk, i, coords));
    },
  };
}
