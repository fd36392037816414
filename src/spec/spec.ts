/**
 * The experiment spec: what to simulate, and which parameters are swept.
 *
 * Every front end turns its input into a `SpecInput` (flat: one key per
 * parameter) and calls `parseSpec` once; everything downstream works on the
 * validated `Spec`.
 */
import { z } from 'zod';
import { SpecError } from '../errors.js';
import { compiledObjective, ExpressionError, specMlp, TEST_FUNCTIONS, type ObjectiveSpec } from '../objectives/catalogue.js';
import { mlpDims, type Activation } from '../objectives/mlp.js';
import { CONVENTIONS, HYPER_KEYS, optimizerDefaults, optimizerParams, OPTIMIZERS, type Convention, type OptimizerName } from '../optimizers.js';
import { SCHEDULE_PARAMS, type NaturalExpForm, type ScheduleName, type ScheduleParams } from '../schedules.js';
import {
  acceptedForms,
  PARAM_KEYS,
  PARAMS,
  type ObjectiveName,
  type ParamDef,
  type ParamKey,
} from './params.js';
import {
  MAX_AXIS_LENGTH,
  parseBooleanValue,
  parseChoiceValue,
  parseNumberValue,
  parseVectorValue,
  rangeValues,
  ValueSyntaxError,
  type ComponentValue,
  type ParsedValue,
  type Scale,
  type Value,
} from './values.js';

/** A value as a front end hands it over: the text syntax, or its JSON equivalents. */
export type RawValue =
  | string
  | number
  | boolean
  | readonly number[]
  | readonly (readonly number[])[]
  | { readonly values: readonly (number | boolean | string | readonly number[])[] }
  | { readonly start: number; readonly stop: number; readonly count: number; readonly scale?: 'linear' | 'log' };

/** A spec as given: one entry per parameter that differs from its default. Key order sets axis order. */
export type SpecInput = { readonly [K in ParamKey]?: RawValue };

/** One trajectory's complete settings. */
export interface Cell extends ScheduleParams {
  objective: ObjectiveName;
  /** The typed-in formula (objective `expression`). */
  loss: string | undefined;
  /** The tiny network (objective `mlp`): width, dataset size, activation, seed, and the layers' rates. */
  width: number;
  dataPoints: number;
  activation: Activation;
  seed: number;
  inputLr: number | undefined;
  outputLr: number | undefined;
  optimizer: OptimizerName;
  convention: Convention;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  rho: number;
  centered: boolean;
  initialAccumulator: number;
  curvature: number[];
  minimum: number[];
  w0: number[];
  steps: number;
  tol: number;
  bound: number;
}

/** A swept parameter (or one swept component of a vector parameter). */
export interface Axis {
  /** `lr`, `decayRate`, or `curvature[1]` for one component of a vector. */
  readonly name: string;
  readonly key: ParamKey;
  readonly component: number | undefined;
  readonly values: readonly Value[];
  readonly scale: Scale;
}

export interface Spec {
  /** Every parameter's value; a swept parameter holds its first value here. */
  readonly base: Readonly<Cell>;
  /** Swept parameters in grid order: the first varies fastest (the map's x), the second is the map's y. */
  readonly axes: readonly Axis[];
  /** Number of dimensions of w. */
  readonly dims: number;
  /** The input, normalised: what reproduces this spec. */
  readonly input: SpecInput;
}

/** How errors name a field: `--decay-rate` on the command line, `decayRate` in JSON and URLs. */
export type FieldNaming = 'flag' | 'key';

export function fieldName(key: string, naming: FieldNaming): string {
  const def = (PARAMS as Record<string, ParamDef>)[key];
  return naming === 'flag' && def ? `--${def.flag}` : key;
}

/** The most trajectories one grid may hold (indices are 32-bit on the GPU). */
export const MAX_GRID_SIZE = 2 ** 32 - 1;

const rawValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.number(), z.array(z.number())])),
  z.strictObject({ values: z.array(z.union([z.number(), z.boolean(), z.string(), z.array(z.number())])).min(1) }),
  z.strictObject({
    start: z.number(),
    stop: z.number(),
    count: z.number(),
    scale: z.enum(['linear', 'log']).optional(),
  }),
]);

