/**
 * Assembles a kernel's WGSL. There is one way: the files in shaders/ are
 * taken as they are, and the declarations they rely on are generated in front
 * of them: the lane aliases and structural constants, the structs of
 * src/engine/records.ts, the optimizer glue, the objective's constants and
 * the decoder from a grid index to a trajectory's settings. What is fixed
 * per pipeline rather than per structure (workgroup size, fast-block length,
 * whether lanes share a schedule row) is an `override` constant, and the
 * grid's values and axis layout are buffers (src/engine/grid-values.ts), so
 * the code depends only on the grid's structure: which parameters are swept,
 * the dimensions, the objective, the optimizers and the lanes.
 */
import advanceSource from '../../shaders/advance.wgsl?raw';
import commonSource from '../../shaders/common.wgsl?raw';
import mathSource from '../../shaders/f32math.wgsl?raw';
import mlpSource from '../../shaders/objective-mlp.wgsl?raw';
import mlpPointsSource from '../../shaders/mlp-points.wgsl?raw';
import mlpTeamSource from '../../shaders/mlp-team.wgsl?raw';
import mlpWideSource from '../../shaders/mlp-wide.wgsl?raw';
import quadraticSource from '../../shaders/objective-quadratic.wgsl?raw';
import trajectorySource from '../../shaders/trajectory.wgsl?raw';
import wideStateSource from '../../shaders/wide-state.wgsl?raw';
import wideSource from '../../shaders/wide.wgsl?raw';
import type { Spec } from '../experiment/index.js';
import { MATH_CONSTANTS } from '../objectives/f32math.js';
import type { CompiledObjective, MlpObjective } from '../objectives/catalogue.js';
import { COMPLEMENT_OF, CONVENTIONS, HYPER_FIELDS, optimizer, OPTIMIZER_TABLE, optimizerParams, type Convention, type HyperField, type OptimizerName } from '../optimizers/index.js';
import { isLrFactorSchedule } from '../schedules.js';
import type { FixedOffsets } from './grid-values.js';
import { f32 } from '../float32.js';
import { mlpBlocksWgsl, POINT_BLOCK, type NetworkLayout } from './mlp-kernel.js';
import { mlpTeamWgsl } from './mlp-team.js';
import { AXIS_FIELDS, LOSS_CAP, LOSS_TAIL, stateWgsl, UNIFORM_FIELDS, wgslStruct, type KernelForm, type StateLayout } from './records.js';
import type { ScheduleLayout } from './schedule-table.js';
import type { KernelOptions } from './kernel-options.js';

export { DEFAULT_KERNEL_OPTIONS, type KernelOptions } from './kernel-options.js';

/** Every WGSL file a kernel is built from (the tuning cache hashes them). */
export const KERNEL_SOURCES: readonly string[] = [
  quadraticSource,
  mathSource,
  mlpSource,
  mlpWideSource,
  mlpPointsSource,
  mlpTeamSource,
  ...new Set(Object.values(OPTIMIZER_TABLE).map((o) => o.wgsl.source)),
  commonSource,
  trajectorySource,
  advanceSource,
  wideStateSource,
  wideSource,
];

/** Dimensions up to which a trajectory's state is held in private memory (the narrow form). */
export const NARROW_DIMS = 8;

/**
 * Which kernel form steps a spec: the narrow one (state in private memory,
 * unrolled over the dimensions) for few dimensions, the wide one (state in
 * place in the state buffer) for more, and for the network, whose weights
 * would not fit a register file. The wide form's code does not grow with the
 * dimensions, so it compiles in about the same time at 9 dimensions as at 1,056.
 */
export function kernelForm(dims: number, objective: CompiledObjective | MlpObjective | undefined): KernelForm {
  return (objective && 'config' in objective) || dims > NARROW_DIMS ? 'wide' : 'narrow';
}

/** Lanes per vector: WGSL's vectors hold at most four. */
export function vectorWidth(lanes: number): 1 | 2 | 4 {
  return Math.min(lanes, 4) as 1 | 2 | 4;
}

/** A `const` the generated code declares in front of a file. */
export interface WgslConstant {
  readonly name: string;
  readonly type: 'f32' | 'u32' | 'bool';
  readonly value: number | boolean;
}

