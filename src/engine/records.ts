/**
 * The buffers' records, each described once here: the kernel's uniforms, the
 * layout of each grid axis, and the state of a trajectory with its
 * optimizer's slots. The WGSL structs with their load, store and select
 * functions, the host's packing and unpacking, and the fields of `ChunkStats`
 * are all derived from these descriptions.
 */
import { optimizer, type Convention, type OptimizerName } from '../optimizers/index.js';

export type Scalar = 'f32' | 'u32' | 'i32';

/** A field of a record of 4-byte scalars. */
export interface ScalarField {
  readonly name: string;
  readonly type: Scalar;
}

/** `struct Name { field: type, … }`; `types` maps a scalar to the WGSL type of the field. */
export function wgslStruct(name: string, members: readonly { readonly name: string; readonly type: string }[]): string {
  const body = members.length ? members : [{ name: 'unused', type: 'u32' }]; // WGSL has no empty structs
  return `struct ${name} {\n${body.map((m) => `  ${m.name}: ${m.type},`).join('\n')}\n}`;
}

/** Writes a record of scalars into `view` at `offset` bytes, in field order. */
export function packScalars(fields: readonly ScalarField[], values: Readonly<Record<string, number>>, view: DataView, offset: number): void {
  fields.forEach(({ name, type }, i) => {
    const value = values[name]!;
    if (type === 'f32') view.setFloat32(offset + 4 * i, value, true);
    else if (type === 'i32') view.setInt32(offset + 4 * i, value, true);
    else view.setUint32(offset + 4 * i, value, true);
  });
}

// ---------------------------------------------------------------- uniforms

/** The kernel's uniforms, rewritten before each dispatch. */
export const UNIFORM_FIELDS = [
  { name: 'start', type: 'u32' }, // grid index of the chunk's first trajectory
  { name: 'count', type: 'u32' }, // trajectories in the chunk
  { name: 'slotVectors', type: 'u32' }, // state vectors per field (chunk padded to whole vectors)
  { name: 'stepBegin', type: 'u32' }, // first step of this dispatch
  { name: 'stepEnd', type: 'u32' }, // one past its last step
  { name: 'steps', type: 'u32' }, // K, steps in the run
  { name: 'aStart', type: 'u32' }, // first iterate of tail window A
  { name: 'bStart', type: 'u32' }, // first iterate of tail window B
  { name: 'tableBegin', type: 'u32' }, // step of the schedule table's first column
  { name: 'tableStride', type: 'u32' }, // floats per schedule-table row
  { name: 'tableFirstRow', type: 'u32' }, // row of the whole table that the buffer's first row holds (the chunk's tableWindow)
  { name: 'traceRows', type: 'u32' }, // rows per traced trajectory in the trace buffer
  { name: 'boundBits', type: 'u32' }, // float32 bits of the divergence bound
  { name: 'tol', type: 'f32' }, // relative gradient tolerance
  { name: 'zero', type: 'u32' }, // always 0; opaque() mixes it into values so the compiler cannot regroup float operations
] as const satisfies readonly ScalarField[];

export type Uniforms = Record<(typeof UNIFORM_FIELDS)[number]['name'], number>;

/** Bytes of the uniform buffer (a multiple of 16). */
export const UNIFORM_BYTES = Math.ceil((UNIFORM_FIELDS.length * 4) / 16) * 16;

export function packUniforms(values: Uniforms): ArrayBuffer {
  const buffer = new ArrayBuffer(UNIFORM_BYTES);
  packScalars(UNIFORM_FIELDS, values, new DataView(buffer), 0);
  return buffer;
}

// ---------------------------------------------------------------- grid axes

/**
 * Where each swept axis lives, read by the kernel's decoder. These depend on
 * the axes' lengths, so they sit in a buffer rather than in the code: a
 * zoom or a new resolution reuses the compiled kernel.
 */
export const AXIS_FIELDS = [
  { name: 'offset', type: 'u32' }, // first value in axisValues
  { name: 'stride', type: 'u32' }, // grid-index stride (the first axis varies fastest)
  { name: 'length', type: 'u32' }, // values on the axis
  { name: 'complements', type: 'u32' }, // β₁, β₂, ρ axes: where 1 − β starts, one row per convention
  { name: 'rowStride', type: 'u32' }, // schedule axes: schedule-table row stride (0 for the others)
] as const satisfies readonly ScalarField[];

