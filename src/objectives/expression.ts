/**
 * Typed-in objectives: an expression such as `4*(w-3)^2` or
 * `(1-x)^2 + 100*(y-x^2)^2` is parsed and differentiated symbolically with
 * mathjs, then compiled twice from one list of float32 operations: into
 * JavaScript for the CPU engine and into WGSL for the kernel. Both evaluate
 * the same operations in the same order, so the engines agree bit for bit.
 */
import type { MathNode } from 'mathjs';
import { f32 } from '../float32.js';
import { cosF, expF, logF, sinF, tanhF } from './f32math.js';
import { mathjs } from './mathjs-slot.js';
import * as dfMath from '../df64.js';
import type { Df64 } from '../df64.js';

/** An expression that cannot be used; the message says what and where. */
export class ExpressionError extends Error {}

/**
 * The largest expression lrscope compiles: loss and gradient together, in
 * float32 operations, a call to exp, log, sin, cos or tanh counting as
 * CALL_COST (its own operations). The kernel repeats the objective's code
 * at each of its call sites, and on lavapipe a budget this size compiles in
 * about 5 s; twice that takes half a minute.
 */
export const MAX_OPERATIONS = 1500;
const CALL_COST = 30;
const CALLS: ReadonlySet<string> = new Set(['exp', 'log', 'sin', 'cos', 'tanh']);

/** Functions an expression may call, each a float32 implementation (src/objectives/f32math.ts). */
const FUNCTIONS = ['sin', 'cos', 'tan', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sinh', 'cosh'] as const;

type Unary = 'neg' | 'abs' | 'sqrt' | 'exp' | 'log' | 'sin' | 'cos' | 'tanh';
type Binary = 'add' | 'sub' | 'mul' | 'div';

/** One float32 operation; operands are indices of earlier operations. */
type Op =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'var'; readonly index: number }
  | { readonly kind: Unary; readonly a: number }
  | { readonly kind: Binary; readonly a: number; readonly b: number };

/** Straight-line code: each operation once (common subexpressions shared). */
class Program {
  readonly ops: Op[] = [];
  private readonly index = new Map<string, number>();
  private cost = 0;

  push(op: Op): number {
    const folded = this.fold(op);
    if (folded !== undefined) return folded;
    const key = JSON.stringify(op);
    const known = this.index.get(key);
    if (known !== undefined) return known;
    this.cost += CALLS.has(op.kind) ? CALL_COST : 1;
    if (this.cost > MAX_OPERATIONS) {
      throw new ExpressionError(
        `is too large: more than ${MAX_OPERATIONS} float32 operations with its gradient (a call to exp, log, sin, cos or tanh counts as ${CALL_COST})`,
      );
    }
    this.ops.push(op);
    this.index.set(key, this.ops.length - 1);
    return this.ops.length - 1;
  }

  /**
   * Folds what needs no run-time work, exactly as run time would compute it:
   * operations on constants (rounded to float32), x·1, 1·x and x/1. (x + 0 is
   * kept: for x = −0 it is +0.)
   */
  private fold(op: Op): number | undefined {
    const value = (i: number) => {
      const o = this.ops[i]!;
      return o.kind === 'const' ? o.value : undefined;
    };
    if (op.kind === 'neg') {
      const a = value(op.a);
      return a === undefined ? undefined : this.constant(-a);
    }
    if (op.kind === 'add' || op.kind === 'sub' || op.kind === 'mul' || op.kind === 'div') {
      const a = value(op.a);
      const b = value(op.b);
      if (a !== undefined && b !== undefined) {
        const r = op.kind === 'add' ? a + b : op.kind === 'sub' ? a - b : op.kind === 'mul' ? a * b : a / b;
        return this.constant(r);
      }
      if (op.kind === 'mul' && a === 1) return op.b;
      if ((op.kind === 'mul' || op.kind === 'div') && b === 1) return op.a;
    }
    return undefined;
  }

