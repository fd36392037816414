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
import { applyAxisValue, type Cell, type Spec } from '../experiment/index.js';

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

/**
 * Table values for steps [k0, k1), row by row: `table[row × stride + (k − k0)]`.
 */
export function buildScheduleTable(spec: Spec, layout: ScheduleLayout, k0: number, k1: number): Float32Array<ArrayBuffer> {
  const stride = tableStride(k1 - k0);
  const table = new Float32Array(layout.tupleCount * stride);
  let row = 0;
  for (const cell of scheduleRows(spec, layout)) fillScheduleFactors(cell, k0, k1, table, row++ * stride);
  return table;
}

/**
 * The schedule settings of each table row, in row order: one cell, reused,
 * with the row's values of the tuple axes (the first tuple axis fastest).
 */
export function* scheduleRows(spec: Spec, layout: ScheduleLayout): Generator<Readonly<Cell>> {
  const cell: Cell = { ...spec.base, curvature: [...spec.base.curvature], minimum: [...spec.base.minimum], w0: [...spec.base.w0] };
  for (let row = 0; row < layout.tupleCount; row++) {
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

/** Steps per block so that one block's table fits the budget (a multiple of 4, at least 4). */
export function stepBlockLength(layout: ScheduleLayout, steps: number, budgetFloats: number = TABLE_BUDGET_FLOATS): number {
  const perRow = Math.floor(budgetFloats / layout.tupleCount / 4) * 4;
  return Math.max(4, Math.min(tableStride(steps), perRow));
}