export type AxisLayout = Record<(typeof AXIS_FIELDS)[number]['name'], number>;

export function packAxes(axes: readonly AxisLayout[]): Uint32Array<ArrayBuffer> {
  // A storage binding may not be empty: a grid without axes still gets one record.
  const words = new Uint32Array(Math.max(1, axes.length) * AXIS_FIELDS.length);
  const view = new DataView(words.buffer);
  axes.forEach((axis, i) => packScalars(AXIS_FIELDS, axis, view, 4 * i * AXIS_FIELDS.length));
  return words;
}

// ---------------------------------------------------------------- trajectory state

/**
 * The state of a trajectory, carried between dispatches. Fields marked
 * `stat` are read back, under that name, as the `ChunkStats` of src/engine/types.ts;
 * they come first so that one copy reads them back.
 */
export const TRAJECTORY_FIELDS = [
  /** Final parameters, `dims` per trajectory (frozen at the escape point for diverged ones). */
  { name: 'w', type: 'f32', perDimension: true, stat: 'finalW' },
  /** The gradient tolerance: float32(tol × largest |gᵢ| at w₀). */
  { name: 'gradTol', type: 'f32', stat: 'gradTol' },
  /** Last iterate index k whose largest |gᵢ| exceeded gradTol; -1 if none. */
  { name: 'lastAbove', type: 'i32', stat: 'lastAbove' },
  /** First iterate index k with some |wᵢ| beyond the bound (or not a number); -1 if none. */
  { name: 'escapeStep', type: 'i32', stat: 'escapeStep' },
  /** Largest |wᵢ| over every iterate, the initial point included: float32 magnitude bits, which order like the values (NaN largest). */
  { name: 'peak', type: 'u32', host: 'f32', stat: 'peak' },
  /** Largest |gᵢ| over the tail windows A (earlier) and B (last, final iterate included). */
  { name: 'gradA', type: 'f32', stat: 'gradA' },
  { name: 'gradB', type: 'f32', stat: 'gradB' },
  /** Iterates in window B whose gradient points against the previous one (g·g′ < 0). */
  { name: 'flips', type: 'u32', stat: 'flips' },
  /** The loss at the final iterate. */
  { name: 'finalLoss', type: 'f32', stat: 'finalLoss' },
  // The loss record (spec field `trainability`; absent from the layout without it). Over the
  // iterates k = 0 … K − 1 that the steps see, up to the escape: v_k = loss_k / loss_0 held in
  // [1/LOSS_CAP, LOSS_CAP] (a loss that is not a number counts as the cap). src/trainability.ts
  // turns these into the paper's criterion and score, and into the network's regimes.
  /** The loss at w₀. */
  { name: 'loss0', type: 'f32', stat: 'loss0', loss: true },
  /** Σ v_k and Σ 1/v_k, added in order of k. */
  { name: 'lossSum', type: 'f32', stat: 'lossSum', loss: true },
  { name: 'lossInvSum', type: 'f32', stat: 'lossInvSum', loss: true },
  /** Σ v_k over the last LOSS_TAIL iterates (k ≥ K − LOSS_TAIL). */
  { name: 'lossTail', type: 'f32', stat: 'lossTail', loss: true },
  /** Σ v_k over the loss windows: A, k in [K − 2W, K − W), and B, k in [K − W, K) (W of tailWindows). */
  { name: 'lossA', type: 'f32', stat: 'lossA', loss: true },
  { name: 'lossB', type: 'f32', stat: 'lossB', loss: true },
  /** Σ max(0, v_k − v_{k−1}) over loss window B (k ≥ 1): how much the loss rose there. */
  { name: 'lossRise', type: 'f32', stat: 'lossRise', loss: true },
  /** The previous iterate's v (for lossRise). */
  { name: 'lossPrev', type: 'f32', loss: true },
  /** The gradient at the previous iterate (for the turns in window B). */
  { name: 'gPrev', type: 'f32', perDimension: true },
] as const;

export type TrajectoryField = (typeof TRAJECTORY_FIELDS)[number];
export type StatField = Extract<TrajectoryField, { readonly stat: string }>;
export type StatName = StatField['stat'];

/** The host's view of a field's words. */
export type HostArray<F extends { readonly type: Scalar; readonly host?: Scalar }> = (F extends { readonly host: infer H } ? H : F['type']) extends 'f32'
  ? Float32Array
  : (F extends { readonly host: infer H } ? H : F['type']) extends 'i32'
    ? Int32Array
    : Uint32Array;

