/**
 * Words for what a map shows, shared by the PNG writer and the web page:
 * axis titles with the parameter's meaning and scale, and a one-line title
 * naming the optimizer, objective and schedule.
 */
import type { Convention, OptimizerName } from '../optimizers/index.js';
import type { Axis, Spec } from '../experiment/index.js';

const MEANINGS: Record<string, string> = {
  lr: 'learning rate',
  decayRate: 'decay rate',
  decaySteps: 'decay steps',
  curvature: 'curvature L',
  minimum: 'minimum c',
  w0: 'initial point w₀',
  warmupSteps: 'warmup steps',
  momentum: 'momentum μ',
  beta1: 'first-moment decay β₁',
  beta2: 'second-moment decay β₂',
  rho: 'squared-gradient decay ρ',
  epsilon: 'ε',
  initialAccumulator: 'initial accumulator',
  endLr: 'final learning rate',
  power: 'polynomial power',
  alpha: 'floor α',
  inputLr: 'input-layer learning rate',
  outputLr: 'output-layer learning rate',
  initOffset: 'input-layer weight offset',
};

/** The words of axis titles in another language (the web page's Chinese). */
export interface TitleWords {
  readonly meanings: Readonly<Record<string, string>>;
  readonly logScale: string;
}

const ENGLISH_TITLES: TitleWords = { meanings: MEANINGS, logScale: 'log scale' };

/** Axis title: the parameter, what it is, and its scale, e.g. "lr (learning rate), log scale". */
export function axisTitle(axis: Axis, words: TitleWords = ENGLISH_TITLES): string {
  const meaning = words.meanings[axis.key];
  const label = meaning ? `${axis.name} (${meaning})` : axis.name;
  return axis.scale === 'log' ? `${label}, ${words.logScale}` : label;
}

/**
 * Axis titles from the longest to the shortest, for a chart too narrow for
 * the whole one: with the meaning, without it ("lr, log scale"), the name alone.
 */
export function axisTitles(axis: Axis, words: TitleWords = ENGLISH_TITLES): string[] {
  const brief = axis.scale === 'log' ? `${axis.name}, ${words.logScale}` : axis.name;
  return [...new Set([axisTitle(axis, words), brief, axis.name])];
}

const OPTIMIZER_NAMES: Record<OptimizerName, string> = {
  gd: 'gradient descent',
  momentum: 'momentum',
  nesterov: 'Nesterov momentum',
  adam: 'Adam',
  rmsprop: 'RMSProp',
  adagrad: 'Adagrad',
  adadelta: 'Adadelta',
};

const CONVENTION_NAMES: Record<Convention, string> = { tf: 'TensorFlow', torch: 'PyTorch', keras: 'Keras' };

/** What the network's title adds when set: its minibatch, and its input layer's offset unless the map sweeps it. */
export function networkSetting(spec: Spec): string {
  const b = spec.base;
  const batch = b.minibatch === undefined ? '' : `, minibatch ${b.minibatch}`;
  const offset = b.initOffset === 0 || spec.axes.some((a) => a.key === 'initOffset') ? '' : `, W₁ offset ${b.initOffset}`;
  return batch + offset;
}

/** "Adam (PyTorch) on f(w) = ½·L·(w − c)² · constant schedule · 2000 steps" (", fast math" after the objective where it is asked for). */
export function runTitle(spec: Spec): string {
  const b = spec.base;
  const objective =
    b.objective === 'quadratic'
      ? spec.dims === 1
        ? 'f(w) = ½·L·(w − c)²'
        : `f(w) = Σ ½·Lᵢ·(wᵢ − cᵢ)², ${spec.dims} dimensions`
      : b.objective === 'expression'
        ? `f = ${b.loss}`
        : b.objective === 'mlp'
          ? `a ${b.width}-${b.width}-1 ${b.activation} network, ${b.dataPoints} points${networkSetting(spec)}, seed ${b.seed}`
        : `${b.objective}${spec.dims > 2 || ['rastrigin', 'double-well', 'quartic'].includes(b.objective) ? `, ${spec.dims}-D` : ''}`;
  const schedule = spec.axes.some((a) => a.key === 'schedule') ? 'schedules swept' : `${b.schedule} schedule`;
  const swept = (key: string) => spec.axes.some((a) => a.key === key);
  const optimizer = swept('optimizer')
    ? 'optimizers swept'
    : b.optimizer === 'gd'
      ? OPTIMIZER_NAMES.gd
      : `${OPTIMIZER_NAMES[b.optimizer]} (${swept('convention') ? 'conventions swept' : CONVENTION_NAMES[b.convention]})`;
  return `${optimizer} on ${objective}${b.fastMath ? ', fast math' : ''} · ${schedule} · ${b.steps} steps`;
}
