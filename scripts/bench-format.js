#!/usr/bin/env node
// Nanoseconds per float and characters per second of formatFloat32, and of
// writeFloat32 (the same text written as bytes, what the CSV and JSON outputs
// print every float with), against the printer they replaced
// (scripts/format-reference.js), on the same values in the same process.
// Compare the ratios, not the absolute figures of another machine.
//
//   node scripts/bench-format.js           every workload
//   node scripts/bench-format.js --quick   fewer values and runs (a smoke test of the script)
import { performance } from 'node:perf_hooks';
import { importFloat32, referenceFormatFloat32 } from './format-reference.js';

const quick = process.argv.includes('--quick');
const count = quick ? 5_000 : 100_000;
const { formatFloat32, writeFloat32 } = await importFloat32();

// A seeded generator, so every run formats the same values.
let state = 0x2545f491;
const random = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);
const values = (make) => Float64Array.from({ length: count }, make);

const workloads = {
  'random float32 bits': values(() => {
    do scratchBits[0] = random() * 2 ** 32;
    while (!Number.isFinite(scratch[0]));
    return scratch[0];
  }),
  'losses, 1e-8…10': values(() => Math.fround(10 ** (random() * 9 - 8))),
  'weights, -2…2': values(() => Math.fround(random() * 4 - 2)),
  'learning rates, k/10^n': values(() => Math.fround(Math.floor(random() * 999 + 1) / 10 ** Math.floor(random() * 4 + 1))),
};

/** Best of `runs` timings of formatting every value, in ms, and the characters written. */
function time(format, xs, runs) {
  let best = Infinity;
  let chars = 0;
  for (let r = 0; r < runs; r++) {
    chars = 0;
    const t0 = performance.now();
    for (let i = 0; i < xs.length; i++) chars += format(xs[i]).length;
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, chars };
}

/** Best of `runs` timings of writing every value into one byte buffer, as the table writers do. */
function timeBytes(xs, runs) {
  const out = new Uint8Array(xs.length * 16);
  let best = Infinity;
  let chars = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    let at = 0;
    for (let i = 0; i < xs.length; i++) at = writeFloat32(out, at, xs[i]);
    best = Math.min(best, performance.now() - t0);
    chars = at;
  }
  return { ms: best, chars };
}

const rows = [['workload', 'old ns/float', 'string ns/float', 'bytes ns/float', 'speed-up (bytes)', 'old Mchar/s', 'bytes Mchar/s']];
for (const [name, xs] of Object.entries(workloads)) {
  for (let i = 0; i < xs.length; i++) {
    if (formatFloat32(xs[i]) !== referenceFormatFloat32(xs[i])) throw new Error(`outputs differ at ${xs[i]}`);
  }
  const old = time(referenceFormatFloat32, xs, quick ? 1 : 3);
  const now = time(formatFloat32, xs, quick ? 3 : 15);
  const bytes = timeBytes(xs, quick ? 3 : 15);
  if (bytes.chars !== now.chars) throw new Error(`writeFloat32 wrote ${bytes.chars} characters, formatFloat32 ${now.chars}`);
  const ns = (t) => (t.ms * 1e6) / xs.length;
  const mchars = (t) => t.chars / t.ms / 1e3;
  rows.push([
    name,
    ns(old).toFixed(0),
    ns(now).toFixed(0),
    ns(bytes).toFixed(0),
    `${(old.ms / bytes.ms).toFixed(1)}×`,
    mchars(old).toFixed(1),
    mchars(bytes).toFixed(1),
  ]);
}

const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
console.log(`(${count} values per workload, best of ${quick ? '1 and 3' : '3 and 15'} runs, node ${process.version})`);