  constant(x: number): number {
    const value = f32(x);
    if (!Number.isFinite(value)) throw new ExpressionError(`has the constant ${x}, beyond float32's range`);
    const key = `c${Object.is(value, -0) ? '-0' : value}`;
    const known = this.index.get(key);
    if (known !== undefined) return known;
    this.ops.push({ kind: 'const', value });
    this.index.set(key, this.ops.length - 1);
    return this.ops.length - 1;
  }
}

export interface CompiledObjective {
  /** The expression as given. */
  readonly source: string;
  /** Variable names, in dimension order. */
  readonly variables: readonly string[];
  readonly dims: number;
  /** Loss at w (float32 values). */
  readonly loss: (w: ArrayLike<number>) => number;
  /** Writes ∇f(w) into g; returns max |gᵢ| (NaN components ignored, as the kernel's max). */
  readonly gradient: (w: ArrayLike<number>, g: Float64Array) => number;
  /** WGSL: fn gradient and fn lossAt for this expression (needs shaders/f32math.wgsl, and the kernel's struct Objective and accessors). */
  readonly wgsl: string;
  /** The same operations in df64 (src/df64.ts), for both engines; compiled on first use. */
  readonly df64: () => Df64Objective;
}

/** An objective in df64: the twin evaluators of the CPU engine and the kernel's code (src/engine/df64-plan.ts). */
export interface Df64Objective {
  readonly loss: (w: readonly Df64[]) => Df64;
  /** Writes ∇f(w) into g; returns the largest |gᵢ| of the leading parts (NaN ignored, as the kernel's max). */
  readonly gradient: (w: readonly Df64[], g: Df64[]) => number;
  /** WGSL: fn dfGradient(k), fn dfLoss and fn dfRecordedLoss over the df64 kernel's wAt and setG. */
  readonly wgsl: string;
}

/** The variables an expression may use: w; x and y (and z); or w1 … wn. */
function variableOrder(names: Set<string>): string[] {
  const list = [...names];
  if (list.every((n) => n === 'w')) return ['w'];
  if (list.every((n) => ['x', 'y', 'z'].includes(n))) {
    const order = ['x', 'y', 'z'];
    const last = Math.max(...list.map((n) => order.indexOf(n)));
    return order.slice(0, last + 1);
  }
  if (list.every((n) => /^w[1-9][0-9]*$/.test(n))) {
    const n = Math.max(...list.map((v) => Number(v.slice(1))));
    if (n > 64) throw new ExpressionError(`uses ${n} variables`);
    return Array.from({ length: n }, (_, i) => `w${i + 1}`);
  }
  const odd = list.find((n) => !['w', 'x', 'y', 'z'].includes(n) && !/^w[1-9][0-9]*$/.test(n));
  if (odd) throw new ExpressionError(`has an unknown variable "${odd}"`);
  throw new ExpressionError(`mixes variable styles (${list.sort().join(', ')})`);
}

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

/** What a formula is written with: names, numbers, + − * / ^, parentheses, spaces. Nothing else reaches the parser. */
const FORMULA_CHARACTER = /[A-Za-z0-9_.+\-*/^() \t]/;

/** The deepest a formula may nest (parentheses, powers, functions and signs each count). */
export const MAX_NESTING = 64;

/** A character as a message can show it: itself if printable ASCII, else its code point. */
function showCharacter(c: string): string {
  return /^[\x21-\x7e]$/.test(c) ? `"${c}"` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Depth of a parsed tree, counted without recursion. */
function treeDepth(root: MathNode): number {
  let deepest = 0;
  const stack: Array<[MathNode, number]> = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_NESTING) return deepest;
    node.forEach((child) => stack.push([child, depth + 1]));
  }
  return deepest;
}

