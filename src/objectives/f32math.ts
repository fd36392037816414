/**
 * exp, log, sin, cos and tanh in float32, computed by a fixed sequence of
 * float32 operations. shaders/f32math.wgsl performs the same sequence, so a
 * typed-in objective gives bit-identical results on both engines, where
 * WGSL's built-ins (allowed several ulps of error, differing by driver)
 * would not. Accuracy, against the correctly rounded result on the ranges
 * the tests sweep: exp within 1 ulp, sin and cos within 2, log within 3 and
 * tanh within 4 (near |x| = 0.25). For sin and cos the argument reduction is
 * exact for |x| < 6400 and degrades beyond.
 *
 * Every operation below is one float32 operation; `f` rounds its result.
 * The constants are shared with the kernel: src/engine/kernel.ts declares
 * them in front of shaders/f32math.wgsl.
 */
import { f32 } from '../float32.js';

const f = f32;

/** Every constant of both implementations, as float32 values. */
export const MATH_CONSTANTS = {
  LOG2E: f(Math.LOG2E),
  // ln 2 split so that k·LN2_HI is exact for |k| < 2^11.
  LN2_HI: 0.693145751953125,
  LN2_LO: f(Math.LN2 - 0.693145751953125),
  EXP_MAX: f(88.72283), // exp above this overflows float32
  EXP_MIN: f(-103.97208), // exp below this rounds to 0
  E2: f(1 / 2),
  E3: f(1 / 6),
  E4: f(1 / 24),
  E5: f(1 / 120),
  E6: f(1 / 720),
  E7: f(1 / 5040),
  SQRT_HALF: f(Math.SQRT1_2),
  L3: f(2 / 3),
  L5: f(2 / 5),
  L7: f(2 / 7),
  L9: f(2 / 9),
  L11: f(2 / 11),
  // π/2 in three parts; the first two have 12 significant bits, so k·part is
  // exact for |k| < 2^12 (|x| < 6400). Their sum is π/2 to 5.7e-18.
  PIO2_1: 1.57080078125,
  PIO2_2: -4.453584551811218e-6,
  PIO2_3: f(-8.705515752716053e-10),
  TWO_OVER_PI: f(2 / Math.PI),
  S3: f(-1 / 6),
  S5: f(1 / 120),
  S7: f(-1 / 5040),
  S9: f(1 / 362880),
  C4: f(1 / 24),
  C6: f(-1 / 720),
  C8: f(1 / 40320),
  C10: f(-1 / 3628800),
  T3: f(-1 / 3),
  T5: f(2 / 15),
  T7: f(-17 / 315),
  T9: f(62 / 2835),
} as const;

const C = MATH_CONSTANTS;

export function expF(x: number): number {
  if (x > C.EXP_MAX) return Infinity;
  if (x < C.EXP_MIN) return 0;
  const k = Math.floor(f(f(x * C.LOG2E) + 0.5));
  const r = f(f(x - f(k * C.LN2_HI)) - f(k * C.LN2_LO));
  // e^r on |r| ≤ 0.35: Taylor to r⁷/7! in Horner form.
  let p = C.E7;
  p = f(f(p * r) + C.E6);
  p = f(f(p * r) + C.E5);
  p = f(f(p * r) + C.E4);
  p = f(f(p * r) + C.E3);
  p = f(f(p * r) + C.E2);
  p = f(f(p * r) + 1);
  p = f(f(p * r) + 1);
  // p·2^k with one rounding (the kernel scales in two exact steps where the result is subnormal).
  return f(p * Math.pow(2, k));
}

/** m ∈ [0.5, 1) and e with x = m·2^e, for finite x > 0 (as WGSL's frexp). */
function frexp(x: number): [number, number] {
  let e = Math.floor(Math.log2(x)) + 1;
  let m = x / Math.pow(2, e);
  // log2 can be off by one at the edges; correct exactly.
  if (m >= 1) {
    m /= 2;
    e += 1;
  } else if (m < 0.5) {
    m *= 2;
    e -= 1;
  }
  return [m, e];
}

export function logF(x: number): number {
  if (x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  // Subnormals are scaled by 2^24 first (exactly), as the kernel does.
  const subnormal = x < 1.1754943508222875e-38;
  let [m, e] = frexp(subnormal ? f(x * 16777216) : x);
  if (subnormal) e -= 24;
  // m ∈ [√½, √2): log m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716.
  if (m < C.SQRT_HALF) {
    m = f(m * 2);
    e = e - 1;
  }
  const s = f(f(m - 1) / f(m + 1));
  const z = f(s * s);
  let q = C.L11;
  q = f(f(q * z) + C.L9);
  q = f(f(q * z) + C.L7);
  q = f(f(q * z) + C.L5);
  q = f(f(q * z) + C.L3);
  q = f(f(q * z) + 2);
  const logm = f(s * q);
  return f(f(e * C.LN2_HI) + f(f(e * C.LN2_LO) + logm));
}

/** The reduced argument r ∈ [−π/4, π/4] and the quadrant q ∈ {0, 1, 2, 3}. */
function reduce(x: number): [r: number, q: number] {
  const k = Math.floor(f(f(x * C.TWO_OVER_PI) + 0.5));
  const r = f(f(f(x - f(k * C.PIO2_1)) - f(k * C.PIO2_2)) - f(k * C.PIO2_3));
  const q = f(k - f(4 * Math.floor(f(k * 0.25))));
  return [r, q];
}

function sinPoly(r: number): number {
  const z = f(r * r);
  let p = C.S9;
  p = f(f(p * z) + C.S7);
  p = f(f(p * z) + C.S5);
  p = f(f(p * z) + C.S3);
  return f(r + f(f(r * z) * p));
}

function cosPoly(r: number): number {
  const z = f(r * r);
  let p = C.C10;
  p = f(f(p * z) + C.C8);
  p = f(f(p * z) + C.C6);
  p = f(f(p * z) + C.C4);
  p = f(f(p * z) - 0.5);
  return f(f(p * z) + 1);
}

export function sinF(x: number): number {
  const [r, q] = reduce(x);
  const s = sinPoly(r);
  const c = cosPoly(r);
  return q === 0 ? s : q === 1 ? c : q === 2 ? -s : -c;
}

export function cosF(x: number): number {
  const [r, q] = reduce(x);
  const s = sinPoly(r);
  const c = cosPoly(r);
  return q === 0 ? c : q === 1 ? -s : q === 2 ? -c : s;
}

export function tanhF(x: number): number {
  const a = Math.abs(x);
  if (a > 9.1) return x > 0 ? 1 : -1;
  if (a < 0.25) {
    // x − x³/3 + 2x⁵/15 − 17x⁷/315 + 62x⁹/2835
    const z = f(x * x);
    let p = C.T9;
    p = f(f(p * z) + C.T7);
    p = f(f(p * z) + C.T5);
    p = f(f(p * z) + C.T3);
    return f(x + f(f(x * z) * p));
  }
  const t = f(1 - f(2 / f(expF(f(2 * a)) + 1)));
  return x > 0 ? t : -t;
}