export const STAT_FIELDS: readonly StatField[] = TRAJECTORY_FIELDS.filter((f): f is StatField => 'stat' in f);
export const STAT_NAMES: readonly StatName[] = STAT_FIELDS.map((f) => f.stat);
/** The loss record's statistics: present only where the spec asks for it (`trainability`). */
export type LossStatName = Extract<StatField, { readonly loss: true }>['stat'];
export const LOSS_STAT_NAMES: readonly StatName[] = STAT_FIELDS.filter((f) => 'loss' in f).map((f) => f.stat);

/** The normalised losses' cap (the paper's 10⁶) and the iterates of the trainability criterion's tail. */
export const LOSS_CAP = 1e6;
export const LOSS_TAIL = 20;

/**
 * What a trajectory's record tracks for its regime (the statistics of
 * TRAJECTORY_FIELDS other than w and the loss), as the reference engines
 * keep them: float32 values, and peak as the float32 engine's value or the
 * df64 engine's magnitude bits.
 */
export interface Bookkeeping {
  gradTol: number;
  lastAbove: number;
  escapeStep: number;
  peak: number;
  gradA: number;
  gradB: number;
  flips: number;
}

/** A trajectory's bookkeeping before its first iterate: no step above the tolerance, no escape. */
export function emptyBookkeeping(): Bookkeeping {
  return { gradTol: 0, lastAbove: -1, escapeStep: -1, peak: 0, gradA: 0, gradB: 0, flips: 0 };
}

/** The loss record's fields, as the reference engines keep them (float32 values). */
export interface LossRecord {
  loss0: number;
  lossSum: number;
  lossInvSum: number;
  lossTail: number;
  lossA: number;
  lossB: number;
  lossRise: number;
  lossPrev: number;
}

/** A record before its first iterate. */
export function emptyLossRecord(): LossRecord {
  return { loss0: 0, lossSum: 0, lossInvSum: 0, lossTail: 0, lossA: 0, lossB: 0, lossRise: 0, lossPrev: 0 };
}

const LOSS_FLOOR = Math.fround(1 / LOSS_CAP);

/**
 * Adds iterate k's loss to the record, every operation rounded to float32 as
 * the kernels' trackLoss does: both reference engines (src/engine/cpu.ts,
 * src/engine/df64-cpu.ts) call it. `windows` gives the run's steps and the
 * loss windows' first iterates.
 */
export function recordLoss(s: LossRecord, k: number, loss: number, windows: { readonly steps: number; readonly lossA: number; readonly lossB: number }): void {
  const f32 = Math.fround;
  if (k === 0) s.loss0 = loss;
  const ratio = f32(loss / s.loss0);
  const v = !(ratio <= LOSS_CAP) ? LOSS_CAP : ratio < LOSS_FLOOR ? LOSS_FLOOR : ratio;
  s.lossSum = f32(s.lossSum + v);
  s.lossInvSum = f32(s.lossInvSum + f32(1 / v));
  if (k + LOSS_TAIL >= windows.steps) s.lossTail = f32(s.lossTail + v);
  if (k >= windows.lossB) {
    s.lossB = f32(s.lossB + v);
    if (k > 0 && v > s.lossPrev) s.lossRise = f32(s.lossRise + f32(v - s.lossPrev));
  } else if (k >= windows.lossA) {
    s.lossA = f32(s.lossA + v);
  }
  s.lossPrev = v;
}

/** The statistics a run with or without the loss record hands over. */
export function statFields(trainability: boolean): readonly StatField[] {
  return trainability ? STAT_FIELDS : STAT_FIELDS.filter((f) => !('loss' in f));
}

function hostType(field: { readonly type: Scalar; readonly host?: Scalar }): Scalar {
  return field.host ?? field.type;
}

/** One member of the state: a trajectory field or an optimizer slot, with its word offset. */
export interface StateMember {
  readonly name: string;
  readonly type: Scalar;
  readonly perDimension: boolean;
  readonly offset: number;
}

/** An optimizer–convention pair of a grid and where its slots sit in the state. */
export interface VariantLayout {
  readonly optimizer: OptimizerName;
  readonly convention: Convention;
  readonly slots: readonly StateMember[];
}

/**
 * Which kernel steps a grid (src/engine/kernel.ts): `narrow` holds a vector's
 * state in private memory, `wide` reads and writes it in place in the state
 * buffer, with one more per-dimension field there for the gradient being computed.
 */
