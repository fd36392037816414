// Shared by scripts/check-format.js and scripts/bench-format.js: loads
// src/float32.ts without a build, and keeps the float32 printer that
// formatFloat32 replaced, as the reference it must match byte for byte.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * Imports src/float32.ts, transpiled to JavaScript (it imports nothing).
 * `patch` may rewrite the JavaScript first, e.g. to count a rare path.
 */
export async function importFloat32(patch = (js) => js) {
  const source = readFileSync(new URL('../src/float32.ts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  const dir = mkdtempSync(join(tmpdir(), 'lrscope-float32-'));
  const file = join(dir, 'float32.mjs');
  writeFileSync(file, patch(outputText));
  try {
    return await import(file);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

const f32 = Math.fround;

// The implementation before the fast one (lrscope 76bfeab), unchanged but for types:
// precisions 1…9 through toExponential, BigInt neighbours, a read-back for each.
function shortestDigits(x) {
  for (let precision = 1; precision <= 9; precision++) {
    const [mantissa, expText] = x.toExponential(precision - 1).split('e');
    const base = BigInt(mantissa.replace('.', ''));
    const exponent = Number(expText);
    let best;
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

export function referenceFormatFloat32(value) {
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
