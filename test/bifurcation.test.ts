/**
 * Bifurcation diagrams: the tails gradient descent settles into, against
 * their analytic values, on both engines; GPU ≡ CPU bit for bit; bounded
 * memory; and `lrscope bifurcation` (outputs, bad input).
 *
 * The maps, with r = 1 + 4·lr for the double well (w² − 1)²:
 *   double well  w ↦ w − 4·lr·(w³ − w); in x = w·√(4lr/r) it is the cubic map
 *                x ↦ r·x·(1 − x²). Fixed point x² = 1 − 1/r (w = 1), multiplier
 *                3 − 2r: flips at r = 2 (lr = 0.25). The 2-cycle {p, q} solves
 *                p² + q² = 1, p·q = 1/r, with multiplier r²(1 − 3p²)(1 − 3q²) = 9 − 2r²,
 *                so it flips at r = √5 (lr = (√5 − 1)/4 ≈ 0.309) into a 4-cycle.
 *   quartic      f = w²/2 − w⁴/4 (the catalogue's, softening): w ↦ (1 − lr)·w + lr·w³. 0 flips at
 *                lr = 2 into the symmetric 2-cycle w² = 1 − 2/lr; |w| then follows the
 *                cubic map with r = lr − 1, whose 2-cycle (a 4-cycle of w) starts at lr = 1 + √5.
 *   hardening quartic  f = w⁴/4 + w²/2 (typed in): w ↦ (1 − lr)·w − lr·w³. Its
 *                flip at lr = 2 is subcritical: |w′| = |w|·(lr − 1 + lr·w²), so for
 *                lr > 2 every start but 0 diverges, and below 2 a start converges to
 *                0 iff lr·(1 + w₀²) < 2 (the unstable 2-cycle w² = 2/lr − 1 is the basin's edge).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bifurcation,
  distinctValues,
  periodBands,
  sameValue,
  tailOf,
  tailPeriod,
  type Bifurcation,
} from '../src/bifurcation';
import { CpuEngine } from '../src/engine/cpu';
import type { Engine, Trace } from '../src/engine/types';
import { parseSpec, type SpecInput } from '../src/experiment';
import { describeEngines, gpuEngine, itGpu } from './helpers/engines';
import { runCli } from './helpers/cli';

/** The hardening quartic, typed in: its flip at lr = 2 is subcritical. */
const HARDENING = 'w^4/4 + w^2/2';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());
const cpu = new CpuEngine();

const run = (engine: Engine, input: SpecInput, tail: number, extra: { component?: number; budgetFloats?: number } = {}) =>
  bifurcation(parseSpec(input), engine, { tail, ...extra });

/** The double well's 2-cycle at lr (see the header). */
function doubleWellTwoCycle(lr: number): [number, number] {
  const r = 1 + 4 * lr;
  const scale = Math.sqrt(r / (4 * lr));
  const s = Math.sqrt(1 + 2 / r);
  const d = Math.sqrt(1 - 2 / r);
  return [(scale * (s - d)) / 2, (scale * (s + d)) / 2];
}

describe('period helpers', () => {
  it('count distinct values with a relative and an absolute tolerance', () => {
    expect(distinctValues([1, 1.00001, 0.99999, 1])).toHaveLength(1);
    expect(distinctValues([0.5, 1.2, 0.5, 1.2])).toEqual([0.5, 1.2]);
    // settled on 0, down to float32's subnormal flicker: one value
    expect(distinctValues([1.4e-45, -1.4e-45, 0, 1.4e-45])).toHaveLength(1);
    expect(distinctValues([1, 1.001])).toHaveLength(2);
    expect(sameValue(1e6, 1e6 + 50)).toBe(true);
    expect(sameValue(1e6, 1e6 + 500)).toBe(false);
  });

  it('find the smallest period, or none', () => {
    expect(tailPeriod([3, 3, 3, 3])).toBe(1);
    expect(tailPeriod([1, -1, 1, -1, 1])).toBe(2);
    expect(tailPeriod([1, 2, 3, 4, 1, 2, 3, 4, 1])).toBe(4);
    // two values, but not alternating: the period is 4, not 2
    expect(tailPeriod([1, 1, 2, 2, 1, 1, 2, 2])).toBe(4);
    // a geometric approach to 0.5 never repeats within the tolerance
    expect(tailPeriod(Array.from({ length: 40 }, (_, k) => 0.5 + 0.3 ** k))).toBeUndefined();
    expect(tailPeriod([7])).toBe(1);
  });
});