const specInputSchema = z.strictObject(
  Object.fromEntries(PARAM_KEYS.map((k) => [k, rawValueSchema.optional()])) as Record<ParamKey, z.ZodOptional<typeof rawValueSchema>>,
);

/** Parses one raw value into its parsed form, checking each number against the parameter. */
function parseParam(key: ParamKey, raw: RawValue): ParsedValue {
  const def: ParamDef = PARAMS[key];
  let parsed: ParsedValue;
  if (typeof raw === 'string') {
    switch (def.type) {
      case 'number':
        parsed = parseNumberValue(raw);
        break;
      case 'vector':
        parsed = def.perDimension ? parseVectorValue(raw) : parseFixedVector(raw);
        break;
      case 'boolean':
        parsed = parseBooleanValue(raw);
        break;
      case 'choice':
        parsed = parseChoiceValue(raw, def.choices);
        break;
      case 'text':
        parsed = { kind: 'fixed', value: raw };
        break;
    }
  } else {
    parsed = fromJson(def, raw);
  }
  if (!def.sweepable && parsed.kind !== 'fixed') throw new ValueSyntaxError('cannot be swept; give one value');
  checkValues(def, parsed);
  return parsed;
}

/** Vectors that are not per-dimension (piecewise boundaries and values) take [a,b,…] or a list of them. */
function parseFixedVector(raw: string): ParsedValue {
  const t = raw.trim();
  if (!t.startsWith('[')) {
    // A plain list is the natural way to type it, and cannot mean a sweep here.
    const v = parseNumberValue(t);
    if (v.kind === 'sweep' && v.scale !== 'list') throw new ValueSyntaxError('takes a vector like [100,200], not a range');
    if (v.kind === 'components') throw new ValueSyntaxError('takes plain numbers, not ranges');
    return { kind: 'fixed', value: v.kind === 'fixed' ? [v.value as number] : (v.values as number[]) };
  }
  const v = parseVectorValue(t);
  if (v.kind === 'components') throw new ValueSyntaxError('takes plain numbers, not ranges');
  return v;
}

