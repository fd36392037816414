/**
 * The command line, run in-process: outputs, and every class of bad input
 * (exit code 2, one line naming the flag and the accepted form, no stack
 * trace, no file left behind).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main';
import { sweepProgress } from '../src/cli/commands/sweep';
import { StringSink } from '../src/output/sink';
import { REGIME_COLORS, regimeRgb } from '../src/output/map';
import { gpuEngine } from './helpers/engines';
import { CpuEngine } from '../src/engine/cpu';
import type { Engine } from '../src/engine/types';
import { runCli } from './helpers/cli';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());
const engine = gpu ? 'gpu' : 'cpu';

const cli = (args: string[], options: { signal?: AbortSignal; tty?: boolean; engine?: Engine } = {}) => runCli(args, gpu, options);

const tempDir = () => mkdtempSync(join(tmpdir(), 'lrscope-test-'));

describe('lrscope sweep', () => {
  it('summary: counts per regime and where the regime changes along lr', async () => {
    const { code, stdout } = await cli(['sweep', '--lr', '0.5,1,1.5', '--steps', '200', '--engine', engine]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^3 trajectories × 200 steps in/);
    expect(stdout).toMatch(/^converged +1 +33\.3%$/m);
    expect(stdout).toMatch(/^oscillating +1 +33\.3%$/m);
    expect(stdout).toMatch(/^diverged +1 +33\.3%$/m);
    expect(stdout).toContain('lr 0.5 → 1: converged → oscillating');
    expect(stdout).toContain('lr 1 → 1.5: oscillating → diverged');
  });

  it('json: axes, counts, and one cell per grid point with its swept values', async () => {
    const dir = tempDir();
    const out = join(dir, 'grid.json');
    const { code, stdout } = await cli(['sweep', '--lr', '0.25,1', '--decay-rate', '0.5,1', '--schedule', 'exponential', '--decay-steps', '10', '--steps', '100', '--format', 'json', '--out', out, '--engine', engine]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/4 trajectories/); // the summary still goes to stdout
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.axes).toEqual([
      { name: 'lr', scale: 'list', values: [0.25, 1] },
      { name: 'decayRate', scale: 'list', values: [0.5, 1] },
    ]);
    expect(json.cells).toHaveLength(4);
    expect(json.cells.map((c: { lr: number; decayRate: number }) => [c.lr, c.decayRate])).toEqual([
      [0.25, 0.5],
      [1, 0.5],
      [0.25, 1],
      [1, 1],
    ]);
    for (const cell of json.cells) expect(Object.keys(cell)).toEqual(['lr', 'decayRate', 'regime', 'regimeStep', 'finalLoss', 'finalW', 'peak', 'rate']);
    // lr = 1 with no decay is the seed's period-2 orbit; lr = 0.25 halves the error every step.
    expect(json.cells[3]).toMatchObject({ regime: 'oscillating', finalW: 5, finalLoss: 36 });
    expect(json.cells[2]).toMatchObject({ regime: 'converged', regimeStep: 17 });
    expect(Object.values(json.counts).reduce((a: number, b) => a + (b as number), 0)).toBe(4);
    // A 2 × 2 map is too small to fit a boundary dimension to.
    expect(json.boundary).toMatchObject({ dimension: null, reason: 'grid too small' });
    expect(readdirSync(dir)).toEqual(['grid.json']);
  });

  it('json and summary: the boundary of the lr × curvature map is a curve, dimension ≈ 1', async () => {
    // On ½·L·(w − c)² the regimes change along the hyperbolas lr·L = const (lr·L = 2
    // and where 200 steps stop being enough to converge), smooth curves: dimension 1.
    const args = ['sweep', '--lr', '0.05:2:64', '--curvature', '0.5:4:64', '--steps', '200', '--engine', engine];
    const json = await cli([...args, '--format', 'json']);
    expect(json.code).toBe(0);
    const { boundary, counts } = JSON.parse(json.stdout);
    expect(Object.keys(boundary)).toEqual(['dimension', 'r2', 'sizes', 'counts', 'cells']);
    expect(boundary.sizes).toEqual([1, 2, 4, 8, 16]);
    expect(typeof boundary.dimension).toBe('number');
    expect(Math.abs(boundary.dimension - 1)).toBeLessThan(0.15);
    expect(counts.converged).toBeGreaterThan(0);
    expect(counts.diverged).toBeGreaterThan(0);
    const summary = await cli(args);
    expect(summary.stdout).toContain(`boundary dimension ${boundary.dimension.toFixed(2)} (box counting, r² ${boundary.r2.toFixed(3)})`);
    // One swept axis: no map, no boundary field.
    const line = JSON.parse((await cli(['sweep', '--lr', '0.5,1,1.5', '--steps', '50', '--format', 'json', '--engine', engine])).stdout);
    expect(line).not.toHaveProperty('boundary');
  });

  it('csv: a header and one row per grid point', async () => {
    const { code, stdout } = await cli(['sweep', '--lr', '0.5,1', '--curvature', '[2,4]', '--steps', '50', '--format', 'csv', '--engine', engine]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('lr,regime,regimeStep,finalLoss,finalW[0],finalW[1],peak,rate');
    expect(lines).toHaveLength(3);
    expect(lines[2]!.split(',').slice(0, 2)).toEqual(['1.0', 'diverged']); // lr·L = 4 along the second dimension
  });

  it('json: what theory predicts, where it predicts anything', async () => {
    const { code, stdout } = await cli(['sweep', '--lr', '0.1:1.9:4', '--curvature', '0.5:2:4', '--steps', '50', '--format', 'json', '--engine', engine]);
    expect(code).toBe(0);
    const { theory } = JSON.parse(stdout);
    // The base cell is the first grid point, L = 0.5: stable below lr = 2/0.5.
    expect(theory).toMatchObject({ criticalLr: 4, eigenvalues: [{ curvature: 0.5, criticalLr: 4 }], boundary: { formula: 'lr·L = 2' } });
    expect(theory.condition).toMatch(/lr·λ < 2/);
    const decayed = await cli(['sweep', '--lr', '2,3', '--schedule', 'exponential', '--decay-rate', '0.9', '--decay-steps', '1', '--steps', '50', '--format', 'json', '--engine', engine]);
    // λη₀ = 4: unstable for ln 2 / ln(1/0.9) = 6.58 steps.
    expect(JSON.parse(decayed.stdout).theory.decay.tStar).toBeCloseTo(Math.log(2) / Math.log(1 / 0.9), 10);
    const none = await cli(['sweep', '--lr', '0.1,0.2', '--objective', 'quartic', '--steps', '20', '--format', 'json', '--engine', engine]);
    expect(JSON.parse(none.stdout).theory).toBeUndefined();
  });

  it('png: --no-theory leaves the analytic boundary off', async () => {
    const dir = tempDir();
    const args = ['sweep', '--lr', '0.1:1.9:40', '--curvature', '0.5:2:20', '--steps', '100', '--format', 'png', '--engine', engine];
    expect((await cli([...args, '--out', join(dir, 'with.png')])).code).toBe(0);
    expect((await cli([...args, '--no-theory', '--out', join(dir, 'without.png')])).code).toBe(0);
    const pixels = async (file: string) => {
      const image = await loadImage(readFileSync(join(dir, file)));
      const canvas = createCanvas(image.width, image.height);
      canvas.getContext('2d').drawImage(image, 0, 0);
      return canvas.getContext('2d').getImageData(0, 0, image.width, image.height).data;
    };
    const [a, b] = [await pixels('with.png'), await pixels('without.png')];
    let dark = 0;
    for (let i = 0; i < a.length; i += 4) if (a[i]! + a[i + 1]! + a[i + 2]! < 60 && b[i]! + b[i + 1]! + b[i + 2]! > 200) dark++;
    expect(dark).toBeGreaterThan(100); // the dashed black line, present only with theory
  });

  it('png: every cell has the colour of its regime', async () => {
    const dir = tempDir();
    const out = join(dir, 'map.png');
    const { code } = await cli(['sweep', '--lr', '0.1:1.9:10', '--curvature', '0.5,1,2', '--steps', '300', '--format', 'png', '--out', out, '--engine', engine]);
    expect(code).toBe(0);
    const json = await cli(['sweep', '--lr', '0.1:1.9:10', '--curvature', '0.5,1,2', '--steps', '300', '--format', 'json', '--engine', engine]);
    const cells = JSON.parse(json.stdout).cells as Array<{ regime: keyof typeof REGIME_COLORS }>;
    const image = await loadImage(readFileSync(out));
    const canvas = createCanvas(image.width, image.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(image, 0, 0);
    const { mapGeometry } = await import('../src/node/png');
    const g = mapGeometry({ width: 10, height: 3 } as never);
    expect([image.width, image.height]).toEqual([g.width, g.height]);
    cells.forEach((cell, i) => {
      const x = i % 10;
      const y = Math.floor(i / 10);
      const px = Math.floor(g.left + ((x + 0.5) / 10) * g.plotWidth);
      const py = Math.floor(g.top + g.plotHeight - ((y + 0.5) / 3) * g.plotHeight);
      const [r, gg, b] = ctx.getImageData(px, py, 1, 1).data;
      // Shades run from a light tint to the full colour: the hue is the regime's.
      const light = regimeRgb(cell.regime, 0);
      const full = regimeRgb(cell.regime, 1);
      for (const [value, lo, hi] of [[r, light[0], full[0]], [gg, light[1], full[1]], [b, light[2], full[2]]] as const) {
        expect(value).toBeGreaterThanOrEqual(Math.min(lo, hi) - 1);
        expect(value).toBeLessThanOrEqual(Math.max(lo, hi) + 1);
      }
    });
  });

  it('reads a JSON spec file; flags override it', async () => {
    const dir = tempDir();
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify({ lr: '0.5,1', steps: 30 }));
    const { code, stdout } = await cli(['sweep', '--spec', file, '--steps', '40', '--engine', engine]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^2 trajectories × 40 steps/);
  });

  it('a cancelled sweep leaves no file', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    controller.abort();
    const { code, stderr } = await cli(['sweep', '--lr', '0.01:1:64', '--format', 'csv', '--out', join(dir, 'x.csv'), '--engine', engine], {
      signal: controller.signal,
    });
    expect(code).toBe(130);
    expect(stderr).toBe('lrscope: cancelled; no output file was written\n');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the progress bar covers the writing: computed but unwritten is half way', () => {
    const fraction = (p: { done: number; total: number }) => p.done / p.total;
    expect(fraction(sweepProgress(1, 0, 1000, true))).toBe(0.5);
    expect(fraction(sweepProgress(1, 600, 1000, true))).toBe(0.8);
    expect(fraction(sweepProgress(1, 1000, 1000, true))).toBe(1);
    expect(fraction(sweepProgress(0.25, 0, 1000, false))).toBe(0.25);
  });

  it('draws a progress bar only on a terminal', async () => {
    const quiet = await cli(['sweep', '--lr', '0.01:1:32', '--steps', '50', '--engine', engine]);
    expect(quiet.stderr).toBe('');
    const tty = await cli(['sweep', '--lr', '0.01:1:32', '--steps', '50', '--engine', engine], { tty: true });
    expect(tty.stderr).toMatch(/32 trajectories \[#+\] 100%/);
  });
});

describe('lrscope trace', () => {
  it('csv and json formats, chosen columns', async () => {
    const csv = await cli(['trace', '--lr', '1', '--steps', '3', '--format', 'csv', '--engine', engine]);
    expect(csv.stdout).toBe('lr,step,w,loss\n1.0,1,-7.0,36.0\n1.0,2,5.0,36.0\n1.0,3,-7.0,36.0\n');
    const json = await cli(['trace', '--lr', '1', '--steps', '2', '--columns', 'step,w', '--format', 'json', '--engine', engine]);
    expect(JSON.parse(json.stdout)).toMatchObject({ columns: ['step', 'w'], rows: [[1, -7], [2, 5]] });
  });
});

describe('bad input: exit 2, one line naming the flag and the accepted form, nothing written', () => {
  it.each([
    ['unparsable number', ['sweep', '--lr', 'abc'], /^lrscope: --lr: "abc" is not a number; expected a number, a list like 0\.1,0\.2, or a range START:STOP:COUNT\[:log\]$/],
    ['NaN', ['sweep', '--lr', 'NaN'], /^lrscope: --lr: "NaN" is not a number; expected/],
    ['Infinity', ['sweep', '--w0', '-Infinity'], /^lrscope: --w0: "-Infinity" is not a number; expected/],
    ['empty range', ['sweep', '--lr', '1:1:10'], /^lrscope: --lr: the range 1:1:10 is empty \(START equals STOP\); expected/],
    ['invalid range', ['sweep', '--lr', '0.1:1:x'], /^lrscope: --lr: the range count "x" is not a positive whole number; expected/],
    ['log range touching zero', ['sweep', '--lr', '0:1:10:log'], /^lrscope: --lr: a log range must stay above zero, not 0:1; expected/],
    ['unknown schedule', ['sweep', '--schedule', 'cosine_decay'], /^lrscope: --schedule: "cosine_decay" is not one of constant, exponential, .*; expected one of/],
    ['unknown format', ['sweep', '--lr', '0.1,0.2', '--format', 'xml'], /^lrscope: --format: "xml" is not accepted; expected one of summary, json, csv, png, arrow, part$/],
    ['unknown engine', ['sweep', '--engine', 'tpu'], /^lrscope: --engine: "tpu" is not accepted; expected one of auto, gpu, cpu$/],
    ['unknown flag', ['sweep', '--learning-rate', '0.1'], /^lrscope: --learning-rate: is not a flag of lrscope sweep.*; see lrscope sweep --help$/],
    ['unknown flag, near miss', ['sweep', '--decay-rte', '0.9'], /^lrscope: --decay-rte: is not a flag of lrscope sweep \(did you mean --decay-rate\?\)/],
    ['missing value', ['sweep', '--lr'], /^lrscope: --lr: a value is missing; expected a number/],
    ['steps not a whole number', ['sweep', '--steps', '1.5'], /^lrscope: --steps: 1\.5 is not a whole number from 1 to 2147483647; expected a whole number from 1 to 2147483647$/],
    ['steps zero', ['trace', '--steps', '0'], /^lrscope: --steps: 0 is not a whole number from 1 to 2147483647/],
    ['flag given twice', ['sweep', '--lr', '0.1', '--lr', '0.2'], /^lrscope: --lr: is given twice; expected each flag once/],
    ['unknown command', ['swep'], /^lrscope: swep: is not a command of lrscope \(did you mean sweep\?\); expected trace, sweep, zoom, merge, bifurcation or doctor$/],
    ['trace of a sweep', ['trace', '--lr', '0.1,0.2'], /^lrscope: --lr: trace follows one trajectory; expected one value/],
    ['bad column', ['trace', '--columns', 'w,grad'], /^lrscope: --columns: "grad" is not a column; expected a comma-separated list of lr, step, w, loss$/],
    ['png of three axes', ['sweep', '--lr', '0.1,0.2', '--w0', '1,2', '--minimum', '0,1', '--format', 'png', '--out', 'x.png'], /^lrscope: --format: png maps one or two swept axes, and this grid sweeps lr, w0, minimum/],
    ['png without a file', ['sweep', '--lr', '0.1,0.2', '--format', 'png'], /^lrscope: --out: png needs a file to write; expected a path like map\.png$/],
    ['schedule parameter without its schedule', ['sweep', '--decay-rate', '0.9'], /^lrscope: --decay-rate: not used by schedule constant; expected a schedule that uses it/],
    ['too many schedules at once', ['sweep', '--schedule', 'exponential', '--decay-rate', '0.5:1:2000', '--decay-steps', '1:100:1000', '--engine', 'cpu', '--format', 'csv', '--out', 'x.csv'], /^lrscope: --decay-rate × --decay-steps: sweeps 2000000 distinct learning-rate schedules; expected at most 1048576/],
    ['spec file that is not JSON', ['sweep', '--spec', '/etc/hostname'], /^lrscope: --spec: \/etc\/hostname is not valid JSON/],
    ['fast math where there is nothing to relax', ['sweep', '--lr', '0.1,0.2', '--fast-math', '--format', 'png', '--out', 'x.png'], /^lrscope: --fast-math: has nothing to relax in objective quadratic; expected a test function, a typed-in loss or the network \(--objective rosenbrock, expression, mlp, …\), or no --fast-math$/],
    ['fast math in df64', ['sweep', '--objective', 'mlp', '--lr', '0.1,0.2', '--fast-math', '--precision', 'df64', '--format', 'csv', '--out', 'x.csv'], /^lrscope: --fast-math: does not apply to df64; expected --precision float32 with --fast-math, or df64 without it$/],
    ['fast math swept', ['sweep', '--objective', 'mlp', '--lr', '0.1,0.2', '--fast-math', 'true,false'], /^lrscope: --fast-math: .*cannot be swept/],
  ])('%s', async (_, args, message) => {
    const dir = tempDir();
    const { code, stderr, stdout } = await cli([...args.map((a) => (a === 'x.png' || a === 'x.csv' ? join(dir, a) : a))]);
    expect(stderr.trimEnd()).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the format follows the --out file\'s extension, and a contradiction is refused', async () => {
    const dir = tempDir();
    const png = await cli(['sweep', '--lr', '0.1:1.9:8', '--curvature', '0.5,2', '--steps', '20', '--out', join(dir, 'map.png'), '--engine', 'cpu']);
    expect(png.code).toBe(0);
    expect(readFileSync(join(dir, 'map.png')).subarray(1, 4).toString()).toBe('PNG');
    const json = await cli(['sweep', '--lr', '0.1,1', '--steps', '20', '--out', join(dir, 'grid.json'), '--engine', 'cpu']);
    expect(JSON.parse(readFileSync(join(dir, 'grid.json'), 'utf8')).cells).toHaveLength(2);
    expect(json.stdout).toMatch(/^2 trajectories/);
    const trace = await cli(['trace', '--steps', '2', '--out', join(dir, 'trace.csv'), '--engine', 'cpu']);
    expect(trace.code).toBe(0);
    expect(readFileSync(join(dir, 'trace.csv'), 'utf8').split('\n')[0]).toBe('lr,step,w,loss');
    const clash = await cli(['sweep', '--lr', '0.1,1', '--format', 'csv', '--out', join(dir, 'x.png'), '--engine', 'cpu']);
    expect(clash.stderr).toBe(`lrscope: --format: csv does not match --out ${join(dir, 'x.png')}, which names png; expected --format png, or a file name that ends in .csv\n`);
    expect(clash.code).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['grid.json', 'map.png', 'trace.csv']);
  });

  it('an unwritable --out fails before any work, and leaves nothing', async () => {
    const { code, stderr } = await cli(['sweep', '--lr', '0.1,0.2', '--format', 'json', '--out', '/nonexistent-dir/out.json']);
    expect(code).toBe(2);
    expect(stderr).toBe('lrscope: --out: /nonexistent-dir/out.json: cannot be written: its folder does not exist (ENOENT); expected a file in a folder you can write to, a device like /dev/null, or - for stdout\n');
  });

  it.each(['csv', 'json', 'png', 'arrow'])('a sweep that fails after its %s file is open removes the partial file and keeps the old one', async (format) => {
    const dir = tempDir();
    const out = join(dir, `map.${format}`);
    writeFileSync(out, 'the previous result');
    const cpu = new CpuEngine();
    const during: string[][] = [];
    // The device is lost after the second chunk has been written.
    const failing: Engine = {
      kind: 'cpu',
      description: 'an engine that fails mid-run',
      async *run(spec, options) {
        let chunks = 0;
        for await (const chunk of cpu.run(spec, { ...options, chunkSize: 8 })) {
          yield chunk;
          during.push(readdirSync(dir).sort());
          if (++chunks === 2) throw new Error('WebGPU: device lost');
        }
      },
      trace: (spec, indices) => cpu.trace(spec, indices),
      dispose() {},
    };
    const { code, stderr } = await cli(['sweep', '--lr', '0.1:1.9:8', '--curvature', '0.5:2:4', '--steps', '20', '--format', format, '--out', out], { engine: failing });
    expect(stderr).toBe('lrscope: WebGPU: device lost\n');
    expect(code).toBe(1);
    expect(during).toHaveLength(2);
    expect(during[0]!.some((name) => name.endsWith('.partial'))).toBe(true); // the output was being written …
    expect(readdirSync(dir)).toEqual([`map.${format}`]); // … and is gone, the old file untouched
    expect(readFileSync(out, 'utf8')).toBe('the previous result');
  });

  it('a sweep cancelled mid-run removes its partial file', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const cpu = new CpuEngine();
    const cancelling: Engine = {
      kind: 'cpu',
      description: 'cancelled after its first chunk',
      async *run(spec, options) {
        for await (const chunk of cpu.run(spec, { ...options, chunkSize: 8 })) {
          yield chunk;
          controller.abort();
        }
      },
      trace: (spec, indices) => cpu.trace(spec, indices),
      dispose() {},
    };
    const { code, stderr } = await cli(['sweep', '--lr', '0.1:1.9:40', '--steps', '20', '--format', 'csv', '--out', join(dir, 'a.csv')], { engine: cancelling, signal: controller.signal });
    expect(stderr).toBe('lrscope: cancelled; no output file was written\n');
    expect(code).toBe(130);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('help', () => {
  it('lists every flag of the spec, grouped', async () => {
    const { code, stdout } = await cli(['sweep', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--lr', '--schedule', '--decay-rate', '--decay-steps', '--staircase', '--warmup-steps', '--w0', '--curvature', '--minimum', '--steps', '--engine', '--format', '--out', '--t-mul', '--boundaries']) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain('Learning-rate schedule:');
  });
});

describe('without a GPU', () => {
  /** main() on a machine where WebGPU finds no adapter. */
  async function withoutAdapter(args: string[]) {
    const stdout = new StringSink();
    let stderr = '';
    const { NoAdapterError } = await import('../src/errors');
    const { INSTALL_HINT } = await import('../src/node/gpu');
    const code = await main(args, {
      stdout,
      stderr: (s) => (stderr += s),
      stderrIsTTY: false,
      createEngine: async (kind) => {
        if (kind === 'cpu') return new CpuEngine();
        throw new NoAdapterError(`no WebGPU adapter found.\n${INSTALL_HINT}`);
      },
    });
    return { code, stdout: stdout.toString(), stderr };
  }

  it('--engine gpu exits 3 and says how to get one', async () => {
    const { code, stdout, stderr } = await withoutAdapter(['sweep', '--lr', '0.1,0.2', '--engine', 'gpu']);
    expect(code).toBe(3);
    expect(stderr).toContain('apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1');
    expect(stderr).toContain('--engine cpu');
    expect(stdout).toBe('');
  });

  it.each([[[]], [['--engine', 'auto']]])('the default engine (auto) runs on the CPU engine and says so in one line %j', async (extra) => {
    const { code, stdout, stderr } = await withoutAdapter(['sweep', '--lr', '0.1,0.2', '--steps', '20', '--format', 'json', ...extra]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^lrscope: no WebGPU adapter found; running on the CPU reference engine \(same results, slower\); for the GPU engine install a Vulkan driver .*mesa-vulkan-drivers.*\n$/);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(JSON.parse(stdout).engine).toBe(new CpuEngine().description);
  });
});

describe('several dimensions', () => {
  it('trace prints one column per component of w', async () => {
    const { stdout } = await cli(['trace', '--curvature', '[2,4]', '--lr', '0.25', '--w0', '[5,3]', '--minimum', '[-1,1]', '--steps', '2', '--columns', 'step,w', '--format', 'csv', '--engine', engine]);
    // e₁ halves (lr·L = ½), e₂ vanishes (lr·L = 1): w = (−1 + 6/2ᵏ, 1)
    expect(stdout).toBe('step,w[0],w[1]\n1,2.0,1.0\n2,0.5,1.0\n');
  });
});

describe('the library', () => {
  it('refuses an engine it does not have', async () => {
    const { createEngine } = await import('../src/index');
    await expect(createEngine('tpu' as never)).rejects.toThrow(/^engine: "tpu" is not an engine; expected gpu or cpu$/);
    expect((await createEngine('cpu')).kind).toBe('cpu');
  });
});