/** Parses and checks an expression; returns its tree and variable order. */
function parse(source: string): { node: MathNode; variables: string[] } {
  if (source.length > 2000) throw new ExpressionError('is longer than 2000 characters');
  let position = 0;
  for (const c of source) {
    position++;
    if (!FORMULA_CHARACTER.test(c)) throw new ExpressionError(`contains ${showCharacter(c)} at character ${position}, which is not part of a formula (names, numbers, + - * / ^, parentheses)`);
  }
  const math = mathjs();
  let node: MathNode;
  try {
    node = math.parse(source);
  } catch (e) {
    if (e instanceof RangeError) throw new ExpressionError(`is nested more than ${MAX_NESTING} levels deep`);
    const message = (e as Error).message.replace(/\s*\(char (\d+)\)/, (_, c: string) => ` at character ${c}`);
    throw new ExpressionError(`cannot be parsed: ${message}`);
  }
  if (treeDepth(node) > MAX_NESTING) throw new ExpressionError(`is nested more than ${MAX_NESTING} levels deep`);
  const names = new Set<string>();
  node.traverse((n, path, parent) => {
    if (n.type === 'SymbolNode') {
      const name = (n as unknown as { name: string }).name;
      const isCallee = parent?.type === 'FunctionNode' && path === 'fn';
      if (isCallee) return;
      if (name in CONSTANTS) return;
      names.add(name);
    } else if (n.type === 'FunctionNode') {
      const name = (n as unknown as { fn: { name: string } }).fn.name;
      if (!(FUNCTIONS as readonly string[]).includes(name)) {
        throw new ExpressionError(`calls "${name}", which lrscope does not support (it supports ${FUNCTIONS.join(', ')})`);
      }
      if ((n as unknown as { args: unknown[] }).args.length !== 1) throw new ExpressionError(`calls ${name} with ${(n as unknown as { args: unknown[] }).args.length} arguments`);
    } else if (!['OperatorNode', 'ConstantNode', 'ParenthesisNode'].includes(n.type)) {
      throw new ExpressionError(`contains ${n.type.replace(/Node$/, '').toLowerCase()} "${n.toString()}", which is not a formula`);
    } else if (n.type === 'OperatorNode') {
      const fn = (n as unknown as { fn: string }).fn;
      if (!['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus'].includes(fn)) {
        throw new ExpressionError(`uses the operator "${(n as unknown as { op: string }).op}"; only + − * / ^ are supported`);
      }
    }
  });
  if (names.size === 0) throw new ExpressionError('has no variable: a loss depends on w (or x, y, z, or w1 … wn)');
  return { node, variables: variableOrder(names) };
}

