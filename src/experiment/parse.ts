/**
 * `parseSpec`: every front end turns its input into a `SpecInput` (flat: one
 * key per parameter) and calls it once; everything downstream works on the
 * validated `Spec`. Values are parsed one by one (src/experiment/values.ts),
 * the rules between parameters are checked (src/experiment/rules.ts), then the
 * dimensions, defaults and axes are resolved.
 */
import { z } from 'zod';
import { SpecError } from '../errors.js';
import { compiledObjective, ExpressionError, specMlp, TEST_FUNCTIONS, type ObjectiveSpec } from '../objectives/catalogue.js';
import { defaultDataPoints, mlpDims, type Activation } from '../objectives/mlp.js';
import { HYPER_KEYS, optimizerDefaults } from '../optimizers/index.js';
import { acceptedForms, PARAM_KEYS, PARAMS, type ObjectiveName, type ParamDef, type ParamKey } from './params.js';
import { broadcast, MAX_GRID_SIZE } from './grid.js';
import { MAX_DIMS } from './limits.js';
import { checkOneCycle, checkRules, choicesOf, type Choices, type Given } from './rules.js';
import { fieldName, type Axis, type Cell, type FieldNaming, type RawValue, type Spec, type SpecInput } from './types.js';
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
  type Value,
} from './values.js';

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

/** float32's largest finite value. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Checks each number against its parameter. Numbers the engines hold as
 * float32 are checked as float32 too: one that overflows is refused, and one
 * that rounds to a value the parameter cannot take (1e-46 rounds to 0) is
 * refused with the value it rounds to. Whole numbers are taken exactly.
 */
