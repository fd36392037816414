/**
 * The built-in objectives besides the quadratic: classic test functions,
 * each written as an expression (compiled like a typed-in one), with its
 * dimensions, a customary starting point and its known minima.
 */
import { compileExpression, ExpressionError, type CompiledObjective } from './expression.js';
import { mlpObjective, type Activation, type MlpObjective } from './mlp.js';

export const OBJECTIVES = ['quadratic', 'rosenbrock', 'beale', 'himmelblau', 'rastrigin', 'double-well', 'quartic', 'expression', 'mlp'] as const;
export type ObjectiveName = (typeof OBJECTIVES)[number];

export interface TestFunction {
  /** The formula for n dimensions (n is fixed for 2-D functions). */
  readonly formula: (dims: number) => string;
  /** Fixed dimensions, or undefined when any n ≥ 1 works (default 1 or 2). */
  readonly dims: number | undefined;
  readonly defaultDims: number;
  readonly w0: readonly number[];
  /** Global minima (for n-dimensional functions, per coordinate), and f there. */
  readonly minima: readonly (readonly number[])[];
  readonly minimum: number;
  readonly describe: string;
}

const vars = (n: number) => (n === 1 ? ['w'] : n <= 3 ? ['x', 'y', 'z'].slice(0, n) : Array.from({ length: n }, (_, i) => `w${i + 1}`));
const sum = (n: number, term: (v: string) => string) => vars(n).map(term).join(' + ');

export const TEST_FUNCTIONS: Record<Exclude<ObjectiveName, 'quadratic' | 'expression' | 'mlp'>, TestFunction> = {
  rosenbrock: {
    formula: () => '(1 - x)^2 + 100 * (y - x^2)^2',
    dims: 2,
    defaultDims: 2,
    w0: [-1.2, 1],
    minima: [[1, 1]],
    minimum: 0,
    describe: 'Rosenbrock (1 − x)² + 100·(y − x²)², minimum at (1, 1)',
  },
  beale: {
    formula: () => '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2',
    dims: 2,
    defaultDims: 2,
    w0: [1, 1],
    minima: [[3, 0.5]],
    minimum: 0,
    describe: 'Beale, minimum at (3, 0.5)',
  },
  himmelblau: {
    formula: () => '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
    dims: 2,
    defaultDims: 2,
    w0: [0, 0],
    minima: [
      [3, 2],
      [-2.805118, 3.131312],
      [-3.77931, -3.283186],
      [3.584428, -1.848126],
    ],
    minimum: 0,
    describe: 'Himmelblau (x² + y − 11)² + (x + y² − 7)², four minima',
  },
  rastrigin: {
    formula: (n) => `${10 * n} + ${sum(n, (v) => `(${v}^2 - 10 * cos(2 * pi * ${v}))`)}`,
    dims: undefined,
    defaultDims: 2,
    w0: [2.5],
    minima: [[0]],
    minimum: 0,
    describe: 'Rastrigin 10n + Σ (wᵢ² − 10·cos 2πwᵢ), minimum at 0, many local minima',
  },
  'double-well': {
    formula: (n) => sum(n, (v) => `(${v}^2 - 1)^2`),
    dims: undefined,
    defaultDims: 1,
    w0: [2],
    minima: [[1], [-1]],
    minimum: 0,
    describe: 'double well Σ (wᵢ² − 1)², minima at ±1 (curvature 8 there)',
  },
  // The softening (anharmonic) quartic: its minimum flips into a stable
  // 2-cycle at lr = 2 and doubles on into chaos, like the double well. (The
  // hardening w⁴/4 + w²/2 flips subcritically: past lr = 2 it just diverges.)
  quartic: {
    formula: (n) => sum(n, (v) => `${v}^2 / 2 - ${v}^4 / 4`),
    dims: undefined,
    defaultDims: 1,
    w0: [0.5],
    minima: [[0]],
    minimum: 0,
    describe: 'softening quartic Σ (wᵢ²/2 − wᵢ⁴/4), minimum at 0 (curvature 1 there), maxima at ±1, unbounded below beyond them',
  },
};

const cache = new Map<string, CompiledObjective>();

/** Compiles (once per source) the expression of a test function or a typed-in loss. */
export function compiledObjective(objective: Exclude<ObjectiveName, 'quadratic' | 'mlp'>, dims: number, loss: string | undefined): CompiledObjective {
  const source = objective === 'expression' ? loss! : TEST_FUNCTIONS[objective].formula(dims);
  let compiled = cache.get(source);
  if (!compiled) {
    compiled = compileExpression(source);
    cache.set(source, compiled);
  }
  return compiled;
}

/** What of a spec picks its objective. */
export interface ObjectiveSpec {
  readonly base: {
    readonly objective: ObjectiveName;
    readonly loss: string | undefined;
    readonly width: number;
    readonly dataPoints: number;
    readonly activation: Activation;
    readonly seed: number;
    readonly minibatch: number | undefined;
  };
  readonly dims: number;
}

/** The compiled objective of a spec, or undefined for the quadratic. */
export function specObjective(spec: ObjectiveSpec): CompiledObjective | MlpObjective | undefined {
  const { objective, loss } = spec.base;
  if (objective === 'quadratic') return undefined;
  if (objective === 'mlp') return specMlp(spec);
  return compiledObjective(objective, spec.dims, loss);
}

/** The network of an mlp spec. */
export function specMlp(spec: ObjectiveSpec): MlpObjective {
  const { width, dataPoints, activation, seed, minibatch } = spec.base;
  return mlpObjective({ width, dataPoints, activation, seed, minibatch });
}

export { ExpressionError, type CompiledObjective, type MlpObjective };