describeEngines(gpu, 'analytic tails', (engine) => {
  it('double well: period 1 at w = 1 below lr = 0.25, the analytic 2-cycle above, period 4 past (√5 − 1)/4', async () => {
    const lrs = [0.2, 0.24, 0.26, 0.28, 0.3, 0.315];
    const result = await run(engine, { objective: 'double-well', w0: 1.1, lr: lrs.join(','), steps: 3000 }, 100);
    expect(Array.from(result.escapeStep)).toEqual(lrs.map(() => -1));
    const periods = lrs.map((_, i) => tailPeriod(tailOf(result, i)));
    expect(periods).toEqual([1, 1, 2, 2, 2, 4]);
    for (const i of [0, 1]) {
      const values = distinctValues(tailOf(result, i));
      expect(values).toHaveLength(1);
      expect(values[0]).toBeCloseTo(1, 6);
    }
    for (const i of [2, 3, 4]) {
      const values = distinctValues(tailOf(result, i));
      const expected = doubleWellTwoCycle(lrs[i]!);
      expect(values).toHaveLength(2);
      values.forEach((v, j) => expect(Math.abs(v - expected[j]!) / expected[j]!).toBeLessThan(2e-6));
    }
    expect(distinctValues(tailOf(result, 5))).toHaveLength(4);
  });

  it('double well in df64: the analytic 2-cycle to 1e-12, where float32 holds it to 2e-6', async () => {
    const lrs = [0.26, 0.28, 0.3];
    const result = await run(engine, { objective: 'double-well', w0: 1.1, lr: lrs.join(','), steps: 3000, precision: 'df64' }, 100);
    for (let i = 0; i < lrs.length; i++) {
      const values = distinctValues(tailOf(result, i));
      const expected = doubleWellTwoCycle(lrs[i]!);
      expect(values).toHaveLength(2);
      values.forEach((v, j) => expect(Math.abs(v - expected[j]!) / expected[j]!).toBeLessThan(1e-12));
    }
  });

  it('quartic w²/2 − w⁴/4: 0 below lr = 2, the symmetric 2-cycle ±√(1 − 2/lr) above, period 4 past 1 + √5', async () => {
    const lrs = [1.5, 1.9, 2.2, 2.5, 2.9, 3.26];
    const result = await run(engine, { objective: 'quartic', w0: 0.5, lr: lrs.join(','), steps: 3000 }, 128);
    expect(lrs.map((_, i) => tailPeriod(tailOf(result, i)))).toEqual([1, 1, 2, 2, 2, 4]);
    for (const i of [0, 1]) expect(Math.max(...Array.from(tailOf(result, i), Math.abs))).toBeLessThan(1e-6);
    for (const i of [2, 3, 4]) {
      const a = Math.sqrt(1 - 2 / lrs[i]!);
      const values = distinctValues(tailOf(result, i));
      expect(values).toHaveLength(2);
      expect(Math.abs(values[0]! + a) / a).toBeLessThan(2e-6);
      expect(Math.abs(values[1]! - a) / a).toBeLessThan(2e-6);
    }
    expect(distinctValues(tailOf(result, 5))).toHaveLength(4);
  });

  it('hardening quartic w⁴/4 + w²/2: no period doubling; converges to 0 iff lr·(1 + w₀²) < 2, diverges for every lr > 2', async () => {
    const lrs = [1, 1.5, 1.59, 1.61, 1.9, 2.5];
    const result = await run(engine, { loss: HARDENING, w0: 0.5, lr: lrs.join(','), steps: 2000 }, 64);
    const bands = periodBands(result).map((b) => [lrs[b.first], lrs[b.last], b.tail]);
    expect(bands).toEqual([
      [1, 1.59, { kind: 'period', period: 1 }],
      [1.61, 2.5, { kind: 'diverged' }],
    ]);
    for (const i of [0, 1, 2]) expect(Math.max(...Array.from(tailOf(result, i), Math.abs))).toBeLessThan(1e-6);
    // just above 2 from a start near 0: |w| grows by lr − 1 per step at least
    const tiny = await run(engine, { loss: HARDENING, w0: 0.01, lr: '2.05,3', steps: 2000 }, 10);
    expect(Array.from(tiny.escapeStep).every((s) => s > 0)).toBe(true);
  });
});

