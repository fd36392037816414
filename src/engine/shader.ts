/**
 * Assembles the WGSL for one spec from the files in shaders/, specialised by
 * generated code: lane width, dimensions, and a decoder that turns a grid
 * index into the trajectory's parameters with no per-step branching.
 */
import quadraticSource from '../../shaders/quadratic.wgsl?raw';
import mathSource from '../../shaders/f32math.wgsl?raw';
import mlpSource from '../../shaders/objective-mlp.wgsl?raw';
import { specObjective } from '../objectives/catalogue.js';
import { f32MathWgsl } from '../objectives/f32math.js';
import gdSource from '../../shaders/optimizer-gd.wgsl?raw';
import momentumSource from '../../shaders/optimizer-momentum.wgsl?raw';
import adamSource from '../../shaders/optimizer-adam.wgsl?raw';
import rmspropSource from '../../shaders/optimizer-rmsprop.wgsl?raw';
import adagradSource from '../../shaders/optimizer-adagrad.wgsl?raw';
import adadeltaSource from '../../shaders/optimizer-adadelta.wgsl?raw';
import trajectorySource from '../../shaders/trajectory.wgsl?raw';
import groupsSource from '../../shaders/groups.wgsl?raw';
import { isLrFactorSchedule, SCHEDULES, type ScheduleName } from '../schedules.js';
import { complement, CONVENTIONS, optimizerDefaults, optimizerParams, slotCount, type Convention, type HyperKey, type OptimizerName } from '../optimizers.js';
import { PARAMS } from '../experiment/params.js';
import { optimizerVariants, type Spec } from '../experiment/index.js';
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

export const OPTIMIZER_SOURCES: Record<OptimizerName, string> = {
  gd: gdSource,
  momentum: momentumSource,
  nesterov: momentumSource,
  adam: adamSource,
  rmsprop: rmspropSource,
  adagrad: adagradSource,
  adadelta: adadeltaSource,
};

/** Every WGSL source a kernel is built from (the tuning cache hashes them). */
export const KERNEL_SOURCES: readonly string[] = [quadraticSource, mathSource, mlpSource, ...new Set(Object.values(OPTIMIZER_SOURCES)), trajectorySource, groupsSource];

/** Hyperparameters the kernel reads: the spec's, and the complements 1 − β that depend on them. */
const HYPER_FIELDS = ['momentum', 'beta1', 'beta2', 'epsilon', 'rho', 'centered', 'initialAccumulator', 'c1', 'c2', 'cRho'] as const;
type HyperField = (typeof HYPER_FIELDS)[number];
const COMPLEMENT_OF: Partial<Record<HyperField, 'beta1' | 'beta2' | 'rho'>> = { c1: 'beta1', c2: 'beta2', cRho: 'rho' };

/** The fields an optimizer's kernel reads: its parameters in any convention, and the complements of its β and ρ. */
function kernelHyperFields(optimizer: OptimizerName): HyperField[] {
  const read = new Set<string>(CONVENTIONS.flatMap((c) => optimizerParams(optimizer, c)));
  return HYPER_FIELDS.filter((field) => read.has(COMPLEMENT_OF[field] ?? field));
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
  return optimizerVariants(spec).reduce((n, v) => n + slotCount(v.optimizer, spec.dims), 0);
}

/**
 * The optimizer code of a kernel. One optimizer–convention pair: its file as
 * it is, with CONVENTION and NESTEROV defined in front. Several (a swept
 * optimizer or convention): each file with its names suffixed by the
 * variant's index and its slots at their own offset, and a dispatcher that
 * steps every variant and keeps, per lane, the result of the lane's own
 * (h.variant). Every lane then pays for all the variants in the grid.
 */
