// df64 ("double-float") arithmetic: a number is vec2f(hi, lo), the
// unevaluated sum hi + lo of two float32 values with hi = float32(hi + lo).
// The twin of src/df64.ts, operation for operation, so both engines agree bit
// for bit; the accuracy, ranges and special values are documented there. The
// constants (DF_SPLIT, DF_LN2_1, …) are generated in front of this file from
// DF64_CONSTANTS in src/df64.ts, each exact as a float32.
//
// The including shader defines `fn dfKeep(x: f32) -> f32`, an identity the
// compiler cannot see through. Every float32 operation result passes through
// it: the error-free transformations below compute rounding errors as
// differences such as (a + b) − a, which a compiler is otherwise free to fold
// (LLVM turns (a + b) − a into b) or to fuse into an fma, and either breaks
// them. Exact operations (negation, comparisons, bit manipulation) need none.

fn dfIsFinite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn dfIsNan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// Built at run time: WGSL rejects an infinite or NaN constant expression.
fn dfFromBits(bits: u32) -> f32 {
  return bitcast<f32>(bitcast<u32>(dfKeep(0.0)) | bits);
}

fn dfInf() -> f32 {
  return dfFromBits(0x7f800000u);
}

fn dfNan() -> vec2f {
  return vec2f(dfFromBits(0x7fc00000u), 0.0);
}

// ---------------------------------------------------------------------------
// Error-free transformations

// s + e = a + b exactly, s = float32(a + b) (Knuth's TwoSum).
fn dfTwoSum(a: f32, b: f32) -> vec2f {
  let s = dfKeep(a + b);
  let bb = dfKeep(s - a);
  let e = dfKeep(dfKeep(a - dfKeep(s - bb)) + dfKeep(b - bb));
  return vec2f(s, e);
}

// s + e = a + b exactly for |a| ≥ |b| (Dekker's Fast2Sum).
fn dfFastTwoSum(a: f32, b: f32) -> vec2f {
  let s = dfKeep(a + b);
  let e = dfKeep(b - dfKeep(s - a));
  return vec2f(s, e);
}

// p + e = a·b exactly (Dekker's product with Veltkamp's split; |a|, |b| < 2^115).
fn dfTwoProd(a: f32, b: f32) -> vec2f {
  let p = dfKeep(a * b);
  let ca = dfKeep(DF_SPLIT * a);
  let ah = dfKeep(ca - dfKeep(ca - a));
  let al = dfKeep(a - ah);
  let cb = dfKeep(DF_SPLIT * b);
  let bh = dfKeep(cb - dfKeep(cb - b));
  let bl = dfKeep(b - bh);
  let e = dfKeep(dfKeep(dfKeep(dfKeep(dfKeep(ah * bh) - p) + dfKeep(ah * bl)) + dfKeep(al * bh)) + dfKeep(al * bl));
  return vec2f(p, e);
}

// 2^n for an integer n in [-126, 127], from its bits (exact, unlike a driver's exp2).
fn dfPow2(n: f32) -> f32 {
  return bitcast<f32>(u32(i32(n) + 127) << 23u);
}

// x·2^n for an integer n with |n| ≤ 252, in two exact steps (one rounding if the result is subnormal).
fn dfScaleF(x: f32, n: f32) -> f32 {
  let n1 = floor(dfKeep(n * 0.5));
  return dfKeep(dfKeep(x * dfPow2(n1)) * dfPow2(dfKeep(n - n1)));
}

fn dfScale(a: vec2f, n: f32) -> vec2f {
  return vec2f(dfScaleF(a.x, n), dfScaleF(a.y, n));
}

// floor(log2 |x|) for a finite nonzero x, subnormals included (from the bits).
fn dfExponent(x: f32) -> f32 {
  let sub = abs(x) < 1.1754943508222875e-38f;
  let y = select(x, dfKeep(x * 16777216.0), sub);
  let e = f32(i32((bitcast<u32>(y) >> 23u) & 0xffu) - 127);
  return select(e, e - 24.0, sub);
}

// ---------------------------------------------------------------------------
// Conversions, sign, comparisons

fn dfFromF32(x: f32) -> vec2f {
  return vec2f(x, 0.0);
}

fn dfNeg(a: vec2f) -> vec2f {
  return -a;
}

fn dfAbs(a: vec2f) -> vec2f {
  return select(a, -a, a.x < 0.0);
}

fn dfLt(a: vec2f, b: vec2f) -> bool {
  return a.x < b.x || (a.x == b.x && a.y < b.y);
}

