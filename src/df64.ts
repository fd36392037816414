/**
 * Double-float ("df64") arithmetic: a number is the unevaluated sum hi + lo
 * of two float32 values, normalized so that hi = float32(hi + lo), which
 * carries about 48 significant bits with float32's exponent range.
 *
 * Every operation below is a fixed sequence of float32 operations (each
 * rounded with `f`), and shaders/df64.wgsl performs the same sequence, so the
 * CPU and GPU engines agree bit for bit, as src/objectives/f32math.ts and
 * shaders/f32math.wgsl do for float32. Only + − × ÷ (assumed correctly
 * rounded, as in the rest of the project), comparisons, floor of a float32,
 * and exact bit manipulations (exponent extraction, powers of two) are used:
 * no fused multiply-add, no built-in exp, log or sqrt.
 *
 * The error-free transformations (twoSum, fastTwoSum, Veltkamp's split,
 * Dekker's twoProd) assume round-to-nearest float32 arithmetic without
 * overflow or underflow: they are exact, and the results bit-identical on
 * both engines, while every intermediate is a normal float32. Where a value
 * nears the subnormal range (|hi| below about 2⁻¹⁰², where lo is subnormal) the
 * relative accuracy degrades to float32's, and a GPU that flushes subnormals
 * to zero may differ there. Veltkamp's split multiplies by 4097, so the
 * operands of × and ÷ must have |hi| < 2¹¹⁵ (≈ 4·10³⁴); beyond it a product
 * falls back to the float32 product with lo = 0.
 *
 * The error bounds in each function's comment are measured maxima of the
 * relative error on the ranges stated, in units of u² = 2⁻⁴⁸ (u = 2⁻²⁴, a
 * float32's unit roundoff), over about 300,000 random operands each
 * (test/df64.test.ts's generators with five seeds; exact rational references
 * for + − × ÷ √, double precision for the rest); the proven worst cases of
 * the algorithms are quoted where known. The test asserts bounds a little
 * above these maxima.
 *
 * Non-finite values: an operation whose float32 leading result overflows
 * returns (±∞, 0); NaN in gives NaN out (hi NaN, lo 0). The
 * transcendental functions document their own special values.
 */
import source from '../shaders/df64.wgsl?raw';
import { f32, f32Bits } from './float32.js';

/** A df64 number: the exact sum hi + lo of two float32 values, |lo| ≤ ulp(hi)/2. */
export interface Df64 {
  readonly hi: number;
  readonly lo: number;
}

const f = f32;

/** A df64 from its two parts (no normalization). */
const pair = (hi: number, lo: number): Df64 => ({ hi, lo });

/**
 * Every float32 constant of both implementations. The WGSL declarations are
 * generated from this table (df64Wgsl), so the shader and the TypeScript
 * read the very same values. A df64 constant is a _HI/_LO pair: the double
 * nearest the true value, split (n! is exact in a double up to 18!, so 1/n!
 * is the correctly rounded double).
 */
