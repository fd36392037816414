/**
 * Objectives beyond the quadratic: the float32 math library (accuracy, and
 * GPU ≡ CPU bit for bit), typed-in expressions (gradients against finite
 * differences of independent double-precision formulas, errors), the test
 * functions' known minima, and both engines on every objective.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { f32, ulpDistance } from '../src/float32';
import { cosF, expF, logF, sinF, tanhF } from '../src/objectives/f32math';
import { compileExpression, ExpressionError } from '../src/objectives/expression';
import { compiledObjective, TEST_FUNCTIONS } from '../src/objectives/catalogue';
import { parseSpec, type SpecInput } from '../src/experiment';
import { CpuEngine } from '../src/engine/cpu';
import { describeGpu, gpuEngine, itGpu } from './helpers/engines';
import { collect as collectWith, expectSameStats, field } from './helpers/stats';
import { gpuMath, MATH_FUNCTIONS } from './helpers/math-probe';
import { centralDifference } from './helpers/derivative';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());
const cpu = new CpuEngine();

const range = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => f32(a + ((b - a) * i) / (n - 1)));
const CPU_MATH = { exp: expF, log: logF, sin: sinF, cos: cosF, tanh: tanhF };
const REFERENCE = { exp: Math.exp, log: Math.log, sin: Math.sin, cos: Math.cos, tanh: Math.tanh };

describe('float32 math library', () => {
  it.each([
    { name: 'exp', xs: range(-103, 88.7, 20001), ulps: 1 },
    { name: 'log', xs: [...range(1e-30, 4, 20001), ...range(4, 3e38, 20001), 1e-40, 1e-45], ulps: 3 },
    { name: 'sin', xs: range(-6000, 6000, 40001), ulps: 2 },
    { name: 'cos', xs: range(-6000, 6000, 40001), ulps: 2 },
    { name: 'tanh', xs: range(-12, 12, 40001), ulps: 4 },
  ] as const)('$name is within $ulps ulps of the correctly rounded value', ({ name, xs, ulps }) => {
    for (const x of xs) {
      const got = CPU_MATH[name](x);
      const want = f32(REFERENCE[name](x));
      if (ulpDistance(got, want) > ulps) expect.fail(`${name}(${x}) = ${got}, correctly rounded ${want}`);
    }
  });

  it('special values', () => {
    expect(expF(Infinity)).toBe(Infinity);
    expect(expF(-Infinity)).toBe(0);
    expect(expF(100)).toBe(Infinity);
    expect(logF(0)).toBe(-Infinity);
    expect(logF(-1)).toBeNaN();
    expect(logF(Infinity)).toBe(Infinity);
    expect(tanhF(Infinity)).toBe(1);
    expect(tanhF(-50)).toBe(-1);
    for (const fn of Object.values(CPU_MATH)) expect(fn(NaN)).toBeNaN();
  });

  itGpu(gpu)('the GPU computes the same bits', async () => {
    const specials = [0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1e-38, 3.4e38, -3.4e38, 88.72283, 88.7229, -103.97, -104, 1e5, -7e4];
    const inputs = new Float32Array([...specials, ...range(-110, 110, 40000), ...range(-8000, 8000, 4000), ...range(1e-38, 1e-30, 1000)]);
    const padded = new Float32Array(Math.ceil(inputs.length / 4) * 4);
    padded.set(inputs);
    const got = await gpuMath(gpu!, padded);
    for (const name of MATH_FUNCTIONS) {
      padded.forEach((x, i) => {
        const want = CPU_MATH[name](x);
        if (!Object.is(f32(want), got[name][i]!) && !(Number.isNaN(want) && Number.isNaN(got[name][i]!))) {
          expect.fail(`${name}(${x}): gpu ${got[name][i]} ≠ cpu ${want}`);
        }
      });
    }
  });
});

/** Central differences in double of an independently written formula. */
function finiteDifference(fn: (w: number[]) => number, w: number[]): number[] {
  return w.map((_, i) => centralDifference(fn, w, i, 1e-6 * Math.max(1, Math.abs(w[i]!))));
}

const DOUBLE: Record<string, (w: number[]) => number> = {
  rosenbrock: ([x, y]) => (1 - x!) ** 2 + 100 * (y! - x! ** 2) ** 2,
  beale: ([x, y]) => (1.5 - x! + x! * y!) ** 2 + (2.25 - x! + x! * y! ** 2) ** 2 + (2.625 - x! + x! * y! ** 3) ** 2,
  himmelblau: ([x, y]) => (x! ** 2 + y! - 11) ** 2 + (x! + y! ** 2 - 7) ** 2,
  rastrigin: (w) => 10 * w.length + w.reduce((s, v) => s + v * v - 10 * Math.cos(2 * Math.PI * v), 0),
  'double-well': (w) => w.reduce((s, v) => s + (v * v - 1) ** 2, 0),
  quartic: (w) => w.reduce((s, v) => s + v ** 2 / 2 - v ** 4 / 4, 0),
};

