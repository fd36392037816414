// exp, log, sin, cos and tanh for typed-in objectives: the twin of
// src/objectives/f32math.ts, operation for operation, so both engines agree
// bit for bit. The constants (LOG2E, E2 … E7, …) are generated in front of this
// file from MATH_CONSTANTS in src/objectives/f32math.ts, each exact as a float32.
// Every result passes through o() (opaque(), shaders/trajectory.wgsl) so the
// compiler cannot regroup the operations, e.g. fold (x − k·a) − k·b into
// x − k·(a + b). With fast math (FAST_MATH, the spec's fastMath, generated in
// front) o() is x itself: the compiler may then fuse and regroup, and the
// results are no longer the CPU engine's to the last bit.

fn o(x: V) -> V {
  if (FAST_MATH) {
    return x;
  }
  return opaque(x);
}

fn isNan(x: V) -> VB {
  return (bitcast<VU>(x) & VU(0x7fffffffu)) > VU(0x7f800000u);
}

// Built at run time: WGSL rejects an infinite or NaN constant expression.
fn fromBits(bits: u32) -> V {
  return bitcast<V>(VU(bits) | VU(u.zero));
}

fn infinity() -> V {
  return fromBits(0x7f800000u);
}

fn f32exp(x: V) -> V {
  let k = floor(o(o(x * LOG2E) + 0.5));
  let r = o(o(x - o(k * LN2_HI)) - o(k * LN2_LO));
  var p = V(E7);
  p = o(o(p * r) + E6);
  p = o(o(p * r) + E5);
  p = o(o(p * r) + E4);
  p = o(o(p * r) + E3);
  p = o(o(p * r) + E2);
  p = o(o(p * r) + 1.0);
  p = o(o(p * r) + 1.0);
  // p·2^k: ldexp is exact while the result is normal; below that, scale by
  // 2^64 too and let one multiply by 2^-64 round to the subnormal result.
  let ki = VI(clamp(k, V(-150.0), V(128.0)));
  let normal = ldexp(p, ki);
  let tiny = o(ldexp(p, ki + VI(64)) * 5.421010862427522e-20f);
  var result = select(normal, tiny, k < V(-60.0));
  result = select(result, infinity(), x > V(EXP_MAX));
  result = select(result, V(0.0), x < V(EXP_MIN));
  return result;
}

fn f32log(x: V) -> V {
  // Subnormals are scaled by 2^24 first (exactly), as frexp may not handle them.
  let subnormal = x < V(1.1754943508222875e-38f);
  let parts = frexp(select(x, o(x * 16777216.0), subnormal));
  let e0 = select(V(parts.exp), o(V(parts.exp) - 24.0), subnormal);
  let low = parts.fract < V(SQRT_HALF);
  let m = select(parts.fract, o(parts.fract * 2.0), low);
  let e = select(e0, o(e0 - 1.0), low);
  let s = o(o(m - 1.0) / o(m + 1.0));
  let z = o(s * s);
  var q = V(L11);
  q = o(o(q * z) + L9);
  q = o(o(q * z) + L7);
  q = o(o(q * z) + L5);
  q = o(o(q * z) + L3);
  q = o(o(q * z) + 2.0);
  let logm = o(s * q);
  var result = o(o(e * LN2_HI) + o(o(e * LN2_LO) + logm));
  result = select(result, infinity(), x == infinity());
  result = select(result, -infinity(), x == V(0.0));
  result = select(result, fromBits(0x7fc00000u), x < V(0.0));
  return select(result, x, isNan(x));
}

struct Reduced {
  r: V,
  q: V,
}

fn f32reduce(x: V) -> Reduced {
  let k = floor(o(o(x * TWO_OVER_PI) + 0.5));
  let r = o(o(o(x - o(k * PIO2_1)) - o(k * PIO2_2)) - o(k * PIO2_3));
  let q = o(k - o(4.0 * floor(o(k * 0.25))));
  return Reduced(r, q);
}

fn f32sinPoly(r: V) -> V {
  let z = o(r * r);
  var p = V(S9);
  p = o(o(p * z) + S7);
  p = o(o(p * z) + S5);
  p = o(o(p * z) + S3);
  return o(r + o(o(r * z) * p));
}

fn f32cosPoly(r: V) -> V {
  let z = o(r * r);
  var p = V(C10);
  p = o(o(p * z) + C8);
  p = o(o(p * z) + C6);
  p = o(o(p * z) + C4);
  p = o(o(p * z) - 0.5);
  return o(o(p * z) + 1.0);
}

fn f32sin(x: V) -> V {
  let d = f32reduce(x);
  let s = f32sinPoly(d.r);
  let c = f32cosPoly(d.r);
  return select(select(select(-c, -s, d.q == V(2.0)), c, d.q == V(1.0)), s, d.q == V(0.0));
}

fn f32cos(x: V) -> V {
  let d = f32reduce(x);
  let s = f32sinPoly(d.r);
  let c = f32cosPoly(d.r);
  return select(select(select(s, -c, d.q == V(2.0)), -s, d.q == V(1.0)), c, d.q == V(0.0));
}

fn f32tanh(x: V) -> V {
  let a = abs(x);
  let z = o(x * x);
  var p = V(T9);
  p = o(o(p * z) + T7);
  p = o(o(p * z) + T5);
  p = o(o(p * z) + T3);
  let small = o(x + o(o(x * z) * p));
  let t = o(1.0 - o(2.0 / o(f32exp(o(2.0 * a)) + 1.0)));
  let positive = x > V(0.0);
  var result = select(select(-t, t, positive), small, a < V(0.25));
  result = select(result, select(V(-1.0), V(1.0), positive), a > V(9.1));
  return result;
}