export const DF64_CONSTANTS: Record<string, number> = (() => {
  const c: Record<string, number> = {
    // Veltkamp's splitting factor 2¹² + 1: hi keeps 12 significant bits, lo 12 (its sign included).
    DF_SPLIT: 4097,
    DF_LOG2E: f(Math.LOG2E),
    // ln 2 in four parts, computed to 300 bits (mpmath): the first three have
    // 16 significant bits, so k·part is exact for |k| < 2⁸; their sum is ln 2
    // to 3·10⁻²⁴. Of them DF_LN2_1 is f32math's LN2_HI.
    DF_LN2_1: 0.693145751953125,
    DF_LN2_2: 1.4286197256296873e-6,
    DF_LN2_3: -1.290523243824282e-11,
    DF_LN2_4: -8.78318373858934e-17,
    // exp overflows float32 above EXP_MAX and is 0 below EXP_MIN (f32math's thresholds).
    DF_EXP_MAX: f(88.72283),
    DF_EXP_MIN: f(-103.97208),
    // Below this expm1(x) is −1 to within e⁻⁸⁰ (and 2^k stays a normal float32).
    DF_EXPM1_MIN: -80,
    // tanh(x) is ±1 to within 2e⁻⁴⁰ ≈ 2⁻⁵⁶ beyond this.
    DF_TANH_MAX: 20,
    DF_SQRT2: f(Math.SQRT2),
    // √'s float32 seed on [1, 4]: the chord m/3 + 2/3.
    DF_THIRD: f(1 / 3),
    DF_TWO_THIRDS: f(2 / 3),
    // π/2 in four float32 parts, computed to 300 bits (mpmath): their sum is
    // π/2 to 2⁻¹⁰⁴ relative. k·part is taken exactly (twoProd) for the first
    // three, rounded for the fourth (below 2⁻⁷⁰·k).
    DF_PIO2_1: 1.5707963705062866,
    DF_PIO2_2: -4.371138828673793e-8,
    DF_PIO2_3: -1.7151245100058819e-15,
    DF_PIO2_4: 1.056299898220315e-23,
    DF_TWO_OVER_PI: f(2 / Math.PI),
    // The float32 seed of log m on [√½, √2]: 2·atanh(s), as f32math's logF.
    DF_L3: f(2 / 3),
    DF_L5: f(2 / 5),
    DF_L7: f(2 / 7),
    DF_L9: f(2 / 9),
    DF_L11: f(2 / 11),
  };
  const fact = (n: number) => {
    let p = 1;
    for (let i = 2; i <= n; i++) p *= i;
    return p;
  };
  const dfConstant = (name: string, x: number) => {
    const hi = f(x);
    c[`${name}_HI`] = hi;
    c[`${name}_LO`] = f(x - hi);
  };
  // expm1(r) = r·Σ rʲ/(j+1)!, j = 0…12, for |r| ≤ ln2/2: 1/(j+1)! in df64 for
  // j ≤ 8, in float32 for the tail j = 9…12 (its terms are below 2⁻³⁵).
  for (let j = 2; j <= 8; j++) dfConstant(`DF_E${j}`, 1 / fact(j + 1));
  for (let j = 9; j <= 12; j++) c[`DF_E${j}`] = f(1 / fact(j + 1));
  // sin r = r + r·z·Σ, z = r², |r| ≤ π/4: (−1)ⁿ/(2n+1)! in df64 to n = 4, float32 for n = 5…7.
  for (let n = 1; n <= 4; n++) dfConstant(`DF_S${2 * n + 1}`, (-1) ** n / fact(2 * n + 1));
  for (let n = 5; n <= 7; n++) c[`DF_S${2 * n + 1}`] = f((-1) ** n / fact(2 * n + 1));
  // cos r = 1 − z/2 + z²·Σ: (−1)ⁿ/(2n)! in df64 for n = 2…5, float32 for n = 6…8.
  for (let n = 2; n <= 5; n++) dfConstant(`DF_C${2 * n}`, (-1) ** n / fact(2 * n));
  for (let n = 6; n <= 8; n++) c[`DF_C${2 * n}`] = f((-1) ** n / fact(2 * n));
  for (const [name, value] of Object.entries(c)) {
    if (f(value) !== value) throw new Error(`df64 constant ${name} = ${value} is not a float32`);
  }
  return c;
})();

const K = DF64_CONSTANTS as Readonly<Record<string, number>>;
const k = (name: string): number => {
  const v = K[name];
  if (v === undefined) throw new Error(`no df64 constant ${name}`);
  return v;
};
const SPLIT = k('DF_SPLIT');
const LOG2E = k('DF_LOG2E');
const LN2_1 = k('DF_LN2_1');
const LN2_2 = k('DF_LN2_2');
const LN2_3 = k('DF_LN2_3');
const LN2_4 = k('DF_LN2_4');
const EXP_MAX = k('DF_EXP_MAX');
const EXP_MIN = k('DF_EXP_MIN');
const EXPM1_MIN = k('DF_EXPM1_MIN');
const TANH_MAX = k('DF_TANH_MAX');
const SQRT2 = k('DF_SQRT2');
const THIRD = k('DF_THIRD');
const TWO_THIRDS = k('DF_TWO_THIRDS');
const PIO2_1 = k('DF_PIO2_1');
const PIO2_2 = k('DF_PIO2_2');
const PIO2_3 = k('DF_PIO2_3');
const PIO2_4 = k('DF_PIO2_4');
const TWO_OVER_PI = k('DF_TWO_OVER_PI');
const L3 = k('DF_L3');
const L5 = k('DF_L5');
const L7 = k('DF_L7');
const L9 = k('DF_L9');
const L11 = k('DF_L11');
const dk = (name: string): Df64 => pair(k(`${name}_HI`), k(`${name}_LO`));
const E = [2, 3, 4, 5, 6, 7, 8].map((j) => dk(`DF_E${j}`));
const E9 = k('DF_E9');
const E10 = k('DF_E10');
const E11 = k('DF_E11');
const E12 = k('DF_E12');
const S3 = dk('DF_S3');
const S5 = dk('DF_S5');
const S7 = dk('DF_S7');
const S9 = dk('DF_S9');
const S11 = k('DF_S11');
const S13 = k('DF_S13');
const S15 = k('DF_S15');
const C4 = dk('DF_C4');
const C6 = dk('DF_C6');
const C8 = dk('DF_C8');
const C10 = dk('DF_C10');
const C12 = k('DF_C12');
const C14 = k('DF_C14');
const C16 = k('DF_C16');

