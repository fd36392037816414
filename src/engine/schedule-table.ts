/**
 * Host-computed learning-rate tables, shared by both engines.
 *
 * WGSL's `pow`, `exp` and `cos` are allowed errors far beyond one float32
 * ulp, so the kernel never evaluates a schedule: the host evaluates it in
 * TensorFlow's float32 op order (src/schedules.ts) and uploads one row per
 * distinct schedule setting ("tuple"). The kernel then does a single float32
 * multiply, `lr = A × table[row][k]`, where A is the trajectory's own lr for
 * schedules of the form lr × factor(k) and 1 for the others.
 */
import { f32 } from '../float32.js';
import { fillScheduleFactors, isLrFactorSchedule, type ScheduleName } from '../schedules.js';
import { SpecError } from '../errors.js';
import { PARAMS } from '../experiment/params.js';
import { applyAxisValue, gridCoords, type Cell, type Spec } from '../experiment/index.js';

export interface ScheduleLayout {
  /** Indices (into spec.axes) of the axes that change a trajectory's table row. */
  readonly tupleAxes: readonly number[];
  /** Row stride of each tuple axis. */
  readonly tupleStrides: readonly number[];
  /** Number of distinct rows. */
  readonly tupleCount: number;
}

/** Schedules that can occur in the grid. */
export function schedulesInPlay(spec: Spec): ScheduleName[] {
  const axis = spec.axes.find((a) => a.key === 'schedule');
  return axis ? (axis.values as ScheduleName[]) : [spec.base.schedule];
}

/** The most distinct schedule settings one grid may sweep (each needs its own table row). */
export const MAX_SCHEDULE_ROWS = 1 << 20;

export function scheduleLayout(spec: Spec): ScheduleLayout {
  const lrIsFactor = schedulesInPlay(spec).every(isLrFactorSchedule);
  const tupleAxes: number[] = [];
  const tupleStrides: number[] = [];
  let count = 1;
  spec.axes.forEach((axis, i) => {
    if (PARAMS[axis.key].group !== 'schedule') return;
    if (axis.key === 'lr' && lrIsFactor) return;
    tupleAxes.push(i);
    tupleStrides.push(count);
    count *= axis.values.length;
  });
  if (count > MAX_SCHEDULE_ROWS) {
    const names = tupleAxes.map((i) => `--${PARAMS[spec.axes[i]!.key].flag}`).join(' × ');
    throw new SpecError(names, `sweeps ${count} distinct learning-rate schedules`, `at most ${MAX_SCHEDULE_ROWS}; sweep fewer schedule parameters at once`);
  }
  return { tupleAxes, tupleStrides, tupleCount: count };
}

/** The table row of a trajectory with the given grid coordinates. */
export function tupleIndex(layout: ScheduleLayout, coords: readonly number[]): number {
  let row = 0;
  layout.tupleAxes.forEach((axis, j) => (row += coords[axis]! * layout.tupleStrides[j]!));
  return row;
}

/** What the kernel multiplies the table value by: lr for factor schedules, 1 otherwise. */
export function lrMultiplier(cell: Cell): number {
  return isLrFactorSchedule(cell.schedule) ? f32(cell.lr) : 1;
}

/** Rows are padded to a multiple of 4 so the kernel can read four steps at once. */
export function tableStride(blockLength: number): number {
  return Math.ceil(blockLength / 4) * 4;
}

/** A run of consecutive table rows: the rows one chunk of trajectories reads. */
export interface RowWindow {
  readonly first: number;
  readonly count: number;
}

/** Every row of the table. */
export function allRows(layout: ScheduleLayout): RowWindow {
  return { first: 0, count: layout.tupleCount };
}

/**
 * The rows that trajectories [start, start + count) of the grid read, from
 * the lowest to the highest: a chunk's share of the table, which is all the
 * table a chunk needs. Where a grid's fast axis is not a schedule axis (lr ×
 * decay rate, with lr along x), a chunk reads a few rows of many: a 2048²
 * grid's chunk of 262,144 trajectories reads 128 rows of 2048.
 */
export function tableWindow(spec: Spec, layout: ScheduleLayout, start: number, count: number): RowWindow {
  if (layout.tupleCount === 1 || count <= 0) return { first: 0, count: 1 };
  // The row is constant between multiples of the fastest tuple axis's grid stride: one look per run of them.
  let step = 1;
  for (let a = 0; a < layout.tupleAxes[0]!; a++) step *= spec.axes[a]!.values.length;
  const end = start + count;
  let low = Infinity;
  let high = -Infinity;
  for (let index = start; index < end && high - low + 1 < layout.tupleCount; index = (Math.floor(index / step) + 1) * step) {
    const row = tupleIndex(layout, gridCoords(spec, index));
    low = Math.min(low, row);
    high = Math.max(high, row);
  }
  return { first: low, count: high - low + 1 };
}

