#!/usr/bin/env node
// Checks that formatFloat32 (src/float32.ts) prints every float32 it is shown
// byte for byte as the implementation it replaced (scripts/format-reference.js).
// The sets cover every exponent, the lopsided intervals at powers of two, the
// subnormals, the integers that float32 holds exactly, the neighbourhoods of
// every power of ten (numpy's 1e-4 and 1e6 switches among them) and values
// typed as short decimals. It also counts how often formatFloat32 decided by
// reading digits back (its rare path), which shows those paths were exercised.
//
// The set `close` goes through every positive float32 (negatives print the
// same digits) with a copy of formatFloat32 that does all its arithmetic
// inexactly and reads the digits back for any decision within 2^-44 of its
// threshold, rather than 2^-49; wherever that copy read back, formatFloat32
// itself is checked against the reference. The arithmetic errs by less than
// 2^-51, so every float32 on which formatFloat32 could go wrong is among them.
//
//   node scripts/check-format.js                 every set but close (about 10 minutes;
//                                                the reference takes 4–8 µs a value)
//   node scripts/check-format.js stride          one or more sets by name
//   node scripts/check-format.js --stride 997    a coarser sweep of all bit patterns
//   node scripts/check-format.js stride --part 1/2   the first half of the sweep
//   node scripts/check-format.js random --random 20000000
//   node scripts/check-format.js close           every positive float32 (about 5 minutes)
//   node scripts/check-format.js close --from 0 --to 0x20000000   part of close
import { performance } from 'node:perf_hooks';
import { importFloat32, referenceFormatFloat32 } from './format-reference.js';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const stride = option('--stride', 97);
const randomCount = option('--random', 5_000_000);
const [part, parts] = (args.includes('--part') ? args[args.indexOf('--part') + 1] : '1/1').split('/').map(Number);
const from = option('--from', 0);
const to = option('--to', 0x7f800000);
const named = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));

