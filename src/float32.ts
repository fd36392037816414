/**
 * Float32 arithmetic on the host, and numpy's way of printing a float32.
 *
 * Every helper rounds its result to float32 once, so a chain of them rounds
 * after every operation, exactly as a float32 kernel does. Transcendental
 * functions are evaluated in double precision and rounded once: that is the
 * correctly rounded float32 result except in astronomically rare ties, and it
 * is what TensorFlow's float32 kernels return for the values the reference
 * test vectors pin down.
 */

export const f32 = Math.fround;

export const add = (a: number, b: number): number => f32(a + b);
export const sub = (a: number, b: number): number => f32(a - b);
export const mul = (a: number, b: number): number => f32(a * b);
export const div = (a: number, b: number): number => f32(a / b);
export const pow = (a: number, b: number): number => f32(Math.pow(a, b));
export const exp = (a: number): number => f32(Math.exp(a));
export const log = (a: number): number => f32(Math.log(a));
export const cos = (a: number): number => f32(Math.cos(a));
export const sqrt = (a: number): number => f32(Math.sqrt(a));

/** The largest finite float32. */
export const F32_MAX = 3.4028234663852886e38;

/** π as a float32 constant, as `constant_op.constant(math.pi)` gives it. */
export const PI_F32 = f32(Math.PI);

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The IEEE-754 bit pattern of a float32 value. */
export function f32Bits(x: number): number {
  scratch[0] = x;
  return scratchBits[0]!;
}

/** The float32 value with the given bit pattern. */
export function f32FromBits(bits: number): number {
  scratchBits[0] = bits >>> 0;
  return scratch[0]!;
}

/**
 * The shortest decimal digits that read back as the same float32.
 * Returns the digit string (no dot, no sign) and the decimal exponent of the
 * first digit, so that |x| = 0.d1d2d3… × 10^(exponent + 1).
 */
function shortestDigits(x: number): { digits: string; exponent: number } {
  for (let precision = 1; precision <= 9; precision++) {
    // toExponential gives the p-digit decimal nearest to x; at a power of two
    // the float32 rounding interval is lopsided, so its neighbours can round-trip
    // when it does not. Of the candidates that round-trip, keep the nearest.
    const [mantissa, expText] = x.toExponential(precision - 1).split('e') as [string, string];
    const base = BigInt(mantissa.replace('.', ''));
    const exponent = Number(expText);
    let best: { digits: string; exponent: number; error: number } | undefined;
    for (const delta of [0n, -1n, 1n]) {
      const candidate = base + delta;
      if (candidate <= 0n) continue;
      let digits = candidate.toString();
      let e = exponent;
      if (digits.length > precision) {
        digits = digits.slice(0, precision);
        e += 1;
      }
      if (digits.length < precision) continue;
      const value = Number(`${digits[0]}.${digits.slice(1)}e${e}`);
      if (f32(value) !== x) continue;
      const error = Math.abs(value - x);
      if (!best || error < best.error) best = { digits, exponent: e, error };
    }
    if (best) return { digits: best.digits.replace(/0+$/, '') || '0', exponent: best.exponent };
  }
  throw new Error(`no float32 representation found for ${x}`);
}

/**
 * Formats a float32 value exactly as numpy prints a float32 scalar
 * (`str(np.float32(x))`): the shortest digits that round-trip, positional
 * for 1e-4 <= |x| < 1e6 (always with a digit after the point), scientific
 * otherwise with a signed exponent of at least two digits.
 */
export function formatFloat32(value: number): string {
  const x = f32(value);
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const magnitude = Math.abs(x);
  const { digits, exponent } = shortestDigits(magnitude);
  if (magnitude >= 1e-4 && magnitude < 1e6) {
    if (exponent >= 0) {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      const fraction = digits.slice(exponent + 1) || '0';
      return `${sign}${whole}.${fraction}`;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expSign = exponent < 0 ? '-' : '+';
  return `${sign}${mantissa}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** How many float32 values lie between a and b (0 when equal), for bounding residual differences. */
export function ulpDistance(a: number, b: number): number {
  const key = (x: number) => {
    const bits = f32Bits(x);
    // Map the sign-magnitude bit patterns onto a monotone integer line.
    return bits & 0x80000000 ? -(bits & 0x7fffffff) : bits;
  };
  return Math.abs(key(a) - key(b));
}
