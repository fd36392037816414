/**
 * Assembles the WGSL for one spec from the files in shaders/, specialised by
 * generated code: lane width, dimensions, and a decoder that turns a grid
 * index into the trajectory's parameters with no per-step branching.
 */
import quadraticSource from '../../shaders/quadratic.wgsl?raw';
import gdSource from '../../shaders/optimizer-gd.wgsl?raw';
import momentumSource from '../../shaders/optimizer-momentum.wgsl?raw';
import adamSource from '../../shaders/optimizer-adam.wgsl?raw';
import rmspropSource from '../../shaders/optimizer-rmsprop.wgsl?raw';
import adagradSource from '../../shaders/optimizer-adagrad.wgsl?raw';
import adadeltaSource from '../../shaders/optimizer-adadelta.wgsl?raw';
import trajectorySource from '../../shaders/trajectory.wgsl?raw';
import groupsSource from '../../shaders/groups.wgsl?raw';
import { isLrFactorSchedule, SCHEDULES, type ScheduleName } from '../schedules.js';
import { complement, CONVENTIONS, slotCount, type Convention, type OptimizerName } from '../optimizers.js';
import { PARAMS } from '../spec/params.js';
import type { Spec } from '../spec/spec.js';
import { stateConstants, uniformStruct } from './layout.js';
import type { ScheduleLayout } from './schedule-table.js';

export interface KernelOptions {
  /** Trajectories per invocation: 1, 2 or 4 (one vector), or 8 (two vectors stepped side by side). */
  readonly lanes: 1 | 2 | 4 | 8;
  /** Invocations per workgroup. */
  readonly workgroupSize: number;
  /** Steps between escape checks in the fast loop. */
  readonly fastBlock: number;
}

/**
 * Whether the LANES trajectories of every invocation share one schedule-table
 * row: true when the first axis (the fastest) is not a schedule axis, its
 * length is a whole number of vectors, and chunks start on whole vectors.
 */
export function rowsShared(spec: Spec, schedule: ScheduleLayout, lanes: number, chunk: number, begin = 0): boolean {
  if (schedule.tupleCount === 1 || lanes === 1) return true;
  const first = spec.axes[0];
  return !!first && !schedule.tupleAxes.includes(0) && first.values.length % lanes === 0 && chunk % lanes === 0 && begin % lanes === 0;
}

const OPTIMIZER_SOURCES: Record<OptimizerName, string> = {
  gd: gdSource,
  momentum: momentumSource,
  nesterov: momentumSource,
  adam: adamSource,
  rmsprop: rmspropSource,
  adagrad: adagradSource,
  adadelta: adadeltaSource,
};

/** Every WGSL source a kernel is built from (the tuning cache hashes them). */
export const KERNEL_SOURCES: readonly string[] = [quadraticSource, ...new Set(Object.values(OPTIMIZER_SOURCES)), trajectorySource, groupsSource];

/** Hyperparameters the kernel reads: the spec's, and the complements 1 − β that depend on them. */
const HYPER_FIELDS = ['momentum', 'beta1', 'beta2', 'epsilon', 'rho', 'centered', 'initialAccumulator', 'c1', 'c2', 'cRho'] as const;
type HyperField = (typeof HYPER_FIELDS)[number];
const COMPLEMENT_OF: Partial<Record<HyperField, 'beta1' | 'beta2' | 'rho'>> = { c1: 'beta1', c2: 'beta2', cRho: 'rho' };

function kernelHyperFields(optimizer: OptimizerName): HyperField[] {
  switch (optimizer) {
    case 'gd':
      return [];
    case 'momentum':
    case 'nesterov':
      return ['momentum'];
    case 'adam':
      return ['beta1', 'beta2', 'epsilon', 'c1', 'c2'];
    case 'rmsprop':
      return ['rho', 'cRho', 'momentum', 'epsilon', 'centered'];
    case 'adagrad':
      return ['initialAccumulator', 'epsilon'];
    case 'adadelta':
      return ['rho', 'cRho', 'epsilon'];
  }
}

/** The value of a hyperparameter field for one spec value. */
function hyperValue(field: HyperField, value: number | boolean, convention: Convention): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return COMPLEMENT_OF[field] ? complement(value, convention) : value;
}