const TYPED: Array<[string, (w: number[]) => number]> = [
  ['4*(w-3)^2', ([w]) => 4 * (w! - 3) ** 2],
  ['sin(x)*cos(y) + exp(-(x^2+y^2)/4)', ([x, y]) => Math.sin(x!) * Math.cos(y!) + Math.exp(-(x! ** 2 + y! ** 2) / 4)],
  ['log(1 + w1^2) + tanh(w2) * w3 + sqrt(w3^2 + 1)', ([a, b, c]) => Math.log(1 + a! ** 2) + Math.tanh(b!) * c! + Math.sqrt(c! ** 2 + 1)],
  ['x^2.5 + abs(y)', ([x, y]) => x! ** 2.5 + Math.abs(y!)],
  ['tan(w/4) + cosh(w/3) - sinh(w/5) + w^-2', ([w]) => Math.tan(w! / 4) + Math.cosh(w! / 3) - Math.sinh(w! / 5) + w! ** -2],
  ['e^w - pi*w', ([w]) => Math.exp(w!) - Math.PI * w!],
];

function expectGradient(compiled: ReturnType<typeof compileExpression>, fn: (w: number[]) => number, w: number[]) {
  const g = new Float64Array(w.length);
  const G = compiled.gradient(Float64Array.from(w, f32), g);
  const want = finiteDifference(fn, w.map(f32));
  const scale = Math.max(1, ...want.map(Math.abs));
  want.forEach((d, i) => expect(Math.abs(g[i]! - d), `∂/∂w${i} at [${w}]: ${g[i]} vs ${d}`).toBeLessThan(2e-4 * scale));
  expect(G).toBe(Math.max(...Array.from(g, Math.abs)));
  expect(Math.abs(compiled.loss(Float64Array.from(w, f32)) - fn(w.map(f32)))).toBeLessThan(1e-5 * Math.max(1, Math.abs(fn(w))));
}

describe('gradients against finite differences', () => {
  const points2 = [
    [0.3, -0.7],
    [-1.2, 1],
    [2.5, 0.4],
    [1.7, -2.2],
  ];
  it.each(Object.keys(DOUBLE))('%s', (name) => {
    const dims = name === 'rastrigin' ? 3 : TEST_FUNCTIONS[name as keyof typeof TEST_FUNCTIONS].dims ?? 1;
    const compiled = compiledObjective(name as keyof typeof TEST_FUNCTIONS, dims, undefined);
    for (const p of points2) expectGradient(compiled, DOUBLE[name]!, dims === 3 ? [...p, 0.9] : p.slice(0, dims));
  });
  it.each(TYPED)('typed in: %s', (source, fn) => {
    const compiled = compileExpression(source);
    const points = compiled.dims === 1 ? [[0.7], [1.9], [-2.3]] : compiled.dims === 2 ? [[0.6, 0.8], [1.3, -0.4]] : [[0.5, -0.3, 1.1]];
    for (const p of points) expectGradient(compiled, fn, p);
  });
});

describe('the test functions’ minima', () => {
  it.each(Object.entries(TEST_FUNCTIONS))('%s: zero gradient and f = 0 at each listed minimum', (name, t) => {
    const dims = t.dims ?? t.defaultDims;
    const compiled = compiledObjective(name as keyof typeof TEST_FUNCTIONS, dims, undefined);
    for (const m of t.minima) {
      const w = m.length === dims ? m : new Array<number>(dims).fill(m[0]!);
      const g = new Float64Array(dims);
      compiled.gradient(Float64Array.from(w, f32), g);
      // Himmelblau's three irrational minima are given to 6 decimals.
      g.forEach((x) => expect(Math.abs(x)).toBeLessThan(name === 'himmelblau' ? 1e-3 : 1e-4));
      expect(Math.abs(compiled.loss(Float64Array.from(w, f32)) - t.minimum)).toBeLessThan(1e-6);
    }
  });
});

