/**
 * One record per grid point, shared by the JSON, CSV and Arrow writers: every
 * swept parameter under its camelCase name, then what became of the trajectory.
 */
import { formatDf64, formatFloat32, writeFloat32 } from '../float32.js';
import { gridCoords, type Axis, type Spec, type Value } from '../experiment/index.js';
import { regimeNames, type ChunkResult } from '../engine/types.js';

/** A field value, already formatted: numbers as numpy prints float32, null for non-finite. */
export type Field = { readonly kind: 'number'; readonly text: string | null } | { readonly kind: 'string'; readonly text: string } | { readonly kind: 'raw'; readonly text: string };

/** Where a column takes its values from: a swept axis, one component of finalW, or a statistic of the trajectory. */
export type CellSource =
  | { readonly kind: 'axis'; readonly axis: number }
  | { readonly kind: 'finalW'; readonly component: number }
  | { readonly kind: 'regime' | 'regimeStep' | 'finalLoss' | 'peak' | 'rate' | 'trainable' | 'score' };

export interface CellColumn {
  readonly name: string;
  readonly source: CellSource;
}

const number = (x: number, format: (x: number) => string = formatFloat32): Field => ({ kind: 'number', text: Number.isFinite(x) ? format(x) : null });


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

/** An axis value's field: as float32 prints it, or (df64 runs) every digit of the double. */
export function axisField(value: Value, precision: Spec['base']['precision'] = 'float32'): Field {
  const format = precision === 'df64' ? formatDf64 : formatFloat32;
  if (typeof value === 'number') return number(value, format);
  if (typeof value === 'boolean') return { kind: 'raw', text: String(value) };
  if (typeof value === 'string') return { kind: 'string', text: value };
  return { kind: 'raw', text: `[${value.map(format).join(',')}]` };
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
    // The trainability criterion (src/trainability.ts), where the spec keeps the loss record.
    ...(spec.base.trainability
      ? [
          { name: 'trainable', source: { kind: 'trainable' } },
          { name: 'score', source: { kind: 'score' } },
        ] satisfies CellColumn[]
      : []),
  ];
}

/** How a text format writes its rows: CSV and JSON differ in strings, in what stands for a missing number, and in what surrounds a field. */
export interface RowFormat {
  /** A constant field's text (a string is quoted as the format quotes it). */
  text(f: Field): string;
  /** What stands for a missing number (non-finite, or a step that did not happen). */
  readonly missing: string;
  /** What comes before column j's value: CSV a comma between fields, JSON the key. */
  before(name: string, j: number): string;
  /** What opens and closes a row. */
  readonly rowStart: string;
  readonly rowEnd: string;
}

/**
 * A buffer that rows are written into as bytes and handed to a sink a slice
 * at a time; it is reused, so a sink must be done with the bytes when its
 * write returns (or its promise settles).
 */
class RowBuffer {
  bytes = new Uint8Array(1 << 16);
  /** The same memory, for writing four bytes at a time. */
  data = new DataView(this.bytes.buffer);
  length = 0;

  /** Makes room for n more bytes. */
  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.data = new DataView(grown.buffer);
  }

  /** The bytes written since the last `clear`. */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

const encoder = new TextEncoder();

/**
 * A constant text (a key, an axis value with what precedes it), encoded once:
 * its bytes, and its leading bytes as little-endian 32-bit words, so that it
 * is copied four bytes at a time (2–3× faster than byte by byte, and than
 * `set` for texts this short).
 */
interface Constant {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
}

function constant(text: string): Constant {
  const bytes = encoder.encode(text);
  const words = new Uint32Array(bytes.length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = (bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24)) >>> 0;
  return { bytes, words };
}

/** Copies a constant into `out` (and `data`, its view) at `at`, room already reserved; returns where it ends. */
function put(out: Uint8Array, data: DataView, at: number, text: Constant): number {
  const { words, bytes } = text;
  for (let i = 0; i < words.length; i++) {
    data.setUint32(at, words[i]!, true);
    at += 4;
  }
  for (let i = words.length << 2; i < bytes.length; i++) out[at++] = bytes[i]!;
  return at;
}

/** Writes an ASCII string (a number's text) into `out` at `at` and returns where it ends. */
function putAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** How the row loop writes a column: from a table of texts (axis values, regimes), or by printing a number. */
const AXIS = 0;
const REGIME = 1;
const STEP = 2;
const FLOAT = 3;
const RATE = 4;
const TRAINABLE = 5;

/** The chunk's float32 array a FLOAT column reads. */
type FloatField = 'finalLoss' | 'finalW' | 'peak' | 'score';