/** Every field of two diagrams, compared bit for bit. */
function expectIdentical(a: Bifurcation, b: Bifurcation): void {
  expect(a.lr).toEqual(b.lr);
  expect(Array.from(a.escapeStep)).toEqual(Array.from(b.escapeStep));
  expect(new Uint32Array(a.iterates.buffer)).toEqual(new Uint32Array(b.iterates.buffer));
}

describe('the GPU engine draws the CPU reference engine\'s diagram, bit for bit', () => {
  itGpu(gpu)('double well across the cascade into chaos and escape, and a 2-D objective\'s second coordinate', async () => {
    const oneD = { objective: 'double-well', w0: 1.1, lr: '0.2:0.6:97', steps: 400 } as const;
    const reference = await run(cpu, oneD, 50);
    expect(reference.escapeStep.some((s) => s > 0)).toBe(true); // past lr ≈ 0.55 the orbit escapes
    expectIdentical(await run(gpu!, oneD, 50), reference);
    const twoD = { objective: 'double-well', w0: '[1.1,-0.8]', lr: '0.1:0.4:33', steps: 300 } as const;
    const gpuResult = await run(gpu!, twoD, 17, { component: 1, budgetFloats: 5000 });
    expectIdentical(gpuResult, await run(cpu, twoD, 17, { component: 1 }));
    expect(tailOf(gpuResult, 0)[0]).toBeCloseTo(-1, 5); // the second coordinate settles in the other well
    const df64 = { objective: 'double-well', w0: 1.1, lr: '0.2:0.6:13', steps: 300, precision: 'df64' } as const;
    expectIdentical(await run(gpu!, df64, 20), await run(cpu, df64, 20));
  });
});

