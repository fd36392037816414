/**
 * The sweep as an Apache Arrow IPC file (Feather v2, `.arrow`), written as it
 * streams in: record batches of ARROW_BATCH_ROWS trajectories (the last
 * one shorter), whatever chunks the results arrive in, so memory stays
 * bounded whatever the grid and the file is the same for any engine chunking
 * or for parts merged (src/cli/commands/merge.ts).
 *
 * The columns and values are the CSV's (src/output/cells.ts), typed:
 *
 * - swept numbers and the float32 statistics (finalLoss, finalW, peak) are
 *   Float32; whole-number parameters (warmup steps, seeds) are Uint32;
 *   regimeStep is Int32; rate is Float64, the CSV's 7-digit figure;
 * - the regime, and a swept choice like the schedule, are dictionary-encoded
 *   strings (a category in pandas and polars); a swept boolean is Bool; a
 *   swept vector is a List of numbers;
 * - each component of finalW is a column of its own, `finalW[0]`, `finalW[1]`, …,
 *   as in the CSV: plain float columns in pandas, polars and DuckDB alike,
 *   where a FixedSizeList would become an object column of arrays in pandas;
 * - what the CSV leaves empty (a value that is not finite, a regimeStep that
 *   was never reached) is null.
 *
 * The schema's custom metadata holds `spec`, `steps`, `engine`, `axes` and
 * (where theory predicts anything) `theory`, each the JSON text the JSON
 * output writes for that key. `counts` and, on a two-axis map, `boundary`
 * are known only once the last chunk is in. The IPC stream format sends its
 * schema first and could not carry them; the file format keeps a copy of the
 * schema in its footer, written last, so they go there. Readers of the file
 * format (pyarrow, pandas, polars) read the footer's schema; a reader that
 * takes the file as the stream it embeds sees the first one, without them.
 */
import {
  Bool,
  Dictionary,
  Field,
  Float32,
  Float64,
  Int8,
  Int32,
  List,
  makeData,
  Message,
  RecordBatch,
  RecordBatchFileWriter,
  Schema,
  Struct,
  Uint32,
  Utf8,
  vectorFromArray,
  type Data,
  type DataType,
  type TypeMap,
} from 'apache-arrow';
import type { BoxCounting } from '../analysis/fractal.js';
import { regimeNames, type ChunkResult } from '../engine/types.js';
import { yieldToEventLoop } from '../errors.js';
import { PARAMS, type Axis, type Spec, type Value } from '../experiment/index.js';
import type { RegimeCounts } from '../sweep.js';
import { theoryOf } from '../theory.js';
import { allCellColumns, rateFigure, type CellColumn, type CellSource } from './cells.js';
import { FixedChunks } from './results.js';
import { axesJson, boundaryJson, trainabilityJson } from './json.js';
import { namedCounts, type TrainabilityTotals } from './summary.js';
import type { TextSink } from './sink.js';

/**
 * apache-arrow's file writer leaves the schema message out of the stream a
 * file embeds (arrow-js issue #51), and readers that read the file as that
 * stream (DuckDB's arrow extension, nanoarrow) then fail. This one writes it
 * after the magic bytes, as the format prescribes; the footer is unchanged.
 */
class EmbeddedStreamFileWriter extends RecordBatchFileWriter<TypeMap> {
  protected override _writeSchema(schema: Schema<TypeMap>): this {
    return this._writeMagic()._writePadding(2)._writeMessage(Message.from(schema));
  }
}

/** One column: its field, and its values for a chunk. */
interface ArrowColumn {
  readonly field: Field;
  readonly data: (chunk: ChunkResult) => Data;
}

