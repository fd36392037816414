/**
 * A part file: the classified results of one shard of a sweep (`lrscope sweep
 * --shard K/N --out x.lrpart`), everything `lrscope merge` needs to rebuild
 * any output of the whole sweep byte for byte. Little-endian, every section
 * a multiple of 8 bytes:
 *
 * - the magic `LRSPART\n`, then the header's byte length (u32) and 4 zero bytes;
 * - the header, JSON padded with spaces: `format` ("lrscope-part"),
 *   `version` (1), `spec` (the normalised spec input, which reproduces the
 *   spec), `engine` ({kind, description}), `shard` ({index: K, of: N}),
 *   `range` ({start, count}: the grid indices computed), `total` (the grid's
 *   size), `dims`, and `fields` ([{name, type, width}]: the ChunkResult
 *   arrays of src/output/results.ts, type one of f32, i32, u32, u8, f64,
 *   width values per trajectory);
 * - blocks of trajectories in grid order, each a 16-byte head (u32 1, u32
 *   count, f64 start) and then each field's count × width values, zero-padded
 *   to 8 bytes;
 * - the end: a 16-byte head (u32 2, u32 the trailer's byte length, f64 0)
 *   and the trailer, JSON padded with spaces: `count` (trajectories written)
 *   and `seconds` (the time the shard took to compute).
 *
 * A reader takes a block at a time, so merging holds one block per part.
 */
import { gridSize, parseSpec, type Spec, type SpecInput } from '../experiment/index.js';
import type { ChunkResult, Engine } from '../engine/types.js';
import { chunkOf, newResultArray, resultArray, resultFields, type ResultField, type ResultType } from './results.js';
import type { TextSink } from './sink.js';

export const PART_FORMAT = 'lrscope-part';
export const PART_VERSION = 1;
const MAGIC = 'LRSPART\n';
const ROWS = 1;
const END = 2;

const BYTES: Record<ResultType, number> = { f32: 4, i32: 4, u32: 4, u8: 1, f64: 8 };

/** Shard K of N: its slice of a grid of `total` trajectories, as even as possible, in grid order. */
export interface Shard {
  /** K, from 1 to N. */
  readonly index: number;
  readonly of: number;
}

export function shardRange(shard: Shard, total: number): { start: number; count: number } {
  const start = Math.floor(((shard.index - 1) * total) / shard.of);
  const end = Math.floor((shard.index * total) / shard.of);
  return { start, count: end - start };
}

export interface PartHeader {
  readonly format: typeof PART_FORMAT;
  readonly version: number;
  readonly spec: SpecInput;
  readonly engine: { readonly kind: Engine['kind']; readonly description: string };
  readonly shard: Shard;
  readonly range: { readonly start: number; readonly count: number };
  readonly total: number;
  readonly dims: number;
  readonly fields: readonly ResultField[];
}

export interface PartTrailer {
  readonly count: number;
  readonly seconds: number;
}

const pad8 = (n: number) => (n + 7) & ~7;
const encoder = new TextEncoder();

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('part files are little-endian, and this machine is not');

/** JSON text padded with spaces to a multiple of 8 bytes. */
function paddedJson(value: unknown): Uint8Array {
  const text = encoder.encode(JSON.stringify(value));
  const out = new Uint8Array(pad8(text.length)).fill(0x20);
  out.set(text);
  return out;
}

function head(tag: number, n: number, start: number): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, tag, true);
  view.setUint32(4, n, true);
  view.setFloat64(8, start, true);
  return bytes;
}

/** Writes a part as the shard's chunks stream in. */
export class PartWriter {
  private readonly fields: readonly ResultField[];
  private written = 0;

  constructor(
    private readonly sink: TextSink,
    private readonly spec: Spec,
    private readonly meta: { readonly engine: Pick<Engine, 'kind' | 'description'>; readonly shard: Shard },
  ) {
    this.fields = resultFields(spec);
  }

  get range(): { start: number; count: number } {
    return shardRange(this.meta.shard, gridSize(this.spec));
  }

  async begin(): Promise<void> {
    const { spec, meta } = this;
    const header: PartHeader = {
      format: PART_FORMAT,
      version: PART_VERSION,
      spec: spec.input,
      engine: { kind: meta.engine.kind, description: meta.engine.description },
      shard: meta.shard,
      range: this.range,
      total: gridSize(spec),
      dims: spec.dims,
      fields: this.fields,
    };
    const json = paddedJson(header);
    const start = new Uint8Array(16);
    start.set(encoder.encode(MAGIC));
    new DataView(start.buffer).setUint32(8, json.length, true);
    await this.sink.write(start);
    await this.sink.write(json);
  }