export type KernelForm = 'narrow' | 'wide';

/** The state record of one grid: words per trajectory, field-major (field f of vector v at f × slotVectors + v). */
export interface StateLayout {
  readonly dims: number;
  readonly form: KernelForm;
  readonly fields: readonly StateMember[];
  readonly variants: readonly VariantLayout[];
  /** Words per trajectory, and how many of them (the leading ones) are read back. */
  readonly words: number;
  readonly resultWords: number;
  /** Whether the state holds the loss record (and its statistics are read back). */
  readonly trainability: boolean;
}

/** Words of scratch the wide form keeps per trajectory for an objective (the network's hidden layer). */
export interface Scratch {
  readonly name: string;
  readonly words: number;
}

export function stateLayout(
  dims: number,
  variants: readonly { optimizer: OptimizerName; convention: Convention }[],
  form: KernelForm = 'narrow',
  scratch: readonly Scratch[] = [],
  trainability = false,
): StateLayout {
  let offset = 0;
  let resultWords = 0;
  const member = (name: string, type: Scalar, perDimension: boolean): StateMember => {
    const m = { name, type, perDimension, offset };
    offset += perDimension ? dims : 1;
    return m;
  };
  const fields = TRAJECTORY_FIELDS.filter((f) => trainability || !('loss' in f)).map((f) => {
    const m = member(f.name, f.type, 'perDimension' in f);
    if ('stat' in f) resultWords = offset;
    return m;
  });
  const layouts = variants.map(({ optimizer: name, convention }) => ({
    optimizer: name,
    convention,
    slots: Object.entries(optimizer(name).slots).map(([slot, kind]) => member(slot, 'f32', kind === 'perDimension')),
  }));
  // The wide form's gradient, computed in place, and the objective's scratch (after the slots, so nothing read back moves).
  if (form === 'wide') {
    fields.push(member('g', 'f32', true));
    for (const { name, words } of scratch) {
      fields.push({ name, type: 'f32', perDimension: false, offset });
      offset += words;
    }
  }
  return { dims, form, fields, variants: layouts, words: offset, resultWords, trainability };
}

type ChunkArray = Float32Array | Int32Array | Uint32Array | Uint8Array | Float64Array;
type ChunkArrayConstructor<T extends ChunkArray> = new (length: number) => T;

/**
 * The arrays of a run whose chunks recycle theirs (RunOptions.recycle): one
 * array per name, handed out again for every chunk and grown only when a
 * chunk needs more. A chunk's statistics are tens of megabytes; allocated
 * afresh, each one costs the operating system a round of page faults and
 * zeroing that took longer than the copying itself (a 2048² sweep: 0.4 s of
 * its 2 s).
 */
export class ChunkArrays {
  private readonly arrays = new Map<string, ChunkArray>();

  /** An array of `length` elements for `name`, its contents left from the last chunk. */
  take<T extends ChunkArray>(name: string, make: ChunkArrayConstructor<T>, length: number): T {
    const held = this.arrays.get(name);
    if (held instanceof make && held.length >= length) return held.subarray(0, length) as T;
    const fresh = new make(length);
    this.arrays.set(name, fresh);
    return fresh;
  }
}

/** A fresh array, or the recycled one of `arrays` when a run recycles. */
export function chunkArray<T extends ChunkArray>(arrays: ChunkArrays | undefined, name: string, make: ChunkArrayConstructor<T>, length: number): T {
  return arrays ? arrays.take(name, make, length) : new make(length);
}

/**
 * Reads a chunk's statistics back from the leading words of its state (`slots` words per field),
 * into arrays of their own (from `arrays` when the run recycles them), so nothing returned holds `words`.
 */
