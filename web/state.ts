/**
 * The page's whole state lives in the URL: the experiment spec (the same
 * flat keys and value syntax as the command line's flags and JSON specs)
 * plus a few view settings. The map's x and y axes are the spec's first two
 * swept parameters, so `?lr=0.01:1.5:512&curvature=0.25:4:512&steps=200` is
 * a complete link.
 */
import { parseSpec, SpecError, type Spec, type SpecInput } from '../src/core';
import { BIFURCATION_SPEC, checkBifurcationInput } from './bifurcation-view';
import type { Lang } from './i18n';
import { choiceFromUrl, PRECISION_CHOICES, urlPrecision, withoutPrecision, withPrecision, mapPrecision, type PrecisionChoice } from './precision';

export type View = 'map' | 'lesson' | 'bifurcation';
export type EngineChoice = 'auto' | 'gpu' | 'cpu';
/** What a pixel's colour shows: the run's regime, or its trainability score as Sohl-Dickstein (2024) draws it. */
export type ColorChoice = 'regime' | 'trainability';
export const COLOR_CHOICES: readonly ColorChoice[] = ['regime', 'trainability'];

export interface AppState {
  readonly spec: SpecInput;
  readonly view: View;
  readonly lang: Lang;
  readonly engine: EngineChoice;
  /** Grid coordinates of the picked point, if any. */
  readonly pick: readonly [number, number] | undefined;
  /** The lesson slider's learning rate. */
  readonly lessonLr: number;
  /** The bifurcation view's tail length, as given (checked against the spec's steps). */
  readonly tail: string | undefined;
  /** The bifurcation view's coordinate of w, as given (checked against the objective's dimensions). */
  readonly component: string | undefined;
  /** Whether the map draws theory's boundary (theory=off hides it). */
  readonly theory: boolean;
  /** What the map's colours show (color=trainability: the score). */
  readonly color: ColorChoice;
  /** The precision chosen (precision=float32 or df64; auto, the default, picks df64 past float32's resolution: see ./precision). */
  readonly precision: PrecisionChoice;
}

const UI_KEYS = ['view', 'lang', 'engine', 'pick', 'lessonLr', 'tail', 'component', 'theory', 'color', 'precision'] as const;

export function defaultSpec(resolution: number): SpecInput {
  return { lr: `0.01:1.5:${resolution}`, curvature: `0.25:4:${resolution}`, steps: '200' };
}

export function defaultState(resolution: number): AppState {
  return { spec: defaultSpec(resolution), view: 'map', lang: 'en', engine: 'auto', pick: undefined, lessonLr: 1, tail: undefined, component: undefined, theory: true, color: 'regime', precision: 'auto' };
}

/** The map needs exactly two swept parameters, each an evenly spaced range. */
export function checkMapSpec(spec: Spec): void {
  if (spec.axes.length !== 2) {
    const swept = spec.axes.map((a) => a.name).join(', ') || 'none';
    throw new SpecError('map', `needs two swept parameters for its axes (swept: ${swept})`, 'two ranges like lr=0.01:1.5:512&curvature=0.25:4:512');
  }
  for (const axis of spec.axes) {
    if (axis.scale === 'list' || typeof axis.values[0] !== 'number') {
      throw new SpecError(axis.name, 'is a list, but a map axis must be a range', 'START:STOP:COUNT or START:STOP:COUNT:log');
    }
  }
}

function parseUi(params: URLSearchParams, fallback: AppState) {
  const view = params.get('view') ?? fallback.view;
  if (view !== 'map' && view !== 'lesson' && view !== 'bifurcation') throw new SpecError('view', `"${view}" is not a view`, 'map, lesson or bifurcation');
  const lang = params.get('lang') ?? fallback.lang;
  if (lang !== 'en' && lang !== 'zh') throw new SpecError('lang', `"${lang}" is not a language`, 'en or zh');
  const engine = params.get('engine') ?? fallback.engine;
  if (engine !== 'auto' && engine !== 'gpu' && engine !== 'cpu') throw new SpecError('engine', `"${engine}" is not an engine`, 'auto, gpu or cpu');
  let pick: readonly [number, number] | undefined;
  const pickText = params.get('pick');
  if (pickText !== null) {
    const m = /^(\d+),(\d+)$/.exec(pickText);
    if (!m) throw new SpecError('pick', `"${pickText}" is not a grid point`, 'two whole numbers like pick=12,40');
    pick = [Number(m[1]), Number(m[2])];
  }
  const lessonText = params.get('lessonLr');
  const lessonLr = lessonText === null ? fallback.lessonLr : Number(lessonText);
  if (!Number.isFinite(lessonLr) || lessonLr < 0 || lessonLr > 2) {
    throw new SpecError('lessonLr', `"${lessonText}" is not a learning rate from 0 to 2`, 'a number from 0 to 2');
  }
  const theoryText = params.get('theory') ?? (fallback.theory ? 'on' : 'off');
  if (theoryText !== 'on' && theoryText !== 'off') throw new SpecError('theory', `"${theoryText}" is not on or off`, 'on or off');
  const color = params.get('color') ?? fallback.color;
  if (!(COLOR_CHOICES as readonly string[]).includes(color)) throw new SpecError('color', `"${color}" is not a colouring`, 'regime or trainability');
  const precision = params.get('precision') ?? fallback.precision;
  if (!(PRECISION_CHOICES as readonly string[]).includes(precision)) throw new SpecError('precision', `"${precision}" is not a precision`, 'auto, float32 or df64');
  return {
    view,
    lang,
    engine,
    pick,
    lessonLr,
    tail: params.get('tail') ?? undefined,
    component: params.get('component') ?? undefined,
    theory: theoryText === 'on',
    color: color as ColorChoice,
    precision: precision as PrecisionChoice,
  } as const;
}

