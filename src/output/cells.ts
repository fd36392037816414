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

/** How a text format writes a field: CSV and JSON differ in strings and in what stands for a missing number. */
export type FieldText = (f: Field) => string;

/** A column's text for trajectory i of a chunk, given its grid coordinates. */
type TextGetter = (chunk: ChunkResult, i: number, coords: Int32Array) => string;

function textGetter(spec: Spec, source: CellSource, text: FieldText): TextGetter {
  const dims = spec.dims;
  const missing = text({ kind: 'number', text: null });
  const float = (x: number) => (Number.isFinite(x) ? formatFloat32(x) : missing);
  switch (source.kind) {
    case 'axis': {
      // An axis has few values and every cell repeats one: each is formatted once.
      const texts = spec.axes[source.axis]!.values.map((v) => text(axisField(v)));
      return (_, __, coords) => texts[coords[source.axis]!]!;
    }
    case 'regime': {
      const names = REGIMES.map((r) => text({ kind: 'string', text: r }));
      return (chunk, i) => names[chunk.regime[i]!]!;
    }
    case 'regimeStep':
      return (chunk, i) => {
        const step = chunk.regimeStep[i]!;
        return step >= 0 ? String(step) : missing;
      };
    case 'finalLoss':
      return (chunk, i) => float(chunk.finalLoss[i]!);
    case 'finalW':
      return (chunk, i) => float(chunk.finalW[i * dims + source.component]!);
    case 'peak':
      return (chunk, i) => float(chunk.peak[i]!);
    case 'rate':
      return (chunk, i) => {
        const x = chunk.rate[i]!;
        return Number.isFinite(x) ? String(rateFigure(x)) : missing;
      };
  }
}

/**
 * The text writers' view of the columns: for each trajectory of a chunk, in
 * grid order, its fields already written in a format's text. The grid
 * coordinates are stepped from cell to cell rather than divided out, and the
 * axes' values are formatted once: the writers keep up with the sweep.
 */
export interface CellTexts {
  readonly names: readonly string[];
  /** Calls `row` with each trajectory's field texts (`fields` is reused from row to row). */
  forEach(chunk: ChunkResult, row: (fields: readonly string[]) => void): void;
}

export function cellTexts(spec: Spec, text: FieldText, columns: readonly CellColumn[] = allCellColumns(spec)): CellTexts {
  const getters = columns.map((c) => textGetter(spec, c.source, text));
  const lengths = spec.axes.map((a) => a.values.length);
  const fields = new Array<string>(getters.length).fill('');
  return {
    names: columns.map((c) => c.name),
    forEach(chunk, row) {
      const coords = Int32Array.from(gridCoords(spec, chunk.start));
      for (let i = 0; i < chunk.count; i++) {
        for (let j = 0; j < getters.length; j++) fields[j] = getters[j]!(chunk, i, coords);
        row(fields);
        // The next cell: the first axis varies fastest.
        for (let a = 0; a < coords.length && ++coords[a]! === lengths[a]; a++) coords[a] = 0;
      }
    },
  };
}
