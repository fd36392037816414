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
/**
 * float32(a^b), exactly f32(Math.pow(a, b)), in about a sixth of its time: V8's
 * Math.pow takes ~100 ns, and a schedule table holds millions of powers.
 * exp(b·ln a) is within 2⁻⁴¹ (relative) of a^b for |b·ln a| < 1024 and so
 * of Math.pow's result; where every value within 2⁻³⁶ of it rounds to the
 * same float32, so does Math.pow's. Otherwise (about one case in 2¹², near a
 * float32 tie, and every base that is not positive and finite) Math.pow decides.
 * A loop over one base passes `lnA`, Math.log(a), to compute it once: the result is the same.
 */
export function pow(a: number, b: number, lnA?: number): number {
  if (a > 0 && a < Infinity) {
    const y = b * (lnA ?? Math.log(a));
    if (y > -1024 && y < 1024) {
      const rounded = certainF32(Math.exp(y));
      if (!Number.isNaN(rounded)) return rounded;
    }
  }
  return f32(Math.pow(a, b));
}

/** f32(x) where every value within 2⁻³⁶ of x rounds to it, NaN where that is not certain. */
function certainF32(x: number): number {
  const low = f32(x * POW_LOW);
  return low === f32(x * POW_HIGH) ? low : NaN;
}
const POW_LOW = 1 - 2 ** -36;
const POW_HIGH = 1 + 2 ** -36;

/** Powers a series takes by multiplication before it starts again from exp (see powSeries). */
const SERIES_RESEED = 64;

/**
 * out[offset + i] = pow(a, n0 + i) for i < count (integers n0 ≥ 0), exactly as
 * pow gives them, in a tenth of the time: the exponential schedule's table
 * with decay steps of 1 is such a series, millions of powers long. Every
 * 64th power starts from exp(n·ln a), within 2⁻⁴¹ of aⁿ (pow's bound); the
 * next 63 multiply by a, each product adding at most 2⁻⁵³, so every power is
 * within 2⁻⁴⁰ of aⁿ, inside the 2⁻³⁶ margin by which pow decides that the
 * float32 rounding is certain. Where it is not, or where |n·ln a| nears the
 * end of pow's range, pow itself decides.
 */
export function powSeries(a: number, n0: number, count: number, out: Float32Array, offset: number): void {
  const lnA = Math.log(a);
  let x = 0;
  for (let i = 0; i < count; i++) {
    const n = n0 + i;
    const y = n * lnA;
    if (!(a > 0 && a < Infinity && y > -1000 && y < 1000)) {
      out[offset + i] = pow(a, n, lnA);
      continue;
    }
    x = i % SERIES_RESEED === 0 ? Math.exp(y) : x * a;
    const rounded = certainF32(x);
    out[offset + i] = Number.isNaN(rounded) ? pow(a, n, lnA) : rounded;
  }
}
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

// 10^k as the double nearest to it, at index k + 45 for k = -45…53 (exact for
// 0 <= k <= 22), and 2^k at index k + 150.
const POW10 = Float64Array.from({ length: 99 }, (_, i) => Number(`1e${i - 45}`));
const POW2 = Float64Array.from({ length: 256 }, (_, i) => 2 ** (i - 150));

/** floor(log10(2^e2)) for e2 = -149…127, at index e2 + 149. */
const DECADE_OF_BINADE = Int32Array.from({ length: 277 }, (_, i) => {
  const low = 2 ** (i - 149);
  let e = Math.floor((i - 149) * Math.log10(2)) - 1;
  while (low >= POW10[e + 46]!) e++;
  return e;
});

/** numpy's exponent suffixes, 'e-45' … 'e+38' in ASCII, at index exponent + 45. */
const EXPONENT_SUFFIX = Array.from({ length: 84 }, (_, i) => {
  const e = i - 45;
  return Uint8Array.from(`e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`, (c) => c.charCodeAt(0));
});