/**
 * Reads the state from a query string. Anything invalid yields the defaults
 * and a one-line message naming the parameter and the accepted form.
 */
export function stateFromSearch(search: string, fallback: AppState): { state: AppState; spec: Spec; error?: string } {
  const params = new URLSearchParams(search);
  const input: Record<string, string> = {};
  for (const [key, value] of params) {
    if ((UI_KEYS as readonly string[]).includes(key)) continue;
    input[key] = value;
  }
  try {
    const ui = parseUi(params, fallback);
    const bifurcation = ui.view === 'bifurcation';
    const specInput = Object.keys(input).length ? (input as SpecInput) : bifurcation ? BIFURCATION_SPEC : fallback.spec;
    // The bifurcation view sweeps lr alone; the map and the lesson's link back to it take two axes.
    if (bifurcation) return { state: { ...ui, spec: specInput }, spec: checkBifurcationInput(specInput, ui.tail, ui.component).spec };
    const float32 = parseSpec(withColor(specInput, ui.color), 'key');
    checkMapSpec(float32);
    const precision = choiceFromUrl(ui.precision, float32);
    // A chosen df64 the spec cannot run (an optimizer without a df64 version) is refused here, with the parser's message.
    const spec = mapPrecision(float32, precision) === 'df64' ? parseSpec(withPrecision(withColor(specInput, ui.color), 'df64'), 'key') : float32;
    if (ui.pick && (ui.pick[0] >= spec.axes[0]!.values.length || ui.pick[1] >= spec.axes[1]!.values.length)) {
      throw new SpecError('pick', `${ui.pick.join(',')} lies outside the ${spec.axes[0]!.values.length}×${spec.axes[1]!.values.length} grid`, 'a point of the grid');
    }
    return { state: { ...ui, precision, spec: withColor(specInput, ui.color) }, spec };
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    if (params.get('view') === 'bifurcation') {
      return { state: { ...fallback, view: 'bifurcation', spec: BIFURCATION_SPEC, tail: undefined, component: undefined }, spec: parseSpec(BIFURCATION_SPEC), error: e.message };
    }
    return { state: fallback, spec: parseSpec(fallback.spec), error: e.message };
  }
}

/**
 * The spec a colouring needs: trainability colours the runs' scores, so a spec
 * without the loss record (a quadratic's default: it costs a loss evaluation
 * per step) gets `trainability: true`. The network records it by default.
 */
export function withColor(input: SpecInput, color: ColorChoice): SpecInput {
  if (color !== 'trainability') return input;
  const given = (input as Record<string, unknown>).trainability;
  if (given === true || given === 'true') return input;
  if (given === undefined && (input as Record<string, unknown>).objective === 'mlp') return input;
  return { ...input, trainability: 'true' } as SpecInput;
}

/** The query string for a state: the spec's keys in order, then the view settings that differ from the defaults. */
export function searchFromState(state: AppState, defaults: AppState): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(withoutPrecision(state.spec))) params.set(key, String(value));
  const precision = urlPrecision(state.spec, state.precision, state.view === 'map');
  if (precision) params.set('precision', precision);
  if (state.view !== defaults.view) params.set('view', state.view);
  if (state.lang !== defaults.lang) params.set('lang', state.lang);
  if (state.engine !== defaults.engine) params.set('engine', state.engine);
  if (state.pick) params.set('pick', state.pick.join(','));
  if (state.lessonLr !== defaults.lessonLr) params.set('lessonLr', String(state.lessonLr));
  if (state.tail !== undefined) params.set('tail', state.tail);
  if (state.component !== undefined) params.set('component', state.component);
  if (state.theory !== defaults.theory) params.set('theory', state.theory ? 'on' : 'off');
  if (state.color !== defaults.color) params.set('color', state.color);
  // Keep brackets, commas and colons readable in the address bar.
  return `?${params.toString().replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%5B/g, '[').replace(/%5D/g, ']')}`;
}
