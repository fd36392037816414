/**
 * The grid of a spec: its size and shape, where a trajectory sits in it, and
 * the complete settings of one trajectory.
 */
import { HYPER_KEYS, optimizerDefaults, type Convention, type OptimizerName } from '../optimizers/index.js';
import type { Axis, Cell, Spec } from './types.js';
import type { Value } from './values.js';

/** The most trajectories one grid may hold (indices are 32-bit on the GPU). */
export const MAX_GRID_SIZE = 2 ** 32 - 1;

/** Number of trajectories in the grid. */
export function gridSize(spec: Spec): number {
  let n = 1;
  for (const a of spec.axes) n *= a.values.length;
  return n;
}

/** The grid shape, first axis (fastest) first. */
export function gridShape(spec: Spec): number[] {
  return spec.axes.map((a) => a.values.length);
}

/** Per-axis indices of a trajectory. */
export function gridCoords(spec: Spec, index: number): number[] {
  const coords: number[] = [];
  let rest = index;
  for (const a of spec.axes) {
    const n = a.values.length;
    coords.push(rest % n);
    rest = Math.floor(rest / n);
  }
  return coords;
}

/** The settings of one trajectory. */
export function cellAt(spec: Spec, index: number): Cell {
  const cell = { ...spec.base, curvature: [...spec.base.curvature], minimum: [...spec.base.minimum], w0: [...spec.base.w0] } as Cell;
  const coords = gridCoords(spec, index);
  spec.axes.forEach((axis, i) => applyAxisValue(cell, spec.dims, axis, axis.values[coords[i]!]!));
  if (spec.axes.some((a) => a.key === 'optimizer' || a.key === 'convention')) {
    const defaults = optimizerDefaults(cell.optimizer, cell.convention);
    for (const key of HYPER_KEYS) {
      if (key !== 'centered' && spec.input[key] === undefined) cell[key] = defaults[key];
    }
  }
  return cell;
}

/** The optimizer–convention pairs of a grid; the variant of a cell is optimizerIndex + optimizers × conventionIndex. */
export function optimizerVariants(spec: Spec): { optimizer: OptimizerName; convention: Convention }[] {
  const values = <T>(key: 'optimizer' | 'convention', fixed: T): T[] => (spec.axes.find((a) => a.key === key)?.values as T[] | undefined) ?? [fixed];
  const optimizers = values('optimizer', spec.base.optimizer);
  return values('convention', spec.base.convention).flatMap((convention) => optimizers.map((optimizer) => ({ optimizer, convention })));
}

/** Sets an axis value on a cell (broadcasting scalars over dimensions). */
export function applyAxisValue(cell: Cell, dims: number, axis: Axis, value: Value): void {
  const target = cell as unknown as Record<string, unknown>;
  if (axis.component !== undefined) {
    (target[axis.key] as number[])[axis.component] = value as number;
  } else if (axis.key === 'curvature' || axis.key === 'minimum' || axis.key === 'w0') {
    target[axis.key] = broadcast(value, dims);
  } else {
    target[axis.key] = value;
  }
}



export function broadcast(value: Value, dims: number): number[] {
  const v = Array.isArray(value) ? (value as number[]) : [value as number];
  return v.length === dims ? [...v] : new Array<number>(dims).fill(v[0]!);
}