// The result of shortestDigits, kept here rather than in an object to spare an
// allocation per value: the digits of `outDigits` (maybe with trailing zeros),
// the first of which stands for 10^outExponent.
let outDigits = 0;
let outExponent = 0;

/**
 * The decision at one precision, made by reading the candidate digits back, as
 * a reader does: used where the double arithmetic of shortestDigits is too close
 * to call. Of the p-digit decimal nearest x and its two neighbours, the nearest
 * that reads back as x wins (its neighbours matter at a power of two, whose
 * rounding interval is lopsided).
 */
function decideByReading(x: number, p: number): boolean {
  const text = x.toExponential(p - 1);
  const cut = text.indexOf('e');
  const base = Number(text.slice(0, cut).replace('.', ''));
  const exponent = Number(text.slice(cut + 1));
  let bestError = Infinity;
  for (const delta of [0, -1, 1]) {
    let digits = base + delta;
    let e = exponent;
    if (digits === POW10[p + 45]) {
      digits /= 10;
      e += 1;
    }
    if (digits < POW10[p + 44]!) continue;
    const value = Number(`${digits}e${e - p + 1}`);
    if (f32(value) !== x) continue;
    const error = Math.abs(value - x);
    if (error < bestError) {
      bestError = error;
      outDigits = digits;
      outExponent = e;
    }
  }
  return bestError !== Infinity;
}

/**
 * The shortest decimal digits that read back as the same float32 (x > 0, finite),
 * left in outDigits and outExponent. At each precision p from 1 to 9 the
 * candidates are the p-digit decimal nearest x (the one above at a tie) and,
 * when it does not read back, its neighbours; the first that does wins.
 *
 * The work is done on x·10^n in doubles. For 0 <= n <= 12 (x's 24-bit mantissa
 * times 5^n fits in 53 bits) and -9 <= n < 0 (the candidate times 10^-n does) every
 * comparison is exact, and no candidate lies within half a double's ulp of an
 * interval bound without being on it, so reading back (through a double) agrees.
 * Elsewhere the scaled values carry an error below 2^-52, and any decision
 * within 2^-49 of its threshold is made by reading the digits back instead.
 */
function shortestDigits(x: number, bits: number): void {
  const biased = bits >>> 23;
  const fraction = bits & 0x7fffff;
  const ulp = POW2[biased === 0 ? 1 : biased]!;
  const even = (bits & 1) === 0;
  const hi = x + ulp / 2;
  // Below a power of two the next float32 down is half an ulp away.
  const lo = x - (fraction === 0 && biased > 1 ? ulp / 4 : ulp / 2);
  const e2 = biased === 0 ? 31 - Math.clz32(fraction) - 149 : biased - 127;
  let E = DECADE_OF_BINADE[e2 + 149]!;
  if (x >= POW10[E + 46]!) E++;

  for (let p = 1; p <= 9; p++) {
    const n = p - 1 - E;
    const scale = POW10[n + 45]!;
    const scaledHi = hi * scale;
    const scaledLo = lo * scale;
    // Most precisions end here: no p-digit decimal lies in or near the interval.
    const floorHi = Math.floor(scaledHi);
    if (floorHi < scaledLo * (1 - 2 ** -49) && floorHi + 1 > scaledHi * (1 + 2 ** -49)) continue;

    // d: x·10^n rounded to an integer, ties away from zero, as toExponential does.
    let d: number;
    if (n >= 0 && n <= 12) {
      const t = x * scale;
      d = Math.floor(t);
      if (t - d >= 0.5) d++;
    } else if (n < 0 && n >= -9) {
      const t = x / POW10[45 - n]!;
      d = Math.floor(t);
      const frac = t - d;
      // (d + 1/2)·10^-n is exact, so a near tie is settled on it.
      if (Math.abs(frac - 0.5) < 1e-6) {
        if (x >= (d + 0.5) * POW10[45 - n]!) d++;
      } else if (frac > 0.5) d++;
    } else {
      const t = x * scale;
      d = Math.floor(t);
      const frac = t - d;
      if (Math.abs(frac - 0.5) <= t * 2 ** -50) {
        if (decideByReading(x, p)) return;
        continue;
      }
      if (frac > 0.5) d++;
    }

    // The candidates, as multiples of 10^(E - p + 1): d, then d - 1 and d + 1.
    // When d rounded up to 10^p the digits carry into the next decade, where the
    // neighbour above is 10 units away and the one below has too few digits.
    const carried = d === POW10[p + 45];
    const below = carried || d === POW10[p + 44] ? 0 : d - 1;
    const above = carried ? d + 10 : d + 1;
    for (let k = 0; k < 3; k++) {
      const c = k === 0 ? d : k === 1 ? below : above;
      if (c === 0) continue;
      let inside: boolean;
      if (n >= 0 && n <= 12) {
        inside = (c < scaledHi || (c === scaledHi && even)) && (c > scaledLo || (c === scaledLo && even));
      } else if (n < 0 && n >= -9) {
        const value = c * POW10[45 - n]!;
        inside = (value < hi || (value === hi && even)) && (value > lo || (value === lo && even));
      } else if (Math.abs(c - scaledHi) <= scaledHi * 2 ** -49 || Math.abs(c - scaledLo) <= scaledLo * 2 ** -49) {
        inside = f32(Number(`${c}e${E - p + 1}`)) === x;
      } else {
        inside = c < scaledHi && c > scaledLo;
      }
      if (inside) {
        const top = c >= POW10[p + 45]!;
        outDigits = top ? c / 10 : c;
        outExponent = top ? E + 1 : E;
        return;
      }
    }
  }
  throw new Error(`no float32 representation found for ${x}`);
}

