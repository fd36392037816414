/**
 * The values a kernel reads to decode a grid index into a trajectory's
 * settings: the fixed values first (at offsets that depend only on the
 * grid's structure), then every swept value, axis after axis, with a layout
 * record per axis. Nothing here is in the kernel's code, so grids that differ
 * only in their values or their axes' lengths share one compiled kernel.
 */
import { HYPER_FIELDS, COMPLEMENT_OF, complement, optimizerDefaults, type Convention, type HyperField, type HyperKey, type OptimizerName } from '../optimizers/index.js';
import { isLrFactorSchedule, SCHEDULES, type ScheduleName } from '../schedules.js';
import { PARAMS } from '../experiment/params.js';
import type { Spec } from '../experiment/index.js';
import type { AxisLayout } from './records.js';
import type { ScheduleLayout } from './schedule-table.js';

/** Where the fixed values start in the buffer. */
export interface FixedOffsets {
  readonly curvature: number;
  readonly minimum: number;
  readonly w0: number;
  readonly lr: number;
  /** HYPER_FIELDS.length values per optimizer–convention variant. */
  readonly hyper: number;
  /** The tiny network's two layer rates. */
  readonly layerRates: number;
  /** The tiny network's offset of the input layer's initial weights. */
  readonly initOffset: number;
  /** The tiny network's dataset (X, then y), and its minibatch draws after it. */
  readonly data: number;
}

export interface GridValues {
  readonly values: Float32Array<ArrayBuffer>;
  readonly axes: readonly AxisLayout[];
  readonly fixed: FixedOffsets;
}

/** The value of a hyperparameter field for one spec value (a complement 1 − β rounded as the convention rounds it). */
function hyperValue(field: HyperField, value: number | boolean, convention: Convention): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return COMPLEMENT_OF[field] ? complement(value, convention) : value;
}

/** The floats an axis value is stored as. */
function axisEntry(key: string, value: unknown, dims: number, whole: boolean): number[] {
  if (key === 'schedule') return [isLrFactorSchedule(value as ScheduleName) ? 1 : 0];
  if (typeof value === 'boolean') return [value ? 1 : 0];
  if (typeof value === 'string') return [SCHEDULES.indexOf(value as ScheduleName)];
  if (Array.isArray(value)) {
    if (!whole) return [0]; // piecewise vectors live in the schedule table only
    return value.length === dims ? value : new Array<number>(dims).fill(value[0]);
  }
  const x = value as number;
  return whole ? new Array<number>(dims).fill(x) : [x];
}

export function gridValues(
  spec: Spec,
  variants: readonly { optimizer: OptimizerName; convention: Convention }[],
  schedule: ScheduleLayout,
  data: ArrayLike<number> = [],
): GridValues {
  const { dims } = spec;
  const values: number[] = [...spec.base.curvature, ...spec.base.minimum, ...spec.base.w0, spec.base.lr];
  const hyper = values.length;
  // The hyperparameters' fixed values, one set per variant: the given value, or the variant's default.
  for (const { optimizer, convention } of variants) {
    const defaults = optimizerDefaults(optimizer, convention);
    for (const field of HYPER_FIELDS) {
      const key = (COMPLEMENT_OF[field] ?? field) as HyperKey;
      const value = spec.input[key] !== undefined || key === 'centered' ? spec.base[key] : defaults[key];
      values.push(hyperValue(field, value, convention));
    }
  }
  const layerRates = values.length;
  values.push(spec.base.inputLr ?? 1, spec.base.outputLr ?? 1);
  const initOffset = values.length;
  values.push(spec.base.initOffset);
  const dataOffset = values.length;
  for (let i = 0; i < data.length; i++) values.push(data[i]!);

  const conventions = (spec.axes.find((a) => a.key === 'convention')?.values as Convention[] | undefined) ?? [spec.base.convention];
  const axes: AxisLayout[] = [];
  let stride = 1;
  spec.axes.forEach((axis, a) => {
    const offset = values.length;
    const def = PARAMS[axis.key];
    const whole = def.type === 'vector' && def.perDimension && axis.component === undefined;
    for (const v of axis.values) values.push(...axisEntry(axis.key, v, dims, whole));
    // An axis of β₁, β₂ or ρ also keeps 1 − β, rounded as each convention of the grid rounds it.
    const complements = values.length;
    const field = HYPER_FIELDS.find((f) => COMPLEMENT_OF[f] === axis.key);
    if (field) for (const c of conventions) for (const v of axis.values) values.push(hyperValue(field, v as number, c));
    const tuple = schedule.tupleAxes.indexOf(a);
    axes.push({ offset, stride, length: axis.values.length, complements: field ? complements : 0, rowStride: tuple >= 0 ? schedule.tupleStrides[tuple]! : 0 });
    stride *= axis.values.length;
  });
  return {
    values: new Float32Array(values),
    axes,
    fixed: { curvature: 0, minimum: dims, w0: 2 * dims, lr: 3 * dims, hyper, layerRates, initOffset, data: dataOffset },
  };
}