fn dfGt(a: vec2f, b: vec2f) -> bool {
  return a.x > b.x || (a.x == b.x && a.y > b.y);
}

// ---------------------------------------------------------------------------
// + − × ÷ √

// AccurateDWPlusDW (Joldes, Muller, Popescu 2017, Algorithm 6).
fn dfAdd(a: vec2f, b: vec2f) -> vec2f {
  let s = dfTwoSum(a.x, b.x);
  let t = dfTwoSum(a.y, b.y);
  let c = dfKeep(s.y + t.x);
  let v = dfFastTwoSum(s.x, c);
  let w = dfKeep(t.y + v.y);
  let z = dfFastTwoSum(v.x, w);
  // Overflow, ∞ or NaN: the float32 sum, alone.
  return select(vec2f(s.x, 0.0), z, dfIsFinite(z.x));
}

fn dfSub(a: vec2f, b: vec2f) -> vec2f {
  return dfAdd(a, -b);
}

// DWTimesDW1 (Algorithm 10) with Dekker's product in place of an fma.
fn dfMul(a: vec2f, b: vec2f) -> vec2f {
  let c = dfTwoProd(a.x, b.x);
  let tl1 = dfKeep(a.x * b.y);
  let tl2 = dfKeep(a.y * b.x);
  let cl2 = dfKeep(tl1 + tl2);
  let cl3 = dfKeep(c.y + cl2);
  let z = dfFastTwoSum(c.x, cl3);
  return select(vec2f(c.x, 0.0), z, dfIsFinite(z.x));
}

// y·b for a float32 b (DWTimesFP1, Algorithm 7 without fma).
fn dfMulF(y: vec2f, b: f32) -> vec2f {
  let c = dfTwoProd(y.x, b);
  let cl2 = dfKeep(y.y * b);
  let t = dfFastTwoSum(c.x, cl2);
  let tl2 = dfKeep(t.y + c.y);
  return dfFastTwoSum(t.x, tl2);
}

// DWDivDW2 (Algorithm 17).
fn dfDiv(a: vec2f, b: vec2f) -> vec2f {
  let th = dfKeep(a.x / b.x);
  let r = dfMulF(b, th);
  let ph = dfKeep(a.x - r.x);
  let dl = dfKeep(a.y - r.y);
  let d = dfKeep(ph + dl);
  let tl = dfKeep(d / b.x);
  let z = dfFastTwoSum(th, tl);
  return select(vec2f(th, 0.0), z, dfIsFinite(z.x));
}

// Scaled into [1, 4), a float32 seed r by two Heron steps from the chord; with
// the exact residual d = m − r² and c = d/(2r) in two parts, √m = r + c − c²/(2r);
// scaled back.
fn dfSqrt(a: vec2f) -> vec2f {
  let h = a.x;
  let hk = floor(dfKeep(dfExponent(h) * 0.5));
  let m = dfScale(a, dfKeep(-2.0 * hk));
  var r = dfKeep(dfKeep(m.x * DF_THIRD) + DF_TWO_THIRDS);
  r = dfKeep(dfKeep(r + dfKeep(m.x / r)) * 0.5);
  r = dfKeep(dfKeep(r + dfKeep(m.x / r)) * 0.5);
  let d = dfSub(m, dfTwoProd(r, r));
  let r2 = dfKeep(2.0 * r);
  let c1 = dfKeep(d.x / r2);
  let p = dfTwoProd(c1, r2);
  let c2 = dfKeep(dfKeep(dfKeep(dfKeep(d.x - p.x) - p.y) + d.y) / r2);
  let s2 = -dfKeep(dfKeep(c1 * c1) / r2);
  let zr = dfFastTwoSum(r, c1);
  var z = dfScale(dfFastTwoSum(zr.x, dfKeep(zr.y + dfKeep(c2 + s2))), hk);
  z = select(z, vec2f(h, 0.0), h == 0.0 || bitcast<u32>(h) == 0x7f800000u);
  return select(z, dfNan(), dfIsNan(h) || h < 0.0);
}

// ---------------------------------------------------------------------------
// exp, expm1, log, tanh

// x − n·ln 2 for an integer n with |n| < 2^8 (the first three products are exact).
fn dfLn2Reduce(x: vec2f, n: f32) -> vec2f {
  var r = dfSub(x, vec2f(dfKeep(n * DF_LN2_1), 0.0));
  r = dfSub(r, vec2f(dfKeep(n * DF_LN2_2), 0.0));
  r = dfSub(r, vec2f(dfKeep(n * DF_LN2_3), 0.0));
  return dfSub(r, vec2f(dfKeep(n * DF_LN2_4), 0.0));
}

