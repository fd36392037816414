/**
 * Every parameter lrscope knows, defined once. The command line's flags, the
 * JSON spec's keys, the web page's URL state, the output's cell fields and
 * the help text all come from this table.
 *
 * Names: `key` is camelCase (JSON, URL, cells); `flag` is its kebab-case form.
 */
import { CONVENTIONS, OPTIMIZERS, type Convention, type OptimizerName } from '../optimizers/index.js';
import { ANNEAL_STRATEGIES, CYCLIC_MODES, NATURAL_EXP_FORMS, SCHEDULES } from '../schedules.js';

import { OBJECTIVES, type ObjectiveName } from '../objectives/catalogue.js';
import { ACTIVATIONS } from '../objectives/mlp.js';
import { MAX_STEPS } from './limits.js';
export { OBJECTIVES, type ObjectiveName };
export { CONVENTIONS, OPTIMIZERS, type Convention, type OptimizerName };

/** The arithmetic a run is computed in (src/df64.ts for df64). */
export const PRECISIONS = ['float32', 'df64'] as const;
export type Precision = (typeof PRECISIONS)[number];

export type ParamGroup = 'objective' | 'optimizer' | 'schedule' | 'run';

interface Common {
  readonly flag: string;
  readonly group: ParamGroup;
  readonly help: string;
  /** Whether the value may vary across the grid. */
  readonly sweepable: boolean;
}

export interface NumberParam extends Common {
  readonly type: 'number';
  /** Whole numbers (steps, sizes, seeds): taken exactly, not as float32. */
  readonly whole?: boolean;
  readonly default: number | undefined;
  /** Returns a problem with one value, or undefined when it is acceptable. */
  readonly check: (x: number) => string | undefined;
  /** The accepted form of one value, e.g. "a positive number". */
  readonly accepted: string;
}

export interface VectorParam extends Common {
  readonly type: 'vector';
  /** Whole numbers (steps), taken exactly, not as float32. */
  readonly whole?: boolean;
  readonly default: readonly number[];
  readonly check: (x: number) => string | undefined;
  readonly accepted: string;
  /** Vectors with one component per dimension of the objective (broadcast from a scalar). */
  readonly perDimension: boolean;
}

export interface BooleanParam extends Common {
  readonly type: 'boolean';
  readonly default: boolean;
}

export interface ChoiceParam extends Common {
  readonly type: 'choice';
  readonly choices: readonly string[];
  readonly default: string;
}

/** Free text, taken whole (commas included): the typed-in loss. */
export interface TextParam extends Common {
  readonly type: 'text';
  readonly default: string | undefined;
  readonly accepted: string;
}

export type ParamDef = NumberParam | VectorParam | BooleanParam | ChoiceParam | TextParam;

const finite = () => undefined;
const positive = (x: number) => (x > 0 ? undefined : `${x} is not positive`);
const nonNegative = (x: number) => (x >= 0 ? undefined : `${x} is negative`);
const atLeastOne = (x: number) => (x >= 1 ? undefined : `${x} is less than 1`);
const wholeNonNegative = (x: number) =>
  Number.isInteger(x) && x >= 0 ? undefined : `${x} is not a whole number ≥ 0`;
const wholePositive = (x: number) => (Number.isInteger(x) && x >= 1 ? undefined : `${x} is not a positive whole number`);
const fraction = (x: number) => (x >= 0 && x <= 1 ? undefined : `${x} is not from 0 to 1`);
const startFactor = (x: number) => (x > 0 && x <= 1 ? undefined : `${x} is not above 0 and at most 1`);
const belowOne = (x: number) => (x >= 0 && x < 1 ? undefined : `${x} is not from 0 up to (but not including) 1`);
const stepCount = (x: number) =>
  Number.isInteger(x) && x >= 1 && x <= MAX_STEPS ? undefined : `${x} is not a whole number from 1 to ${MAX_STEPS}`;
const seed = (x: number) =>
  Number.isInteger(x) && x >= 0 && x < 2 ** 32 ? undefined : `${x} is not a whole number from 0 to 4294967295`;

const number = (
  flag: string,
  group: ParamGroup,
  def: number | undefined,
  check: NumberParam['check'],
  accepted: string,
  help: string,
  sweepable = true,
): NumberParam => ({ type: 'number', flag, group, default: def, check, accepted, help, sweepable });