export const DF_ZERO: Df64 = Object.freeze(pair(0, 0));
export const DF_ONE: Df64 = Object.freeze(pair(1, 0));
const DF_HALF: Df64 = pair(0.5, 0);
const DF_TWO: Df64 = pair(2, 0);

/** WGSL's constant declarations for DF64_CONSTANTS (as src/engine/kernel.ts writes MATH_CONSTANTS). */
function constantsWgsl(): string {
  return Object.entries(DF64_CONSTANTS)
    .map(([name, value]) => `const ${name} = ${Object.is(value, -0) ? '-0.0' : String(value)}f;`)
    .join('\n');
}

/**
 * shaders/df64.wgsl with its constants declared in front. The including
 * shader must define `fn dfKeep(x: f32) -> f32`, an identity the compiler
 * cannot see through (e.g. `bitcast<f32>(bitcast<u32>(x) ^ u.zero)` with a
 * uniform that is always 0).
 */
export function df64Wgsl(): string {
  return `${constantsWgsl()}\n\n${source}`;
}

// ---------------------------------------------------------------------------
// Error-free transformations

/** s + e = a + b exactly, s = float32(a + b) (Knuth's TwoSum: any a, b). */
function twoSum(a: number, b: number): Df64 {
  const s = f(a + b);
  const bb = f(s - a);
  const e = f(f(a - f(s - bb)) + f(b - bb));
  return pair(s, e);
}

/** s + e = a + b exactly for |a| ≥ |b| (or a = 0) (Dekker's Fast2Sum). */
function fastTwoSum(a: number, b: number): Df64 {
  const s = f(a + b);
  const e = f(b - f(s - a));
  return pair(s, e);
}

/** p + e = a·b exactly, p = float32(a·b) (Dekker's product with Veltkamp's split; |a|, |b| < 2¹¹⁵). */
function twoProd(a: number, b: number): Df64 {
  const p = f(a * b);
  const ca = f(SPLIT * a);
  const ah = f(ca - f(ca - a));
  const al = f(a - ah);
  const cb = f(SPLIT * b);
  const bh = f(cb - f(cb - b));
  const bl = f(b - bh);
  const e = f(f(f(f(f(ah * bh) - p) + f(ah * bl)) + f(al * bh)) + f(al * bl));
  return pair(p, e);
}

const finite = Number.isFinite;

/** float32 x·2^n for an integer n with |n| ≤ 252, in two exact steps (one rounding if the result is subnormal). */
function scale(x: number, n: number): number {
  const n1 = Math.floor(n * 0.5);
  return f(f(x * 2 ** n1) * 2 ** (n - n1));
}

/** a·2^n, n an integer with |n| ≤ 252. */
function dfScale(a: Df64, n: number): Df64 {
  return pair(scale(a.hi, n), scale(a.lo, n));
}

/** floor(log₂|x|) for a finite nonzero float32, subnormals included (read from the bits). */
function exponent(x: number): number {
  const sub = Math.abs(x) < 1.1754943508222875e-38;
  const y = sub ? f(x * 16777216) : x;
  const e = ((f32Bits(y) >>> 23) & 0xff) - 127;
  return sub ? e - 24 : e;
}

// ---------------------------------------------------------------------------
// Conversions, sign, comparisons