  async chunk(chunk: ChunkResult): Promise<void> {
    await this.sink.write(head(ROWS, chunk.count, chunk.start));
    for (const field of this.fields) {
      const values = resultArray(chunk, field);
      const length = chunk.count * field.width * BYTES[field.type];
      await this.sink.write(new Uint8Array(values.buffer, values.byteOffset, length));
      if (pad8(length) > length) await this.sink.write(new Uint8Array(pad8(length) - length));
    }
    this.written += chunk.count;
  }

  async end(seconds: number): Promise<void> {
    const trailer = paddedJson({ count: this.written, seconds } satisfies PartTrailer);
    await this.sink.write(head(END, trailer.length, 0));
    await this.sink.write(trailer);
  }
}

/** A part that cannot be read, with why in a few words. */
export class PartError extends Error {
  override readonly name = 'PartError';
}

/** Reads `length` bytes at `position`, fewer at the end of the file. */
export type ReadAt = (position: number, length: number) => Uint8Array;

function readExactly(read: ReadAt, position: number, length: number, what: string): Uint8Array {
  const bytes = read(position, length);
  if (bytes.length !== length) throw new PartError(`ends inside its ${what} (truncated?)`);
  return bytes;
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new PartError(`its ${what} is not valid JSON`);
  }
}

/** A part's header and spec, read and checked, and where its blocks begin. */
export interface PartReader {
  readonly header: PartHeader;
  readonly spec: Spec;
  /** The part's chunks in grid order, checked to cover its range exactly; then its trailer. */
  chunks(): Generator<ChunkResult, PartTrailer>;
}

export function readPart(read: ReadAt): PartReader {
  const start = read(0, 16);
  if (start.length < 16 || new TextDecoder().decode(start.subarray(0, 8)) !== MAGIC) throw new PartError(`is not an lrscope part file (no ${JSON.stringify(MAGIC.trim())} at its start)`);
  const headerBytes = new DataView(start.buffer, start.byteOffset).getUint32(8, true);
  const header = parseJson(readExactly(read, 16, headerBytes, 'header'), 'header') as PartHeader;
  if (header.format !== PART_FORMAT || header.version !== PART_VERSION) {
    throw new PartError(`is a part of format ${JSON.stringify(header.format)} version ${JSON.stringify(header.version)}, and this lrscope reads ${PART_FORMAT} version ${PART_VERSION}`);
  }
  let spec: Spec;
  try {
    spec = parseSpec(header.spec);
  } catch (e) {
    throw new PartError(`holds a spec this lrscope does not accept (${(e as Error).message})`);
  }
  const fields = resultFields(spec);
  const { shard, range, total } = header;
  const expected = shardRange(shard, gridSize(spec));
  if (JSON.stringify(header.fields) !== JSON.stringify(fields) || total !== gridSize(spec) || range.start !== expected.start || range.count !== expected.count) {
    throw new PartError('does not describe its spec\'s results as this lrscope writes them');
  }
  const first = 16 + headerBytes;
  return {
    header,
    spec,
    *chunks() {
      let position = first;
      let next = range.start;
      for (;;) {
        const bytes = readExactly(read, position, 16, 'blocks');
        const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
        const tag = view.getUint32(0, true);
        const n = view.getUint32(4, true);
        position += 16;
        if (tag === END) {
          const trailer = parseJson(readExactly(read, position, n, 'trailer'), 'trailer') as PartTrailer;
          if (next !== range.start + range.count || trailer.count !== range.count) throw new PartError(`holds ${next - range.start} of the ${range.count} trajectories of shard ${shard.index}/${shard.of}`);
          return trailer;
        }
        const at = view.getFloat64(8, true);
        if (tag !== ROWS || at !== next || next + n > range.start + range.count) throw new PartError(`has a damaged block at byte ${position - 16}`);
        const sizes = fields.map((f) => pad8(n * f.width * BYTES[f.type]));
        const length = sizes.reduce((a, b) => a + b, 0);
        // A copy of its own, aligned, that the typed arrays view.
        const block = new Uint8Array(length);
        block.set(readExactly(read, position, length, 'blocks'));
        position += length;
        let offset = 0;
        const arrays = Object.fromEntries(
          fields.map((f, k) => {
            const array = newResultArray(f.type, 0);
            const typed = new (array.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => typeof array)(block.buffer, offset, n * f.width);
            offset += sizes[k]!;
            return [f.name, typed];
          }),
        );
        next += n;
        yield chunkOf(spec, at, n, arrays);
      }
    },
  };
}
