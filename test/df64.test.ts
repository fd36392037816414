/**
 * The df64 library (src/df64.ts, shaders/df64.wgsl): + − × ÷ √ against exact
 * rational results (a df64 is a dyadic rational, so BigInt computes sums and
 * products exactly), exp, expm1, log, tanh, sin and cos against double
 * precision, exact values and symmetries, normalization, the constants
 * against long decimal expansions, and the GPU twin bit for bit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  DF64_CONSTANTS,
  DF_ONE,
  DF_ZERO,
  df,
  df64Wgsl,
  dfAbs,
  dfAdd,
  dfCos,
  dfDiv,
  dfExp,
  dfExpm1,
  dfFromF32,
  dfGt,
  dfLog,
  dfLt,
  dfMul,
  dfNeg,
  dfSin,
  dfSqrt,
  dfSub,
  dfTanh,
  dfValue,
  type Df64,
} from '../src/df64';
import { f32 } from '../src/float32';
import { describeGpu, gpuEngine } from './helpers/engines';
import { DF64_PROBE_FUNCTIONS, gpuDf64, type Df64ProbeFunction } from './helpers/df64-probe';
import { random } from './helpers/random';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());

/** u² = 2⁻⁴⁸, the unit the bounds are stated in (u = 2⁻²⁴). */
const U2 = 2 ** -48;
const REPORT = process.env.DF64_REPORT === '1';

// ---------------------------------------------------------------------------
// Exact dyadic rationals: m·2^e.

interface Dyadic {
  readonly m: bigint;
  readonly e: number;
}

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** A finite double as m·2^e, exactly. */
function dyadic(x: number): Dyadic {
  if (!Number.isFinite(x)) throw new RangeError(`not finite: ${x}`);
  if (x === 0) return { m: 0n, e: 0 };
  F64[0] = x;
  const bits = U64[0]!;
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (biased !== 0) mantissa |= 1n << 52n;
  const m = bits >> 63n ? -mantissa : mantissa;
  return { m, e: (biased === 0 ? 1 : biased) - 1075 };
}

function dyAdd(a: Dyadic, b: Dyadic): Dyadic {
  const e = Math.min(a.e, b.e);
  return { m: (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e)), e };
}

const dyNeg = (a: Dyadic): Dyadic => ({ m: -a.m, e: a.e });
const dyMul = (a: Dyadic, b: Dyadic): Dyadic => ({ m: a.m * b.m, e: a.e + b.e });
const dyOf = (a: Df64): Dyadic => dyAdd(dyadic(a.hi), dyadic(a.lo));
const abs = (x: bigint) => (x < 0n ? -x : x);

/** |got − want|/|want|, computed exactly and then rounded (Infinity if want = 0 ≠ got). */
function relError(got: Dyadic, want: Dyadic): number {
  const d = dyAdd(got, dyNeg(want));
  if (d.m === 0n) return 0;
  if (want.m === 0n) return Infinity;
  const q = (abs(d.m) << 200n) / abs(want.m);
  return Number(q) * 2 ** (d.e - want.e - 200);
}

/**
 * hi = float32(hi + lo): |lo| is below half the gap from hi to its float32
 * neighbour in lo's direction, or equal to it with hi even (a tie rounds to
 * even). Every quantity here is exact in a double.
 */