/** The df64 nearest to a double (hi = f32(x), lo = f32(x − hi), renormalized). */
export function df(x: number): Df64 {
  const hi = f(x);
  if (!finite(hi)) return pair(hi, 0);
  // x − hi is exact in a double; when lo rounds up to half an ulp of hi the
  // pair is renormalized so that float32(hi + lo) = hi.
  return fastTwoSum(hi, f(x - hi));
}

/** hi + lo as a double (exact unless lo is far below hi's last bit). */
export function dfValue(a: Df64): number {
  return a.hi + a.lo;
}

/** A float32 as a df64: {hi: x, lo: 0}. */
export function dfFromF32(x: number): Df64 {
  return pair(f(x), 0);
}

export function dfNeg(a: Df64): Df64 {
  return pair(-a.hi, -a.lo);
}

/** |a|: the sign of a normalized df64 is that of hi. */
export function dfAbs(a: Df64): Df64 {
  return a.hi < 0 ? pair(-a.hi, -a.lo) : a;
}

/** a < b, for normalized operands (NaN compares false). */
export function dfLt(a: Df64, b: Df64): boolean {
  return a.hi < b.hi || (a.hi === b.hi && a.lo < b.lo);
}

/** a > b, for normalized operands (NaN compares false). */
export function dfGt(a: Df64, b: Df64): boolean {
  return a.hi > b.hi || (a.hi === b.hi && a.lo > b.lo);
}

// ---------------------------------------------------------------------------
// + − × ÷ √

/**
 * a + b: Joldes, Muller and Popescu's AccurateDWPlusDW (2017, Algorithm 6),
 * proven within 3u² + 13u³; measured ≤ 2.0u² (2⁻⁴⁷) on random operands of
 * mixed signs with hi from 2⁻⁴⁰ to 2⁴⁰, cancellations and ties included.
 */
export function dfAdd(a: Df64, b: Df64): Df64 {
  const s = twoSum(a.hi, b.hi);
  const t = twoSum(a.lo, b.lo);
  const c = f(s.lo + t.hi);
  const v = fastTwoSum(s.hi, c);
  const w = f(t.lo + v.lo);
  const z = fastTwoSum(v.hi, w);
  // Overflow, ∞ or NaN: the float32 sum, alone.
  return finite(z.hi) ? z : pair(s.hi, 0);
}

/** a − b = a + (−b): dfAdd's bound (measured ≤ 2.0u²). */
export function dfSub(a: Df64, b: Df64): Df64 {
  return dfAdd(a, dfNeg(b));
}

/**
 * a·b: Joldes, Muller and Popescu's DWTimesDW1 (Algorithm 10) with Dekker's
 * product in place of an fma: proven within 7u²; measured ≤ 4.2u² (2⁻⁴⁵·⁹)
 * for hi from 2⁻⁴⁰ to 2⁴⁰. Operands need |hi| < 2¹¹⁵ (Veltkamp's split).
 */
export function dfMul(a: Df64, b: Df64): Df64 {
  const c = twoProd(a.hi, b.hi);
  const tl1 = f(a.hi * b.lo);
  const tl2 = f(a.lo * b.hi);
  const cl2 = f(tl1 + tl2);
  const cl3 = f(c.lo + cl2);
  const z = fastTwoSum(c.hi, cl3);
  return finite(z.hi) ? z : pair(c.hi, 0);
}

/** y·b for a float32 b (DWTimesFP1, Algorithm 7 without fma; within 3u²). */
export function dfMulF(y: Df64, b: number): Df64 {
  const c = twoProd(y.hi, b);
  const cl2 = f(y.lo * b);
  const t = fastTwoSum(c.hi, cl2);
  const tl2 = f(t.lo + c.lo);
  return fastTwoSum(t.hi, tl2);
}

/**
 * a/b: Joldes, Muller and Popescu's DWDivDW2 (Algorithm 17): proven within
 * 15u² + 56u³; measured ≤ 6.3u² (2⁻⁴⁵·⁴) as |a − b·q|/|a|, for hi from
 * 2⁻⁴⁰ to 2⁴⁰. b = 0 gives (±∞ or NaN, 0).
 */
export function dfDiv(a: Df64, b: Df64): Df64 {
  const th = f(a.hi / b.hi);
  const r = dfMulF(b, th);
  const ph = f(a.hi - r.hi);
  const dl = f(a.lo - r.lo);
  const d = f(ph + dl);
  const tl = f(d / b.hi);
  const z = fastTwoSum(th, tl);
  return finite(z.hi) ? z : pair(th, 0);
}