export function unpackStats(
  words: Uint32Array,
  layout: StateLayout,
  count: number,
  slots: number,
  arrays?: ChunkArrays,
): Record<StatName, Float32Array | Int32Array | Uint32Array> {
  const views = { f32: new Float32Array(words.buffer, words.byteOffset, words.length), i32: new Int32Array(words.buffer, words.byteOffset, words.length), u32: words };
  const { dims } = layout;
  const out = {} as Record<StatName, Float32Array | Int32Array | Uint32Array>;
  for (const field of statFields(layout.trainability)) {
    const offset = layout.fields.find((f) => f.name === field.name)!.offset;
    const source = views[hostType(field)];
    const make = source.constructor as ChunkArrayConstructor<Float32Array | Int32Array | Uint32Array>;
    // A scalar field, or a per-dimension one in one dimension, is a single contiguous column.
    if (!('perDimension' in field) || dims === 1) {
      const values = chunkArray(arrays, field.stat, make, count);
      values.set(source.subarray(offset * slots, offset * slots + count));
      out[field.stat] = values;
      continue;
    }
    const values = chunkArray(arrays, field.stat, make, count * dims);
    for (let d = 0; d < dims; d++) {
      const column = source.subarray((offset + d) * slots, (offset + d) * slots + count);
      for (let i = 0; i < count; i++) values[i * dims + d] = column[i]!;
    }
    out[field.stat] = values;
  }
  return out;
}

/** Typed arrays for a chunk's statistics, `count` trajectories of `dims` dimensions (the CPU engine fills them). */
export function emptyStats(count: number, dims: number, trainability = false): Record<StatName, Float32Array | Int32Array | Uint32Array> {
  const out = {} as Record<StatName, Float32Array | Int32Array | Uint32Array>;
  for (const field of statFields(trainability)) {
    const n = 'perDimension' in field ? count * dims : count;
    const type = hostType(field);
    out[field.stat] = type === 'f32' ? new Float32Array(n) : type === 'i32' ? new Int32Array(n) : new Uint32Array(n);
  }
  return out;
}

// ---------------------------------------------------------------- WGSL of the state

const LANE_TYPE: Record<Scalar, string> = { f32: 'V', u32: 'VU', i32: 'VI' };

/** A member's WGSL type: an optimizer's slots see PART dimensions (all in the narrow form, one in the wide), the trajectory's fields DIMS. */
function memberType(m: StateMember, extent: 'DIMS' | 'PART' = 'DIMS'): string {
  return m.perDimension ? `array<${LANE_TYPE[m.type]}, ${extent}>` : LANE_TYPE[m.type];
}

/** Loops over the dimensions for the perDimension members, plain statements for the others. */
function perMember(members: readonly StateMember[], statement: (m: StateMember, index: string) => string, count = 'dimCount()'): string {
  const looped = members.filter((m) => m.perDimension);
  const plain = members.filter((m) => !m.perDimension);
  const lines: string[] = [];
  if (looped.length) {
    lines.push(`  for (var i = 0u; i < ${count}; i++) {`, ...looped.map((m) => `    ${statement(m, '[i]')}`), '  }');
  }
  lines.push(...plain.map((m) => `  ${statement(m, '')}`));
  return lines.join('\n');
}

const word = (m: StateMember, index: string) => `state[slotOf(${m.offset}u${index ? ' + i' : ''}, vector)]`;
const fromWord = (m: StateMember, index: string) => (m.type === 'u32' ? word(m, index) : `bitcast<${LANE_TYPE[m.type]}>(${word(m, index)})`);
const toWord = (m: StateMember, value: string) => (m.type === 'u32' ? value : `bitcast<VU>(${value})`);

/** A struct over state members with its load, store and select functions. */
function stateStruct(name: string, members: readonly StateMember[], extra: readonly { name: string; type: string; load: string; store: string; select: string }[] = []): string {
  const struct = wgslStruct(name, [...members.map((m) => ({ name: m.name, type: memberType(m) })), ...extra]);
  return `${struct}

fn load${name}(vector: u32) -> ${name} {
  var s: ${name};
${perMember(members, (m, i) => `s.${m.name}${i} = ${fromWord(m, i)};`)}
${extra.map((e) => `  s.${e.name} = ${e.load};`).join('\n')}
  return s;
}

fn store${name}(s: ${name}, vector: u32) {
${perMember(members, (m, i) => `${word(m, i)} = ${toWord(m, `s.${m.name}${i}`)};`)}
${extra.map((e) => `  ${e.store};`).join('\n')}
}

fn select${name}(keep: ${name}, take: ${name}, mask: VB) -> ${name} {
  var s: ${name};
${perMember(members, (m, i) => `s.${m.name}${i} = select(keep.${m.name}${i}, take.${m.name}${i}, mask);`)}
${extra.map((e) => `  s.${e.name} = ${e.select};`).join('\n')}
  return s;
}`.replace(/\n\n+}/g, '\n}');
}

/** The struct name of an optimizer's slots: `adam` → AdamSlots. */
export function slotStructName(name: OptimizerName): string {
  const { prefix } = optimizer(name).wgsl;
  return `${prefix[0]!.toUpperCase()}${prefix.slice(1)}Slots`;
}