/** Lowers a mathjs tree to float32 operations. */
function lower(program: Program, node: MathNode, variables: readonly string[]): number {
  const n = node as unknown as { type: string; fn: string | { name: string }; args: MathNode[]; value: unknown; name: string; content: MathNode };
  switch (n.type) {
    case 'ParenthesisNode':
      return lower(program, n.content, variables);
    case 'ConstantNode': {
      const value = Number(n.value);
      if (!Number.isFinite(value)) throw new ExpressionError(`has the constant ${String(n.value)}, which is not a finite number`);
      return program.constant(value);
    }
    case 'SymbolNode': {
      if (n.name in CONSTANTS) return program.constant(CONSTANTS[n.name]!);
      return program.push({ kind: 'var', index: variables.indexOf(n.name) });
    }
    case 'OperatorNode': {
      const op = n.fn as string;
      const args = n.args.map((a) => lower(program, a, variables));
      switch (op) {
        case 'unaryPlus':
          return args[0]!;
        case 'unaryMinus':
          return program.push({ kind: 'neg', a: args[0]! });
        case 'add':
          return program.push({ kind: 'add', a: args[0]!, b: args[1]! });
        case 'subtract':
          return program.push({ kind: 'sub', a: args[0]!, b: args[1]! });
        case 'multiply':
          return program.push({ kind: 'mul', a: args[0]!, b: args[1]! });
        case 'divide':
          return program.push({ kind: 'div', a: args[0]!, b: args[1]! });
        case 'pow':
          return power(program, args[0]!, args[1]!);
      }
      throw new ExpressionError(`uses an unsupported operator ${op}`);
    }
    case 'FunctionNode': {
      const name = (n.fn as { name: string }).name;
      const a = lower(program, n.args[0]!, variables);
      const one = program.constant(1);
      switch (name) {
        case 'tan':
          return program.push({ kind: 'div', a: program.push({ kind: 'sin', a }), b: program.push({ kind: 'cos', a }) });
        case 'sec':
          return program.push({ kind: 'div', a: one, b: program.push({ kind: 'cos', a }) });
        case 'sinh':
        case 'cosh':
        case 'sech': {
          // (eˣ ∓ e⁻ˣ)/2, and sech = 1/cosh
          const ex = program.push({ kind: 'exp', a });
          const emx = program.push({ kind: 'exp', a: program.push({ kind: 'neg', a }) });
          const half = program.constant(0.5);
          const cosh = program.push({ kind: 'mul', a: program.push({ kind: 'add', a: ex, b: emx }), b: half });
          if (name === 'cosh') return cosh;
          if (name === 'sech') return program.push({ kind: 'div', a: one, b: cosh });
          return program.push({ kind: 'mul', a: program.push({ kind: 'sub', a: ex, b: emx }), b: half });
        }
        default:
          return program.push({ kind: name as Unary, a });
      }
    }
  }
  throw new ExpressionError(`contains something that is not a formula: ${node.toString()}`);
}

/** The value of an operation built from constants alone (as the program would compute it), or undefined. */
function constantValue(program: Program, i: number): number | undefined {
  const op = program.ops[i]!;
  if (op.kind === 'const') return op.value;
  if (op.kind === 'neg') {
    const a = constantValue(program, op.a);
    return a === undefined ? undefined : -a;
  }
  if (op.kind === 'add' || op.kind === 'sub' || op.kind === 'mul' || op.kind === 'div') {
    const a = constantValue(program, op.a);
    const b = constantValue(program, op.b);
    if (a === undefined || b === undefined) return undefined;
    return f32(op.kind === 'add' ? a + b : op.kind === 'sub' ? a - b : op.kind === 'mul' ? a * b : a / b);
  }
  return undefined;
}

/** a^b: repeated multiplication for whole constant exponents up to 64 in size, exp(b·log a) otherwise. */
function power(program: Program, a: number, b: number): number {
  const exponent = constantValue(program, b);
  if (exponent !== undefined && Number.isInteger(exponent) && Math.abs(exponent) <= 64) {
    const n = Math.abs(exponent);
    if (n === 0) return program.constant(1);
    // Square and multiply, from the most significant bit: a fixed, shared order.
    let result = a;
    for (const bit of n.toString(2).slice(1)) {
      result = program.push({ kind: 'mul', a: result, b: result });
      if (bit === '1') result = program.push({ kind: 'mul', a: result, b: a });
    }
    return exponent < 0 ? program.push({ kind: 'div', a: program.constant(1), b: result }) : result;
  }
  const log = program.push({ kind: 'log', a });
  return program.push({ kind: 'exp', a: program.push({ kind: 'mul', a: b, b: log }) });
}

function derivative(node: MathNode, variable: string): MathNode {
  try {
    // Unsimplified: mathjs's simplifier can take minutes on large formulas.
    // Constant parts are folded as the formula is lowered.
    return mathjs().derivative(node, variable, { simplify: false });
  } catch (e) {
    throw new ExpressionError(`cannot be differentiated in ${variable}: ${(e as Error).message}`);
  }
}