/**
 * √a. a is scaled by an even power of two into [1, 4); there a float32 seed
 * r comes from the chord m/3 + 2/3 (within 6%) and two Heron steps (1.3e-6),
 * and the exact residual d = m − r² gives √m = r + c − c²/(2r) + O(c³),
 * c = d/(2r), with c in two float32 parts (c₁ = d/(2r) rounded, and its
 * remainder through an exact product), which is scaled back. Measured ≤
 * 0.5u² (2⁻⁴⁹) relative (as |z² − a|/2a) for positive hi from 2⁻¹²⁶ to 2¹²⁷.
 * √±0 = ±0, √∞ = ∞, negative or NaN → NaN.
 */
export function dfSqrt(a: Df64): Df64 {
  const h = a.hi;
  if (!(h > 0) || h === Infinity) return h === 0 || h === Infinity ? pair(h, 0) : pair(NaN, 0);
  const half = Math.floor(exponent(h) * 0.5);
  const m = dfScale(a, -2 * half);
  let r = f(f(m.hi * THIRD) + TWO_THIRDS);
  r = f(f(r + f(m.hi / r)) * 0.5);
  r = f(f(r + f(m.hi / r)) * 0.5);
  const d = dfSub(m, twoProd(r, r));
  const r2 = f(2 * r);
  const c1 = f(d.hi / r2);
  const p = twoProd(c1, r2);
  // d.hi − p.hi is exact (Sterbenz): the remainder of c₁, over 2r.
  const c2 = f(f(f(f(d.hi - p.hi) - p.lo) + d.lo) / r2);
  const s2 = -f(f(c1 * c1) / r2);
  const z = fastTwoSum(r, c1);
  return dfScale(fastTwoSum(z.hi, f(z.lo + f(c2 + s2))), half);
}

// ---------------------------------------------------------------------------
// exp, expm1, log, tanh

/** x − n·ln 2 for an integer n with |n| < 2⁸ (the first three products are exact). */
function ln2Reduce(x: Df64, n: number): Df64 {
  let r = dfSub(x, pair(f(n * LN2_1), 0));
  r = dfSub(r, pair(f(n * LN2_2), 0));
  r = dfSub(r, pair(f(n * LN2_3), 0));
  return dfSub(r, pair(f(n * LN2_4), 0));
}

/** expm1(r) for |r| ≤ ln2/2 (+ a little), relatively accurate: r·Σ_{j≤12} rʲ/(j+1)!, the tail j ≥ 9 in float32. */
function expm1Kernel(r: Df64): Df64 {
  const x = r.hi;
  let q = E12;
  q = f(f(q * x) + E11);
  q = f(f(q * x) + E10);
  q = f(f(q * x) + E9);
  let p = pair(q, 0);
  for (let j = 6; j >= 0; j--) p = dfAdd(dfMul(p, r), E[j]!);
  p = dfAdd(dfMul(p, r), DF_HALF);
  p = dfAdd(dfMul(p, r), DF_ONE);
  return dfMul(p, r);
}

/** The reduction of exp and expm1: k = round(x/ln 2) as a float32 integer. */
function expK(x: Df64): number {
  return Math.floor(f(f(x.hi * LOG2E) + 0.5));
}

/**
 * eˣ: x = k·ln 2 + r (ln 2 to 2⁻⁷⁷), e^r = 1 + expm1(r) by a degree-13
 * Taylor polynomial, then ·2ᵏ in two exact steps. Measured ≤ 1.8u²
 * (2⁻⁴⁷·²) relative for −70 ≤ x ≤ 88.7; below −70 lo becomes subnormal and
 * the accuracy degrades towards float32's (for results < 2⁻¹²⁶ hi is a
 * subnormal float32, as GPUs that flush may not reproduce). Beyond f32math's
 * thresholds (hi > 88.72283: the float32 result overflows) (∞, 0); hi <
 * −103.97208: (0, 0). exp(±∞) = ∞, 0; NaN → NaN.
 */