/**
 * The optimizers' state in WGSL: each optimizer's slot struct, and `Slots`
 * with its load, store and select functions. With one optimizer–convention
 * variant, Slots is that optimizer's struct; with several, it has a member
 * per variant (v0, v1, …), each at its own offsets in the state.
 */
export function slotsWgsl(layout: StateLayout): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const v of layout.variants) {
    const name = slotStructName(v.optimizer);
    if (seen.has(name)) continue;
    seen.add(name);
    parts.push(wgslStruct(name, v.slots.map((m) => ({ name: m.name, type: memberType(m, 'PART') }))));
  }
  const single = layout.variants.length === 1;
  const variants = layout.variants.map((v, i) => ({ path: single ? '' : `.v${i}`, slots: v.slots }));
  parts.push(
    single
      ? `alias Slots = ${slotStructName(layout.variants[0]!.optimizer)};`
      : wgslStruct('Slots', layout.variants.map((v, i) => ({ name: `v${i}`, type: slotStructName(v.optimizer) }))),
  );
  // The wide form keeps only the scalars in Slots between steps: the per-dimension slots stay in the state, one dimension at a time in Slots.
  const wide = layout.form === 'wide';
  const body = (f: (path: string, m: StateMember, index: string) => string, which: 'all' | 'scalars' | 'part' = 'all') =>
    variants
      .map((v) => {
        const members = v.slots.filter((m) => (which === 'all' ? true : which === 'part' ? m.perDimension : !m.perDimension));
        if (which === 'part') return members.map((m) => `  ${f(`${v.path}.${m.name}[0]`, m, '[i]')}`).join('\n');
        return perMember(members, (m, i) => f(`${v.path}.${m.name}${i}`, m, i), 'partCount()');
      })
      .filter(Boolean)
      .map((lines) => `${lines}\n`)
      .join('');
  const stored = wide ? 'scalars' : 'all';
  parts.push(`fn loadSlots(vector: u32) -> Slots {
  var s: Slots;
${body((path, m, i) => `s${path} = ${fromWord(m, i)};`, stored)}  return s;
}

fn storeSlots(s: Slots, vector: u32) {
${body((path, m, i) => `${word(m, i)} = ${toWord(m, `s${path}`)};`, stored)}}

fn selectSlots(keep: Slots, take: Slots, mask: VB) -> Slots {
  var s: Slots;
${body((path) => `s${path} = select(keep${path}, take${path}, mask);`)}  return s;
}`);
  if (wide) {
    const current = (m: StateMember) => `state[slotOf(${m.offset}u + i, current)]`;
    parts.push(`// Dimension i of the per-dimension slots, to and from the state.
fn loadSlotsPart(s: ptr<function, Slots>, i: u32) {
${body((path, m) => `(*s)${path} = bitcast<V>(${current(m)});`, 'part')}}

fn storeSlotsPart(s: Slots, i: u32) {
${body((path, m) => `${current(m)} = bitcast<VU>(s${path});`, 'part')}}`);
  }
  return parts.join('\n\n');
}

/**
 * The state in WGSL: the optimizers' `Slots`, and `Lanes` (a vector of
 * trajectories) with its load, store and select functions. In the wide form
 * Lanes holds the scalar fields only, and the per-dimension fields are named
 * by their offsets (W_FIELD, G_PREV_FIELD, G_FIELD).
 */
export function stateWgsl(layout: StateLayout): string {
  const wide = layout.form === 'wide';
  const members = wide ? layout.fields.slice(0, layout.fields.findIndex((f) => f.name === 'g')).filter((f) => !f.perDimension) : layout.fields;
  const lanes = stateStruct('Lanes', members, [{ name: 'slots', type: 'Slots', load: 'loadSlots(vector)', store: 'storeSlots(s.slots, vector)', select: 'selectSlots(keep.slots, take.slots, mask)' }]);
  const scratch = layout.fields.slice(layout.fields.findIndex((f) => f.name === 'g'));
  const fields = wide ? `${[...layout.fields.filter((f) => f.name === 'w' || f.name === 'gPrev'), ...scratch].map((f) => `const ${f.name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_FIELD = ${f.offset}u;`).join('\n')}\n\n` : '';
  return `${fields}${slotsWgsl(layout)}\n\n${lanes}`;
}