/** Parses, differentiates and compiles an expression. Throws ExpressionError. */
export function compileExpression(source: string): CompiledObjective {
  const { node, variables } = parse(source);
  const program = new Program();
  const lossOp = lower(program, node, variables);
  const gradOps = variables.map((v) => lower(program, derivative(node, v), variables));
  return {
    source,
    variables,
    dims: variables.length,
    ...jsEvaluators(program, lossOp, gradOps),
    wgsl: wgslCode(program, lossOp, gradOps),
    df64: once(() => df64Code(program, lossOp, gradOps)),
  };
}

const JS_MATH = { f: f32, exp: expF, log: logF, sin: sinF, cos: cosF, tanh: tanhF, sqrt: (x: number) => f32(Math.sqrt(x)) };

function jsStatement(op: Op, i: number): string {
  switch (op.kind) {
    case 'const':
      return `const t${i} = ${Object.is(op.value, -0) ? '-0' : op.value};`;
    case 'var':
      return `const t${i} = w[${op.index}];`;
    case 'neg':
      return `const t${i} = -t${op.a};`;
    case 'abs':
      return `const t${i} = Math.abs(t${op.a});`;
    case 'add':
      return `const t${i} = f(t${op.a} + t${op.b});`;
    case 'sub':
      return `const t${i} = f(t${op.a} - t${op.b});`;
    case 'mul':
      return `const t${i} = f(t${op.a} * t${op.b});`;
    case 'div':
      return `const t${i} = f(t${op.a} / t${op.b});`;
    default:
      return `const t${i} = m.${op.kind}(t${op.a});`;
  }
}

/** The operations needed for the given results, in program order. */
function needed(program: Program, roots: number[]): number[] {
  const keep = new Set<number>();
  const visit = (i: number) => {
    if (keep.has(i)) return;
    keep.add(i);
    const op = program.ops[i]!;
    if ('a' in op) visit(op.a);
    if ('b' in op) visit(op.b);
  };
  roots.forEach(visit);
  return [...keep].sort((x, y) => x - y);
}

function jsEvaluators(program: Program, lossOp: number, gradOps: number[]) {
  const body = (roots: number[]) => needed(program, roots).map((i) => jsStatement(program.ops[i]!, i)).join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const loss = new Function('m', `const f = m.f; return (w) => {\n${body([lossOp])}\nreturn t${lossOp};\n};`)(JS_MATH) as CompiledObjective['loss'];
  const gradient = new Function(
    'm',
    `const f = m.f; return (w, g) => {\n${body(gradOps)}\nlet G = 0;\n${gradOps
      .map((op, d) => `g[${d}] = t${op}; if (Math.abs(t${op}) > G) G = Math.abs(t${op});`)
      .join('\n')}\nreturn G;\n};`,
  )(JS_MATH) as CompiledObjective['gradient'];
  return { loss, gradient };
}

function wgslExpression(op: Op): string {
  switch (op.kind) {
    case 'const':
      return `V(${Object.is(op.value, -0) ? '-0.0' : op.value}f)`;
    case 'var':
      return `wAt(w, ${op.index}u)`;
    case 'neg':
      return `-t${op.a}`;
    case 'abs':
      return `abs(t${op.a})`;
    case 'sqrt':
      return `sqrt(t${op.a})`;
    case 'add':
      return `o(t${op.a} + t${op.b})`;
    case 'sub':
      return `o(t${op.a} - t${op.b})`;
    case 'mul':
      return `o(t${op.a} * t${op.b})`;
    case 'div':
      return `o(t${op.a} / t${op.b})`;
    default:
      return `f32${op.kind}(t${op.a})`;
  }
}