export function dfExp(x: Df64): Df64 {
  if (Number.isNaN(x.hi)) return pair(NaN, 0);
  if (x.hi > EXP_MAX) return pair(Infinity, 0);
  if (x.hi < EXP_MIN) return DF_ZERO;
  const n = expK(x);
  const e = dfAdd(DF_ONE, expm1Kernel(ln2Reduce(x, n)));
  const z = dfScale(e, n);
  return finite(z.hi) ? z : pair(Infinity, 0);
}

/**
 * eˣ − 1, relatively accurate near 0: 2ᵏ·expm1(r) + (2ᵏ − 1), the last an
 * exact df64. Measured ≤ 3.4u² (2⁻⁴⁶·²) relative on [−40, 40], and for
 * 2⁻⁶⁰ ≤ |x| ≤ 1. hi < −80: (−1, 0); as dfExp above 88.72283: (∞, 0);
 * NaN → NaN.
 */
export function dfExpm1(x: Df64): Df64 {
  if (Number.isNaN(x.hi)) return pair(NaN, 0);
  if (x.hi > EXP_MAX) return pair(Infinity, 0);
  if (x.hi < EXPM1_MIN) return pair(-1, 0);
  const n = expK(x);
  const q = dfScale(expm1Kernel(ln2Reduce(x, n)), n);
  const z = dfAdd(q, twoSum(scale(1, n), -1));
  return finite(z.hi) ? z : pair(Infinity, 0);
}

/** The float32 seed of log m for m ∈ [√½, √2]: 2·atanh((m − 1)/(m + 1)) as f32math's logF (a few ulps). */
function logSeed(m: number): number {
  const s = f(f(m - 1) / f(m + 1));
  const z = f(s * s);
  let q = L11;
  q = f(f(q * z) + L9);
  q = f(f(q * z) + L7);
  q = f(f(q * z) + L5);
  q = f(f(q * z) + L3);
  q = f(f(q * z) + 2);
  return f(s * q);
}

/**
 * ln x: x = m·2ᵉ with m ∈ [√½, √2), a float32 seed y₀ ≈ ln m, and one
 * Newton step of second order on the df64 m: w = m·e^(−y₀) − 1 =
 * (m − 1) + m·expm1(−y₀) (relatively accurate as x → 1), ln m = y₀ + w −
 * w²/2 (+O(w³) ≈ 2⁻⁶⁶), ln x = ln m + e·ln 2. Measured ≤ 4.3u² (2⁻⁴⁵·⁹)
 * relative for hi from 2⁻¹²⁶ to 2¹²⁷, and for x = 1 ± 2⁻⁶⁰…2⁻⁵ (relative
 * accuracy holds as x → 1). ln ±0 = −∞, ln ∞ = ∞, negative or NaN → NaN.
 */
export function dfLog(x: Df64): Df64 {
  const h = x.hi;
  if (!(h >= 0)) return pair(NaN, 0);
  if (h === 0) return pair(-Infinity, 0);
  if (h === Infinity) return pair(Infinity, 0);
  let e = exponent(h);
  let m = dfScale(x, -e);
  if (m.hi > SQRT2) {
    e = e + 1;
    m = dfScale(m, -1);
  }
  const y0 = logSeed(m.hi);
  const w = dfAdd(dfSub(m, DF_ONE), dfMul(m, expm1Kernel(pair(-y0, 0))));
  const v = dfSub(w, pair(f(f(w.hi * w.hi) * 0.5), 0));
  return ln2Reduce(dfAdd(pair(y0, 0), v), -e);
}

/**
 * tanh x = −t/(2 + t), t = expm1(−2|x|), with x's sign: relatively accurate
 * near 0 (no series switch), ±1 beyond |x| = 20 (where 1 − tanh < 2⁻⁵⁶).
 * Measured ≤ 5.8u² (2⁻⁴⁵·⁵) relative on [−25, 25] and for 2⁻⁶⁰ ≤ |x| ≤ 1.
 * tanh(±0) = ±0, tanh(±∞) = ±1, NaN → NaN.
 */
export function dfTanh(x: Df64): Df64 {
  const a = dfAbs(x);
  if (Number.isNaN(a.hi)) return pair(NaN, 0);
  if (a.hi === 0) return x;
  let r: Df64;
  if (a.hi > TANH_MAX) r = DF_ONE;
  else {
    const t = dfNeg(dfExpm1(pair(f(-2 * a.hi), f(-2 * a.lo))));
    r = dfDiv(t, dfSub(DF_TWO, t));
  }
  return x.hi < 0 ? dfNeg(r) : r;
}