describe('expressions that cannot be used get a one-line message', () => {
  it.each([
    ['x + * 3', /cannot be parsed: Value expected at character 5/],
    ['x + z2', /unknown variable "z2"/],
    ['foo(x)', /calls "foo", which lrscope does not support/],
    ['x + w1', /mixes variable styles/],
    ['x == 1', /contains "=" at character 3, which is not part of a formula/],
    ['[1, 2]', /contains "\[" at character 1/],
    ['a constant', '42', /has no variable/],
    ['a comment', 'w^2 # w', /contains "#" at character 5/],
    ['1e39 * x', /beyond float32's range/],
    ['20 squares of tanh (with the gradient, too many operations)', Array.from({ length: 20 }, (_, i) => `tanh(x*${i + 2})^2`).join('+'), /too large: more than 1500 float32 operations/],
    ['a formula of 3000 characters', 'x' + ' + x'.repeat(750), /longer than 2000 characters/],
  ].map((c) => (c.length === 2 ? [c[0], ...c] : c)) as Array<[string, string, RegExp]>)('%s', (_, source, message) => {
    expect(() => compileExpression(source)).toThrow(ExpressionError);
    expect(() => compileExpression(source)).toThrow(message);
  });
  it('through the spec, naming the flag', () => {
    expect(() => parseSpec({ loss: 'x +' }, 'flag')).toThrow(/^--loss: cannot be parsed: .*; expected a formula in w, in x and y, or in w1 … wn/);
    expect(() => parseSpec({ objective: 'rosenbrock', curvature: 3 }, 'flag')).toThrow(/^--curvature: not used by objective rosenbrock/);
    expect(() => parseSpec({ objective: 'rosenbrock', w0: '[1,2,3]' }, 'flag')).toThrow(/^--w0: has 3 components but objective rosenbrock has 2 dimensions/);
    expect(() => parseSpec({ loss: 'x^2 + y^2', w0: '[1,2,3]' }, 'flag')).toThrow(/^--w0: has 3 components but --loss has 2 variables/);
    expect(() => parseSpec({ objective: 'expression' }, 'flag')).toThrow(/^--loss: is required by objective expression/);
    expect(() => parseSpec({ objective: 'quartic', loss: 'w^2' }, 'flag')).toThrow(/^--loss: not used by objective quartic/);
  });
  it('dimensions and starting points follow the objective', () => {
    expect(parseSpec({ objective: 'rosenbrock' }).base.w0).toEqual([-1.2, 1]);
    expect(parseSpec({ objective: 'rastrigin' }).dims).toBe(2);
    expect(parseSpec({ objective: 'rastrigin', w0: '[1,2,3,4]' }).dims).toBe(4);
    expect(parseSpec({ objective: 'double-well' }).dims).toBe(1);
    expect(parseSpec({ loss: 'w1^2 + w5^2' }).dims).toBe(5);
  });
});

const collect = (engine: Parameters<typeof collectWith>[0], input: SpecInput) => collectWith(engine, input, { chunkSize: 64, stepsPerDispatch: 70 });

describeGpu(gpu)('GPU ≡ CPU on every objective', () => {
  it.each<[string, SpecInput]>([
    ['rosenbrock', { objective: 'rosenbrock', lr: '1e-4:3e-3:12:log', w0: '[-1.2,-1:2:5]', steps: 300 }],
    ['beale', { objective: 'beale', lr: '1e-3:0.05:12:log', steps: 200 }],
    ['himmelblau', { objective: 'himmelblau', lr: '1e-3:0.05:12:log', w0: '[-4:4:5,1]', steps: 200 }],
    ['rastrigin, 3-D', { objective: 'rastrigin', lr: '1e-4:0.01:12:log', w0: '[2.5,-1.3,0.4]', steps: 200 }],
    ['double well, with momentum', { objective: 'double-well', lr: '0.01:0.6:16', optimizer: 'momentum', steps: 200 }],
    ['quartic, Adam', { objective: 'quartic', lr: '0.01:3:16:log', optimizer: 'adam', steps: 200 }],
    ['typed in, transcendental', { loss: 'sin(x)*cos(y) + exp(-(x^2+y^2)/4) + 0.1*log(1 + x^2)', lr: '0.01:2:12:log', w0: '[1.3,-0.8]', steps: 200 }],
    ['typed in, tanh and powers', { loss: 'tanh(w)^2 + abs(w)^1.5', lr: '0.01:2:12:log', steps: 200 }],
  ])('%s', async (_, input) => {
    const [g, c] = [await collect(gpu!, input), await collect(cpu, input)];
    expect(field(c, 'finalLoss').length).toBeGreaterThan(0);
    expectSameStats(g, c);
  });

  it('a typed-in (w+1)² is the seed’s quadratic, bit for bit, on both engines', async () => {
    const schedule = { lr: '0.05:1.2:24', schedule: 'exponential', decayRate: 0.99, decaySteps: 1, staircase: true, steps: 40 };
    for (const engine of [cpu, gpu!]) {
      const typed = await collect(engine, { ...schedule, loss: '(w+1)^2' } as SpecInput);
      const builtin = await collect(engine, schedule as SpecInput);
      expect(field(typed, 'finalW')).toHaveLength(24);
      expectSameStats(typed, builtin);
    }
  });
});