/** Writes each line of shaders/groups.wgsl that holds `@g` once per group, `@g` replaced by its index. */
export function expandGroups(source: string, groups: number): string {
  return source
    .split('\n')
    .flatMap((line) => (line.includes('@g') ? Array.from({ length: groups }, (_, g) => line.replaceAll('@g', String(g))) : [line]))
    .join('\n');
}

/** Lanes per vector: WGSL's vectors hold at most four. */
export function vectorWidth(lanes: number): 1 | 2 | 4 {
  return Math.min(lanes, 4) as 1 | 2 | 4;
}

/** Words of optimizer state each trajectory keeps. */
export function slotWords(spec: Spec): number {
  return slotCount(spec.base.optimizer, spec.dims);
}

export const DEFAULT_KERNEL_OPTIONS: KernelOptions = { lanes: 4, workgroupSize: 64, fastBlock: 256 };

export interface Kernel {
  readonly code: string;
  /** The fixed objective values and lr, then every swept value, axis after axis. */
  readonly axisValues: Float32Array<ArrayBuffer>;
}

function lanePrelude(lanes: number): string {
  if (lanes === 1) {
    return `alias V = f32;
alias VU = u32;
alias VI = i32;
alias VB = bool;
fn setLane(v: f32, j: u32, x: f32) -> f32 { return x; }
fn setLaneU(v: u32, j: u32, x: u32) -> u32 { return x; }
fn laneU(v: u32, j: u32) -> u32 { return v; }
fn laneF(v: f32, j: u32) -> f32 { return v; }`;
  }
  return `alias V = vec${lanes}<f32>;
alias VU = vec${lanes}<u32>;
alias VI = vec${lanes}<i32>;
alias VB = vec${lanes}<bool>;
fn setLane(v: V, j: u32, x: f32) -> V { var r = v; r[j] = x; return r; }
fn setLaneU(v: VU, j: u32, x: u32) -> VU { var r = v; r[j] = x; return r; }
fn laneU(v: VU, j: u32) -> u32 { return v[j]; }
fn laneF(v: V, j: u32) -> f32 { return v[j]; }`;
}

/** Float value an axis entry stores for the kernel. */
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