function fromJson(def: ParamDef, raw: Exclude<RawValue, string>): ParsedValue {
  const kindOf = (v: unknown): string => (Array.isArray(v) ? 'vector' : typeof v);
  const expectOne = (v: unknown): Value => {
    if (def.type === 'number' && typeof v === 'number') return v;
    if (def.type === 'boolean' && typeof v === 'boolean') return v;
    if (def.type === 'text' && typeof v === 'string') return v;
    if (def.type === 'choice' && typeof v === 'string') {
      if (!def.choices.includes(v)) throw new ValueSyntaxError(`"${v}" is not one of ${def.choices.join(', ')}`);
      return v;
    }
    if (def.type === 'vector' && typeof v === 'number') return [v];
    if (def.type === 'vector' && Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
    throw new ValueSyntaxError(`a ${kindOf(v)} does not fit here`);
  };
  if (Array.isArray(raw)) {
    if (def.type === 'vector' && raw.every((x) => typeof x === 'number')) {
      if (raw.length === 0 && def.perDimension) throw new ValueSyntaxError('the vector is empty');
      return { kind: 'fixed', value: raw as number[] };
    }
    const values = (raw as readonly unknown[]).map(expectOne);
    if (values.length === 0) throw new ValueSyntaxError('the list is empty');
    return values.length === 1 ? { kind: 'fixed', value: values[0]! } : { kind: 'sweep', values, scale: 'list' };
  }
  if (typeof raw === 'object') {
    if ('values' in raw && Array.isArray(raw.values)) {
      const values = (raw.values as readonly unknown[]).map(expectOne);
      return values.length === 1 ? { kind: 'fixed', value: values[0]! } : { kind: 'sweep', values, scale: 'list' };
    }
    if (!('start' in raw) || (def.type !== 'number' && !(def.type === 'vector' && def.perDimension))) {
      throw new ValueSyntaxError('a range does not fit here');
    }
    const scale = raw.scale ?? 'linear';
    const values = rangeValues(raw.start, raw.stop, raw.count, scale);
    return values.length === 1 ? { kind: 'fixed', value: values[0]! } : { kind: 'sweep', values, scale };
  }
  return { kind: 'fixed', value: expectOne(raw) };
}

function checkValues(def: ParamDef, parsed: ParsedValue): void {
  if (def.type !== 'number' && def.type !== 'vector') return;
  const check = (x: number) => {
    if (!Number.isFinite(x)) throw new ValueSyntaxError(`${x} is not a finite number`);
    const problem = def.check(x);
    if (problem) throw new ValueSyntaxError(problem);
  };
  const checkValue = (v: Value) => (Array.isArray(v) ? v.forEach(check) : check(v as number));
  if (parsed.kind === 'fixed') checkValue(parsed.value);
  else if (parsed.kind === 'sweep') parsed.values.forEach(checkValue);
  else for (const c of parsed.components) c.kind === 'fixed' ? check(c.value) : c.values.forEach(check);
}

/** Length of a per-dimension vector value (1 for a broadcast scalar). */
function vectorLengths(parsed: ParsedValue): number[] {
  const len = (v: Value) => (Array.isArray(v) ? v.length : 1);
  if (parsed.kind === 'fixed') return [len(parsed.value)];
  if (parsed.kind === 'sweep') return parsed.values.map(len);
  return [parsed.components.length];
}

/**
 * Validates a spec input and resolves defaults. Throws `SpecError` naming the
 * first field that cannot be accepted.
 */
export function parseSpec(input: unknown, naming: FieldNaming = 'key'): Spec {
  const result = specInputSchema.safeParse(input);
  if (!result.success) throw zodToSpecError(result.error, naming);
  // Keep the caller's key order: it is the axis order.
  const given = Object.keys(input as object).filter((k) => (input as Record<string, unknown>)[k] !== undefined) as ParamKey[];
  const raw = result.data as SpecInput;

  const parsed = new Map<ParamKey, ParsedValue>();
  for (const key of given) {
    try {
      parsed.set(key, parseParam(key, raw[key]!));
    } catch (e) {
      if (e instanceof ValueSyntaxError) throw new SpecError(fieldName(key, naming), e.message, acceptedForms(PARAMS[key]));
      throw e;
    }
  }
  const name = (k: ParamKey) => fieldName(k, naming);

  // Which schedules can occur, and whether each given schedule parameter is read by one of them.
  const scheduleValue = parsed.get('schedule');
  const schedules: ScheduleName[] = scheduleValue
    ? scheduleValue.kind === 'fixed'
      ? [scheduleValue.value as ScheduleName]
      : scheduleValue.kind === 'sweep'
        ? (scheduleValue.values as ScheduleName[])
        : []
    : [PARAMS.schedule.default];
  for (const key of given) {
    if (PARAMS[key].group !== 'schedule' || key === 'schedule' || key === 'warmupSteps') continue;
    const users = schedules.filter((s) => (SCHEDULE_PARAMS[s] as readonly string[]).includes(key));
    if (users.length === 0) {
      const readers = Object.entries(SCHEDULE_PARAMS)
        .filter(([, keys]) => (keys as readonly string[]).includes(key))
        .map(([s]) => s);
      throw new SpecError(
        name(key),
        `not used by schedule ${schedules.join(', ')}`,
        `a schedule that uses it (${readers.join(', ')}), e.g. ${name('schedule')} ${readers[0]}`,
      );
    }
  }
  if (schedules.includes('piecewise_constant')) checkPiecewise(parsed, name);
  if (schedules.includes('cyclic-lr') && !parsed.has('maxLr')) {
    throw new SpecError(name('maxLr'), 'is required by schedule cyclic-lr', 'the top of the cycle, e.g. --max-lr 0.1 (--lr is the bottom)');
  }
  const choices = <T extends string>(key: 'optimizer' | 'convention'): T[] => {
    const p = parsed.get(key);
    if (!p) return [PARAMS[key].default as T];
    return (p.kind === 'fixed' ? [p.value] : p.kind === 'sweep' ? p.values : []) as T[];
  };
  const optimizers = choices<OptimizerName>('optimizer');
  const conventions = choices<Convention>('convention');
  const readBy = (key: string, o: OptimizerName, c: Convention) => (optimizerParams(o, c) as readonly string[]).includes(key);
  for (const key of given) {
    if (PARAMS[key].group !== 'optimizer' || key === 'optimizer' || key === 'convention') continue;
    if (optimizers.some((o) => conventions.some((c) => readBy(key, o, c)))) continue;
    const readers = OPTIMIZERS.filter((o) => CONVENTIONS.some((c) => readBy(key, o, c)));
    const otherConvention = optimizers.length === 1 && readers.includes(optimizers[0]!);
    throw new SpecError(
      name(key),
      `not used by optimizer ${optimizers.join(', ')}${otherConvention ? ` in convention ${conventions.join(', ')}` : ''}`,
      otherConvention
        ? `a convention that uses it, e.g. ${name('convention')} ${CONVENTIONS.find((c) => readBy(key, optimizers[0]!, c))}`
        : `an optimizer that uses it (${readers.join(', ')}), e.g. ${name('optimizer')} ${readers[0]}`,
    );
  }

  // The objective. A typed-in loss makes it `expression`.
  const objective = ((parsed.get('objective') as { value: string } | undefined)?.value ?? (parsed.has('loss') ? 'expression' : 'quadratic')) as ObjectiveName;
  if (parsed.has('loss') && objective !== 'expression') {
    throw new SpecError(name('loss'), `not used by objective ${objective}`, `${name('objective')} expression, or no ${name('objective')}`);
  }
  if (objective === 'expression' && !parsed.has('loss')) {
    throw new SpecError(name('loss'), 'is required by objective expression', acceptedForms(PARAMS.loss));
  }
  for (const key of ['curvature', 'minimum'] as const) {
    if (objective !== 'quadratic' && parsed.has(key)) {
      throw new SpecError(name(key), `not used by objective ${objective}`, `${name('objective')} quadratic, whose ${key} it is`);
    }
  }
  const MLP_KEYS = ['width', 'dataPoints', 'activation', 'seed', 'inputLr', 'outputLr'] as const;
  for (const key of MLP_KEYS) {
    if (objective !== 'mlp' && parsed.has(key)) throw new SpecError(name(key), `not used by objective ${objective}`, `${name('objective')} mlp, the tiny network`);
  }
  if (objective === 'mlp') checkMlp(parsed, optimizers, name);
  const testFunction = objective === 'quadratic' || objective === 'expression' || objective === 'mlp' ? undefined : TEST_FUNCTIONS[objective];
  const loss = (parsed.get('loss') as { value: string } | undefined)?.value;
  let compiled = objective === 'expression' ? compileOrThrow(() => compiledObjective('expression', 0, loss), name('loss')) : undefined;

  // Dimensions: fixed by the objective, or every per-dimension vector has 1 or n components.
  const mlpWidth = objective === 'mlp' ? ((parsed.get('width') as { value: number } | undefined)?.value ?? PARAMS.width.default) : undefined;
  const fixedDims = compiled?.dims ?? testFunction?.dims ?? (mlpWidth === undefined ? undefined : mlpDims(mlpWidth));
  let dims = fixedDims ?? 1;
  let dimsFrom: ParamKey | undefined = fixedDims === undefined ? undefined : objective === 'expression' ? 'loss' : 'objective';
  for (const key of given) {
    const def = PARAMS[key];
    if (def.type !== 'vector' || !def.perDimension) continue;
    for (const n of vectorLengths(parsed.get(key)!)) {
      if (n === 1 || n === dims) continue;
      if (dimsFrom === 'objective') throw new SpecError(name(key), `has ${n} components but objective ${objective} has ${dims} dimensions`, `1 or ${dims} components`);
      if (dimsFrom === 'loss') throw new SpecError(name(key), `has ${n} components but ${name('loss')} has ${dims} variables`, `1 or ${dims} components`);
      if (dims !== 1) {
        throw new SpecError(name(key), `has ${n} components but ${name(dimsFrom!)} has ${dims}`, `1 or ${dims} components`);
      }
      dims = n;
      dimsFrom = key;
    }
  }
  if (testFunction && !dimsFrom) dims = testFunction.defaultDims;
  if (testFunction) compiled = compileOrThrow(() => compiledObjective(objective as Exclude<ObjectiveName, 'quadratic' | 'expression' | 'mlp'>, dims, undefined), name('objective'));

  // Fixed values and defaults.
  const base: Record<string, unknown> = {};
  for (const key of PARAM_KEYS) base[key] = PARAMS[key].default;
  const axes: Axis[] = [];
  for (const key of given) {
    const p = parsed.get(key)!;
    if (p.kind === 'fixed') base[key] = p.value;
    else if (p.kind === 'sweep') {
      base[key] = p.values[0];
      axes.push({ name: key, key, component: undefined, values: p.values, scale: p.scale });
    } else {
      if (p.components.length !== dims) {
        throw new SpecError(name(key), `has ${p.components.length} components but the objective has ${dims} dimensions`, `${dims} components`);
      }
      base[key] = p.components.map((c: ComponentValue) => (c.kind === 'fixed' ? c.value : c.values[0]!));
      p.components.forEach((c, i) => {
        if (c.kind === 'sweep') axes.push({ name: `${key}[${i}]`, key, component: i, values: c.values, scale: c.scale });
      });
    }
  }
  if (base.decaySteps === undefined) base.decaySteps = base.steps;
  if (schedules.includes('one-cycle-lr')) {
    // PyTorch's OneCycleLR refuses to step past total_steps.
    const axis = axes.find((a) => a.key === 'decaySteps');
    const shortest = Math.min(...((axis?.values as number[] | undefined) ?? [base.decaySteps as number]));
    if ((base.steps as number) > shortest + 1) {
      throw new SpecError(name('decaySteps'), `is ${shortest}, too few total steps for one-cycle-lr over ${base.steps as number} steps`, `at least ${(base.steps as number) - 1}, or leave it out (it defaults to --steps)`);
    }
  }
  // Hyperparameters not given take the framework's default for the first
  // optimizer and convention; cellAt resolves them per cell when those are swept.
  const defaults = optimizerDefaults(optimizers[0]!, conventions[0]!);
  for (const key of HYPER_KEYS) {
    if (base[key] === undefined) base[key] = key === 'centered' ? false : defaults[key];
  }
  base.objective = objective;
  if (testFunction && !parsed.has('w0')) base.w0 = [...testFunction.w0];
  if (objective === 'mlp') {
    base.w0 = [...specMlp({ base: base as unknown as ObjectiveSpec['base'], dims }).w0];
    // Layer rates given: they are the learning rates, and a schedule scales both.
    if (parsed.has('inputLr') || parsed.has('outputLr')) base.lr = 1;
    base.inputLr ??= 1;
    base.outputLr ??= 1;
  }
  for (const key of ['curvature', 'minimum', 'w0'] as const) base[key] = broadcast(base[key] as Value, dims);

  let size = 1;
  for (const axis of axes) size *= axis.values.length;
  if (size > MAX_GRID_SIZE) {
    throw new SpecError(axes.map((a) => name(a.key)).join(' × '), `the grid has ${size} trajectories`, `at most ${MAX_GRID_SIZE}`);
  }
  for (const axis of axes) {
    if (axis.values.length > MAX_AXIS_LENGTH) throw new SpecError(name(axis.key), 'too many values', `at most ${MAX_AXIS_LENGTH}`);
  }

  const normalised: Record<string, RawValue> = {};
  for (const key of given) normalised[key] = raw[key]!;
  return { base: base as unknown as Cell, axes, dims, input: normalised as SpecInput };
}

/** The tiny network's own rules: its weights come from the seed, its layer rates replace lr. */
function checkMlp(parsed: Map<ParamKey, ParsedValue>, optimizers: readonly OptimizerName[], name: (k: ParamKey) => string): void {
  const layerRates = (['inputLr', 'outputLr'] as const).filter((k) => parsed.has(k));
  if (parsed.has('w0')) throw new SpecError(name('w0'), 'not used by objective mlp: the network starts from weights drawn N(0, 1)', `${name('seed')} to draw others`);
  if (layerRates.length === 0) return;
  if (parsed.has('lr')) {
    throw new SpecError(name('lr'), `cannot be given with ${layerRates.map(name).join(' and ')}: the layer rates are the learning rates`, `${name('inputLr')} and ${name('outputLr')} without ${name('lr')}, or ${name('lr')} alone for one rate`);
  }
  const adaptive = optimizers.filter((o) => !['gd', 'momentum', 'nesterov'].includes(o));
  if (adaptive.length) {
    throw new SpecError(
      name(layerRates[0]!),
      `not supported with optimizer ${adaptive.join(', ')}, which rescales each gradient`,
      `${name('optimizer')} gd, momentum or nesterov (or ${name('lr')} alone)`,
    );
  }
}

/** Runs an expression compile, turning its error into the field's one-line message. */
function compileOrThrow<T>(compile: () => T, field: string): T {
  try {
    return compile();
  } catch (e) {
    if (e instanceof ExpressionError) throw new SpecError(field, e.message, acceptedForms(PARAMS.loss));
    throw e;
  }
}

function checkPiecewise(parsed: Map<ParamKey, ParsedValue>, name: (k: ParamKey) => string): void {
  const valuesOf = (key: ParamKey): (readonly number[])[] => {
    const p = parsed.get(key);
    if (!p) return [];
    if (p.kind === 'fixed') return [p.value as readonly number[]];
    return p.kind === 'sweep' ? (p.values as (readonly number[])[]) : [];
  };
  const boundaries = valuesOf('boundaries');
  const values = valuesOf('values');
  if (values.length === 0) {
    throw new SpecError(name('values'), 'is required by schedule piecewise_constant', 'rates like [0.1,0.01] with one more entry than --boundaries');
  }
  for (const b of boundaries) {
    for (let i = 1; i < b.length; i++) {
      if (!(b[i]! > b[i - 1]!)) throw new SpecError(name('boundaries'), `[${b.join(',')}] is not strictly increasing`, 'increasing whole steps like [100,200]');
    }
  }
  for (const v of values) {
    for (const b of boundaries.length ? boundaries : [[]]) {
      if (v.length !== b.length + 1) {
        throw new SpecError(name('values'), `has ${v.length} rates for ${b.length} boundaries`, `${b.length + 1} rates (one more than the boundaries)`);
      }
    }
  }
}

function broadcast(value: Value, dims: number): number[] {
  const v = Array.isArray(value) ? (value as number[]) : [value as number];
  return v.length === dims ? [...v] : new Array<number>(dims).fill(v[0]!);
}

function zodToSpecError(error: z.ZodError, naming: FieldNaming): SpecError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = naming === 'flag' ? 'a flag listed by --help' : `one of ${PARAM_KEYS.join(', ')}`;
    return new SpecError(naming === 'flag' ? `--${key}` : key, 'is not a known parameter', known);
  }
  const key = issue.path[0];
  if (typeof key === 'string' && key in PARAMS) {
    return new SpecError(fieldName(key, naming), 'has the wrong type', acceptedForms(PARAMS[key as ParamKey]));
  }
  return new SpecError('spec', 'is not an object of parameters', 'a JSON object like {"lr": "0.01:1:64"}');
}

/** A raw value in the text syntax (JSON arrays and objects turned into their flag form). */
export function rawValueText(raw: RawValue): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (Array.isArray(raw)) {
    return raw.every((x) => typeof x === 'number') ? `[${raw.join(',')}]` : (raw as readonly (readonly number[])[]).map((v) => `[${v.join(',')}]`).join(',');
  }
  if ('values' in raw) {
    const values = (raw as { values: readonly unknown[] }).values;
    return values.map((v) => (Array.isArray(v) ? `[${v.join(',')}]` : String(v))).join(',');
  }
  const range = raw as { start: number; stop: number; count: number; scale?: string };
  return `${range.start}:${range.stop}:${range.count}${range.scale === 'log' ? ':log' : ''}`;
}

/** The command-line flags that reproduce a spec. */
export function specFlags(spec: Spec): string[] {
  const flags: string[] = [];
  for (const [key, raw] of Object.entries(spec.input) as Array<[ParamKey, RawValue]>) {
    const def = PARAMS[key];
    if (def.type === 'boolean' && raw === true) flags.push(`--${def.flag}`);
    else flags.push(`--${def.flag}`, rawValueText(raw));
  }
  return flags;
}

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

export type { NaturalExpForm, ScheduleName, Scale, Value };