function optimizerCode(variants: readonly { optimizer: OptimizerName; convention: Convention }[], dims: number): string {
  const constants = (suffix: string, v: { optimizer: OptimizerName; convention: Convention }, slotOffset: number) =>
    `const NESTEROV${suffix} = ${v.optimizer === 'nesterov'};
const CONVENTION${suffix} = ${v.convention.toUpperCase()};
const F_SLOTS${suffix} = F_SLOTS + ${slotOffset}u;`;
  if (variants.length === 1) {
    const [{ optimizer, convention }] = variants as [{ optimizer: OptimizerName; convention: Convention }];
    return `const NESTEROV = ${optimizer === 'nesterov'};\nconst CONVENTION = ${convention.toUpperCase()};\n${OPTIMIZER_SOURCES[optimizer]}`;
  }
  const parts: string[] = [];
  let offset = 0;
  variants.forEach((v, i) => {
    const renamed = OPTIMIZER_SOURCES[v.optimizer].replace(
      /\b(Slots|initialSlots|update|selectSlots|loadSlots|storeSlots|CONVENTION|NESTEROV|F_SLOTS)\b/g,
      `$1_${i}`,
    );
    parts.push(`// Variant ${i}: ${v.optimizer}, ${v.convention} convention.\n${constants(`_${i}`, v, offset)}\n${renamed}`);
    offset += slotCount(v.optimizer, dims);
  });
  const each = (f: (i: number) => string, sep = '\n') => variants.map((_, i) => f(i)).join(sep);
  parts.push(`// Every variant's state; each lane uses its own variant's.
struct Slots {
${each((i) => `  v${i}: Slots_${i},`)}
}

fn initialSlots(h: Hyper) -> Slots {
  var s: Slots;
${each((i) => `  s.v${i} = initialSlots_${i}(h);`)}
  return s;
}

fn update(w: ptr<function, array<V, DIMS>>, g: array<V, DIMS>, lr: V, slots: ptr<function, Slots>, h: Hyper) {
  let start = *w;
${each((i) => `  var w${i} = start;
  var s${i} = (*slots).v${i};
  update_${i}(&w${i}, g, lr, &s${i}, h);
  (*slots).v${i} = s${i};`)}
  for (var i = 0u; i < dimCount(); i++) {
    var r = w0[i];
${each((i) => (i === 0 ? '' : `    r = select(r, w${i}[i], h.variant == V(${i}.0));`)).trim()}
    (*w)[i] = r;
  }
}

fn selectSlots(keep: Slots, take: Slots, mask: VB) -> Slots {
  var s: Slots;
${each((i) => `  s.v${i} = selectSlots_${i}(keep.v${i}, take.v${i}, mask);`)}
  return s;
}

fn loadSlots(slot: u32) -> Slots {
  var s: Slots;
${each((i) => `  s.v${i} = loadSlots_${i}(slot);`)}
  return s;
}

fn storeSlots(s: Slots, slot: u32) {
${each((i) => `  storeSlots_${i}(s.v${i}, slot);`)}
}`);
  return parts.join('\n\n');
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
  const variants = optimizerVariants(spec);
  const conventions = spec.axes.find((a) => a.key === 'convention')?.values as Convention[] | undefined ?? [spec.base.convention];
  const constants = { curvature: 0, minimum: dims, w0: 2 * dims, lr: 3 * dims, hyper: 3 * dims + 1 };
  const values: number[] = [...spec.base.curvature, ...spec.base.minimum, ...spec.base.w0, spec.base.lr];
  // The hyperparameters' fixed values, one set per variant: the given value, or the variant's default.
  for (const { optimizer, convention } of variants) {
    const defaults = optimizerDefaults(optimizer, convention);
    for (const field of HYPER_FIELDS) {
      const key = COMPLEMENT_OF[field] ?? (field as HyperKey);
      const value = spec.input[key] !== undefined || key === 'centered' ? spec.base[key] : defaults[key];
      values.push(hyperValue(field, value, convention));
    }
  }
  // The tiny network's layer rates, when fixed.
  const layerRateOffset = values.length;
  values.push(spec.base.inputLr ?? 1, spec.base.outputLr ?? 1);
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
    // An axis of β₁, β₂ or ρ also keeps 1 − β, rounded as each convention of the grid rounds it.
    complementOffsets.push(values.length);
    const field = (Object.keys(COMPLEMENT_OF) as HyperField[]).find((f) => COMPLEMENT_OF[f] === axis.key);
    if (field) for (const c of conventions) for (const v of axis.values) values.push(hyperValue(field, v as number, c));
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
  const expression = specObjective(spec);
  if (spec.base.objective === 'mlp') {
    (['inputLr', 'outputLr'] as const).forEach((key, layer) => {
      const axis = axisOf(key);
      lane(`objective.rate[${layer}]`, axis >= 0 ? read(axis, coordName(axis)) : `axisValues[${layerRateOffset + layer}u]`);
    });
  }
  for (let d = 0; d < dims; d++) {
    if (!expression) {
      lane(`objective.L[${d}]`, vectorExpr('curvature', d));
      lane(`objective.c[${d}]`, vectorExpr('minimum', d));
    }
    lane(`initialW[${d}]`, vectorExpr('w0', d));
  }
  lane('multiplier', multiplierExpr);
  const hyperFields = [...new Set(variants.flatMap((v) => kernelHyperFields(v.optimizer)))];
  const optimizerAxis = axisOf('optimizer');
  const conventionAxis = axisOf('convention');
  const coordOf = (a: number) => {
    used.add(a);
    return coordName(a);
  };
  const conventionExpr = conventionAxis >= 0 ? coordOf(conventionAxis) : '0u';
  const variantTerms = [
    ...(optimizerAxis >= 0 ? [coordOf(optimizerAxis)] : []),
    ...(conventionAxis >= 0 ? [`${conventionExpr} * ${optimizerAxis >= 0 ? spec.axes[optimizerAxis]!.values.length : 1}u`] : []),
  ];
  const variantExpr = variantTerms.length ? variantTerms.join(' + ') : '0u';
  for (const field of hyperFields) {
    const source = COMPLEMENT_OF[field];
    const axis = axisOf(source ?? field);
    if (axis < 0) lane(`hyper.${field}`, `axisValues[${constants.hyper + HYPER_FIELDS.indexOf(field)}u + (${variantExpr}) * ${HYPER_FIELDS.length}u]`);
    else if (!source) lane(`hyper.${field}`, read(axis, coordName(axis)));
    else {
      const n = spec.axes[axis]!.values.length;
      lane(`hyper.${field}`, `axisValues[${complementOffsets[axis]}u + ${conventionExpr} * ${n}u + ${coordOf(axis)}]`);
    }
  }
  if (variants.length > 1) lane('hyper.variant', `f32(${variantExpr})`);
  lane('row', rowExpr, 'setLaneU');
  const coords = [...used]
    .sort((a, b) => a - b)
    .map((a) => `  let ${coordName(a)} = (index / ${strides[a]}u) % ${spec.axes[a]!.values.length}u;`);

  const prelude = `// Generated for this spec by src/engine/shader.ts.
${lanePrelude(vectorWidth(options.lanes))}
const LANES = ${vectorWidth(options.lanes)}u;
const GROUPS = ${options.lanes / vectorWidth(options.lanes)}u;
const DIMS = ${dims}u;
// Loops over the dimensions: unrolled by the compiler for a few, kept as
// loops for many (unrolled, 42 dimensions took over a minute to compile on lavapipe).
fn dimCount() -> u32 {
  return select(DIMS | u.zero, DIMS, DIMS <= 8u);
}
const WORKGROUP = ${options.workgroupSize}u;
const FAST_BLOCK = ${options.fastBlock}u;
const ROW_SHARED = ${rowShared};
const COMPACT = ${expression !== undefined};
${CONVENTIONS.map((c, i) => `const ${c.toUpperCase()} = ${i}u;`).join('\n')}
${stateConstants(dims, slotWords(spec))}
// The optimizer's hyperparameters, one lane each (a placeholder for gd);
// \`variant\` picks the optimizer and convention when the grid has several.
struct Hyper {
${[...(hyperFields.length ? hyperFields : ['unused']), ...(variants.length > 1 ? ['variant'] : [])].map((f) => `  ${f}: V,`).join('\n')}
}
${uniformStruct()}`;

  const decoder = `// Grid index → lane j of a Setting: objective, initial point, lr multiplier, hyperparameter, table row.
fn decodeLane(setting: ptr<function, Setting>, j: u32, index: u32) {
${coords.join('\n')}
${body.join('\n')}
}`;

  const groups = options.lanes / vectorWidth(options.lanes);
  // The network's dataset follows every other value in the buffer.
  const dataCode = 'data' in (expression ?? {}) ? `const DATA = ${values.length}u;\n` : '';
  if (expression && 'data' in expression) values.push(...expression.data);
  const objectiveCode = expression ? `${f32MathWgsl()}\n\n${dataCode}${expression.wgsl}` : quadraticSource;
  const code = [prelude, objectiveCode, optimizerCode(variants, dims), trajectorySource, expandGroups(groupsSource, groups), decoder].join('\n\n');
  return { code, axisValues: new Float32Array(values) };
}