const stats = { reading: 0, parse: 0 };
globalThis.__formatStats = stats;
const patched = { reading: false, parse: false };
const { formatFloat32 } = await importFloat32((js) =>
  js
    .replace(/function decideByReading\(x, p\) \{/, (m) => {
      patched.reading = true;
      return `${m} globalThis.__formatStats.reading++;`;
    })
    .replace(/inside = f32\(Number\(/, (m) => {
      patched.parse = true;
      return `globalThis.__formatStats.parse++; ${m}`;
    }),
);

// The copy for `close`: every precision through the inexact branch, wider margins.
const wide = await importFloat32((js) => {
  let text = js;
  for (const [pattern, replacement] of [
    [/n >= 0 && n <= 12/g, 'false'],
    [/n < 0 && n >= -9/g, 'false'],
    [/2 \*\* -49/g, '2 ** -44'],
    [/2 \*\* -50/g, '2 ** -45'],
    [/function decideByReading\(x, p\) \{/, (m) => `${m} globalThis.__formatStats.wide++;`],
    [/inside = f32\(Number\(/, (m) => `globalThis.__formatStats.wide++; ${m}`],
  ]) {
    const next = text.replace(pattern, replacement);
    if (next === text) throw new Error(`check-format: ${pattern} not found in src/float32.ts`);
    text = next;
  }
  return `${text}\nexport function digitsOf(x) { shortestDigits(x, f32Bits(x)); }\n`;
});
stats.wide = 0;

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);
const fromBits = (bits) => {
  scratchBits[0] = bits >>> 0;
  return scratch[0];
};
const bitsOf = (x) => {
  scratch[0] = x;
  return scratchBits[0];
};

/** Each set yields bit patterns (duplicates across sets are harmless). */
const sets = {
  *stride() {
    // Multiples of the stride, in the part-th of `parts` equal ranges of bit patterns.
    const start = Math.ceil(((part - 1) * 2 ** 32) / parts / stride) * stride;
    for (let b = start; b < (part * 2 ** 32) / parts; b += stride) yield b;
  },
  *powers() {
    // Every power of two, normal and subnormal, with a few neighbours, both signs.
    for (let e = -149; e <= 127; e++) {
      const b = bitsOf(2 ** e);
      for (let d = -4; d <= 4; d++) {
        yield b + d;
        yield (b + d) | 0x80000000;
      }
    }
    for (let d = 0; d < 9; d++) yield 0x7f7fffff - d; // float32's largest values
  },
  *subnormals() {
    // The smallest subnormals, and both sides of the subnormal/normal boundary.
    for (let b = 0; b <= 1 << 17; b++) yield b;
    for (let b = 0x800000 - (1 << 17); b <= 0x800000 + (1 << 17); b++) yield b;
    for (let b = 0; b <= 1 << 12; b++) yield b | 0x80000000;
  },
  *integers() {
    // Every integer float32 holds exactly up to 2^24, then a sample to 2^32.
    for (let i = 1; i <= 2 ** 24; i++) yield bitsOf(i);
    for (let i = 2 ** 24; i <= 2 ** 32; i += 4099 * 256) yield bitsOf(i);
  },
  *decades() {
    // 4000 float32s around every power of ten, 400 000 around numpy's switches.
    for (let k = -45; k <= 38; k++) {
      const b = bitsOf(Number(`1e${k}`));
      for (let d = -2000; d <= 2000; d++) yield b + d;
    }
    for (const edge of [1e-4, 1e6]) {
      const b = bitsOf(edge);
      for (let d = -200_000; d <= 200_000; d++) yield b + d;
    }
  },
  *decimals() {
    // Short decimals: k·10^n for k < 10^4 at every exponent, k·10^-n for k <= 2·10^5.
    for (let n = -49; n <= 38; n++) for (let k = 1; k < 10_000; k++) yield bitsOf(Number(`${k}e${n}`));
    for (let n = 1; n <= 8; n++) for (let k = 1; k <= 200_000; k++) yield bitsOf(Number(`${k}e-${n}`));
  },
  *close() {
    for (let b = Math.max(from, 1); b < to; b++) {
      const before = stats.wide;
      wide.digitsOf(fromBits(b));
      if (stats.wide !== before) yield b;
    }
  },
  *random() {
    let s = 0x9e3779b9;
    for (let i = 0; i < randomCount; i++) {
      // xorshift32
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      yield s >>> 0;
    }
  },
};

const chosen = named.length ? named : Object.keys(sets).filter((name) => name !== 'close');
for (const name of chosen) if (!sets[name]) throw new Error(`no set named ${name}; sets: ${Object.keys(sets).join(', ')}`);

let totalChecked = 0;
let totalMismatches = 0;
for (const name of chosen) {
  const before = { ...stats };
  const t0 = performance.now();
  let checked = 0;
  let mismatches = 0;
  for (const bits of sets[name]()) {
    const x = fromBits(bits);
    const got = formatFloat32(x);
    const want = referenceFormatFloat32(x);
    checked++;
    if (got !== want) {
      mismatches++;
      if (mismatches <= 20) console.log(`  MISMATCH bits 0x${(bits >>> 0).toString(16)} (${x}): ${got} ≠ ${want}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const rare = patched.reading && patched.parse
    ? `; read back: ${stats.reading - before.reading} whole precisions, ${stats.parse - before.parse} single candidates`
    : '';
  const scanned = name === 'close' ? ` of ${to - from} bit patterns from 0x${from.toString(16)}` : '';
  console.log(`${name}: ${checked}${scanned} checked, ${mismatches} mismatches (${seconds.toFixed(1)} s${rare})`);
  totalChecked += checked;
  totalMismatches += mismatches;
}
console.log(`total: ${totalChecked} checked, ${totalMismatches} mismatches`);
if (!patched.reading || !patched.parse) console.log('(the rare-path counters found nothing to attach to in src/float32.ts)');
process.exit(totalMismatches === 0 ? 0 : 1);
