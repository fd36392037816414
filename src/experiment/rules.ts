/**
 * The rules that tie parameters together: a schedule or optimizer parameter
 * must be read by the schedule or optimizer in play, an objective takes only
 * its own parameters, and a few schedules need values of their own. Each
 * broken rule is a `SpecError` naming the field and what would be accepted.
 */
import { SpecError } from '../errors.js';
import { CONVENTIONS, optimizerParams, OPTIMIZERS, type Convention, type OptimizerName } from '../optimizers/index.js';
import { SCHEDULE_PARAMS, type ScheduleName } from '../schedules.js';
import { defaultDataPoints, type Activation } from '../objectives/mlp.js';
import { acceptedForms, PARAMS, type ObjectiveName, type ParamKey } from './params.js';
import { MAX_MINIBATCH_DRAWS } from './limits.js';
import type { ParsedValue } from './values.js';

/** Parsed values by key, and how errors name a key. */
export interface Given {
  readonly parsed: ReadonlyMap<ParamKey, ParsedValue>;
  readonly keys: readonly ParamKey[];
  readonly name: (key: ParamKey) => string;
}

/** What a grid can hold of the parameters that select code: schedules, optimizers, conventions, the objective. */
export interface Choices {
  readonly schedules: readonly ScheduleName[];
  readonly optimizers: readonly OptimizerName[];
  readonly conventions: readonly Convention[];
  readonly objective: ObjectiveName;
}

function valuesOf<T>(given: Given, key: 'schedule' | 'optimizer' | 'convention'): T[] {
  const p = given.parsed.get(key);
  if (!p) return [PARAMS[key].default as T];
  return (p.kind === 'fixed' ? [p.value] : p.kind === 'sweep' ? p.values : []) as T[];
}

export function choicesOf(given: Given): Choices {
  const objective = ((given.parsed.get('objective') as { value: string } | undefined)?.value ?? (given.parsed.has('loss') ? 'expression' : 'quadratic')) as ObjectiveName;
  return {
    schedules: valuesOf<ScheduleName>(given, 'schedule'),
    optimizers: valuesOf<OptimizerName>(given, 'optimizer'),
    conventions: valuesOf<Convention>(given, 'convention'),
    objective,
  };
}

/** Checks every rule between parameters; throws the first that is broken. */
export function checkRules(given: Given, choices: Choices): void {
  checkScheduleParams(given, choices.schedules);
  checkOptimizerParams(given, choices);
  checkObjectiveParams(given, choices);
  checkPrecision(given, choices);
  checkFastMath(given, choices);
}

/** What df64 runs (src/engine/df64-plan.ts): the rest has a float32 version only. */
export const DF64_OPTIMIZERS: readonly OptimizerName[] = ['gd', 'momentum', 'nesterov'];
export const DF64_SCHEDULES: readonly ScheduleName[] = ['constant', 'exponential', 'inverse_time', 'natural_exp', 'step-lr', 'multi-step-lr', 'exponential-lr'];

function checkPrecision({ parsed, name }: Given, { optimizers, schedules }: Choices): void {
  if ((parsed.get('precision') as { value?: string } | undefined)?.value !== 'df64') return;
  const optimizer = optimizers.find((o) => !DF64_OPTIMIZERS.includes(o));
  if (optimizer) throw new SpecError(name('optimizer'), `${optimizer} has no df64 version`, `${DF64_OPTIMIZERS.join(', ')} with ${name('precision')} df64, or ${name('precision')} float32`);
  const schedule = schedules.find((s) => !DF64_SCHEDULES.includes(s));
  if (schedule) throw new SpecError(name('schedule'), `${schedule} has no df64 version`, `${DF64_SCHEDULES.join(', ')} with ${name('precision')} df64, or ${name('precision')} float32`);
}

/** Fast math relaxes the float32 code of compiled objectives (shaders/f32math.wgsl's o()): the quadratic's and df64 have none to relax. */
function checkFastMath({ parsed, name }: Given, { objective }: Choices): void {
  if ((parsed.get('fastMath') as { value?: boolean } | undefined)?.value !== true) return;
  if (objective === 'quadratic') throw new SpecError(name('fastMath'), 'has nothing to relax in objective quadratic', `a test function, a typed-in loss or the network (${name('objective')} rosenbrock, expression, mlp, …), or no ${name('fastMath')}`);
  if ((parsed.get('precision') as { value?: string } | undefined)?.value === 'df64') throw new SpecError(name('fastMath'), 'does not apply to df64', `${name('precision')} float32 with ${name('fastMath')}, or df64 without it`);
}