function checkValues(def: ParamDef, parsed: ParsedValue): void {
  if (def.type !== 'number' && def.type !== 'vector') return;
  const check = (x: number) => {
    if (!Number.isFinite(x)) throw new ValueSyntaxError(`${x} is not a finite number`);
    const problem = def.check(x);
    if (problem) throw new ValueSyntaxError(problem);
    if (def.whole) return;
    const rounded = Math.fround(x);
    if (!Number.isFinite(rounded)) throw new ValueSyntaxError(`${x} is beyond float32's range (±${FLOAT32_MAX.toPrecision(8)})`);
    const roundedProblem = rounded === x ? undefined : def.check(rounded);
    if (roundedProblem) throw new ValueSyntaxError(`${x} rounds to ${rounded} in float32, and ${roundedProblem}`);
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

/**
 * Validates a spec input and resolves defaults. Throws `SpecError` naming the
 * first field that cannot be accepted.
 */
export function parseSpec(input: unknown, naming: FieldNaming = 'key'): Spec {
  const result = specInputSchema.safeParse(input);
  if (!result.success) throw zodToSpecError(result.error, naming);
  // Keep the caller's key order: it is the axis order.
  const keys = Object.keys(input as object).filter((k) => (input as Record<string, unknown>)[k] !== undefined) as ParamKey[];
  const raw = result.data as SpecInput;
  const parsed = new Map<ParamKey, ParsedValue>();
  for (const key of keys) {
    try {
      parsed.set(key, parseParam(key, raw[key]!));
    } catch (e) {
      if (e instanceof ValueSyntaxError) throw new SpecError(fieldName(key, naming), e.message, acceptedForms(PARAMS[key]));
      throw e;
    }
  }
  const given: Given = { parsed, keys, name: (k) => fieldName(k, naming) };
  const choices = choicesOf(given);
  checkRules(given, choices);
  const dims = resolveDims(given, choices.objective);
  const { base, axes } = resolveValues(given, choices, dims);
  checkGridSize(given, axes);
  const normalised: Record<string, RawValue> = {};
  for (const key of keys) normalised[key] = raw[key]!;
  return { base, axes, dims, input: normalised as SpecInput };
}

type TestFunctionName = Exclude<ObjectiveName, 'quadratic' | 'expression' | 'mlp'>;

function testFunctionOf(objective: ObjectiveName): TestFunctionName | undefined {
  return objective === 'quadratic' || objective === 'expression' || objective === 'mlp' ? undefined : objective;
}

/** Dimensions: fixed by the objective, or every per-dimension vector has 1 or n components. */
function resolveDims(given: Given, objective: ObjectiveName): number {
  const { parsed, name } = given;
  const testFunction = testFunctionOf(objective);
  const loss = (parsed.get('loss') as { value: string } | undefined)?.value;
  const compiled = objective === 'expression' ? compileOrThrow(() => compiledObjective('expression', 0, loss), name('loss')) : undefined;
  const mlpWidth = objective === 'mlp' ? ((parsed.get('width') as { value: number } | undefined)?.value ?? PARAMS.width.default) : undefined;
  const fixedDims = compiled?.dims ?? (testFunction && TEST_FUNCTIONS[testFunction].dims) ?? (mlpWidth === undefined ? undefined : mlpDims(mlpWidth));
  let dims = fixedDims ?? 1;
  let dimsFrom: ParamKey | undefined = fixedDims === undefined ? undefined : objective === 'expression' ? 'loss' : 'objective';
  for (const key of given.keys) {
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
  if (testFunction) {
    if (!dimsFrom) dims = TEST_FUNCTIONS[testFunction].defaultDims;
    compileOrThrow(() => compiledObjective(testFunction, dims, undefined), name('objective'));
  }
  if (dims > MAX_DIMS) {
    throw new SpecError(name(dimsFrom ?? 'curvature'), `gives ${dims} dimensions, more than a trajectory can hold (${MAX_DIMS})`, `at most ${MAX_DIMS} components`);
  }
  return dims;
}

/** Every parameter's value (a swept one holds its first), defaults filled in, and the axes in grid order. */
function resolveValues(given: Given, choices: Choices, dims: number): { base: Cell; axes: Axis[] } {
  const { parsed, name } = given;
  const base: Record<string, unknown> = {};
  for (const key of PARAM_KEYS) base[key] = PARAMS[key].default;
  const axes: Axis[] = [];
  for (const key of given.keys) {
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
  base.dataPoints ??= defaultDataPoints(base.width as number, base.activation as Activation);
  if (choices.schedules.includes('one-cycle-lr')) {
    const axis = axes.find((a) => a.key === 'decaySteps');
    checkOneCycle(name, base.steps as number, (axis?.values as number[] | undefined) ?? [base.decaySteps as number]);
  }
  // Hyperparameters not given take the framework's default for the first
  // optimizer and convention; cellAt resolves them per cell when those are swept.
  const defaults = optimizerDefaults(choices.optimizers[0]!, choices.conventions[0]!);
  for (const key of HYPER_KEYS) {
    if (base[key] === undefined) base[key] = key === 'centered' ? false : defaults[key];
  }
  const { objective } = choices;
  base.objective = objective;
  const testFunction = testFunctionOf(objective);
  if (testFunction && !parsed.has('w0')) base.w0 = [...TEST_FUNCTIONS[testFunction].w0];
  if (objective === 'mlp') {
    base.w0 = [...specMlp({ base: base as unknown as ObjectiveSpec['base'], dims }).w0];
    // Layer rates given: they are the learning rates, and a schedule scales both.
    if (parsed.has('inputLr') || parsed.has('outputLr')) base.lr = 1;
    base.inputLr ??= 1;
    base.outputLr ??= 1;
    // A network is judged by its loss (src/trainability.ts), which needs the loss record.
    if (!parsed.has('trainability')) base.trainability = true;
  }
  for (const key of ['curvature', 'minimum', 'w0'] as const) base[key] = broadcast(base[key] as Value, dims);
  return { base: base as unknown as Cell, axes };
}

function checkGridSize({ name }: Given, axes: readonly Axis[]): void {
  let size = 1;
  for (const axis of axes) size *= axis.values.length;
  if (size > MAX_GRID_SIZE) {
    throw new SpecError(axes.map((a) => name(a.key)).join(' × '), `the grid has ${size} trajectories`, `at most ${MAX_GRID_SIZE}`);
  }
  for (const axis of axes) {
    if (axis.values.length > MAX_AXIS_LENGTH) throw new SpecError(name(axis.key), 'too many values', `at most ${MAX_AXIS_LENGTH}`);
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
