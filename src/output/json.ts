/**
 * The sweep as one JSON object, written as it streams in:
 * `{ "spec", "engine", "axes", "cells": [...], "counts", "boundary" }`.
 * Cells come in grid order; counts (and, on a 2-D map, the boundary's
 * dimension) close the object because they are known last.
 */
import { BoundaryCounter, type BoxCounting } from '../analysis/fractal.js';
import type { Spec } from '../experiment/index.js';
import type { ChunkResult } from '../engine/types.js';
import type { RegimeCounts } from '../sweep.js';
import { axisField, cellRows, type CellColumn, type Field, type RowFormat } from './cells.js';
import type { TextSink } from './sink.js';
import { theoryOf } from '../theory.js';
import { namedCounts, TrainabilityTally, type TrainabilityTotals } from './summary.js';

function jsonField(f: Field): string {
  if (f.kind === 'number') return f.text ?? 'null';
  if (f.kind === 'string') return JSON.stringify(f.text);
  return f.text;
}

/** A cell as a JSON object; each row starts with the comma and line break that separate it from the previous one. */
const JSON_ROWS: RowFormat = {
  text: jsonField,
  missing: 'null',
  before: (name, j) => `${j === 0 ? '{' : ','}${JSON.stringify(name)}:`,
  rowStart: ',\n',
  rowEnd: '}',
};

export function axesJson(spec: Spec): string {
  const axes = spec.axes.map((a) => {
    const values = a.values.map((v) => jsonField(axisField(v, spec.base.precision))).join(',');
    return `{"name":${JSON.stringify(a.name)},"scale":${JSON.stringify(a.scale)},"values":[${values}]}`;
  });
  return `[${axes.join(',')}]`;
}

/** The `boundary` field: the box-counting fit of a 2-D map's regime boundary. */
export function boundaryJson(fit: BoxCounting): string {
  const fields = {
    dimension: fit.dimension,
    r2: fit.r2,
    sizes: fit.sizes,
    counts: fit.counts,
    cells: fit.cells,
    ...(fit.reason ? { reason: fit.reason } : {}),
  };
  return JSON.stringify(fields);
}

/** The `trainability` field: trainable runs, and on a map the score edges' median-slope dimension. */
export function trainabilityJson(totals: TrainabilityTotals): string {
  const { trainable, total, edges } = totals;
  const fields = {
    trainable,
    total,
    ...(edges
      ? { scoreEdges: { dimension: edges.dimension, sizes: edges.sizes, counts: edges.counts, slopes: edges.slopes, cells: edges.cells, ...(edges.reason ? { reason: edges.reason } : {}) } }
      : {}),
  };
  return JSON.stringify(fields);
}

export class JsonWriter {
  private readonly columns;
  private first = true;
  /** A 2-D map's boundary, counted as the cells stream in, for its dimension at the end. */
  private readonly boundary: BoundaryCounter | undefined;
  private readonly criterion: TrainabilityTally | undefined;

  constructor(
    private readonly sink: TextSink,
    private readonly spec: Spec,
    /** `boundary: false` when the caller counts the boundary itself and hands the fit to `end`; `columns` are the cells' fields (all of them by default). */
    private readonly meta: { engine: string; boundary?: boolean; columns?: readonly CellColumn[] },
  ) {
    this.columns = cellRows(spec, JSON_ROWS, meta.columns);
    const [x, y] = spec.axes;
    this.boundary = spec.axes.length === 2 && meta.boundary !== false ? new BoundaryCounter(x!.values.length, y!.values.length) : undefined;
    this.criterion = spec.base.trainability && meta.boundary !== false ? new TrainabilityTally(spec) : undefined;
  }

  async begin(): Promise<void> {
    const { spec } = this;
    const head = [
      `"spec":${JSON.stringify(spec.input)}`,
      `"steps":${spec.base.steps}`,
      `"engine":${JSON.stringify(this.meta.engine)}`,
      `"axes":${axesJson(spec)}`,
    ];
    const theory = theoryOf(spec);
    if (theory) head.push(`"theory":${JSON.stringify(theory)}`);
    await this.sink.write(`{${head.join(',')},"cells":[`);
  }

  async chunk(chunk: ChunkResult): Promise<void> {
    this.boundary?.add(chunk.regime);
    this.criterion?.add(chunk);
    for (const rows of this.columns.slices(chunk)) {
      // The very first row has no comma before it.
      await this.sink.write(this.first ? rows.subarray(1) : rows);
      this.first = false;
    }
  }

  /**
   * Closes the object; `fit` is the boundary's box counting and `criterion` the
   * trainability totals when the caller has them already.
   */
  async end(counts: RegimeCounts, fit?: BoxCounting, criterion?: TrainabilityTotals): Promise<void> {
    const box = fit ?? this.boundary?.finish();
    const boundary = box ? `,"boundary":${boundaryJson(box)}` : '';
    const totals = criterion ?? this.criterion?.finish();
    const trainability = totals ? `,"trainability":${trainabilityJson(totals)}` : '';
    await this.sink.write(`\n],"counts":${JSON.stringify(namedCounts(this.spec, counts))}${boundary}${trainability}}\n`);
  }
}