export function buildKernel(spec: Spec, schedule: ScheduleLayout, options: KernelOptions = DEFAULT_KERNEL_OPTIONS, rowShared = false): Kernel {
  const { dims } = spec;
  // The fixed values come first, in the buffer rather than in the code, so
  // specs that differ only in them share one compiled pipeline.
  const { optimizer, convention } = spec.base;
  const constants = { curvature: 0, minimum: dims, w0: 2 * dims, lr: 3 * dims, hyper: 3 * dims + 1 };
  const values: number[] = [...spec.base.curvature, ...spec.base.minimum, ...spec.base.w0, spec.base.lr];
  for (const field of HYPER_FIELDS) values.push(hyperValue(field, spec.base[COMPLEMENT_OF[field] ?? (field as Exclude<HyperField, 'c1' | 'c2' | 'cRho'>)], convention));
  const offsets: number[] = [];
  const strides: number[] = [];
  /** Where an axis of β₁, β₂ or ρ keeps its complements 1 − β. */
  const complementOffsets: number[] = [];
  let stride = 1;
  for (const axis of spec.axes) {
    offsets.push(values.length);
    strides.push(stride);
    stride *= axis.values.length;
    const def = PARAMS[axis.key];
    const whole = def.type === 'vector' && def.perDimension && axis.component === undefined;
    for (const v of axis.values) values.push(...axisEntry(axis.key, v, dims, whole));
    complementOffsets.push(values.length);
    const field = (Object.keys(COMPLEMENT_OF) as HyperField[]).find((f) => COMPLEMENT_OF[f] === axis.key);
    if (field) for (const v of axis.values) values.push(hyperValue(field, v as number, convention));
  }

  const axisOf = (key: string, component?: number) =>
    spec.axes.findIndex((a) => a.key === key && a.component === component);
  const coordName = (a: number) => `c${a}`;
  const used = new Set<number>();
  const read = (a: number, index: string) => {
    used.add(a);
    return `axisValues[${offsets[a]}u + ${index}]`;
  };

  const vectorExpr = (key: 'curvature' | 'minimum' | 'w0', d: number): string => {
    const component = axisOf(key, d);
    if (component >= 0) return read(component, coordName(component));
    const whole = axisOf(key);
    if (whole >= 0) return read(whole, `${coordName(whole)} * ${dims}u + ${d}u`);
    return `axisValues[${constants[key] + d}u]`;
  };
  const lrAxis = axisOf('lr');
  const lrExpr = lrAxis >= 0 ? read(lrAxis, coordName(lrAxis)) : `axisValues[${constants.lr}u]`;
  const scheduleAxis = axisOf('schedule');
  const multiplierExpr =
    scheduleAxis >= 0
      ? `select(1.0, ${lrExpr}, ${read(scheduleAxis, coordName(scheduleAxis))} > 0.5)`
      : isLrFactorSchedule(spec.base.schedule)
        ? lrExpr
        : '1.0';
  const rowTerms = schedule.tupleAxes.map((a, j) => {
    used.add(a);
    return `${coordName(a)} * ${schedule.tupleStrides[j]}u`;
  });
  const rowExpr = rowTerms.length ? rowTerms.join(' + ') : '0u';

  const body: string[] = [];
  const lane = (field: string, expr: string, setter = 'setLane') => body.push(`  (*setting).${field} = ${setter}((*setting).${field}, j, ${expr});`);
  for (let d = 0; d < dims; d++) {
    lane(`objective.L[${d}]`, vectorExpr('curvature', d));
    lane(`objective.c[${d}]`, vectorExpr('minimum', d));
    lane(`initialW[${d}]`, vectorExpr('w0', d));
  }
  lane('multiplier', multiplierExpr);
  const hyperFields = kernelHyperFields(optimizer);
  for (const field of hyperFields) {
    const source = COMPLEMENT_OF[field];
    const axis = axisOf(source ?? field);
    if (axis < 0) lane(`hyper.${field}`, `axisValues[${constants.hyper + HYPER_FIELDS.indexOf(field)}u]`);
    else if (!source) lane(`hyper.${field}`, read(axis, coordName(axis)));
    else {
      read(axis, coordName(axis)); // marks the axis's coordinate as used
      lane(`hyper.${field}`, `axisValues[${complementOffsets[axis]}u + ${coordName(axis)}]`);
    }
  }
  lane('row', rowExpr, 'setLaneU');
  const coords = [...used]
    .sort((a, b) => a - b)
    .map((a) => `  let ${coordName(a)} = (index / ${strides[a]}u) % ${spec.axes[a]!.values.length}u;`);

  const prelude = `// Generated for this spec by src/engine/shader.ts.
${lanePrelude(vectorWidth(options.lanes))}
const LANES = ${vectorWidth(options.lanes)}u;
const GROUPS = ${options.lanes / vectorWidth(options.lanes)}u;
const DIMS = ${dims}u;
const WORKGROUP = ${options.workgroupSize}u;
const FAST_BLOCK = ${options.fastBlock}u;
const ROW_SHARED = ${rowShared};
const NESTEROV = ${optimizer === 'nesterov'};
${CONVENTIONS.map((c, i) => `const ${c.toUpperCase()} = ${i}u;`).join('\n')}
const CONVENTION = ${convention.toUpperCase()};
${stateConstants(dims, slotCount(optimizer, dims))}
// The optimizer's hyperparameters, one lane each (a placeholder for gd).
struct Hyper {
${(hyperFields.length ? hyperFields : ['unused']).map((f) => `  ${f}: V,`).join('\n')}
}
${uniformStruct()}`;

  const decoder = `// Grid index → lane j of a Setting: objective, initial point, lr multiplier, hyperparameter, table row.
fn decodeLane(setting: ptr<function, Setting>, j: u32, index: u32) {
${coords.join('\n')}
${body.join('\n')}
}`;

  const groups = options.lanes / vectorWidth(options.lanes);
  const code = [prelude, quadraticSource, OPTIMIZER_SOURCES[optimizer], trajectorySource, expandGroups(groupsSource, groups), decoder].join('\n\n');
  return { code, axisValues: new Float32Array(values) };
}