function literal(type: WgslConstant['type'], value: number | boolean): string {
  if (type === 'bool') return String(value);
  const x = value as number;
  if (type === 'u32') {
    if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`not a u32: ${x}`);
    return `${x}u`;
  }
  if (!Number.isFinite(x)) throw new RangeError(`not a finite float32: ${x}`);
  return `${Object.is(x, -0) ? '-0.0' : String(x)}f`;
}

export function wgslConstants(constants: readonly WgslConstant[]): string {
  return constants.map((c) => `const ${c.name} = ${literal(c.type, c.value)};`).join('\n');
}

/** The lane aliases and helpers: one trajectory per f32, or a vector of them. */
export function lanePrelude(width: 1 | 2 | 4): string {
  if (width === 1) {
    return `alias V = f32;
alias VU = u32;
alias VI = i32;
alias VB = bool;
fn setLane(v: f32, j: u32, x: f32) -> f32 { return x; }
fn setLaneU(v: u32, j: u32, x: u32) -> u32 { return x; }
fn laneU(v: u32, j: u32) -> u32 { return v; }
fn laneF(v: f32, j: u32) -> f32 { return v; }`;
  }
  return `alias V = vec${width}<f32>;
alias VU = vec${width}<u32>;
alias VI = vec${width}<i32>;
alias VB = vec${width}<bool>;
fn setLane(v: V, j: u32, x: f32) -> V { var r = v; r[j] = x; return r; }
fn setLaneU(v: VU, j: u32, x: u32) -> VU { var r = v; r[j] = x; return r; }
fn laneU(v: VU, j: u32) -> u32 { return v[j]; }
fn laneF(v: V, j: u32) -> f32 { return v[j]; }`;
}

type Variant = { readonly optimizer: OptimizerName; readonly convention: Convention };

/** The hyperparameter fields an optimizer's code reads: its parameters in any convention, and the complements of its β and ρ. */
function kernelHyperFields(name: OptimizerName): HyperField[] {
  const read = new Set<string>(CONVENTIONS.flatMap((c) => optimizerParams(name, c)));
  return HYPER_FIELDS.filter((field) => read.has(COMPLEMENT_OF[field] ?? field));
}

/** The Hyper struct's fields for a grid's variants (`variant` picks a lane's optimizer when there are several). */
export function hyperFields(variants: readonly Variant[]): string[] {
  return [...new Set(variants.flatMap((v) => kernelHyperFields(v.optimizer))), ...(variants.length > 1 ? ['variant'] : [])];
}

/** The optimizers' files (momentum and Nesterov share one). */
export function optimizerFiles(variants: readonly Variant[]): string[] {
  return [...new Set(variants.map((v) => optimizer(v.optimizer).wgsl.source))];
}

/** Constants, the Hyper struct and the optimizer glue: what is generated for a kernel with these variants. */
export function optimizerWgsl(variants: readonly Variant[]): string {
  const call = (v: Variant, w: string, slots: string) => {
    const { prefix, args } = optimizer(v.optimizer).wgsl;
    return `${prefix}Update(${w}, g, lr, ${slots}, h, ${v.convention.toUpperCase()}${args ? `, ${args}` : ''});`;
  };
  const each = (f: (v: Variant, i: number) => string) => variants.map(f).join('\n');
  const update =
    variants.length === 1
      ? `  ${call(variants[0]!, 'w', 'slots')}`
      : // Several variants: each steps every lane, and each lane keeps its own variant's result (h.variant).
        `  let start = *w;
${each((v, i) => `  var w${i} = start;\n  var s${i} = (*slots).v${i};\n  ${call(v, `&w${i}`, `&s${i}`)}\n  (*slots).v${i} = s${i};`)}
  for (var i = 0u; i < partCount(); i++) {
    var r = w0[i];
${variants.map((_, i) => (i === 0 ? '' : `    r = select(r, w${i}[i], h.variant == V(${i}.0));`)).filter(Boolean).join('\n')}
    (*w)[i] = r;
  }`;
  const init = variants.length === 1 ? (v: Variant) => `  return ${optimizer(v.optimizer).wgsl.prefix}Init(h, ${v.convention.toUpperCase()});` : undefined;
  return `${CONVENTIONS.map((c, i) => `const ${c.toUpperCase()} = ${i}u;`).join('\n')}

// The optimizer's hyperparameters, one lane each.
${wgslStruct('Hyper', hyperFields(variants).map((name) => ({ name, type: 'V' })))}

// The optimizer${variants.length > 1 ? 's of the grid' : ''}: ${variants.map((v, i) => `${variants.length > 1 ? `v${i} ` : ''}${v.optimizer} (${v.convention})`).join(', ')}.
fn initialSlots(h: Hyper) -> Slots {
${init ? init(variants[0]!) : `  var s: Slots;\n${each((v, i) => `  s.v${i} = ${optimizer(v.optimizer).wgsl.prefix}Init(h, ${v.convention.toUpperCase()});`)}\n  return s;`}
}

fn update(w: ptr<function, array<V, PART>>, g: array<V, PART>, lr: V, slots: ptr<function, Slots>, h: Hyper) {
${update}
}`;
}