/**
 * Formats a float32 value as numpy prints a float32 scalar
 * (`str(np.float32(x))`): the shortest digits that round-trip, positional
 * for 1e-4 <= |x| < 1e6 (always with a digit after the point), scientific
 * otherwise with a signed exponent of at least two digits.
 * It differs from numpy 2.4 on about 0.2% of float32s: of two shortest decimals
 * equally near x it prints the one above (262144.125 → '262144.13', numpy
 * '262144.12'), and "round-trip" means through Number() and Math.fround, whose
 * double rounding numpy's exact bounds ignore (0x15ae43fd: '7.0385307e-26',
 * numpy '7.038531e-26', which reads back as 0x15ae43fe).
 */
export function formatFloat32(value: number): string {
  const end = writeFloat32(TEXT, 0, value);
  let text = '';
  for (let i = 0; i < end; i++) text += CHARS[TEXT[i]!]!;
  return text;
}

/**
 * A double as Python and numpy print a float64 (`repr(x)`): the shortest
 * digits that read back as the same double, positional for 1e-4 <= |x| < 1e16
 * (always with a digit after the point), scientific otherwise with a signed
 * exponent of at least two digits. df64 values are printed this way (each
 * hi + lo, which a double holds exactly), and so they read back unchanged.
 */
export function formatDouble(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the fewest digits that identify x.
  const [mantissa, exponentText] = Math.abs(x).toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const digits = mantissa.replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const e = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${e}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (exponent >= digits.length - 1) return `${sign}${digits}${'0'.repeat(exponent - digits.length + 1)}.0`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

/**
 * A df64 value (given as the double hi + lo, which holds it exactly) as the
 * fewest significant digits that read back as the same df64 (a double, then
 * its float32 hi and the float32 of the rest), printed as formatDouble
 * prints. df64's 48 bits need at most 17 digits, and most values far fewer:
 * df64(0.2) prints as 0.2, not as the double 0.19999999999999996. The count
 * is found by bisection, which assumes that a count that reads back is
 * followed by larger ones that do too; where it is not, the text still reads
 * back, with a digit or two more than the shortest.
 */
export function formatDf64(x: number): string {
  if (!Number.isFinite(x) || x === 0) return formatDouble(x);
  const hi = f32(x);
  const lo = f32(x - hi);
  const readsBack = (p: number) => {
    const v = Number(x.toPrecision(p));
    const h = f32(v);
    return h === hi && f32(v - h) === lo;
  };
  let low = 1;
  let high = 17;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (readsBack(mid)) high = mid;
    else low = mid + 1;
  }
  return formatDouble(Number(x.toPrecision(low)));
}