function normalized(a: Df64): boolean {
  if (!Number.isFinite(a.hi) || !Number.isFinite(a.lo)) return false;
  if (a.lo === 0) return true;
  const halfGap = Math.abs(nextF32(a.hi, Math.sign(a.lo)) - a.hi) / 2;
  const l = Math.abs(a.lo);
  return l < halfGap || (l === halfGap && (f32Bits(a.hi) & 1) === 0);
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
function f32Bits(x: number): number {
  F32[0] = x;
  return U32[0]!;
}
function nextF32(x: number, direction: number): number {
  if (x === 0) return direction * 2 ** -149;
  F32[0] = x;
  U32[0] = U32[0]! + ((x > 0) === direction > 0 ? 1 : -1);
  return F32[0]!;
}

// ---------------------------------------------------------------------------
// Random df64 operands.

const rand = random(20260514);
const uniform = (a: number, b: number) => a + (b - a) * rand();
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** A normalized df64 with hi = ±m·2^e (e uniform in [emin, emax]) and a lo of a random kind. */
function randomDf(emin: number, emax: number): Df64 {
  for (;;) {
    const hi = f32((rand() < 0.5 ? -1 : 1) * (1 + rand()) * 2 ** Math.floor(uniform(emin, emax + 1)));
    const ulp = Math.abs(hi) * 2 ** -23;
    const kind = rand();
    const lo = f32(
      kind < 0.1 ? 0
      : kind < 0.2 ? pick([1, -1]) * ulp / 2 // a tie: legal when it rounds back to hi
      : kind < 0.3 ? (rand() - 0.5) * ulp * 2 ** -Math.floor(uniform(1, 30)) // far below hi's last bit
      : (rand() - 0.5) * ulp,
    );
    const a = { hi, lo };
    if (f32(hi + lo) === hi && (hi + lo) - hi === lo) return a;
  }
}

/** Pairs for + and −: independent, nearly opposite (cancellation), equal exponents, and ties around 1. */
function arithmeticPairs(n: number, emin: number, emax: number): Array<[Df64, Df64]> {
  const pairs: Array<[Df64, Df64]> = [];
  const ties: Df64[] = [
    { hi: 1, lo: 2 ** -25 },
    { hi: 1, lo: -(2 ** -25) },
    { hi: 1, lo: 2 ** -24 },
    { hi: -1, lo: 2 ** -25 },
    { hi: 1.5, lo: -(2 ** -24) },
    { hi: 2 ** -20, lo: 2 ** -45 },
  ];
  for (const a of ties) for (const b of ties) pairs.push([a, b], [a, dfNeg(b)]);
  while (pairs.length < n) {
    const a = randomDf(emin, emax);
    const kind = rand();
    let b: Df64;
    if (kind < 0.25) {
      // −a with a perturbed lo: the sum cancels to lo's order or below.
      const d = randomDf(-60, -30);
      b = dfAdd(dfNeg(a), { hi: f32(d.hi * Math.abs(a.hi)), lo: 0 });
    } else if (kind < 0.4) {
      b = { hi: -a.hi, lo: f32((rand() - 0.5) * Math.abs(a.hi) * 2 ** -24) };
      if (f32(b.hi + b.lo) !== b.hi) continue;
    } else if (kind < 0.5) {
      const e = Math.floor(Math.log2(Math.abs(a.hi)));
      b = randomDf(e, e);
    } else b = randomDf(emin, emax);
    pairs.push([a, b]);
  }
  return pairs;
}

/** A df64 whose exact value is a double (so a double-precision reference sees the very input). */
function exactDf(x: number): Df64 {
  const a = df(x);
  if (a.hi + a.lo - a.hi !== a.lo) throw new Error(`inexact ${x}`);
  return a;
}

/** Doubles: uniform in [a, b], and ±2^[emin, emax] log-uniform. */
const uniformDoubles = (n: number, a: number, b: number) => Array.from({ length: n }, () => uniform(a, b));
const logDoubles = (n: number, emin: number, emax: number, signed = true) =>
  Array.from({ length: n }, () => (signed && rand() < 0.5 ? -1 : 1) * 2 ** uniform(emin, emax));

// ---------------------------------------------------------------------------

describe('df64 + − × ÷ √ against exact rational arithmetic', () => {
  const pairs = [...arithmeticPairs(20000, -40, 40), ...arithmeticPairs(5000, -3, 3)];
  const check = (name: string, bound: number, error: (a: Df64, b: Df64) => number, result: (a: Df64, b: Df64) => Df64) => {
    let worst = 0;
    for (const [a, b] of pairs) {
      const z = result(a, b);
      if (!normalized(z)) expect.fail(`${name}(${a.hi}+${a.lo}, ${b.hi}+${b.lo}) = ${z.hi}+${z.lo} is not normalized`);
      const err = error(a, b) / U2;
      if (!(err <= bound)) expect.fail(`${name}(${a.hi}+${a.lo}, ${b.hi}+${b.lo}): relative error ${err} u² > ${bound}`);
      worst = Math.max(worst, err);
    }
    if (REPORT) console.log(`${name}: max ${worst.toFixed(3)} u²`);
    return worst;
  };

  it('dfAdd is within 3u², and exact on sums that are df64 values', () => {
    check('add', 3, (a, b) => relError(dyOf(dfAdd(a, b)), dyAdd(dyOf(a), dyOf(b))), dfAdd);
    expect(dfAdd({ hi: 1, lo: 2 ** -25 }, { hi: -1, lo: 0 })).toEqual({ hi: 2 ** -25, lo: 0 });
    expect(dfAdd(DF_ONE, { hi: 2 ** -30, lo: 2 ** -50 })).toEqual({ hi: 1, lo: 2 ** -30 + 2 ** -50 });
  });

  it('dfSub is within 3u²', () => {
    check('sub', 3, (a, b) => relError(dyOf(dfSub(a, b)), dyAdd(dyOf(a), dyNeg(dyOf(b)))), dfSub);
  });

  it('dfMul is within 6u²', () => {
    check('mul', 6, (a, b) => relError(dyOf(dfMul(a, b)), dyMul(dyOf(a), dyOf(b))), dfMul);
  });

  it('dfDiv: q·b is within 8u² of a', () => {
    check('div', 8, (a, b) => relError(dyMul(dyOf(dfDiv(a, b)), dyOf(b)), dyOf(a)), dfDiv);
  });

  it('dfSqrt: z² is within 2u² of a (so z within 1u² of √a), 2⁻¹²⁶ … 2¹²⁷', () => {
    const xs = [...Array.from({ length: 20000 }, () => dfAbs(randomDf(-126, 126))), { hi: 1, lo: 0 }, { hi: 4, lo: 0 }, { hi: 2, lo: 2 ** -30 }];
    let worst = 0;
    for (const a of xs) {
      const z = dfSqrt(a);
      expect(normalized(z)).toBe(true);
      const err = relError(dyMul(dyOf(z), dyOf(z)), dyOf(a)) / U2;
      if (!(err <= 2)) expect.fail(`sqrt(${a.hi}+${a.lo}) = ${z.hi}+${z.lo}: z² off by ${err} u²`);
      worst = Math.max(worst, err);
    }
    if (REPORT) console.log(`sqrt: max ${(worst / 2).toFixed(3)} u² (z² ${worst.toFixed(3)})`);
    expect(dfSqrt({ hi: 4, lo: 0 })).toEqual({ hi: 2, lo: 0 });
    expect(dfSqrt({ hi: 2 ** -100, lo: 0 })).toEqual({ hi: 2 ** -50, lo: 0 });
  });

  it('special values', () => {
    expect(dfMul({ hi: 3e38, lo: 0 }, { hi: 10, lo: 0 })).toEqual({ hi: Infinity, lo: 0 });
    expect(dfAdd({ hi: 3e38, lo: 0 }, { hi: 3e38, lo: 0 })).toEqual({ hi: Infinity, lo: 0 });
    expect(dfAdd({ hi: Infinity, lo: 0 }, DF_ONE)).toEqual({ hi: Infinity, lo: 0 });
    expect(dfDiv(DF_ONE, DF_ZERO)).toEqual({ hi: Infinity, lo: 0 });
    expect(dfDiv(dfNeg(DF_ONE), DF_ZERO)).toEqual({ hi: -Infinity, lo: 0 });
    expect(dfDiv(DF_ZERO, DF_ZERO).hi).toBeNaN();
    expect(dfAdd({ hi: NaN, lo: 0 }, DF_ONE).hi).toBeNaN();
    expect(dfMul({ hi: NaN, lo: 0 }, DF_ONE).hi).toBeNaN();
    expect(dfSqrt(DF_ZERO)).toEqual(DF_ZERO);
    expect(dfSqrt({ hi: Infinity, lo: 0 })).toEqual({ hi: Infinity, lo: 0 });
    expect(dfSqrt({ hi: -1, lo: 0 }).hi).toBeNaN();
    expect(dfSqrt({ hi: NaN, lo: 0 }).hi).toBeNaN();
  });
});

describe('df64 conversions, sign and comparisons', () => {
  it('df, dfValue, dfFromF32', () => {
    expect(df(0.1).hi).toBe(f32(0.1));
    expect(df(0.1).lo).toBe(f32(0.1 - f32(0.1)));
    expect(dfValue(df(Math.PI))).toBeCloseTo(Math.PI, 14);
    expect(Math.abs(dfValue(df(Math.PI)) - Math.PI)).toBeLessThan(Math.PI * 2 ** -48);
    expect(dfFromF32(1.5)).toEqual({ hi: 1.5, lo: 0 });
    for (const x of [...logDoubles(5000, -100, 100), 1 + 2 ** -24 + 2 ** -50, 1 - 2 ** -25 + 2 ** -60, 3 * 2 ** -26 + 1]) {
      const a = df(x);
      expect(normalized(a)).toBe(true);
      expect(Math.abs(a.hi + a.lo - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -48);
    }
  });

  it('dfNeg, dfAbs, dfLt, dfGt order like the exact values', () => {
    const xs = Array.from({ length: 3000 }, () => randomDf(-5, 5));
    for (let i = 0; i + 1 < xs.length; i += 2) {
      const a = xs[i]!;
      const b = rand() < 0.2 ? { hi: a.hi, lo: xs[i + 1]!.lo } : xs[i + 1]!;
      if (f32(b.hi + b.lo) !== b.hi) continue;
      const d = dyAdd(dyOf(a), dyNeg(dyOf(b))).m;
      expect(dfLt(a, b)).toBe(d < 0n);
      expect(dfGt(a, b)).toBe(d > 0n);
      expect(dfNeg(a)).toEqual({ hi: -a.hi, lo: -a.lo });
      expect(dfAbs(a)).toEqual(a.hi < 0 ? { hi: -a.hi, lo: -a.lo } : a);
    }
    expect(dfLt(DF_ONE, DF_ONE) || dfGt(DF_ONE, DF_ONE)).toBe(false);
    expect(dfLt({ hi: 1, lo: -(2 ** -30) }, DF_ONE)).toBe(true);
    expect(dfGt({ hi: 1, lo: 2 ** -30 }, DF_ONE)).toBe(true);
  });
});

describe('df64 exp, expm1, log, tanh, sin, cos against double precision', () => {
  /** max |dfValue(f(x)) − ref(x)| / max(|ref(x)|, floor), in u², over xs. */
  const measure = (name: string, fn: (a: Df64) => Df64, ref: (x: number) => number, xs: number[], bound: number, floor = 0) => {
    let worst = 0;
    let at = 0;
    for (const x of xs) {
      const a = exactDf(x);
      const v = dfValue(a);
      const z = fn(a);
      const want = ref(v);
      if (!normalized(z)) expect.fail(`${name}(${v}) = ${z.hi}+${z.lo} is not normalized`);
      const err = Math.abs(dfValue(z) - want) / Math.max(Math.abs(want), floor) / U2;
      if (!(err <= bound)) expect.fail(`${name}(${v}) = ${dfValue(z)}, double ${want}: error ${err} u² > ${bound}`);
      if (err > worst) {
        worst = err;
        at = v;
      }
    }
    if (REPORT) console.log(`${name}: max ${worst.toFixed(3)} u² at ${at}`);
  };

  it('exp: relative ≤ 3u² on [−70, 88.7]', () => {
    const xs = [...uniformDoubles(20000, -70, 88.7), ...logDoubles(5000, -60, 0), ...[-1, 1, 0.5, -0.5].map((s) => s * Math.LN2)];
    measure('exp', dfExp, Math.exp, xs, 3);
  });

  it('expm1: relative ≤ 5u² on [−40, 40] and near 0', () => {
    measure('expm1', dfExpm1, Math.expm1, [...uniformDoubles(20000, -40, 40), ...logDoubles(5000, -60, 0)], 5);
  });

  it('log: relative ≤ 6u² on 2⁻¹²⁶ … 2¹²⁷ and near 1', () => {
    const xs = [
      ...logDoubles(15000, -126, 127, false),
      ...logDoubles(5000, -1, 1, false),
      ...logDoubles(5000, -60, -5).map((d) => 1 + d),
    ].filter((x) => x !== 1);
    measure('log', dfLog, Math.log, xs, 6);
  });

  it('tanh: relative ≤ 8u² on [−25, 25] and near 0', () => {
    measure('tanh', dfTanh, Math.tanh, [...uniformDoubles(20000, -25, 25), ...logDoubles(5000, -60, 0)], 8);
  });

  it('sin, cos: relative ≤ 3u² for |x| ≤ π/4', () => {
    const xs = [...uniformDoubles(10000, -Math.PI / 4, Math.PI / 4), ...logDoubles(5000, -60, -1)];
    measure('sin (|x| ≤ π/4)', dfSin, Math.sin, xs, 3);
    measure('cos (|x| ≤ π/4)', dfCos, Math.cos, xs, 3);
  });

  it('sin, cos: absolute ≤ 3u² for |x| < 2²²', () => {
    const xs = [...uniformDoubles(15000, -6433, 6433), ...uniformDoubles(5000, -10, 10), ...logDoubles(5000, 3, 22)];
    measure('sin (|x| < 2²², absolute)', dfSin, Math.sin, xs, 3, 1);
    measure('cos (|x| < 2²², absolute)', dfCos, Math.cos, xs, 3, 1);
  });

  it('exact values, symmetries and special values', () => {
    expect(dfExp(DF_ZERO)).toEqual(DF_ONE);
    expect(dfExpm1(DF_ZERO)).toEqual(DF_ZERO);
    expect(dfLog(DF_ONE)).toEqual(DF_ZERO);
    expect(dfTanh(DF_ZERO)).toEqual(DF_ZERO);
    expect(dfSin(DF_ZERO)).toEqual(DF_ZERO);
    expect(dfCos(DF_ZERO)).toEqual(DF_ONE);
    expect(Object.is(dfTanh({ hi: -0, lo: 0 }).hi, -0)).toBe(true);
    expect(Object.is(dfSin({ hi: -0, lo: 0 }).hi, -0)).toBe(true);
    expect(dfLog({ hi: 2, lo: 0 })).toEqual(df(Math.LN2));
    for (const x of [...uniformDoubles(2000, -30, 30), ...logDoubles(1000, -40, 12)]) {
      const a = exactDf(x);
      expect(dfTanh(dfNeg(a))).toEqual(dfNeg(dfTanh(a)));
      expect(dfSin(dfNeg(a))).toEqual(dfNeg(dfSin(a)));
      expect(dfCos(dfNeg(a))).toEqual(dfCos(a));
    }
    const inf = { hi: Infinity, lo: 0 };
    const nan = { hi: NaN, lo: 0 };
    expect(dfExp(inf)).toEqual(inf);
    expect(dfExp(dfNeg(inf))).toEqual(DF_ZERO);
    expect(dfExp({ hi: 88.8, lo: 0 })).toEqual(inf);
    expect(dfExp({ hi: -104, lo: 0 })).toEqual(DF_ZERO);
    expect(dfExpm1({ hi: -100, lo: 0 })).toEqual({ hi: -1, lo: 0 });
    expect(dfLog(DF_ZERO)).toEqual({ hi: -Infinity, lo: 0 });
    expect(dfLog(inf)).toEqual(inf);
    expect(dfLog({ hi: -1, lo: 0 }).hi).toBeNaN();
    expect(dfTanh(inf)).toEqual(DF_ONE);
    expect(dfTanh(dfNeg(inf))).toEqual(dfNeg(DF_ONE));
    expect(dfTanh({ hi: 21, lo: 0 })).toEqual(DF_ONE);
    expect(dfSin(inf).hi).toBeNaN();
    expect(dfCos(inf).hi).toBeNaN();
    for (const fn of [dfExp, dfExpm1, dfLog, dfTanh, dfSin, dfCos, dfSqrt]) expect(fn(nan).hi).toBeNaN();
  });
});

describe('df64 constants', () => {
  // Decimal expansions to 80 digits, independent of the code under test.
  const LN2 = '0.69314718055994530941723212145817656807550013436025525412068000949339362196969472';
  const PIO2 = '1.5707963267948966192313216916397514420985846996875529104874722961539082031431045';
  const decimal = (text: string): Dyadic => {
    const [int, frac] = text.split('.') as [string, string];
    // text = N / 10^d; as a dyadic with 400 bits: N·2^400 / 10^d rounded down.
    const n = BigInt(int + frac);
    return { m: (n << 400n) / 10n ** BigInt(frac.length), e: -400 };
  };
  const sum = (names: string[]) => names.map((n) => dyadic(DF64_CONSTANTS[n]!)).reduce(dyAdd);

  it('ln 2 in four parts is ln 2 to 2⁻⁷⁷, π/2 in four parts π/2 to 2⁻¹⁰⁰', () => {
    expect(relError(sum(['DF_LN2_1', 'DF_LN2_2', 'DF_LN2_3', 'DF_LN2_4']), decimal(LN2))).toBeLessThan(2 ** -77);
    expect(relError(sum(['DF_PIO2_1', 'DF_PIO2_2', 'DF_PIO2_3', 'DF_PIO2_4']), decimal(PIO2))).toBeLessThan(2 ** -100);
  });

  it('k·(ln 2 part) is exact for |k| < 2⁸, as exp and log need', () => {
    const bits = (x: number) => {
      const m = dyadic(x).m;
      return abs(m).toString(2).replace(/0+$/, '').length;
    };
    for (const n of ['DF_LN2_1', 'DF_LN2_2', 'DF_LN2_3']) expect(bits(DF64_CONSTANTS[n]!)).toBeLessThanOrEqual(16);
  });

  it('every constant is a float32 and is declared in the WGSL', () => {
    const wgsl = df64Wgsl();
    for (const [name, value] of Object.entries(DF64_CONSTANTS)) {
      expect(f32(value)).toBe(value);
      expect(wgsl).toContain(`const ${name} = `);
    }
    expect(wgsl).not.toMatch(/^fn dfKeep/m);
    expect(wgsl).toContain('fn dfAdd(a: vec2f, b: vec2f) -> vec2f');
  });
});

// ---------------------------------------------------------------------------
// GPU ≡ CPU

const CPU: Record<Df64ProbeFunction, (a: Df64, b: Df64) => Df64> = {
  add: dfAdd,
  sub: dfSub,
  mul: dfMul,
  div: dfDiv,
  neg: (a) => dfNeg(a),
  abs: (a) => dfAbs(a),
  sqrt: (a) => dfSqrt(a),
  exp: (a) => dfExp(a),
  expm1: (a) => dfExpm1(a),
  log: (a) => dfLog(a),
  tanh: (a) => dfTanh(a),
  sin: (a) => dfSin(a),
  cos: (a) => dfCos(a),
  fromF32: (a) => dfFromF32(a.hi),
  compare: (a, b) => ({ hi: dfLt(a, b) ? 1 : 0, lo: dfGt(a, b) ? 1 : 0 }),
};

/** The probe's inputs: arithmetic pairs, and operands in each function's range, thousands of each. */
function probeInputs(): Float32Array<ArrayBuffer> {
  const cases: Array<[Df64, Df64]> = [];
  const push = (a: Df64) => cases.push([a, randomDf(-10, 10)]);
  cases.push(...arithmeticPairs(4000, -40, 40));
  for (const x of uniformDoubles(2000, -104, 89)) push(df(x));
  for (const x of uniformDoubles(2000, -25, 25)) push(df(x));
  for (const x of logDoubles(1500, -60, 2)) push(df(x));
  for (const x of logDoubles(2000, -126, 127, false)) push(df(x));
  for (const x of logDoubles(1000, -50, -5)) push(df(1 + x));
  for (const x of uniformDoubles(3000, -7000, 7000)) push(df(x));
  for (const x of logDoubles(1000, 3, 22)) push(df(x));
  const specials = [0, -0, 1, -1, 2, 0.5, Infinity, -Infinity, NaN, 88.72283, 88.7229, -103.97, -104, -80.5, 20, 20.5, 6433, 1e7, 1e30, -1e30, 1e-30, 1e-40, 3e38, -3e38];
  for (const a of specials) for (const b of specials) cases.push([{ hi: f32(a), lo: 0 }, { hi: f32(b), lo: 0 }]);
  const out = new Float32Array(cases.length * 4);
  cases.forEach(([a, b], i) => out.set([a.hi, a.lo, b.hi, b.lo], i * 4));
  return out;
}

describeGpu(gpu)('df64 on the GPU', () => {
  const inputs = probeInputs();
  const n = inputs.length / 4;
  const at = (i: number): [Df64, Df64] => [
    { hi: inputs[4 * i]!, lo: inputs[4 * i + 1]! },
    { hi: inputs[4 * i + 2]!, lo: inputs[4 * i + 3]! },
  ];

  it('computes the same bits as the TypeScript twin', async () => {
    const got = await gpuDf64(gpu!, inputs);
    const bits = new Uint32Array(1);
    const view = new Float32Array(bits.buffer);
    const bitsOf = (x: number) => {
      view[0] = x;
      return bits[0]!;
    };
    for (const name of DF64_PROBE_FUNCTIONS) {
      const values = got[name];
      let mismatches = 0;
      let first = '';
      for (let i = 0; i < n; i++) {
        const [a, b] = at(i);
        const want = CPU[name](a, b);
        const hi = values[2 * i]!;
        const lo = values[2 * i + 1]!;
        const same = Number.isNaN(want.hi) ? Number.isNaN(hi) : bitsOf(hi) === bitsOf(want.hi) && bitsOf(lo) === bitsOf(want.lo);
        if (!same) {
          mismatches++;
          if (!first) first = `${name}(${a.hi}+${a.lo}, ${b.hi}+${b.lo}): gpu ${hi}+${lo}, cpu ${want.hi}+${want.lo}`;
        }
      }
      if (mismatches) expect.fail(`${mismatches} of ${n} differ; first ${first}`);
    }
  });

  it('needs the barrier: without dfKeep the compiler regroups the error-free transformations', async () => {
    const got = await gpuDf64(gpu!, inputs, false);
    let differ = 0;
    for (let i = 0; i < n; i++) {
      const [a, b] = at(i);
      const want = dfAdd(a, b);
      if (Number.isFinite(want.hi) && (got.add[2 * i] !== want.hi || got.add[2 * i + 1] !== want.lo)) differ++;
    }
    if (REPORT) console.log(`without the barrier ${differ} of ${n} sums differ`);
    expect(differ).toBeGreaterThan(0);
  });
});
