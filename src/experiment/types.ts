/**
 * What an experiment spec is: the input a front end hands over (one flat key
 * per parameter), one trajectory's settings (`Cell`), the swept axes, and the
 * validated `Spec` that everything downstream works on.
 */
import type { Activation } from '../objectives/mlp.js';
import type { Convention, OptimizerName } from '../optimizers/index.js';
import type { NaturalExpForm, ScheduleName, ScheduleParams } from '../schedules.js';
import { PARAMS, type ObjectiveName, type ParamDef, type ParamKey, type Precision } from './params.js';
import type { Scale, Value } from './values.js';

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
  /** The tiny network (objective `mlp`): width, dataset size, activation, seed, the layers' rates, the input layer's offset and the minibatch. */
  width: number;
  dataPoints: number;
  activation: Activation;
  seed: number;
  inputLr: number | undefined;
  outputLr: number | undefined;
  /** Added to every initial weight of the input layer W₁. */
  initOffset: number;
  /** Data points per step's gradient, drawn with replacement; undefined for the full batch. */
  minibatch: number | undefined;
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
  /** The arithmetic of every trajectory: float32, or df64 (src/df64.ts). */
  precision: Precision;
  /** A compiled objective's arithmetic on the GPU engine without exact rounding: fused, regrouped, the network's tanh the device's (shaders/f32math.wgsl's o()). */
  fastMath: boolean;
  /** Record every step's loss and judge the run by the trainability criterion (src/trainability.ts). */
  trainability: boolean;
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


export type { NaturalExpForm, ScheduleName, Scale, Value };