// expm1(r) for |r| ≤ ln2/2: r·Σ_{j≤12} r^j/(j+1)!, the tail j ≥ 9 in float32.
fn dfExpm1Kernel(r: vec2f) -> vec2f {
  let x = r.x;
  var q = DF_E12;
  q = dfKeep(dfKeep(q * x) + DF_E11);
  q = dfKeep(dfKeep(q * x) + DF_E10);
  q = dfKeep(dfKeep(q * x) + DF_E9);
  var p = vec2f(q, 0.0);
  p = dfAdd(dfMul(p, r), vec2f(DF_E8_HI, DF_E8_LO));
  p = dfAdd(dfMul(p, r), vec2f(DF_E7_HI, DF_E7_LO));
  p = dfAdd(dfMul(p, r), vec2f(DF_E6_HI, DF_E6_LO));
  p = dfAdd(dfMul(p, r), vec2f(DF_E5_HI, DF_E5_LO));
  p = dfAdd(dfMul(p, r), vec2f(DF_E4_HI, DF_E4_LO));
  p = dfAdd(dfMul(p, r), vec2f(DF_E3_HI, DF_E3_LO));
  p = dfAdd(dfMul(p, r), vec2f(DF_E2_HI, DF_E2_LO));
  p = dfAdd(dfMul(p, r), vec2f(0.5, 0.0));
  p = dfAdd(dfMul(p, r), vec2f(1.0, 0.0));
  return dfMul(p, r);
}

// k = round(x/ln 2), as a float32 integer.
fn dfExpK(x: vec2f) -> f32 {
  return floor(dfKeep(dfKeep(x.x * DF_LOG2E) + 0.5));
}

fn dfExp(x: vec2f) -> vec2f {
  let n = dfExpK(x);
  let e = dfAdd(vec2f(1.0, 0.0), dfExpm1Kernel(dfLn2Reduce(x, n)));
  var z = dfScale(e, n);
  z = select(vec2f(dfInf(), 0.0), z, dfIsFinite(z.x));
  z = select(z, vec2f(0.0), x.x < DF_EXP_MIN);
  z = select(z, vec2f(dfInf(), 0.0), x.x > DF_EXP_MAX);
  return select(z, dfNan(), dfIsNan(x.x));
}

fn dfExpm1(x: vec2f) -> vec2f {
  let n = dfExpK(x);
  let q = dfScale(dfExpm1Kernel(dfLn2Reduce(x, n)), n);
  var z = dfAdd(q, dfTwoSum(dfScaleF(1.0, n), -1.0));
  z = select(vec2f(dfInf(), 0.0), z, dfIsFinite(z.x));
  z = select(z, vec2f(-1.0, 0.0), x.x < DF_EXPM1_MIN);
  z = select(z, vec2f(dfInf(), 0.0), x.x > DF_EXP_MAX);
  return select(z, dfNan(), dfIsNan(x.x));
}

// The float32 seed of log m for m in [√½, √2]: 2·atanh((m − 1)/(m + 1)).
fn dfLogSeed(m: f32) -> f32 {
  let s = dfKeep(dfKeep(m - 1.0) / dfKeep(m + 1.0));
  let z = dfKeep(s * s);
  var q = DF_L11;
  q = dfKeep(dfKeep(q * z) + DF_L9);
  q = dfKeep(dfKeep(q * z) + DF_L7);
  q = dfKeep(dfKeep(q * z) + DF_L5);
  q = dfKeep(dfKeep(q * z) + DF_L3);
  q = dfKeep(dfKeep(q * z) + 2.0);
  return dfKeep(s * q);
}

fn dfLog(x: vec2f) -> vec2f {
  let h = x.x;
  var e = dfExponent(h);
  var m = dfScale(x, -e);
  let big = m.x > DF_SQRT2;
  e = select(e, dfKeep(e + 1.0), big);
  m = select(m, dfScale(m, -1.0), big);
  let y0 = dfLogSeed(m.x);
  let w = dfAdd(dfSub(m, vec2f(1.0, 0.0)), dfMul(m, dfExpm1Kernel(vec2f(-y0, 0.0))));
  let v = dfSub(w, vec2f(dfKeep(dfKeep(w.x * w.x) * 0.5), 0.0));
  var z = dfLn2Reduce(dfAdd(vec2f(y0, 0.0), v), -e);
  z = select(z, vec2f(dfInf(), 0.0), bitcast<u32>(h) == 0x7f800000u);
  z = select(z, vec2f(-dfInf(), 0.0), h == 0.0);
  return select(z, dfNan(), dfIsNan(h) || h < 0.0);
}