/** The math library's constants, and FAST_MATH: whether its o() lets the compiler regroup (the spec's fastMath). */
const mathConstants = (fast = false) =>
  wgslConstants([...Object.entries(MATH_CONSTANTS).map(([name, value]) => ({ name, type: 'f32' as const, value })), { name: 'FAST_MATH', type: 'bool', value: fast }]);

/** shaders/f32math.wgsl with its constants declared in front. */
export function mathWgsl(): string {
  return `${mathConstants()}\n\n${mathSource}`;
}

type Objective = CompiledObjective | MlpObjective | undefined;

/** What is generated for the objective: the math library's constants and a typed-in loss's code, or the network's constants (its struct Objective comes with the decoder). */
function objectiveWgsl(objective: Objective, fixed: FixedOffsets, fast: boolean): string {
  if (!objective) return '';
  const math = mathConstants(fast);
  if (!('config' in objective)) return `${math}\n\n${objective.wgsl}`;
  return `${math}\n\n${wgslConstants([...objective.wgslConstants, { name: 'DATA', type: 'u32', value: fixed.data }, { name: 'POINT_BLOCK', type: 'u32', value: POINT_BLOCK }])}`;
}

/** The objective's files: the quadratic's, or the math library (and the network's, its gradient and passes over the data in the layout given). */
function objectiveFiles(objective: Objective, layout: NetworkLayout, team: number, teamRows: boolean): string[] {
  if (!objective) return [quadraticSource];
  if (!('config' in objective)) return [mathSource];
  const { width } = objective.config;
  if (layout === 'team') return [mathSource, mlpSource, mlpTeamWgsl(width, team, teamRows)];
  return [mathSource, mlpSource, mlpWideSource, layout === 'blocks' ? mlpBlocksWgsl(width) : mlpPointsSource];
}

/** The values a trajectory reads one per dimension. */
const VECTOR_KEYS = ['curvature', 'minimum', 'w0'] as const;
type VectorKey = (typeof VECTOR_KEYS)[number];
/** Their accessors in the wide form, which reads them from axisValues as it goes. */
const ACCESSOR: Record<VectorKey, string> = { curvature: 'curvatureAt', minimum: 'minimumAt', w0: 'w0At' };

/**
 * The struct Objective and decodeLane(): a grid index → lane j of a Setting.
 * Coordinates come from the axis layouts, values from axisValues: the code
 * names axes by index only. The narrow form copies the per-dimension values
 * (the quadratic's L and c, w₀) into the Setting, a line per dimension; the
 * wide form keeps where each lane's values start and reads them through
 * curvatureAt, minimumAt and w0At, so its code does not grow with the dimensions.
 */