/** A parameter whose values are whole numbers, taken exactly. */
const whole = (...args: Parameters<typeof number>): NumberParam => ({ ...number(...args), whole: true });

export const PARAMS = {
  objective: {
    type: 'choice',
    flag: 'objective',
    group: 'objective',
    choices: OBJECTIVES,
    default: 'quadratic',
    sweepable: false,
    help: 'the loss: quadratic Σ ½·L·(w − c)² (default); rosenbrock, beale, himmelblau (2-D); rastrigin, double-well, quartic (n-D, n from --w0); expression (--loss); mlp, a tiny network (--width, --data-points, --activation, --seed, --input-lr, --output-lr, --init-offset, --minibatch)',
  },
  loss: {
    type: 'text',
    flag: 'loss',
    group: 'objective',
    default: undefined,
    sweepable: false,
    accepted: 'a formula in w, in x and y, or in w1 … wn, like "4*(w-3)^2"',
    help: 'a typed-in loss, e.g. "4*(w-3)^2" or "(1-x)^2 + 100*(y-x^2)^2": + − * / ^, sin cos tan exp log sqrt abs tanh sinh cosh, pi, e',
  },
  curvature: {
    type: 'vector',
    flag: 'curvature',
    group: 'objective',
    default: [2],
    check: finite,
    accepted: 'a number or a vector like [1,100]',
    perDimension: true,
    sweepable: true,
    help: 'curvature L of the quadratic, one per dimension (default 2: the seed’s (w+1)²)',
  },
  minimum: {
    type: 'vector',
    flag: 'minimum',
    group: 'objective',
    default: [-1],
    check: finite,
    accepted: 'a number or a vector like [-1,0]',
    perDimension: true,
    sweepable: true,
    help: 'where the quadratic has its minimum, c (default -1)',
  },
  w0: {
    type: 'vector',
    flag: 'w0',
    group: 'objective',
    default: [5],
    check: finite,
    accepted: 'a number or a vector like [5,5]',
    perDimension: true,
    sweepable: true,
    help: 'initial point w₀ (default 5; for the test functions their customary start, e.g. rosenbrock [-1.2,1])',
  },
  width: whole('width', 'objective', 8, (x) => (Number.isInteger(x) && x >= 1 && x <= 32 ? undefined : `${x} is not a whole number from 1 to 32`), 'a whole number from 1 to 32', 'mlp: hidden width, also the input dimension (default 8; the network has width² + width weights)', false),
  dataPoints: whole('data-points', 'objective', undefined, (x) => (Number.isInteger(x) && x >= 1 && x <= 1024 ? undefined : `${x} is not a whole number from 1 to 1024`), 'a whole number from 1 to 1024', 'mlp: size of the random dataset (default, as in the paper: the number of weights, width² + width, for tanh and relu; the width for identity)', false),
  activation: {
    type: 'choice',
    flag: 'activation',
    group: 'objective',
    choices: ACTIVATIONS,
    default: 'tanh',
    sweepable: false,
    help: 'mlp: the hidden activation, tanh(√2·z) (default), √2·relu(z) or identity',
  },
  seed: whole('seed', 'objective', 0, seed, 'a whole number from 0 to 4294967295', 'mlp: seed of the dataset and the initial weights, all N(0, 1) (default 0)', false),
  inputLr: number('input-lr', 'objective', undefined, nonNegative, 'a number ≥ 0', 'mlp: learning rate of the input layer W₁ (with --output-lr; --lr is then 1 and a schedule scales both)'),
  outputLr: number('output-lr', 'objective', undefined, nonNegative, 'a number ≥ 0', 'mlp: learning rate of the output layer W₂ (with --input-lr)'),
  initOffset: number('init-offset', 'objective', 0, finite, 'a number', 'mlp: added to every initial weight of the input layer W₁ (W₂ unchanged); against --lr, the paper’s second map (default 0)'),
  minibatch: whole(
    'minibatch',
    'objective',
    undefined,
    wholePositive,
    'a whole number from 1 to the data points',
    'mlp: each step’s gradient over this many data points drawn with replacement from --seed, one draw per step shared by the whole grid; the loss reported stays the full dataset’s (default: the full batch)',
    false,
  ),
  optimizer: {
    type: 'choice',
    flag: 'optimizer',
    group: 'optimizer',
    choices: OPTIMIZERS,
    default: 'gd',
    sweepable: true,
    help: 'gd (w ← w − lr·g), momentum, nesterov, adam, rmsprop, adagrad or adadelta',
  },
  convention: {
    type: 'choice',
    flag: 'convention',
    group: 'optimizer',
    choices: CONVENTIONS,
    default: 'tf',
    sweepable: true,
    help: 'whose update rule and defaults: tf (TF1 training_ops, default), torch (PyTorch) or keras (Keras 3)',
  },
  momentum: number('momentum', 'optimizer', undefined, fraction, 'a number from 0 to 1', 'momentum, nesterov, rmsprop: the coefficient μ (default 0.9; rmsprop 0)'),
  beta1: number('beta1', 'optimizer', undefined, belowOne, 'a number from 0 up to (but not including) 1', 'adam: decay of the first moment, β₁ (default 0.9)'),
  beta2: number('beta2', 'optimizer', undefined, belowOne, 'a number from 0 up to (but not including) 1', 'adam: decay of the second moment, β₂ (default 0.999)'),
  rho: number('rho', 'optimizer', undefined, fraction, 'a number from 0 to 1', 'rmsprop, adadelta: decay of the squared-gradient average, ρ (defaults: rmsprop 0.9, torch 0.99; adadelta 0.95, torch 0.9)'),
  epsilon: number('epsilon', 'optimizer', undefined, positive, 'a positive number', 'adam, rmsprop, adadelta, adagrad (torch, keras): ε (default: the convention’s own)'),
  centered: {
    type: 'boolean',
    flag: 'centered',
    group: 'optimizer',
    default: false,
    sweepable: true,
    help: 'rmsprop: divide by the variance rather than the mean square',
  },
  initialAccumulator: number(
    'initial-accumulator',
    'optimizer',
    undefined,
    nonNegative,
    'a number ≥ 0',
    'adagrad: the accumulator’s starting value (default tf, keras 0.1; torch 0)',
  ),
  schedule: {
    type: 'choice',
    flag: 'schedule',
    group: 'schedule',
    choices: SCHEDULES,
    default: 'constant',
    sweepable: true,
    help: 'learning-rate schedule: TF1 tf.train.*_decay (snake_case), PyTorch lr_scheduler, optax and transformers (kebab-case)',
  },
  lr: number('lr', 'schedule', 0.2, finite, 'a number', 'initial learning rate; one-cycle-lr: max_lr, cyclic-lr: base_lr, warmup schedules: the peak (default 0.2)'),
  decaySteps: number(
    'decay-steps',
    'schedule',
    undefined,
    positive,
    'a positive number',
    'steps per decay period; step-lr: step_size, cosine-annealing-lr: T_max, cosine-annealing-warm-restarts: T_0, one-cycle-lr: total_steps, warmup schedules: all steps (default: --steps)',
  ),
  decayRate: number('decay-rate', 'schedule', 0.96, finite, 'a number', 'decay rate; step-lr, multi-step-lr, exponential-lr: gamma (default 0.96)'),
  staircase: {
    type: 'boolean',
    flag: 'staircase',
    group: 'schedule',
    default: false,
    sweepable: true,
    help: 'decay in discrete steps: floor(step / decay-steps)',
  },
  naturalExpForm: {
    type: 'choice',
    flag: 'natural-exp-form',
    group: 'schedule',
    choices: NATURAL_EXP_FORMS,
    default: 'pow',
    sweepable: true,
    help: 'natural_exp as lr·pow(exp(−rate), p) (TF ≥ 1.13, default) or lr·exp(−rate·p) (TF ≤ 1.12)',
  },
  endLr: number('end-lr', 'schedule', 1e-4, finite, 'a number', 'polynomial: final learning rate (default 1e-4)'),
  power: number('power', 'schedule', 1, finite, 'a number', 'polynomial, polynomial-lr: power (default 1)'),
  cycle: {
    type: 'boolean',
    flag: 'cycle',
    group: 'schedule',
    default: false,
    sweepable: true,
    help: 'polynomial: restart after every decay period',
  },
  alpha: number('alpha', 'schedule', 0, finite, 'a number', 'cosine family: floor as a fraction of lr (default 0)'),
  tMul: number('t-mul', 'schedule', 2, atLeastOne, 'a number ≥ 1', 'cosine_restarts: period growth (default 2)'),
  mMul: number('m-mul', 'schedule', 1, finite, 'a number', 'cosine_restarts: rate factor per restart (default 1)'),
  numPeriods: number(
    'num-periods',
    'schedule',
    0.5,
    finite,
    'a number',
    'linear_cosine: cosine periods over decay-steps; cosine-with-warmup: num_cycles (default 0.5)',
  ),
  beta: number('beta', 'schedule', 0.001, finite, 'a number', 'linear_cosine: constant added to the factor (default 0.001)'),
  initialVariance: number(
    'initial-variance',
    'schedule',
    1,
    nonNegative,
    'a number ≥ 0',
    'noisy_linear_cosine: initial noise variance (default 1)',
  ),
  varianceDecay: number(
    'variance-decay',
    'schedule',
    0.55,
    finite,
    'a number',
    'noisy_linear_cosine: noise variance decay (default 0.55)',
  ),
  noiseSeed: whole(
    'noise-seed',
    'schedule',
    0,
    seed,
    'a whole number from 0 to 4294967295',
    'noisy_linear_cosine: seed of the noise (default 0)',
  ),
  boundaries: {
    type: 'vector',
    flag: 'boundaries',
    group: 'schedule',
    default: [],
    check: wholeNonNegative,
    whole: true,
    accepted: 'increasing whole steps like [100,200]',
    perDimension: false,
    sweepable: true,
    help: 'piecewise_constant: steps where the rate changes, e.g. [100,200]; multi-step-lr: the milestones',
  },
  values: {
    type: 'vector',
    flag: 'values',
    group: 'schedule',
    default: [],
    check: finite,
    accepted: 'rates like [0.1,0.05,0.01]',
    perDimension: false,
    sweepable: true,
    help: 'piecewise_constant: the rates, one more than boundaries',
  },
  etaMin: number(
    'eta-min',
    'schedule',
    0,
    finite,
    'a number',
    'cosine-annealing-lr, cosine-annealing-warm-restarts: the floor η_min; warmup-cosine-decay: end_value (default 0)',
  ),
  tMult: whole('t-mult', 'schedule', 1, wholePositive, 'a positive whole number', 'cosine-annealing-warm-restarts: period growth T_mult (default 1)'),
  pctStart: number('pct-start', 'schedule', 0.3, fraction, 'a number from 0 to 1', 'one-cycle-lr: share of the steps spent rising (default 0.3)'),
  annealStrategy: {
    type: 'choice',
    flag: 'anneal-strategy',
    group: 'schedule',
    choices: ANNEAL_STRATEGIES,
    default: 'cos',
    sweepable: true,
    help: 'one-cycle-lr: cos (default) or linear',
  },
  divFactor: number('div-factor', 'schedule', 25, positive, 'a positive number', 'one-cycle-lr: initial lr = lr / div-factor (default 25)'),
  finalDivFactor: number(
    'final-div-factor',
    'schedule',
    1e4,
    positive,
    'a positive number',
    'one-cycle-lr: final lr = initial lr / final-div-factor (default 1e4)',
  ),
  threePhase: {
    type: 'boolean',
    flag: 'three-phase',
    group: 'schedule',
    default: false,
    sweepable: true,
    help: 'one-cycle-lr: rise, fall back to the initial lr, then anneal',
  },
  maxLr: number('max-lr', 'schedule', undefined, finite, 'a number', 'cyclic-lr: the top of the cycle (lr is the bottom); required'),
  stepSizeUp: number('step-size-up', 'schedule', 2000, positive, 'a positive number', 'cyclic-lr: steps rising (default 2000)'),
  stepSizeDown: number('step-size-down', 'schedule', undefined, positive, 'a positive number', 'cyclic-lr: steps falling (default: --step-size-up)'),
  cyclicMode: {
    type: 'choice',
    flag: 'cyclic-mode',
    group: 'schedule',
    choices: CYCLIC_MODES,
    default: 'triangular',
    sweepable: true,
    help: 'cyclic-lr: triangular (default), triangular2 (amplitude halves each cycle) or exp_range',
  },
  cyclicGamma: number('cyclic-gamma', 'schedule', 1, finite, 'a number', 'cyclic-lr exp_range: amplitude factor per step (default 1)'),
  startFactor: number('start-factor', 'schedule', 1 / 3, startFactor, 'a number above 0, at most 1', 'linear-lr: the first factor (default 1/3)'),
  endFactor: number('end-factor', 'schedule', 1, fraction, 'a number from 0 to 1', 'linear-lr: the last factor (default 1)'),
  totalIters: whole('total-iters', 'schedule', 5, wholePositive, 'a positive whole number', 'linear-lr, polynomial-lr: steps to the end (default 5)'),
  initLr: number('init-lr', 'schedule', 0, finite, 'a number', 'warmup-cosine-decay: the rate the warmup starts from, init_value (default 0)'),
  warmupSteps: whole(
    'warmup-steps',
    'schedule',
    0,
    wholeNonNegative,
    'a whole number ≥ 0',
    'linear warmup from 0 to lr over this many steps, before the schedule starts; the warmup of warmup-cosine-decay, linear-with-warmup and cosine-with-warmup (default 0)',
  ),
  steps: whole('steps', 'run', 1000, stepCount, `a whole number from 1 to ${MAX_STEPS}`, 'number of steps (default 1000; trace: 40)', false),
  tol: number(
    'tol',
    'run',
    1e-5,
    positive,
    'a positive number',
    'converged once the largest gradient component is ≤ tol × its initial value (default 1e-5)',
    false,
  ),
  bound: number(
    'bound',
    'run',
    1e20,
    positive,
    'a positive number',
    'diverged once a component of w exceeds this magnitude (default 1e20)',
    false,
  ),
  precision: {
    type: 'choice',
    flag: 'precision',
    group: 'run',
    choices: PRECISIONS,
    default: 'float32',
    sweepable: false,
    help: 'float32 (default), or df64: every number of a trajectory as the unevaluated sum of two float32 values (about 48 bits), for zooms past float32 resolution; objectives quadratic, the test functions, expression and mlp; optimizers gd, momentum, nesterov; schedules constant, exponential, inverse_time, natural_exp, step-lr, multi-step-lr, exponential-lr; about 10–30× slower',
  },
  fastMath: {
    type: 'boolean',
    flag: 'fast-math',
    group: 'run',
    default: false,
    sweepable: false,
    help: "the objective's float32 arithmetic (a test function, a typed-in loss or the network) on the GPU engine without its exact rounding: the compiler may fuse and regroup its operations, and the network's tanh is the device's own; 1.4–2.2× faster on lavapipe, for the last bits: steadily converging runs agree with the exact ones to about 1e-6, and on the paper's map 0.1% of the pixels, all on the boundary, change trainability (README, \"Fast math\"); float32 only (a df64 run is exact); the CPU engine computes the exact values (default false)",
  },
  trainability: {
    type: 'boolean',
    flag: 'trainability',
    group: 'run',
    default: false,
    sweepable: false,
    help: "record every step's loss and judge each run by the trainability criterion of Sohl-Dickstein (2024): the trainable and score columns, --color trainability, the score edges' dimension (default: on for mlp, off otherwise; costs a loss evaluation per step)",
  },
} as const satisfies Record<string, ParamDef>;

export type ParamKey = keyof typeof PARAMS;
export const PARAM_KEYS = Object.keys(PARAMS) as ParamKey[];

/** The camelCase key for a kebab-case flag (without the dashes), if any. */
export function keyOfFlag(flag: string): ParamKey | undefined {
  return PARAM_KEYS.find((k) => PARAMS[k].flag === flag);
}

/** The accepted forms of a parameter, for error messages. */
export function acceptedForms(def: ParamDef): string {
  const sweep = def.sweepable;
  switch (def.type) {
    case 'number':
      return sweep ? `${def.accepted}, a list like 0.1,0.2, or a range START:STOP:COUNT[:log]` : def.accepted;
    case 'vector':
      return def.perDimension
        ? `${def.accepted}, a list, a range START:STOP:COUNT[:log], or a vector with a swept component like [1,1:100:8]`
        : def.accepted;
    case 'boolean':
      return sweep ? 'true or false, or the list true,false' : 'true or false';
    case 'choice':
      return sweep ? `one of ${def.choices.join(', ')}, or a comma-separated list of them` : `one of ${def.choices.join(', ')}`;
    case 'text':
      return def.accepted;
  }
}