describe('bounded memory', () => {
  it('traces in batches within the float budget, with the same result as one batch', async () => {
    const calls: number[][] = [];
    const recording: Engine = {
      kind: 'cpu',
      description: 'recording',
      run: (spec, options) => cpu.run(spec, options),
      trace: async (spec, indices, options): Promise<Trace[]> => {
        calls.push([...indices]);
        return cpu.trace(spec, indices, options);
      },
      dispose: () => {},
    };
    const input = { objective: 'double-well', w0: '[1.1,0.9]', lr: '0.2:0.42:50', steps: 200 } as const;
    const budget = 201 * (2 + 2) * 7; // seven traces of 201 iterates × (2 coordinates, loss, rate)
    const batched = await run(recording, input, 20, { budgetFloats: budget });
    expect(calls.map((c) => c.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(calls.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expectIdentical(batched, await run(cpu, input, 20));
  });
});

// ---------------------------------------------------------------- command line

const cli = (args: string[], options: { signal?: AbortSignal } = {}) => runCli(args, gpu, options);

const engineFlag = gpu ? 'gpu' : 'cpu';
const tempDir = () => mkdtempSync(join(tmpdir(), 'lrscope-bifurcation-'));
const doubleWell = ['bifurcation', '--objective', 'double-well', '--w0', '1.1', '--lr', '0.2:0.34:141', '--steps', '2000', '--engine', engineFlag];

describe('lrscope bifurcation', () => {
  it('summary: the period along lr, 1 → 2 → 4 near the analytic flips', async () => {
    const { code, stdout, stderr } = await cli(doubleWell);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^141 learning rates × 2000 steps in [\d.]+ s/);
    expect(stdout).toContain('lr: 141 values (0.2 … 0.34, linear); the last 100 iterates of w');
    // grid step 0.001: the flips at 0.25 and 0.309017 fall between grid points
    expect(stdout).toMatch(/^ {2}lr 0\.2–0\.249 \(50 lrs\): period 1$/m);
    expect(stdout).toMatch(/^ {2}lr 0\.25\d*–0\.30[89] \(\d+ lrs\): period 2$/m);
    expect(stdout).toMatch(/^ {2}lr 0\.3(09|1)–0\.321 \(1[23] lrs\): period 4$/m);
  });

  it('json: one tail per lr, its period and escape step', async () => {
    const dir = tempDir();
    const out = join(dir, 'b.json');
    const { code, stdout } = await cli([...doubleWell, '--tail', '8', '--format', 'json', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/141 learning rates/); // the summary still goes to stdout
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(json)).toEqual(['spec', 'engine', 'steps', 'tail', 'component', 'lr', 'escapeStep', 'period', 'iterates']);
    expect(json).toMatchObject({ spec: { objective: 'double-well', lr: '0.2:0.34:141' }, steps: 2000, tail: 8, component: 0 });
    expect(json.lr).toHaveLength(141);
    expect(json.lr[80]).toBeCloseTo(0.28, 6);
    expect(json.iterates.every((row: number[]) => row.length === 8)).toBe(true);
    expect(json.escapeStep.every((s: null) => s === null)).toBe(true);
    expect([json.period[0], json.period[80], json.period[115]]).toEqual([1, 2, 4]);
    const expected = doubleWellTwoCycle(0.28);
    expect(Math.min(...json.iterates[80])).toBeCloseTo(expected[0], 5);
    expect(Math.max(...json.iterates[80])).toBeCloseTo(expected[1], 5);
    expect(readdirSync(dir)).toEqual(['b.json']);
  });

  it('csv: lr,step,w, one row per iterate of each tail; a diverged lr has no w', async () => {
    const { code, stdout } = await cli(['bifurcation', '--loss', HARDENING, '--w0', '0.5', '--lr', '1.5,2.5', '--steps', '300', '--tail', '3', '--format', 'csv', '--engine', engineFlag]);
    expect(code).toBe(0);
    const [header, ...rows] = stdout.trimEnd().split('\n');
    expect(header).toBe('lr,step,w');
    expect(rows.map((r) => r.split(',').slice(0, 2).join(','))).toEqual(['1.5,298', '1.5,299', '1.5,300', '2.5,298', '2.5,299', '2.5,300']);
    for (const row of rows.slice(0, 3)) expect(Math.abs(Number(row.split(',')[2]))).toBeLessThan(1e-6);
    for (const row of rows.slice(3)) expect(row.split(',')[2]).toBe('');
  });

  it('n-D objectives: --component picks the coordinate, named in the header', async () => {
    const { code, stdout } = await cli(['bifurcation', '--objective', 'double-well', '--w0', '[1.1,-0.9]', '--lr', '0.1,0.2', '--steps', '400', '--tail', '2', '--component', '1', '--format', 'csv', '--engine', engineFlag]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('lr,step,w[1]');
    for (const row of lines.slice(1)) expect(Number(row.split(',')[2])).toBeCloseTo(-1, 5);
  });

  it('png: a dot on each branch, diverged learning rates shaded', async () => {
    const dir = tempDir();
    const out = join(dir, 'b.png');
    const args = ['bifurcation', '--loss', HARDENING, '--w0', '0.5', '--lr', '1:2:11', '--steps', '500', '--tail', '20', '--engine', engineFlag];
    const { code } = await cli([...args, '--format', 'png', '--out', out]);
    expect(code).toBe(0);
    const { bifurcationGeometry } = await import('../src/node/bifurcation-png');
    const g = bifurcationGeometry(11);
    const image = await loadImage(readFileSync(out));
    expect([image.width, image.height]).toEqual([g.width, g.height]);
    const ctx = createCanvas(image.width, image.height).getContext('2d');
    ctx.drawImage(image, 0, 0);
    const pixel = (x: number, y: number) => Array.from(ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data.subarray(0, 3));
    const column = (i: number) => g.left + ((i + 0.5) / 11) * g.plotWidth;
    // lr = 1…1.5 converge to 0, the middle of a [−1, 1] axis; lr ≥ 1.6 = 2/(1 + 0.5²) diverge
    const [r, gg, b] = pixel(column(2), g.top + g.plotHeight / 2);
    expect(r! + gg! + b!).toBeLessThan(3 * 128);
    expect(pixel(column(9), g.top + g.plotHeight / 4)).toEqual([250, 214, 208]);
    expect(pixel(column(2), g.top + g.plotHeight / 4)).toEqual([255, 255, 255]);
  });

  it('tail defaults to 100, or every iterate of a shorter run', async () => {
    const { stdout } = await cli(['bifurcation', '--lr', '0.5,1.5', '--steps', '30', '--format', 'json', '--engine', engineFlag]);
    expect(JSON.parse(stdout)).toMatchObject({ tail: 30 });
  });

  it('a cancelled run leaves no file', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    controller.abort();
    const { code, stderr } = await cli([...doubleWell, '--format', 'csv', '--out', join(dir, 'x.csv')], { signal: controller.signal });
    expect(code).toBe(130);
    expect(stderr).toBe('lrscope: cancelled; no output file was written\n');
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['tail zero', ['--lr', '0.1,0.2', '--tail', '0'], /^lrscope: --tail: "0" is not a whole number from 1 to 1000; expected a whole number of final iterates from 1 to --steps \(1000\)$/],
    ['tail not whole', ['--lr', '0.1,0.2', '--tail', '2.5'], /^lrscope: --tail: "2\.5" is not a whole number from 1 to 1000; expected/],
    ['tail not a number', ['--lr', '0.1,0.2', '--tail', 'ten'], /^lrscope: --tail: "ten" is not a whole number/],
    ['tail beyond the steps', ['--lr', '0.1,0.2', '--steps', '50', '--tail', '51'], /^lrscope: --tail: "51" is not a whole number from 1 to 50; expected a whole number of final iterates from 1 to --steps \(50\)$/],
    ['a second swept parameter', ['--lr', '0.1:0.5:8', '--w0', '1,2'], /^lrscope: --w0: is swept, but a bifurcation diagram sweeps only --lr; expected one value here, and a range for --lr like --lr 0\.2:0\.42:400$/],
    ['a swept schedule parameter', ['--lr', '0.1:0.5:8', '--schedule', 'exponential', '--decay-rate', '0.9,0.99'], /^lrscope: --decay-rate: is swept, but a bifurcation diagram sweeps only --lr/],
    ['component beyond the dimensions', ['--lr', '0.1,0.2', '--component', '1'], /^lrscope: --component: "1" is not a whole number from 0 to 0; expected 0 \(the objective has one dimension\)$/],
    ['png without a file', ['--lr', '0.1,0.2', '--format', 'png'], /^lrscope: --out: png needs a file to write; expected a path like bifurcation\.png$/],
    ['unknown format', ['--lr', '0.1,0.2', '--format', 'svg'], /^lrscope: --format: "svg" is not accepted; expected one of summary, json, csv, png$/],
    ['bad lr', ['--lr', '0.1:0.5:x'], /^lrscope: --lr: the range count "x" is not a positive whole number; expected/],
  ])('bad input, %s: exit 2, one line naming the flag, nothing written', async (_, args, message) => {
    const dir = tempDir();
    const out = args.includes('png') ? [] : ['--out', join(dir, 'x.json')];
    const { code, stderr, stdout } = await cli(['bifurcation', ...args, ...out, '--engine', 'cpu']);
    expect(stderr.trimEnd()).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });
});