/** The rows that the trajectories at grid indices `indices` read, from the lowest to the highest (a trace's share of the table). */
export function indicesWindow(spec: Spec, layout: ScheduleLayout, indices: readonly number[]): RowWindow {
  if (indices.length === 0) return { first: 0, count: 1 };
  const rows = indices.map((index) => tupleIndex(layout, gridCoords(spec, index)));
  const first = Math.min(...rows);
  return { first, count: Math.max(...rows) - first + 1 };
}

/** The most rows any chunk of `chunk` trajectories in [begin, end) reads: the size of a chunk's table. */
export function largestWindow(spec: Spec, layout: ScheduleLayout, begin: number, end: number, chunk: number): number {
  let rows = 1;
  for (let start = begin; start < end && rows < layout.tupleCount; start += chunk) {
    rows = Math.max(rows, tableWindow(spec, layout, start, Math.min(chunk, end - start)).count);
  }
  return rows;
}

/**
 * A chunk's table for a block of steps, kept from one call to the next and
 * built again (by `build`, given the table it replaces) only where the rows
 * or the block change: consecutive chunks often read the same rows.
 */
export class ChunkTable<T> {
  private rows: RowWindow = { first: -1, count: 0 };
  private b0 = -1;
  /** The table built last, if any. */
  current: T | undefined;

  constructor(private readonly build: (rows: RowWindow, b0: number, b1: number, previous: T | undefined) => T) {}

  /** The table of `rows` for steps [b0, b1), and whether this call built it. */
  get(rows: RowWindow, b0: number, b1: number): { table: T; fresh: boolean } {
    const fresh = this.current === undefined || rows.first !== this.rows.first || rows.count !== this.rows.count || b0 !== this.b0;
    if (fresh) {
      this.current = this.build(rows, b0, b1, this.current);
      this.rows = rows;
      this.b0 = b0;
    }
    return { table: this.current!, fresh };
  }
}

/**
 * Table values for steps [k0, k1) of the rows in `rows` (all of them unless
 * given), row by row: `table[(row − rows.first) × stride + (k − k0)]`.
 * Written into `into` where it is large enough (a buffer reused chunk after
 * chunk: fresh memory is slow to touch), else into a new array.
 */
export function buildScheduleTable(
  spec: Spec,
  layout: ScheduleLayout,
  k0: number,
  k1: number,
  rows: RowWindow = allRows(layout),
  into?: Float32Array<ArrayBuffer>,
): Float32Array<ArrayBuffer> {
  const stride = tableStride(k1 - k0);
  const length = rows.count * stride;
  const table = into && into.length >= length ? into.subarray(0, length) : new Float32Array(length);
  let row = 0;
  for (const cell of scheduleRows(spec, layout, rows)) {
    fillScheduleFactors(cell, k0, k1, table, row * stride);
    // The padding to a whole vec4 (never used, but never left over from another block).
    table.fill(0, row * stride + k1 - k0, ++row * stride);
  }
  return table;
}

/**
 * The schedule settings of each table row in `rows` (all of them unless
 * given), in row order: one cell, reused, with the row's values of the
 * tuple axes (the first tuple axis fastest).
 */
export function* scheduleRows(spec: Spec, layout: ScheduleLayout, rows: RowWindow = allRows(layout)): Generator<Readonly<Cell>> {
  const cell: Cell = { ...spec.base, curvature: [...spec.base.curvature], minimum: [...spec.base.minimum], w0: [...spec.base.w0] };
  for (let row = rows.first; row < rows.first + rows.count; row++) {
    let rest = row;
    for (const axisIndex of layout.tupleAxes) {
      const axis = spec.axes[axisIndex]!;
      applyAxisValue(cell, spec.dims, axis, axis.values[rest % axis.values.length]!);
      rest = Math.floor(rest / axis.values.length);
    }
    yield cell;
  }
}

/** Float32 values the tables may hold in all, per block; sets the step-block length. */
export const TABLE_BUDGET_FLOATS = 1 << 24;

/** Steps per block so that one block's table of `rows` rows fits the budget (a multiple of 4, at least 4). */
export function stepBlockLength(rows: number, steps: number, budgetFloats: number = TABLE_BUDGET_FLOATS): number {
  const perRow = Math.floor(budgetFloats / rows / 4) * 4;
  return Math.max(4, Math.min(tableStride(steps), perRow));
}
