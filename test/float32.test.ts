import { describe, expect, it } from 'vitest';
import { f32, formatFloat32 } from '../src/float32';

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