function decoderWgsl(spec: Spec, variants: readonly Variant[], schedule: ScheduleLayout, fixed: FixedOffsets, objective: Objective, form: KernelForm): string {
  const { dims } = spec;
  const used = new Set<number>();
  const coord = (a: number) => {
    used.add(a);
    return `c${a}`;
  };
  const axisOf = (key: string, component?: number) => spec.axes.findIndex((a) => a.key === key && a.component === component);
  const read = (a: number, index = coord(a)) => `axisValues[axes[${a}u].offset + ${index}]`;
  const fixedValue = (offset: number) => `axisValues[${offset}u]`;

  const body: string[] = [];
  const lane = (field: string, expr: string, setter = 'setLane') => body.push(`  (*setting).${field} = ${setter}((*setting).${field}, j, ${expr});`);
  const members: { name: string; type: string }[] = [];
  const accessors: string[] = [];
  const network = objective !== undefined && 'config' in objective;
  const keys = VECTOR_KEYS.filter((key) => key === 'w0' || !objective);
  if (network) {
    members.push({ name: 'rate', type: 'array<V, 2>' }); // each layer's learning rate (input, output)
    (['inputLr', 'outputLr'] as const).forEach((key, layer) => {
      const axis = axisOf(key);
      lane(`objective.rate[${layer}]`, axis >= 0 ? read(axis) : fixedValue(fixed.layerRates + layer));
    });
    members.push({ name: 'initOffset', type: 'V' }); // added to the input layer's initial weights
    const offsetAxis = axisOf('initOffset');
    lane('objective.initOffset', offsetAxis >= 0 ? read(offsetAxis) : fixedValue(fixed.initOffset));
  }
  if (form === 'narrow') {
    const vectorExpr = (key: VectorKey, d: number): string => {
      const component = axisOf(key, d);
      if (component >= 0) return read(component);
      const whole = axisOf(key);
      if (whole >= 0) return read(whole, `${coord(whole)} * ${dims}u + ${d}u`);
      return fixedValue(fixed[key] + d);
    };
    if (!objective) {
      members.push({ name: 'L', type: 'array<V, DIMS>' }, { name: 'c', type: 'array<V, DIMS>' });
      accessors.push(`fn curvatureAt(o: Objective, i: u32) -> V {\n  return o.L[i];\n}`, `fn minimumAt(o: Objective, i: u32) -> V {\n  return o.c[i];\n}`);
    }
    for (let d = 0; d < dims; d++) {
      if (!objective) {
        lane(`objective.L[${d}]`, vectorExpr('curvature', d));
        lane(`objective.c[${d}]`, vectorExpr('minimum', d));
      }
      lane(`initialW[${d}]`, vectorExpr('w0', d));
    }
  } else {
    for (const key of keys) {
      const whole = axisOf(key);
      let value: string;
      if (whole >= 0) {
        // Each lane's values start at its own place on the axis.
        members.push({ name: `${key}Start`, type: 'VU' });
        lane(`objective.${key}Start`, `axes[${whole}u].offset + ${coord(whole)} * ${dims}u`, 'setLaneU');
        value = `  var v: V;
  for (var j = 0u; j < LANES; j++) {
    v = setLane(v, j, axisValues[laneU(o.${key}Start, j) + i]);
  }`;
      } else {
        value = `  var v = V(axisValues[${fixed[key]}u + i]);`;
      }
      const components = spec.axes.flatMap((axis, a) => (axis.key === key && axis.component !== undefined ? [{ a, d: axis.component }] : []));
      for (const { a, d } of components) {
        members.push({ name: `${key}${d}`, type: 'V' });
        lane(`objective.${key}${d}`, read(a));
        value += `
  v = select(v, o.${key}${d}, i == ${d}u);`;
      }
      // The network's input layer W₁ (its first W2 weights) starts offset, as offsetWeights in src/objectives/mlp.ts.
      if (network && key === 'w0') value += `
  v = select(v, v + o.initOffset, i < W2);`;
      accessors.push(`fn ${ACCESSOR[key]}(o: Objective, i: u32) -> V {
${value}
  return v;
}`);
    }
  }
  const lrAxis = axisOf('lr');
  const lrExpr = lrAxis >= 0 ? read(lrAxis) : fixedValue(fixed.lr);
  const scheduleAxis = axisOf('schedule');
  const multiplierExpr =
    scheduleAxis >= 0 ? `select(1.0, ${lrExpr}, ${read(scheduleAxis)} > 0.5)` : isLrFactorSchedule(spec.base.schedule) ? lrExpr : '1.0';
  const rowExpr = schedule.tupleAxes.map((a) => `${coord(a)} * axes[${a}u].rowStride`).join(' + ') || '0u';
  lane('multiplier', multiplierExpr);
  const optimizerAxis = axisOf('optimizer');
  const conventionAxis = axisOf('convention');
  const conventionExpr = conventionAxis >= 0 ? coord(conventionAxis) : '0u';
  const variantTerms = [
    ...(optimizerAxis >= 0 ? [coord(optimizerAxis)] : []),
    ...(conventionAxis >= 0 ? [optimizerAxis >= 0 ? `${conventionExpr} * axes[${optimizerAxis}u].length` : conventionExpr] : []),
  ];
  const variantExpr = variantTerms.join(' + ') || '0u';
  for (const field of hyperFields(variants)) {
    if (field === 'variant') {
      lane('hyper.variant', `f32(${variantExpr})`);
      continue;
    }
    const source = COMPLEMENT_OF[field as HyperField];
    const axis = axisOf(source ?? field);
    if (axis < 0) lane(`hyper.${field}`, `axisValues[${fixed.hyper + HYPER_FIELDS.indexOf(field as HyperField)}u + (${variantExpr}) * ${HYPER_FIELDS.length}u]`);
    else if (!source) lane(`hyper.${field}`, read(axis));
    else lane(`hyper.${field}`, `axisValues[axes[${axis}u].complements + ${conventionExpr} * axes[${axis}u].length + ${coord(axis)}]`);
  }
  lane('row', rowExpr, 'setLaneU');
  const coords = [...used].sort((a, b) => a - b).map((a) => `  let c${a} = (index / axes[${a}u].stride) % axes[${a}u].length;`);
  const names = spec.axes.map((axis, a) => `${a} ${axis.name}`).join(', ');
  return `${wgslStruct('Objective', members)}
${accessors.map((a) => `\n${a}\n`).join('')}
// Grid index → lane j of a Setting (axes: ${names || 'none'}).
fn decodeLane(setting: ptr<function, Setting>, j: u32, index: u32) {
${[...coords, ...body].join('\n')}
}`;
}