/** A validity bitmap (bit i set where row i has a value), or none when every row has one. */
function validity(count: number, valid: (i: number) => boolean): { nullCount: number; nullBitmap?: Uint8Array } {
  const bitmap = new Uint8Array((count + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < count; i++) {
    if (valid(i)) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return nulls === 0 ? { nullCount: 0 } : { nullCount: nulls, nullBitmap: bitmap };
}

/**
 * Float32 values, null where not finite (the CSV leaves those empty), with 0
 * under each null: a NaN's payload bits depend on how V8 compiled the code
 * that made it, and would otherwise make two runs' files differ.
 */
function float32Data(values: Float32Array): Data {
  const nulls = validity(values.length, (i) => Number.isFinite(values[i]!));
  let data = values;
  if (nulls.nullCount > 0) {
    data = values.slice();
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) data[i] = 0;
  }
  return makeData({ type: new Float32(), length: values.length, data, ...nulls });
}

/** A df64 run's values (hi + lo, exact in a double) of one component; null where not finite. */
function df64Data(hi: Float32Array, lo: Float32Array, count: number, stride: number, component: number): Data {
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = hi[i * stride + component]! + lo[i * stride + component]!;
  const nulls = validity(count, (i) => Number.isFinite(values[i]!));
  for (let i = 0; i < count; i++) if (!Number.isFinite(values[i]!)) values[i] = 0;
  return makeData({ type: new Float64(), length: count, data: values, ...nulls });
}

/** How a column of numbers is stored. */
type NumberKind = 'float32' | 'uint32' | 'float64';

/** Whole numbers are Uint32 where every value fits (the parameters' checks keep them ≥ 0), Float64 (exact) otherwise; the rest are float32 already. */
function numberKind(values: readonly number[], whole: boolean): NumberKind {
  if (!whole) return 'float32';
  return values.every((x) => x >= 0 && x < 2 ** 32) ? 'uint32' : 'float64';
}

function numberType(kind: NumberKind): Float32 | Uint32 | Float64 {
  return kind === 'float32' ? new Float32() : kind === 'uint32' ? new Uint32() : new Float64();
}

function numberData(kind: NumberKind, values: Float64Array): Data {
  const length = values.length;
  if (kind === 'float32') return makeData({ type: new Float32(), length, data: new Float32Array(values) });
  if (kind === 'uint32') return makeData({ type: new Uint32(), length, data: new Uint32Array(values) });
  return makeData({ type: new Float64(), length, data: values });
}

/** values[k] for each index k (typed-array `from` with a mapping function is several times slower than this loop). */
function gather<T extends Float64Array | Int32Array>(out: T, values: ArrayLike<number>, indices: Uint32Array): T {
  for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]!]!;
  return out;
}

/** The index into `axis.values` of each trajectory of a chunk: grid index ÷ the axis's stride, modulo its length. */
function axisIndices(spec: Spec, axis: number, start: number, count: number): Uint32Array {
  let stride = 1;
  for (let a = 0; a < axis; a++) stride *= spec.axes[a]!.values.length;
  const length = spec.axes[axis]!.values.length;
  const out = new Uint32Array(count);
  let index = Math.floor(start / stride) % length;
  let within = start % stride;
  for (let i = 0; i < count; i++) {
    out[i] = index;
    if (++within === stride) {
      within = 0;
      if (++index === length) index = 0;
    }
  }
  return out;
}

/** A swept parameter's column, typed by its values. */
function axisColumn(spec: Spec, a: number, name: string, dictionaryId: () => number): ArrowColumn {
  const axis: Axis = spec.axes[a]!;
  const def = PARAMS[axis.key];
  const whole = 'whole' in def && def.whole === true;
  const values: readonly Value[] = axis.values;
  const first = values[0]!;
  const indices = (chunk: ChunkResult) => axisIndices(spec, a, chunk.start, chunk.count);

  if (typeof first === 'number') {
    const numbers = values as readonly number[];
    // df64 runs keep every digit of their axes.
    const kind = spec.base.precision === 'df64' && !whole ? 'float64' : numberKind(numbers, whole);
    return {
      field: new Field(name, numberType(kind), false),
      data: (chunk) => numberData(kind, gather(new Float64Array(chunk.count), numbers, indices(chunk))),
    };
  }
  if (typeof first === 'boolean') {
    return {
      field: new Field(name, new Bool(), false),
      data: (chunk) => {
        const bits = new Uint8Array((chunk.count + 7) >> 3);
        indices(chunk).forEach((k, i) => {
          if (values[k] === true) bits[i >> 3]! |= 1 << (i & 7);
        });
        return makeData({ type: new Bool(), length: chunk.count, data: bits });
      },
    };
  }
  if (typeof first === 'string') {
    // Each distinct value once in the dictionary; every row is an index into it.
    const words = [...new Set(values as readonly string[])];
    const code = (values as readonly string[]).map((v) => words.indexOf(v));
    const type = new Dictionary(new Utf8(), new Int32(), dictionaryId(), false);
    const dictionary = vectorFromArray(words, new Utf8());
    return {
      field: new Field(name, type, false),
      data: (chunk) => makeData({ type, length: chunk.count, data: gather(new Int32Array(chunk.count), code, indices(chunk)), dictionary }),
    };
  }
  // A swept vector: a list of numbers per row (vectors of a list may differ in length).
  const vectors = values as readonly (readonly number[])[];
  const kind = numberKind(vectors.flat(), whole);
  const type: List<DataType> = new List(new Field('item', numberType(kind), false));
  return {
    field: new Field(name, type, false),
    data: (chunk) => {
      const rows = indices(chunk);
      const offsets = new Int32Array(chunk.count + 1);
      rows.forEach((k, i) => (offsets[i + 1] = offsets[i]! + vectors[k]!.length));
      const items = new Float64Array(offsets[chunk.count]!);
      rows.forEach((k, i) => items.set(vectors[k]!, offsets[i]!));
      return makeData({ type, length: chunk.count, valueOffsets: offsets, child: numberData(kind, items) });
    },
  };
}

