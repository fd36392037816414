import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { f32, f32Bits, f32FromBits, formatDf64, formatDouble, formatFloat32, pow, powSeries } from '../src/float32';
import { random } from './helpers/random';

// Expected strings: the reference's §7 (numpy 2.4 `str(np.float32(x))`) and the seed's printout.
describe('formatFloat32 prints like numpy prints a float32 scalar', () => {
  const cases: Array<[number, string]> = [
    [5, '5.0'],
    [-7, '-7.0'],
    [100000, '100000.0'],
    [999999.94, '999999.94'],
    [0.00010001, '0.00010001'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.0001, '1e-04'],
    [9.99e-5, '9.99e-05'],
    [1.8222867e-5, '1.8222867e-05'],
    [1e6, '1e+06'],
    [1.234567e6, '1.234567e+06'],
    [16777216, '1.6777216e+07'],
    [3.4e38, '3.4e+38'],
    [1e-45, '1e-45'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
    [0.069641344, '0.069641344'],
    [-0.99999994, '-0.99999994'],
    [0.099, '0.099'],
    [23.04, '23.04'],
    [2.8495998, '2.8495998'],
    [14.819419, '14.819419'],
    [0.096059605, '0.096059605'],
    [5.9343653e-5, '5.9343653e-05'],
  ];
  it.each(cases)('%s → %s', (value, text) => {
    expect(formatFloat32(value)).toBe(text);
  });

  it('round-trips every printed value to the same float32', () => {
    const bits = new Uint32Array(1);
    const view = new Float32Array(bits.buffer);
    let state = 12345;
    for (let i = 0; i < 20000; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      bits[0] = state;
      const x = view[0]!;
      if (!Number.isFinite(x)) continue;
      const text = formatFloat32(x);
      expect(f32(Number(text))).toBe(x);
    }
  });
});

describe('formatFloat32 at the edges of the shortest-digits search', () => {
  // Expected strings: `str(np.float32(x))` printed by numpy 2.4.6 for the same float32.
  const cases: Array<[string, number, string]> = [
    ['0.1', 0.1, '0.1'],
    ['1/3', 1 / 3, '0.33333334'],
    ['2/3', 2 / 3, '0.6666667'],
    ['0.2 + 0.1 in float32', f32(f32(0.2) + f32(0.1)), '0.3'],
    ['16777217 (rounds to 2^24)', 16777217, '1.6777216e+07'],
    ['12345678', 12345678, '1.2345678e+07'],
    ['8388608.5 (rounds to 2^23)', 8388608.5, '8.388608e+06'],
    ['100663296', 100663296, '1.006633e+08'],
    ['65504', 65504, '65504.0'],
    ['1e-5', 1e-5, '1e-05'],
    ['1e-10', 1e-10, '1e-10'],
    ['1e10', 1e10, '1e+10'],
    ['1e21', 1e21, '1e+21'],
    ['1e38', 1e38, '1e+38'],
    ['1e-38', 1e-38, '1e-38'],
    ['0.001', 0.001, '0.001'],
    ['0.05', 0.05, '0.05'],
    ['π', Math.PI, '3.1415927'],
    ['123456.7', 123456.7, '123456.7'],
    ['1.5', 1.5, '1.5'],
    ['0.125', 0.125, '0.125'],
    ['100.5', 100.5, '100.5'],
    ['-2.5', -2.5, '-2.5'],
    ['next float32 above 1', f32FromBits(0x3f800001), '1.0000001'],
    ['largest finite', f32FromBits(0x7f7fffff), '3.4028235e+38'],
    ['smallest subnormal', 2 ** -149, '1e-45'],
    ['minus the smallest subnormal', -(2 ** -149), '-1e-45'],
    ['3 × the smallest subnormal', 3 * 2 ** -149, '4e-45'],
    ['largest subnormal', 2 ** -126 - 2 ** -149, '1.1754942e-38'],
    ['smallest normal', 2 ** -126, '1.1754944e-38'],
    ['below the smallest subnormal', 5e-324, '0.0'],
    ['2^-14', 2 ** -14, '6.1035156e-05'],
    // Powers of two whose nearest 8-digit decimal lies below x, beyond the
    // narrower lower half of the interval: the decimal above is printed.
    ['2^-96', 2 ** -96, '1.2621775e-29'],
    ['2^87', 2 ** 87, '1.5474251e+26'],
    ['2^90', 2 ** 90, '1.2379401e+27'],
    // numpy's switch between positional and scientific, either side.
    ['the float32 nearest 1e-4 (below it)', 1e-4, '1e-04'],
    ['the float32 after it', f32FromBits(f32Bits(1e-4) + 1), '0.000100000005'],
    ['the float32 before it', f32FromBits(f32Bits(1e-4) - 1), '9.999999e-05'],
    ['the float32 after 1e6', f32FromBits(f32Bits(1e6) + 1), '1.00000006e+06'],
  ];
  it.each(cases)('%s (%s) → %s', (_, value, text) => {
    expect(formatFloat32(value)).toBe(text);
  });

  it('differs from numpy where two shortest decimals are equally near, and where reading back double-rounds', () => {
    // numpy 2.4 prints '262144.12', '0.00024414062' and '-32184.062' (the even
    // last digit); lrscope has always printed the decimal above, as toExponential rounds.
    expect(formatFloat32(262144.125)).toBe('262144.13');
    expect(formatFloat32(2 ** -12)).toBe('0.00024414063');
    expect(formatFloat32(-32184.0625)).toBe('-32184.063');
    // numpy prints '7.038531e-26', but Math.fround(Number('7.038531e-26')) is the next float32 up.
    expect(formatFloat32(f32FromBits(0x15ae43fd))).toBe('7.0385307e-26');
    expect(formatFloat32(f32FromBits(0x15ae43fe))).toBe('7.038531e-26');
  });
});

/** Whether the decimal digits·10^exponent read back as the float32 x. */
const readsBack = (digits: bigint, exponent: number, x: number) => f32(Number(`${digits}e${exponent}`)) === Math.abs(x);

/** floor(|x| / 10^s), exactly: |x| = m·2^k with integer m. */
function floorOverPow10(x: number, s: number): bigint {
  const bits = f32Bits(Math.abs(x));
  const biased = bits >>> 23;
  const m = BigInt(biased === 0 ? bits & 0x7fffff : (bits & 0x7fffff) | 0x800000);
  const k = (biased === 0 ? 1 : biased) - 150;
  let num = m;
  let den = 1n;
  if (k >= 0) num <<= BigInt(k);
  else den <<= BigInt(-k);
  if (s >= 0) den *= 10n ** BigInt(s);
  else num *= 10n ** BigInt(-s);
  return num / den;
}

describe('formatFloat32 prints the shortest digits that read back', () => {
  const finiteFloat32 = fc.oneof(
    fc.float({ noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: 0, max: 0xffffffff }).map(f32FromBits).filter(Number.isFinite),
  );

  it('reads back as the same float32, in numpy\'s layout', () => {
    fc.assert(
      fc.property(finiteFloat32, (x) => {
        const text = formatFloat32(x);
        expect(Object.is(f32(Number(text)), x)).toBe(true);
        const magnitude = Math.abs(x);
        const positional = magnitude === 0 || (magnitude >= 1e-4 && magnitude < 1e6);
        expect(text).toMatch(positional ? /^-?\d+\.\d+$/ : /^-?\d(\.\d*[1-9])?e[+-]\d\d$/);
      }),
      { numRuns: 5000 },
    );
  });

  it('has no shorter decimal that reads back', () => {
    fc.assert(
      fc.property(
        finiteFloat32.filter((x) => x !== 0),
        (x) => {
          const text = formatFloat32(x);
          const [mantissa, exp] = text.replace('-', '').split('e') as [string, string | undefined];
          const [whole, fraction = ''] = mantissa.split('.') as [string, string | undefined];
          // The exponent of the printed value's last significant digit.
          const significant = `${whole}${fraction}`.replace(/0+$/, '');
          const last = Number(exp ?? 0) - (fraction.length - (`${whole}${fraction}`.length - significant.length));
          // A decimal with fewer digits is a multiple of 10^s for some s > last; of
          // those, the ones next to x below and above are the only ones that could read back.
          const lead = Math.floor(Math.log10(Math.abs(x))) + 1;
          for (let s = last + 1; s <= lead + 1; s++) {
            const below = floorOverPow10(x, s);
            if (below > 0n) expect(readsBack(below, s, x)).toBe(false);
            expect(readsBack(below + 1n, s, x)).toBe(false);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});

// pow's definition is f32(Math.pow(a, b)); its fast path must never differ from it.
describe('pow is float32(Math.pow) bit for bit', () => {
  const same = (a: number, b: number) => Object.is(pow(a, b), f32(Math.pow(a, b)));

  it('on decay-table powers: float32 rates near 1 to integer and fractional steps', () => {
    const next = random(17);
    let differ = 0;
    for (let i = 0; i < 200_000; i++) {
      const rate = f32(0.5 + next());
      const e = i % 2 ? Math.floor(next() * 5000) : f32(next() * 5000);
      if (!same(rate, e)) differ++;
    }
    expect(differ).toBe(0);
  });

  it('on bases and exponents across the float32 range, through underflow and overflow', () => {
    const next = random(18);
    let differ = 0;
    for (let i = 0; i < 200_000; i++) {
      const a = f32(Math.exp((next() - 0.5) * 180));
      const b = f32((next() - 0.5) * 2 ** Math.floor(next() * 24));
      if (!same(a, b)) differ++;
    }
    expect(differ).toBe(0);
  });

  it('at exact float32 ties, where exp(b·ln a) alone rounds the wrong way', () => {
    // (1 + k·2⁻¹²)² and (1 + k·2⁻⁸)³ are exact in double and many sit exactly halfway between two float32s.
    for (let k = 1; k < 4096; k++) expect(same(1 + k * 2 ** -12, 2), `(1 + ${k}·2⁻¹²)²`).toBe(true);
    for (let k = 1; k < 256; k++) expect(same(1 + k * 2 ** -8, 3), `(1 + ${k}·2⁻⁸)³`).toBe(true);
  });

  it('on the special cases Math.pow defines', () => {
    const values = [0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, Infinity, -Infinity, NaN, 1e-45, 3.4e38, f32(0.9), 1000, -1000, 1024, 2 ** 24];
    for (const a of values) for (const b of values) expect(same(a, b), `pow(${a}, ${b})`).toBe(true);
  });
});

// powSeries multiplies its way from one exp to the next: every power must still be float32(Math.pow).
describe('powSeries is float32(Math.pow) power by power', () => {
  /** Powers n0 … n0 + count − 1 of a that differ from f32(Math.pow(a, n)). */
  const differing = (a: number, n0: number, count: number) => {
    const out = new Float32Array(count + 3);
    out.fill(7);
    powSeries(a, n0, count, out, 2);
    expect([out[0], out[1], out[count + 2]], 'nothing written outside the series').toEqual([7, 7, 7]);
    const wrong: number[] = [];
    for (let i = 0; i < count; i++) if (!Object.is(out[2 + i], f32(Math.pow(a, n0 + i)))) wrong.push(n0 + i);
    return wrong;
  };

  it('on decay rates near 1, long series from any start, through underflow', () => {
    const next = random(19);
    for (let i = 0; i < 300; i++) {
      const rate = f32(i % 3 ? 0.9 + 0.2 * next() : 0.5 + next());
      expect(differing(rate, Math.floor(next() * 5000), 3000), `rate ${rate}`).toEqual([]);
    }
  });

  it('on bases across the float32 range, through overflow, and on the special bases', () => {
    const next = random(20);
    for (let i = 0; i < 300; i++) {
      const a = f32(Math.exp((next() - 0.5) * 20));
      expect(differing(a, Math.floor(next() * 300), 700), `base ${a}`).toEqual([]);
    }
    for (const a of [0, -0, 1, -1, 0.5, -0.5, 2, -2, Infinity, -Infinity, NaN, 1e-45, 3.4e38]) expect(differing(a, 0, 200), `base ${a}`).toEqual([]);
  });

  it('at exact float32 ties (squares and cubes, as for pow)', () => {
    for (let k = 1; k < 4096; k++) expect(differing(1 + k * 2 ** -12, 0, 4), `(1 + ${k}·2⁻¹²)ⁿ`).toEqual([]);
    for (let k = 1; k < 256; k++) expect(differing(1 + k * 2 ** -8, 0, 4), `(1 + ${k}·2⁻⁸)ⁿ`).toEqual([]);
  });
});

describe('formatDouble prints like Python prints a float', () => {
  // repr() of each value in CPython 3.11.
  it.each([
    [5, '5.0'],
    [-7, '-7.0'],
    [0.1, '0.1'],
    [1e-5, '1e-05'],
    [1e16, '1e+16'],
    [123456789012345680, '1.2345678901234568e+17'],
    [1.0000000001, '1.0000000001'],
    [0.00012, '0.00012'],
    [1e-4, '0.0001'],
    [-0, '-0.0'],
    [2.5e-300, '2.5e-300'],
    [9999999999999998, '9999999999999998.0'],
  ])('%s → %s', (x, text) => expect(formatDouble(x)).toBe(text));
});

describe('formatDf64 prints the fewest digits that read back as the same df64', () => {
  const df64Of = (x: number) => {
    const hi = f32(x);
    return [hi, f32(x - hi)] as const;
  };
  it('df64(0.2) prints 0.2, not the double hi + lo = 0.19999999999999996', () => {
    const [hi, lo] = df64Of(0.2);
    expect(hi + lo).not.toBe(0.2);
    expect(formatDf64(hi + lo)).toBe('0.2');
  });

  it('random df64 values read back exactly, in at most 17 digits', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e30, max: 1e30, noNaN: true, noDefaultInfinity: true }).filter((x) => Math.abs(x) > 1e-30), (x) => {
        const [hi, lo] = df64Of(x);
        const text = formatDf64(hi + lo);
        expect(df64Of(Number(text))).toEqual([hi, lo]);
        expect(text.replace(/^-|e.*$/g, '').replace('.', '').replace(/^0+/, '').length).toBeLessThanOrEqual(17);
      }),
      { numRuns: 5000 },
    );
  });

  it('neighbours 10⁻¹¹ apart near 0.1 print apart', () => {
    const texts = Array.from({ length: 5 }, (_, i) => formatDf64(df64Of(0.1 + i * 2.5e-11).reduce((a, b) => a + b)));
    expect(new Set(texts).size).toBe(5);
    expect(texts[2]).toBe('0.10000000005');
  });
});