export interface KernelInput {
  readonly spec: Spec;
  readonly variants: readonly Variant[];
  readonly schedule: ScheduleLayout;
  readonly state: StateLayout;
  readonly fixed: FixedOffsets;
  readonly objective: Objective;
  readonly lanes: KernelOptions['lanes'];
  /** The network's passes over its data (other objectives ignore it). */
  readonly networkLayout?: NetworkLayout;
  /** The team layout's invocations per trajectory: the device's subgroup size. */
  readonly team?: number;
  /** Whether the teams read the dataset as rows of a uniform buffer (src/engine/mlp-team.ts). */
  readonly teamRows?: boolean;
}

/** What is generated for a kernel, part by part (the files of shaders/ are joined between them). */
export interface KernelParts {
  /** Lane aliases, structural constants, and the Uniforms and AxisLayout structs. */
  readonly prelude: string;
  /** The objective's constants (and code, for a typed-in loss). */
  readonly objective: string;
  /** Convention constants, the Hyper struct and the optimizers' glue (initialSlots, update). */
  readonly optimizer: string;
  /** Slots and Lanes with their load, store and select functions. */
  readonly state: string;
  /** The struct Objective (with the wide form's accessors) and decodeLane. */
  readonly decoder: string;
  /** trackLoss(), the loss record's bookkeeping at each iterate (empty without the record). */
  readonly loss: string;
}

/**
 * trackLoss(s, setting, w, k, live): the loss record of src/engine/records.ts
 * at iterate k, for the live lanes; the steps call it before their update.
 * Without the record it is empty, and the compiler drops the calls.
 */
