/**
 * The per-trajectory fields of a ChunkResult, described once: what a part
 * file stores (src/output/part.ts) and what re-batching copies. Every one is a
 * typed array of `count` values, `dims` of them per trajectory for finalW
 * (and a df64 run's finalWLo).
 */
import { statFields } from '../engine/records.js';
import type { ChunkResult } from '../engine/types.js';
import type { Spec } from '../experiment/index.js';

export type ResultType = 'f32' | 'i32' | 'u32' | 'u8' | 'f64';

export interface ResultField {
  readonly name: string;
  readonly type: ResultType;
  /** Values per trajectory: dims for finalW, else 1. */
  readonly width: number;
}

type ResultArray = Float32Array | Int32Array | Uint32Array | Uint8Array | Float64Array;

/** The raw statistics (with the loss record where the spec keeps it), then what the host derives: regime, regimeStep, rate, and trainable and score with the loss record. */
export function resultFields(spec: Spec): ResultField[] {
  const trainability = spec.base.trainability === true;
  const stats = statFields(trainability).map(
    (f): ResultField => ({ name: f.stat, type: ('host' in f ? f.host : f.type) as ResultType, width: 'perDimension' in f && f.perDimension ? spec.dims : 1 }),
  );
  // A df64 run's trailing parts of finalW and finalLoss (src/engine/types.ts).
  const lowParts: ResultField[] =
    spec.base.precision === 'df64'
      ? [
          { name: 'finalWLo', type: 'f32', width: spec.dims },
          { name: 'finalLossLo', type: 'f32', width: 1 },
        ]
      : [];
  return [
    ...stats,
    ...lowParts,
    { name: 'regime', type: 'u8', width: 1 },
    { name: 'regimeStep', type: 'i32', width: 1 },
    { name: 'rate', type: 'f64', width: 1 },
    ...(trainability
      ? [
          { name: 'trainable', type: 'u8', width: 1 },
          { name: 'score', type: 'f32', width: 1 },
        ] satisfies ResultField[]
      : []),
  ];
}

export function newResultArray(type: ResultType, length: number): ResultArray {
  switch (type) {
    case 'f32':
      return new Float32Array(length);
    case 'i32':
      return new Int32Array(length);
    case 'u32':
      return new Uint32Array(length);
    case 'u8':
      return new Uint8Array(length);
    case 'f64':
      return new Float64Array(length);
  }
}

/** A chunk's array for a field (engines may hand over arrays longer than the chunk). */
export function resultArray(chunk: ChunkResult, field: ResultField): ResultArray {
  const values = (chunk as unknown as Record<string, ResultArray | undefined>)[field.name];
  if (!values) throw new Error(`a chunk without ${field.name}`);
  return values;
}

/** A ChunkResult made of the given arrays (each exactly count × width long). */
export function chunkOf(spec: Spec, start: number, count: number, arrays: Readonly<Record<string, ResultArray>>): ChunkResult {
  return { start, count, dims: spec.dims, ...arrays } as unknown as ChunkResult;
}

/**
 * Regroups chunks that arrive in grid order, of whatever sizes, into chunks
 * of `size` trajectories (the last one shorter), counted from the first
 * trajectory: an output written batch by batch then has the same batches
 * whether the results came from one engine run, another chunk size, or parts
 * merged. Rows are copied, so no engine array is held past its chunk.
 */
export class FixedChunks {
  private readonly fields: readonly ResultField[];
  private arrays: ResultArray[] = [];
  private start = -1;
  private filled = 0;

  constructor(
    private readonly spec: Spec,
    readonly size: number,
  ) {
    this.fields = resultFields(spec);
  }

  /** The full chunks that `chunk` completes. */
  *add(chunk: ChunkResult): Generator<ChunkResult> {
    const sources = this.fields.map((f) => resultArray(chunk, f));
    let from = 0;
    while (from < chunk.count) {
      if (this.filled === 0) {
        this.start = chunk.start + from;
        this.arrays = this.fields.map((f) => newResultArray(f.type, this.size * f.width));
      }
      const n = Math.min(chunk.count - from, this.size - this.filled);
      this.fields.forEach((f, k) => this.arrays[k]!.set(sources[k]!.subarray(from * f.width, (from + n) * f.width), this.filled * f.width));
      this.filled += n;
      from += n;
      if (this.filled === this.size) yield this.take();
    }
  }

  /** The last, shorter chunk, if any rows are left. */
  *finish(): Generator<ChunkResult> {
    if (this.filled > 0) yield this.take();
  }

  private take(): ChunkResult {
    const n = this.filled;
    const arrays = Object.fromEntries(this.fields.map((f, k) => [f.name, this.arrays[k]!.subarray(0, n * f.width)]));
    this.filled = 0;
    return chunkOf(this.spec, this.start, n, arrays);
  }
}