/** The trailing parts of a df64 run's values, by the field of their leading parts. */
const LOW_PARTS = { finalW: 'finalWLo', finalLoss: 'finalLossLo' } as const;

/** Most bytes a computed value takes: a float32 (16), a step (11), a rate or a df64 value (a double's shortest text, 24). */
const VALUE_BYTES = 24;

/**
 * The text writers' view of the columns: each trajectory of a chunk as one
 * row of bytes, in grid order. The grid coordinates are stepped from cell to
 * cell rather than divided out, the axes' values and every constant text are
 * encoded once with what precedes them, and numbers are printed straight into
 * the buffer: no string is made per value, and the writers keep up with the
 * sweep.
 */
export interface CellRows {
  readonly names: readonly string[];
  /**
   * A chunk's rows, ROWS_PER_WRITE at a time, each slice in the same reused
   * buffer: a slice is valid until the next one is asked for.
   */
  slices(chunk: ChunkResult): Generator<Uint8Array>;
}

export function cellRows(spec: Spec, format: RowFormat, columns: readonly CellColumn[] = allCellColumns(spec)): CellRows {
  const n = columns.length;
  const dims = spec.dims;
  const kinds = new Int32Array(n);
  /** AXIS: the axis; FLOAT: the component of finalW (0 otherwise). */
  const index = new Int32Array(n);
  const fields: (FloatField | undefined)[] = [];
  /** What precedes the value, and that followed by the text of a missing value. */
  const prefixes: Constant[] = [];
  const missing: Constant[] = [];
  /** AXIS and REGIME: every possible text, with what precedes it. */
  const tables: Constant[][] = [];
  let rowBytes = 0;
  columns.forEach((c, j) => {
    const before = format.before(c.name, j);
    const fixed = (texts: string[]) => texts.map((t) => constant(before + t));
    prefixes.push(constant(before));
    missing.push(constant(before + format.missing));
    const source = c.source;
    let table: Constant[] = [];
    let field: FloatField | undefined;
    switch (source.kind) {
      case 'axis':
        kinds[j] = AXIS;
        index[j] = source.axis;
        table = fixed(spec.axes[source.axis]!.values.map((v) => format.text(axisField(v, spec.base.precision))));
        break;
      case 'regime':
        kinds[j] = REGIME;
        table = fixed(regimeNames(spec).map((r) => format.text({ kind: 'string', text: r })));
        break;
      case 'trainable':
        kinds[j] = TRAINABLE;
        table = fixed(['false', 'true']);
        break;
      case 'regimeStep':
        kinds[j] = STEP;
        break;
      case 'rate':
        kinds[j] = RATE;
        break;
      case 'finalW':
        kinds[j] = FLOAT;
        index[j] = source.component;
        field = 'finalW';
        break;
      default:
        kinds[j] = FLOAT;
        field = source.kind;
    }
    tables.push(table);
    fields.push(field);
    rowBytes += Math.max(prefixes[j]!.bytes.length + VALUE_BYTES, missing[j]!.bytes.length, ...table.map((t) => t.bytes.length));
  });
  const rowStart = constant(format.rowStart);
  const rowEnd = constant(format.rowEnd);
  rowBytes += rowStart.bytes.length + rowEnd.bytes.length;
  const lengths = spec.axes.map((a) => a.values.length);
  const strides = Int32Array.from(fields, (f) => (f === 'finalW' ? dims : 1));
  // Neighbouring cells often share a value (runs that converged to the same point, the start as
  // the peak, a rate of 1): each column keeps its last value's text and copies it rather than
  // printing the value again.
  const last = new Float64Array(n).fill(Number.NaN);
  const lastText = new Uint8Array(n * VALUE_BYTES);

  const lastLength = new Int32Array(n);
  const layout: RowLayout = { n, kinds, index, strides, tables, prefixes, missing, rowStart, rowEnd, lengths: Int32Array.from(lengths), last, lastText, lastLength };
  // Stands for the float array of a column that reads none, so that the list holds one type.
  const none = new Float32Array(0);
  const rows = new RowBuffer();
  return {
    names: columns.map((c) => c.name),
    *slices(chunk) {
      const floats = fields.map((f) => (f ? (chunk[f] ?? none) : none));
      const lows = fields.map((f) => (f === 'finalW' || f === 'finalLoss' ? (chunk[LOW_PARTS[f]] ?? none) : none));
      const trainable = chunk.trainable ?? new Uint8Array(chunk.count);
      for (let from = 0; from < chunk.count; from += ROWS_PER_WRITE) {
        const to = Math.min(chunk.count, from + ROWS_PER_WRITE);
        const coords = Int32Array.from(gridCoords(spec, chunk.start + from));
        rows.clear();
        rows.reserve((to - from) * rowBytes);
        rows.length = writeRows(layout, floats, lows, chunk.regime, chunk.regimeStep, chunk.rate, trainable, from, to, coords, rows.bytes, rows.data, 0);
        yield rows.view();
      }
    },
  };
}