fn dfTanh(x: vec2f) -> vec2f {
  let a = dfAbs(x);
  let t = -dfExpm1(vec2f(dfKeep(-2.0 * a.x), dfKeep(-2.0 * a.y)));
  var r = dfDiv(t, dfSub(vec2f(2.0, 0.0), t));
  r = select(r, vec2f(1.0, 0.0), a.x > DF_TANH_MAX);
  r = select(r, -r, x.x < 0.0);
  r = select(r, x, a.x == 0.0);
  return select(r, dfNan(), dfIsNan(a.x));
}

// ---------------------------------------------------------------------------
// sin, cos

// sin r for |r| ≤ π/4: r + r·z·(S3 + z·S5 + …), z = r², the tail z⁵… in float32.
fn dfSinKernel(r: vec2f) -> vec2f {
  let z = dfMul(r, r);
  var q = DF_S15;
  q = dfKeep(dfKeep(q * z.x) + DF_S13);
  q = dfKeep(dfKeep(q * z.x) + DF_S11);
  var p = dfAdd(dfMul(vec2f(q, 0.0), z), vec2f(DF_S9_HI, DF_S9_LO));
  p = dfAdd(dfMul(p, z), vec2f(DF_S7_HI, DF_S7_LO));
  p = dfAdd(dfMul(p, z), vec2f(DF_S5_HI, DF_S5_LO));
  p = dfAdd(dfMul(p, z), vec2f(DF_S3_HI, DF_S3_LO));
  return dfAdd(r, dfMul(dfMul(r, z), p));
}

// cos r for |r| ≤ π/4: 1 + z·(−½ + z·(C4 + z·C6 + …)), the tail z⁶… in float32.
fn dfCosKernel(r: vec2f) -> vec2f {
  let z = dfMul(r, r);
  var q = DF_C16;
  q = dfKeep(dfKeep(q * z.x) + DF_C14);
  q = dfKeep(dfKeep(q * z.x) + DF_C12);
  var p = dfAdd(dfMul(vec2f(q, 0.0), z), vec2f(DF_C10_HI, DF_C10_LO));
  p = dfAdd(dfMul(p, z), vec2f(DF_C8_HI, DF_C8_LO));
  p = dfAdd(dfMul(p, z), vec2f(DF_C6_HI, DF_C6_LO));
  p = dfAdd(dfMul(p, z), vec2f(DF_C4_HI, DF_C4_LO));
  p = dfAdd(dfMul(p, z), vec2f(-0.5, 0.0));
  return dfAdd(dfMul(p, z), vec2f(1.0, 0.0));
}

struct DfReduced {
  r: vec2f,
  q: f32,
}

// a − k·π/2 for a ≥ 0, k ≈ a·2/π (exact products for the first three parts), and k mod 4.
fn dfPiReduce(a: vec2f) -> DfReduced {
  let n = floor(dfKeep(dfKeep(a.x * DF_TWO_OVER_PI) + 0.5));
  var r = dfSub(a, dfTwoProd(n, DF_PIO2_1));
  r = dfSub(r, dfTwoProd(n, DF_PIO2_2));
  r = dfSub(r, dfTwoProd(n, DF_PIO2_3));
  r = dfSub(r, vec2f(dfKeep(n * DF_PIO2_4), 0.0));
  return DfReduced(r, dfKeep(n - dfKeep(4.0 * floor(dfKeep(n * 0.25)))));
}

fn dfSin(x: vec2f) -> vec2f {
  let a = dfAbs(x);
  let d = dfPiReduce(a);
  var s: vec2f;
  if (d.q == 0.0 || d.q == 2.0) {
    s = dfSinKernel(d.r);
  } else {
    s = dfCosKernel(d.r);
  }
  s = select(s, -s, d.q >= 2.0);
  s = select(s, -s, x.x < 0.0);
  s = select(s, x, a.x == 0.0);
  return select(s, dfNan(), !dfIsFinite(a.x));
}

fn dfCos(x: vec2f) -> vec2f {
  let a = dfAbs(x);
  let d = dfPiReduce(a);
  var c: vec2f;
  if (d.q == 0.0 || d.q == 2.0) {
    c = dfCosKernel(d.r);
  } else {
    c = dfSinKernel(d.r);
  }
  c = select(c, -c, d.q == 1.0 || d.q == 2.0);
  return select(c, dfNan(), !dfIsFinite(a.x));
}
