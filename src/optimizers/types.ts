/**
 * What an optimizer is to lrscope: the hyperparameters it reads, the
 * frameworks' defaults, the state it keeps per trajectory, its float32
 * update rule for the CPU engine, and its WGSL twin for the kernel. Each
 * optimizer is one module in this folder beside one shaders/optimizer-*.wgsl
 * file, registered in src/optimizers/index.ts.
 */

/** Every optimizer hyperparameter as given (`centered` is 0 or 1). */
export interface HyperValues {
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly rho: number;
  readonly centered: number;
  readonly initialAccumulator: number;
}

export type HyperKey = keyof HyperValues;

export const HYPER_KEYS: readonly HyperKey[] = ['momentum', 'beta1', 'beta2', 'epsilon', 'rho', 'centered', 'initialAccumulator'];

/** Whose update rule and defaults: TensorFlow 1's, PyTorch's or Keras 3's. */
export const CONVENTIONS = ['tf', 'torch', 'keras'] as const;
export type Convention = (typeof CONVENTIONS)[number];

/**
 * The hyperparameters as the update rules read them: float32 values, plus
 * the complements 1 − β₁, 1 − β₂, 1 − ρ rounded as each framework rounds them.
 */
export interface OptimizerHyper extends HyperValues {
  readonly c1: number;
  readonly c2: number;
  readonly cRho: number;
}

/** The hyperparameter fields of the kernel's Hyper struct: the spec's, then the complements. */
export const HYPER_FIELDS = [...HYPER_KEYS, 'c1', 'c2', 'cRho'] as const satisfies readonly (keyof OptimizerHyper)[];
export type HyperField = (typeof HYPER_FIELDS)[number];

/** The hyperparameter each complement is 1 − of. */
export const COMPLEMENT_OF: Readonly<Partial<Record<HyperField, 'beta1' | 'beta2' | 'rho'>>> = { c1: 'beta1', c2: 'beta2', cRho: 'rho' };

/** An optimizer's state per trajectory: each slot holds one value, or one per dimension of w. */
export type SlotShape = Readonly<Record<string, 'perDimension' | 'scalar'>>;

/** The CPU engine's values of a slot shape: a Float64Array per dimension-wide slot, a number per scalar. */
export type SlotValues<S extends SlotShape = SlotShape> = {
  -readonly [K in keyof S]: S[K] extends 'perDimension' ? Float64Array : S[K] extends 'scalar' ? number : Float64Array | number;
};

/**
 * One update of every dimension, in place: `w` the parameters, `g` the
 * gradient, `lr` the step's rate, `slots` the optimizer state. All values are
 * float32 numbers; every operation rounds once.
 */
export type UpdateRule<S extends SlotShape = SlotShape> = (w: Float64Array, g: Float64Array, lr: number, slots: SlotValues<S>, h: OptimizerHyper) => void;

/** Defaults shared by every convention (`all`), then each convention's own. */
export type ConventionDefaults = { readonly all?: Partial<HyperValues> } & { readonly [C in Convention]?: Partial<HyperValues> };

export interface OptimizerDefinition<S extends SlotShape> {
  readonly name: string;
  /** The hyperparameters it reads in a convention. */
  params(convention: Convention): readonly HyperKey[];
  readonly defaults: ConventionDefaults;
  /** Its state per trajectory, in the order the kernel stores it. */
  readonly slots: S;
  /** Sets the state before the first step; every slot starts at 0 unless set here. */
  initialize?(slots: SlotValues<S>, h: OptimizerHyper, convention: Convention): void;
  /** The float32 update rule of a convention. */
  rule(convention: Convention): UpdateRule<S>;
  /**
   * The WGSL twin: the file, and the prefix of what it defines (`adam`:
   * `fn adamInit(h: Hyper, convention: u32) -> AdamSlots` and
   * `fn adamUpdate(w, g, lr, slots: ptr<function, AdamSlots>, h: Hyper, convention: u32)`).
   * `args` are extra constant arguments of the update (Nesterov's flag).
   * The slot struct is generated from `slots`.
   */
  readonly wgsl: { readonly source: string; readonly prefix: string; readonly args?: string };
}

/** A registered optimizer, its slot type erased (src/optimizers/index.ts). */
export interface Optimizer {
  readonly name: string;
  params(convention: Convention): readonly HyperKey[];
  readonly defaults: ConventionDefaults;
  readonly slots: SlotShape;
  initialize?(slots: SlotValues, h: OptimizerHyper, convention: Convention): void;
  rule(convention: Convention): UpdateRule;
  readonly wgsl: OptimizerDefinition<SlotShape>['wgsl'];
}

/** Registers an optimizer module (its slot type checked against its rule, then erased). */
export function defineOptimizer<S extends SlotShape>(definition: OptimizerDefinition<S>): Optimizer {
  return definition as unknown as Optimizer;
}