/** The input run in df64 where a zoom or the page switches to it by itself: fast math, float32's alone, is left out rather than refused. */
export function inDf64<T extends Readonly<Record<string, unknown>>>(input: T): T {
  const { fastMath: _, ...exact } = input;
  return { ...exact, precision: 'df64' } as unknown as T;
}

function checkScheduleParams(given: Given, schedules: readonly ScheduleName[]): void {
  const { name } = given;
  for (const key of given.keys) {
    if (PARAMS[key].group !== 'schedule' || key === 'schedule' || key === 'warmupSteps') continue;
    const users = schedules.filter((s) => (SCHEDULE_PARAMS[s] as readonly string[]).includes(key));
    if (users.length > 0) continue;
    const readers = Object.entries(SCHEDULE_PARAMS)
      .filter(([, keys]) => (keys as readonly string[]).includes(key))
      .map(([s]) => s);
    throw new SpecError(name(key), `not used by schedule ${schedules.join(', ')}`, `a schedule that uses it (${readers.join(', ')}), e.g. ${name('schedule')} ${readers[0]}`);
  }
  if (schedules.includes('piecewise_constant')) checkPiecewise(given);
  if (schedules.includes('cyclic-lr') && !given.parsed.has('maxLr')) {
    throw new SpecError(name('maxLr'), 'is required by schedule cyclic-lr', 'the top of the cycle, e.g. --max-lr 0.1 (--lr is the bottom)');
  }
}

function checkOptimizerParams(given: Given, { optimizers, conventions }: Choices): void {
  const { name } = given;
  const readBy = (key: string, o: OptimizerName, c: Convention) => (optimizerParams(o, c) as readonly string[]).includes(key);
  for (const key of given.keys) {
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
}

const MLP_KEYS = ['width', 'dataPoints', 'activation', 'seed', 'inputLr', 'outputLr', 'initOffset', 'minibatch'] as const;

function checkObjectiveParams(given: Given, { objective, optimizers }: Choices): void {
  const { parsed, name } = given;
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
  for (const key of MLP_KEYS) {
    if (objective !== 'mlp' && parsed.has(key)) throw new SpecError(name(key), `not used by objective ${objective}`, `${name('objective')} mlp, the tiny network`);
  }
  if (objective === 'mlp') checkMlp(given, optimizers);
}

/** The tiny network's own rules: its weights come from the seed, its layer rates replace lr, its minibatch is drawn from its data. */
function checkMlp({ parsed, name }: Given, optimizers: readonly OptimizerName[]): void {
  const layerRates = (['inputLr', 'outputLr'] as const).filter((k) => parsed.has(k));
  if (parsed.has('w0')) throw new SpecError(name('w0'), 'not used by objective mlp: the network starts from weights drawn N(0, 1)', `${name('seed')} to draw others`);
  const minibatch = parsed.get('minibatch');
  if (minibatch?.kind === 'fixed') checkMinibatch(parsed, name, minibatch.value as number);
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

/** A minibatch is drawn from the data points, one row of draws per iterate. */
function checkMinibatch(parsed: Given['parsed'], name: Given['name'], size: number): void {
  const fixed = <T>(key: ParamKey, fallback: T): T => (parsed.get(key) as { value: T } | undefined)?.value ?? fallback;
  const width = fixed('width', PARAMS.width.default!);
  const points = fixed('dataPoints', defaultDataPoints(width, fixed<Activation>('activation', PARAMS.activation.default)));
  if (size > points) {
    throw new SpecError(name('minibatch'), `${size} is more than the ${points} data points`, `a whole number from 1 to ${points} (the data points, ${name('dataPoints')})`);
  }
  const steps = fixed('steps', PARAMS.steps.default!);
  const most = Math.floor(MAX_MINIBATCH_DRAWS / size) - 1;
  if (steps > most) {
    throw new SpecError(name('minibatch'), `${size} points a step over ${steps} steps is more draws than lrscope holds (${MAX_MINIBATCH_DRAWS})`, `at most ${most} steps with a minibatch of ${size}`);
  }
}

function checkPiecewise({ parsed, name }: Given): void {
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

/** PyTorch's OneCycleLR refuses to step past total_steps. */
export function checkOneCycle(name: (key: ParamKey) => string, steps: number, decaySteps: readonly number[]): void {
  const shortest = Math.min(...decaySteps);
  if (steps > shortest + 1) {
    throw new SpecError(name('decaySteps'), `is ${shortest}, too few total steps for one-cycle-lr over ${steps} steps`, `at least ${steps - 1}, or leave it out (it defaults to --steps)`);
  }
}