const regimeType = new Dictionary(new Utf8(), new Int8(), 0, false);

function statColumn(spec: Spec, name: string, source: Exclude<CellSource, { kind: 'axis' }>): ArrowColumn {
  switch (source.kind) {
    case 'regime': {
      // The engines' regime codes are already indices into REGIMES: the bytes are the column.
      const regimeWords = vectorFromArray([...regimeNames(spec)], new Utf8());
      return {
        field: new Field(name, regimeType, false),
        data: (chunk) => makeData({ type: regimeType, length: chunk.count, data: new Int8Array(chunk.regime.buffer, chunk.regime.byteOffset, chunk.count), dictionary: regimeWords }),
      };
    }
    case 'trainable':
      return {
        field: new Field(name, new Bool(), false),
        data: (chunk) => {
          // Arrow packs booleans eight to a byte, least significant bit first.
          const bits = new Uint8Array(Math.ceil(chunk.count / 8));
          const trainable = chunk.trainable!;
          for (let i = 0; i < chunk.count; i++) if (trainable[i]) bits[i >> 3]! |= 1 << (i & 7);
          return makeData({ type: new Bool(), length: chunk.count, data: bits });
        },
      };
    case 'score':
      return { field: new Field(name, new Float32(), true), data: (chunk) => float32Data(chunk.score!.subarray(0, chunk.count)) };
    case 'regimeStep':
      return {
        field: new Field(name, new Int32(), true),
        data: (chunk) => {
          const steps = chunk.regimeStep.subarray(0, chunk.count);
          return makeData({ type: new Int32(), length: chunk.count, data: steps, ...validity(chunk.count, (i) => steps[i]! >= 0) });
        },
      };
    case 'finalLoss':
      if (spec.base.precision === 'df64') return { field: new Field(name, new Float64(), true), data: (chunk) => df64Data(chunk.finalLoss, chunk.finalLossLo!, chunk.count, 1, 0) };
      return { field: new Field(name, new Float32(), true), data: (chunk) => float32Data(chunk.finalLoss.subarray(0, chunk.count)) };
    case 'peak':
      return { field: new Field(name, new Float32(), true), data: (chunk) => float32Data(chunk.peak.subarray(0, chunk.count)) };
    case 'finalW': {
      const dims = spec.dims;
      const d = source.component;
      if (spec.base.precision === 'df64') return { field: new Field(name, new Float64(), true), data: (chunk) => df64Data(chunk.finalW, chunk.finalWLo!, chunk.count, dims, d) };
      return {
        field: new Field(name, new Float32(), true),
        data: (chunk) => {
          if (dims === 1) return float32Data(chunk.finalW.subarray(0, chunk.count));
          const w = new Float32Array(chunk.count);
          for (let i = 0; i < chunk.count; i++) w[i] = chunk.finalW[i * dims + d]!;
          return float32Data(w);
        },
      };
    }
    case 'rate':
      return {
        field: new Field(name, new Float64(), true),
        data: (chunk) => {
          const rate = new Float64Array(chunk.count);
          for (let i = 0; i < chunk.count; i++) rate[i] = rateFigure(chunk.rate[i]!);
          const nulls = validity(chunk.count, (i) => Number.isFinite(rate[i]!));
          for (let i = 0; i < chunk.count; i++) if (!Number.isFinite(rate[i]!)) rate[i] = 0;
          return makeData({ type: new Float64(), length: chunk.count, data: rate, ...nulls });
        },
      };
  }
}