/** What the row loop needs of the columns, built once per writer. */
interface RowLayout {
  readonly n: number;
  readonly kinds: Int32Array;
  readonly index: Int32Array;
  readonly strides: Int32Array;
  readonly tables: readonly (readonly Constant[])[];
  readonly prefixes: readonly Constant[];
  readonly missing: readonly Constant[];
  readonly rowStart: Constant;
  readonly rowEnd: Constant;
  readonly lengths: Int32Array;
  readonly last: Float64Array;
  readonly lastText: Uint8Array;
  readonly lastLength: Int32Array;
}

/**
 * Writes rows [from, to) into `out` from `at` (room reserved) and returns where
 * they end. It takes only typed arrays and the layout, so its compiled code
 * serves every chunk, whatever the shape of the chunk's object.
 */
function writeRows(
  layout: RowLayout,
  floats: readonly Float32Array[],
  /** A df64 run's trailing parts of a FLOAT column (empty elsewhere): the value is the double float + low. */
  lows: readonly Float32Array[],
  regime: Uint8Array,
  regimeStep: Int32Array,
  rate: Float64Array,
  trainable: Uint8Array,
  from: number,
  to: number,
  coords: Int32Array,
  out: Uint8Array,
  data: DataView,
  at: number,
): number {
  const { n, kinds, index, strides, tables, prefixes, missing, rowStart, rowEnd, lengths, last, lastText, lastLength } = layout;
  for (let i = from; i < to; i++) {
    at = put(out, data, at, rowStart);
    for (let j = 0; j < n; j++) {
      switch (kinds[j]) {
        case AXIS:
          at = put(out, data, at, tables[j]![coords[index[j]!]!]!);
          break;
        case REGIME:
          at = put(out, data, at, tables[j]![regime[i]!]!);
          break;
        case TRAINABLE:
          at = put(out, data, at, tables[j]![trainable[i]!]!);
          break;
        case STEP: {
          const step = regimeStep[i]!;
          at = step < 0 ? put(out, data, at, missing[j]!) : putAscii(out, put(out, data, at, prefixes[j]!), String(step));
          break;
        }
        case FLOAT: {
          const cell = i * strides[j]! + index[j]!;
          const low = lows[j]!;
          if (low.length > 0) {
            const x = floats[j]![cell]! + low[cell]!;
            at = Number.isFinite(x) ? putAscii(out, put(out, data, at, prefixes[j]!), formatDf64(x)) : put(out, data, at, missing[j]!);
            break;
          }
          const x = floats[j]![cell]!;
          if (!Number.isFinite(x)) {
            at = put(out, data, at, missing[j]!);
            break;
          }
          at = put(out, data, at, prefixes[j]!);
          const cached = j * VALUE_BYTES;
          // (0 and -0 are equal but print differently, and cost nothing to print.)
          if (x === last[j] && x !== 0) {
            for (let k = 0; k < lastLength[j]!; k++) out[at++] = lastText[cached + k]!;
            break;
          }
          const end = writeFloat32(out, at, x);
          last[j] = x;
          lastLength[j] = end - at;
          for (let k = 0; k < end - at; k++) lastText[cached + k] = out[at + k]!;
          at = end;
          break;
        }
        case RATE: {
          const x = rate[i]!;
          if (!Number.isFinite(x)) {
            at = put(out, data, at, missing[j]!);
            break;
          }
          at = put(out, data, at, prefixes[j]!);
          const cached = j * VALUE_BYTES;
          if (x !== last[j]) {
            last[j] = x;
            const text = String(rateFigure(x));
            lastLength[j] = putAscii(lastText, cached, text) - cached;
          }
          for (let k = 0; k < lastLength[j]!; k++) out[at++] = lastText[cached + k]!;
          break;
        }
      }
    }
    at = put(out, data, at, rowEnd);
    // The next cell: the first axis varies fastest.
    for (let a = 0; a < coords.length && ++coords[a]! === lengths[a]; a++) coords[a] = 0;
  }
  return at;
}

/** How many rows the text writers hand to their sink at a time: a few MB of text. */
export const ROWS_PER_WRITE = 16384;