function wgslCode(program: Program, lossOp: number, gradOps: number[]): string {
  const body = (roots: number[]) =>
    needed(program, roots)
      .map((i) => `  let t${i} = ${wgslExpression(program.ops[i]!)};`)
      .join('\n');
  // Nothing of the formula's text is copied here: the code is written from the parsed operations alone.
  return `// Objective: a typed-in expression of ${program.ops.length} float32 operations
// (generated by src/objectives/expression.ts; every result through o(), as in shaders/f32math.wgsl).
// w is read through wAt and g written through gSet, in either kernel form.

fn gradient(objective: Objective, w: WIn, g: GOut) -> V {
${body(gradOps)}
  var largest = V(0.0);
${gradOps.map((op, d) => `  gSet(g, ${d}u, t${op});\n  largest = max(largest, abs(t${op}));`).join('\n')}
  return largest;
}

fn lossAt(objective: Objective, w: WIn) -> V {
${body([lossOp])}
  return t${lossOp};
}`;
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** Each operation's df64 function, by the name both the JavaScript and the WGSL call it. */
const DF64_CALLS: Record<Exclude<Op['kind'], 'const' | 'var'>, string> = {
  neg: 'dfNeg',
  abs: 'dfAbs',
  sqrt: 'dfSqrt',
  exp: 'dfExp',
  log: 'dfLog',
  sin: 'dfSin',
  cos: 'dfCos',
  tanh: 'dfTanh',
  add: 'dfAdd',
  sub: 'dfSub',
  mul: 'dfMul',
  div: 'dfDiv',
};

/**
 * The program in df64: every operation its df64 twin, in the same order, in
 * JavaScript (on src/df64.ts) and in WGSL (on shaders/df64.wgsl). Constants
 * keep the float32 values of the float32 program, so both precisions follow
 * the same function.
 */
function df64Code(program: Program, lossOp: number, gradOps: number[]): Df64Objective {
  const call = (op: Op, prefix: string, constant: (v: number) => string, variable: (i: number) => string): string => {
    if (op.kind === 'const') return constant(op.value);
    if (op.kind === 'var') return variable(op.index);
    return `${prefix}${DF64_CALLS[op.kind]}(${'b' in op ? `t${op.a}, t${op.b}` : `t${op.a}`})`;
  };
  const jsBody = (roots: number[]) =>
    needed(program, roots)
      .map((i) => `const t${i} = ${call(program.ops[i]!, 'm.', (v) => `m.dfFromF32(${Object.is(v, -0) ? '-0' : v})`, (d) => `w[${d}]`)};`)
      .join('\n');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const loss = new Function('m', `return (w) => {\n${jsBody([lossOp])}\nreturn t${lossOp};\n};`)(dfMath) as Df64Objective['loss'];
  const gradient = new Function(
    'm',
    `return (w, g) => {\n${jsBody(gradOps)}\nlet G = 0;\n${gradOps
      .map((op, d) => `g[${d}] = t${op}; if (Math.abs(t${op}.hi) > G) G = Math.abs(t${op}.hi);`)
      .join('\n')}\nreturn G;\n};`,
  )(dfMath) as Df64Objective['gradient'];
  const wgslLiteral = (v: number) => `vec2f(${Object.is(v, -0) ? '-0.0' : Number.isInteger(v) ? `${v}.0` : v}, 0.0)`;
  const wgslBody = (roots: number[]) =>
    needed(program, roots)
      .map((i) => `  let t${i} = ${call(program.ops[i]!, '', wgslLiteral, (d) => `wAt(${d}u)`)};`)
      .join('\n');
  const wgsl = `// Objective: a typed-in expression of ${program.ops.length} operations in df64
// (generated by src/objectives/expression.ts, the twin of its df64 JavaScript).

fn dfGradient(k: u32) -> f32 {
${wgslBody(gradOps)}
  var largest = 0.0;
${gradOps.map((op, d) => `  setG(${d}u, t${op});\n  largest = max(largest, abs(t${op}.x));`).join('\n')}
  return largest;
}

fn dfLoss() -> vec2f {
${wgslBody([lossOp])}
  return t${lossOp};
}

fn dfRecordedLoss() -> vec2f {
  return dfLoss();
}`;
  return { loss, gradient, wgsl };
}
