/**
 * The sweep as one JSON object, written as it streams in:
 * `{ "spec", "engine", "axes", "cells": [...], "counts" }`.
 * Cells come in grid order; counts close the object because they are known last.
 */
import type { Spec } from '../spec/spec.js';
import type { ChunkResult } from '../engine/types.js';
import type { RegimeCounts } from '../sweep.js';
import { axisField, cellColumns, type Field } from './cells.js';
import type { TextSink } from './sink.js';

function jsonField(f: Field): string {
  if (f.kind === 'number') return f.text ?? 'null';
  if (f.kind === 'string') return JSON.stringify(f.text);
  return f.text;
}

export function axesJson(spec: Spec): string {
  const axes = spec.axes.map((a) => {
    const values = a.values.map((v) => jsonField(axisField(v))).join(',');
    return `{"name":${JSON.stringify(a.name)},"scale":${JSON.stringify(a.scale)},"values":[${values}]}`;
  });
  return `[${axes.join(',')}]`;
}

export class JsonWriter {
  private readonly columns;
  private first = true;

  constructor(
    private readonly sink: TextSink,
    private readonly spec: Spec,
    private readonly meta: { engine: string },
  ) {
    this.columns = cellColumns(spec);
  }

  async begin(): Promise<void> {
    const { spec } = this;
    const head = [
      `"spec":${JSON.stringify(spec.input)}`,
      `"steps":${spec.base.steps}`,
      `"engine":${JSON.stringify(this.meta.engine)}`,
      `"axes":${axesJson(spec)}`,
    ];
    await this.sink.write(`{${head.join(',')},"cells":[`);
  }

  async chunk(chunk: ChunkResult): Promise<void> {
    const names = this.columns.names.map((n) => JSON.stringify(n));
    const parts: string[] = [];
    for (let i = 0; i < chunk.count; i++) {
      const fields = this.columns.fields(chunk, i);
      const body = fields.map((f, j) => `${names[j]}:${jsonField(f)}`).join(',');
      parts.push(`${this.first ? '\n' : ',\n'}{${body}}`);
      this.first = false;
    }
    await this.sink.write(parts.join(''));
  }

  async end(counts: RegimeCounts): Promise<void> {
    await this.sink.write(`\n],"counts":${JSON.stringify(counts)}}\n`);
  }
}