/** Room for formatFloat32's longest text ('-1.1754944e-38' and '-0.00012345678' have 14 characters). */
export const FLOAT32_TEXT_BYTES = 16;

const TEXT = new Uint8Array(FLOAT32_TEXT_BYTES);
const CHARS = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
const CHAR_0 = 48;
const CHAR_DOT = 46;
const CHAR_MINUS = 45;
const SPECIAL = new Map(['nan', 'inf', '-inf', '0.0', '-0.0'].map((t) => [t, Uint8Array.from(t, (c) => c.charCodeAt(0))]));

/** Copies a short ASCII text into `out` at `at`; returns where it ends. */
function put(out: Uint8Array, at: number, text: Uint8Array): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text[i]!;
  return at + text.length;
}

/**
 * Writes formatFloat32(value) as ASCII into `out` at `at`, which must have
 * FLOAT32_TEXT_BYTES of room, and returns where the text ends. The CSV and
 * JSON writers print straight into their row buffers with it, with no string
 * made per value.
 */
export function writeFloat32(out: Uint8Array, at: number, value: number): number {
  const x = f32(value);
  if (Number.isNaN(x)) return put(out, at, SPECIAL.get('nan')!);
  if (x === Infinity) return put(out, at, SPECIAL.get('inf')!);
  if (x === -Infinity) return put(out, at, SPECIAL.get('-inf')!);
  if (x === 0) return put(out, at, SPECIAL.get(Object.is(x, -0) ? '-0.0' : '0.0')!);
  let p = at;
  if (x < 0) out[p++] = CHAR_MINUS;
  const magnitude = Math.abs(x);
  shortestDigits(magnitude, f32Bits(magnitude));
  let d = outDigits | 0; // below 10^9
  while (d % 10 === 0) d = (d / 10) | 0;
  let count = 1;
  while (count < 9 && d >= POW10[count + 45]!) count++;
  const exponent = outExponent;
  if (magnitude >= 1e-4 && magnitude < 1e6) {
    if (exponent >= 0) {
      // The integer part: the first exponent + 1 digits, padded with zeros; then at least one decimal.
      const whole = exponent + 1;
      if (count > whole) {
        writeDigits(out, p, d, count);
        // Shift the decimals one place to make room for the point.
        for (let k = p + count; k > p + whole; k--) out[k] = out[k - 1]!;
        out[p + whole] = CHAR_DOT;
        return p + count + 1;
      }
      writeDigits(out, p, d, count);
      p += count;
      for (let k = count; k < whole; k++) out[p++] = CHAR_0;
      out[p++] = CHAR_DOT;
      out[p++] = CHAR_0;
      return p;
    }
    out[p++] = CHAR_0;
    out[p++] = CHAR_DOT;
    for (let k = 1; k < -exponent; k++) out[p++] = CHAR_0;
    writeDigits(out, p, d, count);
    return p + count;
  }
  // Scientific: one digit, the rest after a point, then numpy's exponent suffix.
  writeDigits(out, p + (count > 1 ? 1 : 0), d, count);
  if (count > 1) {
    out[p] = out[p + 1]!;
    out[p + 1] = CHAR_DOT;
    p += count + 1;
  } else p += 1;
  return put(out, p, EXPONENT_SUFFIX[exponent + 45]!);
}

/** Writes the `count` decimal digits of d (0 < d < 10^9) into out at `at`. */
function writeDigits(out: Uint8Array, at: number, d: number, count: number): void {
  for (let k = at + count - 1; k >= at; k--) {
    const q = (d / 10) | 0;
    out[k] = CHAR_0 + d - q * 10;
    d = q;
  }
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