export function lossWgsl(state: StateLayout, network = false): string {
  const head = '// The loss record at iterate k (src/engine/records.ts; src/engine/cpu.ts trackLoss is its twin).\nfn trackLoss(s: ptr<function, Lanes>, setting: Setting, w: WIn, k: u32, live: VB) {';
  if (!state.trainability) return `${head}\n}`;
  return `${wgslConstants([
    { name: 'LOSS_CAP', type: 'f32', value: LOSS_CAP },
    { name: 'LOSS_FLOOR', type: 'f32', value: f32(1 / LOSS_CAP) },
    { name: 'LOSS_TAIL', type: 'u32', value: LOSS_TAIL },
  ])}

${head}
  let loss = ${network ? 'recordedLoss' : 'lossAt'}(setting.objective, w);
  if (k == 0u) {
    (*s).loss0 = select((*s).loss0, loss, live);
  }
  let ratio = opaque(loss / (*s).loss0);
  // Held in [LOSS_FLOOR, LOSS_CAP]; not a number (0/0, ∞/∞) counts as the cap.
  let v = select(select(ratio, V(LOSS_FLOOR), ratio < V(LOSS_FLOOR)), V(LOSS_CAP), !(ratio <= V(LOSS_CAP)));
  (*s).lossSum = select((*s).lossSum, opaque((*s).lossSum + v), live);
  (*s).lossInvSum = select((*s).lossInvSum, opaque((*s).lossInvSum + opaque(1.0 / v)), live);
  if (k + LOSS_TAIL >= u.steps) {
    (*s).lossTail = select((*s).lossTail, opaque((*s).lossTail + v), live);
  }
  // Loss windows A = [K − 2W, K − W) and B = [K − W, K): the tail windows, one iterate earlier.
  let aBegin = max(u.aStart, 1u) - 1u;
  if (k + 1u >= u.bStart) {
    (*s).lossB = select((*s).lossB, opaque((*s).lossB + v), live);
    let rise = select(V(0.0), opaque(v - (*s).lossPrev), (v > (*s).lossPrev) & VB(k > 0u));
    (*s).lossRise = select((*s).lossRise, opaque((*s).lossRise + rise), live);
  } else if (k >= aBegin) {
    (*s).lossA = select((*s).lossA, opaque((*s).lossA + v), live);
  }
  (*s).lossPrev = select((*s).lossPrev, v, live);
}`;
}

export function kernelParts(input: KernelInput): KernelParts {
  const { spec, variants, objective, lanes } = input;
  const width = vectorWidth(lanes);
  const { form } = input.state;
  const prelude = `// Generated by src/engine/kernel.ts: ${spec.dims} dimension${spec.dims === 1 ? '' : 's'}, ${lanes} lane${lanes === 1 ? '' : 's'}, objective ${spec.base.objective}, ${form} form.
${lanePrelude(width)}
${wgslConstants([
  { name: 'LANES', type: 'u32', value: width },
  { name: 'GROUPS', type: 'u32', value: lanes / width },
  { name: 'DIMS', type: 'u32', value: spec.dims },
  // Costly objectives, whose code every call site repeats, keep one call site per step loop.
  { name: 'COMPACT', type: 'bool', value: objective !== undefined },
])}

${wgslStruct('Uniforms', UNIFORM_FIELDS)}

${wgslStruct('AxisLayout', AXIS_FIELDS)}`;
  return {
    prelude,
    objective: objectiveWgsl(objective, input.fixed, input.spec.base.fastMath),
    optimizer: optimizerWgsl(variants),
    state: stateWgsl(input.state),
    decoder: decoderWgsl(spec, variants, input.schedule, input.fixed, objective, form),
    loss: lossWgsl(input.state, objective !== undefined && 'config' in objective),
  };
}

/**
 * The whole kernel: both entry points, `advance` (sweeps) and `trace`; the
 * network's team layout has `advance` only (a trace runs point by point).
 */
export function kernelWgsl(input: KernelInput): string {
  const parts = kernelParts(input);
  const layout = input.networkLayout ?? 'points';
  const team = layout === 'team';
  const steps = input.state.form === 'wide' ? [wideStateSource, team ? mlpTeamSource : wideSource] : [trajectorySource, advanceSource];
  const files = [...objectiveFiles(input.objective, layout, input.team ?? 0, input.teamRows ?? false), ...optimizerFiles(input.variants), commonSource, ...steps];
  // Subgroup operations in code the uniformity analysis cannot prove uniform: a team's members agree by construction.
  const directives = team ? 'enable subgroups;\ndiagnostic(off, subgroup_uniformity);' : '';
  return [directives, parts.prelude, parts.objective, parts.optimizer, parts.state, parts.decoder, parts.loss, ...files].filter(Boolean).join('\n\n');
}

/** The kernel's entry points: a sweep's dispatch, and a trace's. */
export type EntryPoint = 'advance' | 'trace';

/** The override constants of a pipeline. */
export function kernelOverrides(entryPoint: EntryPoint, options: KernelOptions, rowShared: boolean, form: KernelForm = 'narrow'): Record<string, number> {
  const shared = { ROW_SHARED: rowShared ? 1 : 0 };
  if (entryPoint === 'trace') return shared;
  // The wide form checks every step: it has no fast blocks.
  return form === 'wide' ? { ...shared, WORKGROUP: options.workgroupSize } : { ...shared, WORKGROUP: options.workgroupSize, FAST_BLOCK: options.fastBlock };
}
