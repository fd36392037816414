/**
 * One trajectory, a row per step, as `lrscope trace` prints it: plain (the
 * seed's `print` format, space-separated, no header), CSV or JSON. Floats are
 * printed as numpy prints a float32; in JSON a value that is not finite is null.
 */
import { formatDf64, formatFloat32 } from '../float32.js';
import type { Spec } from '../experiment/index.js';
import type { Trace } from '../engine/types.js';
import type { TextSink } from './sink.js';
import { yieldToEventLoop } from '../errors.js';

export const TRACE_COLUMNS = ['lr', 'step', 'w', 'loss'] as const;
export type TraceColumn = (typeof TRACE_COLUMNS)[number];
export const TRACE_FORMATS = ['plain', 'csv', 'json'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Rows written per call to the sink. */
const ROWS_PER_WRITE = 4096;

/** Column names: `w` becomes w[0], w[1], … in several dimensions. */
export function traceColumnNames(columns: readonly TraceColumn[], dims: number): string[] {
  return columns.flatMap((c) => (c === 'w' && dims > 1 ? Array.from({ length: dims }, (_, d) => `w[${d}]`) : [c]));
}

/** The values of row k (the iterate after step k), each as a number. */
function rowValues(trace: Trace, columns: readonly TraceColumn[], dims: number, k: number): number[] {
  return columns.flatMap((c) => {
    if (c === 'step') return [k];
    if (c === 'lr') return [trace.lr[k]!];
    if (c === 'loss') return [trace.loss[k]!];
    return Array.from(trace.w.subarray(k * dims, (k + 1) * dims));
  });
}

export async function writeTrace(
  sink: TextSink,
  spec: Spec,
  trace: Trace,
  options: { readonly columns: readonly TraceColumn[]; readonly format: TraceFormat; readonly engine: string; readonly signal?: AbortSignal },
): Promise<void> {
  const { columns, format } = options;
  const dims = spec.dims;
  const names = traceColumnNames(columns, dims);
  const isStep = names.map((n) => n === 'step');
  // df64 traces hold doubles (each df64 value hi + lo): every digit of them.
  const formatFloat = spec.base.precision === 'df64' ? formatDf64 : formatFloat32;
  const text =
    format === 'json'
      ? (x: number, i: number) => (isStep[i] ? String(x) : Number.isFinite(x) ? formatFloat(x) : 'null')
      : (x: number, i: number) => (isStep[i] ? String(x) : formatFloat(x));
  const separator = format === 'csv' ? ',' : ' ';
  const line = (k: number) => rowValues(trace, columns, dims, k).map(text).join(format === 'json' ? ',' : separator);
  if (format === 'json') await sink.write(`{"spec":${JSON.stringify(spec.input)},"engine":${JSON.stringify(options.engine)},"columns":${JSON.stringify(names)},"rows":[`);
  else if (format === 'csv') await sink.write(`${names.join(',')}\n`);
  const steps = spec.base.steps;
  for (let k0 = 1; k0 <= steps; k0 += ROWS_PER_WRITE) {
    // Let a Ctrl-C in: the caller then discards what was written.
    await yieldToEventLoop();
    if (options.signal?.aborted) return;
    const lines: string[] = [];
    for (let k = k0; k <= Math.min(steps, k0 + ROWS_PER_WRITE - 1); k++) {
      lines.push(format === 'json' ? `${k === 1 ? '\n' : ',\n'}[${line(k)}]` : `${line(k)}\n`);
    }
    await sink.write(lines.join(''));
  }
  if (format === 'json') await sink.write('\n]}\n');
}
