/**
 * One record per grid point, shared by the JSON and CSV writers: every swept
 * parameter under its camelCase name, then what became of the trajectory.
 */
import { formatFloat32 } from '../float32.js';
import { gridCoords, type Axis, type Spec, type Value } from '../experiment/index.js';
import { REGIMES, type ChunkResult } from '../engine/types.js';

/** A field value, already formatted: numbers as numpy prints float32, null for non-finite. */
export type Field = { readonly kind: 'number'; readonly text: string | null } | { readonly kind: 'string'; readonly text: string } | { readonly kind: 'raw'; readonly text: string };

export interface CellColumns {
  readonly names: readonly string[];
  /** Fields of trajectory i of the chunk, in the order of `names`. */
  readonly fields: (chunk: ChunkResult, i: number) => Field[];
}

const number = (x: number): Field => ({ kind: 'number', text: Number.isFinite(x) ? formatFloat32(x) : null });

/** A double-precision figure (the contraction rate), to 7 significant digits. */
const figure = (x: number): Field => ({ kind: 'number', text: Number.isFinite(x) ? String(Number(x.toPrecision(7))) : null });

export function axisField(value: Value): Field {
  if (typeof value === 'number') return number(value);
  if (typeof value === 'boolean') return { kind: 'raw', text: String(value) };
  if (typeof value === 'string') return { kind: 'string', text: value };
  return { kind: 'raw', text: `[${value.map((x) => formatFloat32(x)).join(',')}]` };
}

export function cellColumns(spec: Spec): CellColumns {
  const dims = spec.dims;
  const wNames = dims === 1 ? ['finalW'] : Array.from({ length: dims }, (_, d) => `finalW[${d}]`);
  const names = [...spec.axes.map((a: Axis) => a.name), 'regime', 'regimeStep', 'finalLoss', ...wNames, 'peak', 'rate'];
  return {
    names,
    fields: (chunk, i) => {
      const coords = gridCoords(spec, chunk.start + i);
      const out: Field[] = spec.axes.map((axis, a) => axisField(axis.values[coords[a]!]!));
      out.push({ kind: 'string', text: REGIMES[chunk.regime[i]!]! });
      const step = chunk.regimeStep[i]!;
      out.push(step >= 0 ? { kind: 'raw', text: String(step) } : { kind: 'number', text: null });
      out.push(number(chunk.finalLoss[i]!));
      for (let d = 0; d < dims; d++) out.push(number(chunk.finalW[i * dims + d]!));
      out.push(number(chunk.peak[i]!));
      out.push(figure(chunk.rate[i]!));
      return out;
    },
  };
}