/** Trajectories per record batch: large enough that batches cost little, small enough to hold a few. */
export const ARROW_BATCH_ROWS = 65536;

export class ArrowWriter {
  private readonly columns: readonly ArrowColumn[];
  private readonly batches: FixedChunks;
  private readonly schema: Schema<TypeMap>;
  private readonly writer = new EmbeddedStreamFileWriter();
  /** Hands the writer's bytes to the sink as it produces them. */
  private readonly pump: Promise<void>;
  private writing = false;
  private failure: { error: unknown } | undefined;

  constructor(
    sink: TextSink,
    private readonly spec: Spec,
    meta: { readonly engine: string },
    /** The columns to write (all of them by default). */
    columns: readonly CellColumn[] = allCellColumns(spec),
    batchRows = ARROW_BATCH_ROWS,
  ) {
    this.batches = new FixedChunks(spec, batchRows);
    let dictionaries = 0; // id 0 is the regime's
    this.columns = columns.map(({ name, source }) => (source.kind === 'axis' ? axisColumn(spec, source.axis, name, () => ++dictionaries) : statColumn(spec, name, source)));
    const metadata = new Map<string, string>([
      ['spec', JSON.stringify(spec.input)],
      ['steps', JSON.stringify(spec.base.steps)],
      ['engine', JSON.stringify(meta.engine)],
      ['axes', axesJson(spec)],
    ]);
    const theory = theoryOf(spec);
    if (theory) metadata.set('theory', JSON.stringify(theory));
    this.schema = new Schema(
      this.columns.map((c) => c.field),
      metadata,
    );
    this.pump = this.drain(sink);
  }

  private async drain(sink: TextSink): Promise<void> {
    try {
      for await (const bytes of this.writer) {
        const written = sink.write(bytes);
        if (written) {
          this.writing = true;
          await written;
          this.writing = false;
        }
      }
    } catch (error) {
      this.failure = { error };
    }
  }

  /** Waits until the sink has every byte written so far, so no chunk's buffers are held past its batch. */
  private async flush(): Promise<void> {
    // The pump runs on microtasks: once the event loop has turned, it has emptied the writer's queue into a synchronous sink.
    do {
      await yieldToEventLoop();
    } while (this.writing);
    if (this.failure) throw this.failure.error;
  }

  async begin(): Promise<void> {
    this.writer.reset(undefined, this.schema);
    await this.flush();
  }

  async chunk(chunk: ChunkResult): Promise<void> {
    for (const batch of this.batches.add(chunk)) await this.batch(batch);
  }

  private async batch(chunk: ChunkResult): Promise<void> {
    const children = this.columns.map((c) => c.data(chunk));
    const data = makeData({ type: new Struct(this.schema.fields), length: chunk.count, nullCount: 0, children });
    this.writer.write(new RecordBatch(this.schema, data));
    await this.flush();
  }

  /** Writes the footer, with the counts (and a two-axis map's boundary fit) in the schema's metadata. */
  async end(counts: RegimeCounts, fit?: BoxCounting, criterion?: TrainabilityTotals): Promise<void> {
    for (const batch of this.batches.finish()) await this.batch(batch);
    // The writer holds this schema since begin() and encodes it into the footer on close.
    this.schema.metadata.set('counts', JSON.stringify(namedCounts(this.spec, counts)));
    if (fit) this.schema.metadata.set('boundary', boundaryJson(fit));
    if (criterion) this.schema.metadata.set('trainability', trainabilityJson(criterion));
    this.writer.close();
    await this.pump;
    if (this.failure) throw this.failure.error;
  }
}
