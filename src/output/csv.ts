/** The sweep as CSV: a header, then one row per grid point in grid order (same fields as the JSON cells). */
import type { Spec } from '../experiment/index.js';
import type { ChunkResult } from '../engine/types.js';
import { cellRows, type CellColumn, type Field, type RowFormat } from './cells.js';
import type { TextSink } from './sink.js';

function csvField(f: Field): string {
  const text = f.kind === 'number' ? (f.text ?? '') : f.text;
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const CSV: RowFormat = {
  text: csvField,
  missing: '',
  before: (_, j) => (j === 0 ? '' : ','),
  rowStart: '',
  rowEnd: '\n',
};

export class CsvWriter {
  private readonly columns;

  constructor(
    private readonly sink: TextSink,
    spec: Spec,
    /** The columns to write (all of them by default). */
    columns?: readonly CellColumn[],
  ) {
    this.columns = cellRows(spec, CSV, columns);
  }

  async begin(): Promise<void> {
    await this.sink.write(`${this.columns.names.map((n) => csvField({ kind: 'string', text: n })).join(',')}\n`);
  }

  async chunk(chunk: ChunkResult): Promise<void> {
    for (const rows of this.columns.slices(chunk)) await this.sink.write(rows);
  }

  async end(): Promise<void> {}
}