// ---------------------------------------------------------------------------
// sin, cos

/** sin r for |r| ≤ π/4: r + r·z·(S3 + z·S5 + …), z = r², the tail z⁵… in float32. */
function sinKernel(r: Df64): Df64 {
  const z = dfMul(r, r);
  let q = S15;
  q = f(f(q * z.hi) + S13);
  q = f(f(q * z.hi) + S11);
  let p = dfAdd(dfMul(pair(q, 0), z), S9);
  p = dfAdd(dfMul(p, z), S7);
  p = dfAdd(dfMul(p, z), S5);
  p = dfAdd(dfMul(p, z), S3);
  return dfAdd(r, dfMul(dfMul(r, z), p));
}

/** cos r for |r| ≤ π/4: 1 + z·(−½ + z·(C4 + z·C6 + …)), the tail z⁶… in float32. */
function cosKernel(r: Df64): Df64 {
  const z = dfMul(r, r);
  let q = C16;
  q = f(f(q * z.hi) + C14);
  q = f(f(q * z.hi) + C12);
  let p = dfAdd(dfMul(pair(q, 0), z), C10);
  p = dfAdd(dfMul(p, z), C8);
  p = dfAdd(dfMul(p, z), C6);
  p = dfAdd(dfMul(p, z), C4);
  p = dfAdd(dfMul(p, z), pair(-0.5, 0));
  return dfAdd(dfMul(p, z), DF_ONE);
}

/**
 * a − k·π/2 for a ≥ 0 and k ≈ a·2/π (round to nearest of the float32
 * product, so |r| may pass π/4 a little for large a), and the quadrant k mod 4.
 */
function piReduce(a: Df64): [r: Df64, quadrant: number] {
  const n = Math.floor(f(f(a.hi * TWO_OVER_PI) + 0.5));
  let r = dfSub(a, twoProd(n, PIO2_1));
  r = dfSub(r, twoProd(n, PIO2_2));
  r = dfSub(r, twoProd(n, PIO2_3));
  r = dfSub(r, pair(f(n * PIO2_4), 0));
  return [r, f(n - f(4 * Math.floor(f(n * 0.25))))];
}

/**
 * sin x, computed on |x| (so sin(−x) = −sin x bit for bit): reduction
 * r = |x| − k·π/2 with π/2 in four float32 parts (to 2⁻¹⁰⁴), the first three
 * products taken exactly, then a degree-15 Taylor polynomial on |r| ≲ π/4.
 * Measured ≤ 2.1u² (2⁻⁴⁶·⁹) relative for 2⁻⁶⁰ ≤ |x| ≤ π/4, and ≤ 1.3u²
 * (2⁻⁴⁷·⁶) absolute for |x| < 2²² ≈ 4.2·10⁶: next to a zero of sin
 * (x ≈ jπ, j ≠ 0) the relative error grows as 1/|sin x|, the absolute one
 * does not. Beyond 2²² k, taken from a float32 product, may be off by one
 * and the result is wrong (already at 10⁷ by 2⁻⁴²); beyond 2¹¹⁵ it is
 * meaningless.
 * sin(±0) = ±0; ±∞ and NaN → NaN.
 */
export function dfSin(x: Df64): Df64 {
  const a = dfAbs(x);
  if (!finite(a.hi)) return pair(NaN, 0);
  if (a.hi === 0) return x;
  const [r, q] = piReduce(a);
  let s = q === 0 || q === 2 ? sinKernel(r) : cosKernel(r);
  if (q >= 2) s = dfNeg(s);
  return x.hi < 0 ? dfNeg(s) : s;
}

/**
 * cos x, computed on |x| (even bit for bit), as dfSin: measured ≤ 1.8u²
 * relative for |x| ≤ π/4, ≤ 1.3u² absolute for |x| < 2²². cos(±0) = 1;
 * ±∞ and NaN → NaN.
 */
export function dfCos(x: Df64): Df64 {
  const a = dfAbs(x);
  if (!finite(a.hi)) return pair(NaN, 0);
  const [r, q] = piReduce(a);
  const c = q === 0 || q === 2 ? cosKernel(r) : sinKernel(r);
  return q === 1 || q === 2 ? dfNeg(c) : c;
}
