/**
 * `lrscope zoom`, run in-process: the frames and their index, the ranges
 * narrowing by the factor about the centre (derived here from the centre
 * and the factor alone), the switch to df64 where float32 stops telling an
 * axis's values apart, the same frames on the GPU as on the CPU, and every
 * bad flag refused in one line, exit 2, with nothing written.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { gpuEngine, itGpu } from './helpers/engines';
import { runCli } from './helpers/cli';

const gpu = await gpuEngine();
afterAll(() => gpu?.dispose());

const tempDir = () => mkdtempSync(join(tmpdir(), 'lrscope-zoom-'));

/** A 16 × 16 map of the quadratic: lr (log) × decay rate (linear), 50 steps. */
const MAP = ['--lr', '0.05:2:16:log', '--decay-rate', '0.5:1:16', '--schedule', 'exponential', '--decay-steps', '10', '--steps', '50'];

interface IndexRow {
  frame: number;
  file: string;
  magnification: number;
  precision: string;
  x: [number, number];
  y: [number, number];
  seconds: number;
}

function readIndex(dir: string): IndexRow[] {
  const [header, ...lines] = readFileSync(join(dir, 'frames.csv'), 'utf8').trimEnd().split('\n');
  expect(header).toBe('frame,file,magnification,precision,x_start,x_stop,y_start,y_stop,seconds');
  return lines.map((line) => {
    const [frame, file, magnification, precision, x0, x1, y0, y1, seconds] = line.split(',');
    return { frame: Number(frame), file: file!, magnification: Number(magnification), precision: precision!, x: [Number(x0), Number(x1)], y: [Number(y0), Number(y1)], seconds: Number(seconds) };
  });
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** The plot area's pixels of a frame (the figure around it names the engine, which differs). */
async function plotPixels(path: string): Promise<Buffer> {
  const image = await loadImage(readFileSync(path));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  // mapGeometry of a 16 × 16 raster: 32 pixels per point from (96, 70).
  return Buffer.from(ctx.getImageData(96, 70, 512, 512).data);
}

describe('lrscope zoom', () => {
  it('writes a PNG per frame and an index whose ranges narrow by the factor about the centre', async () => {
    const dir = join(tempDir(), 'frames');
    const [cx, cy, factor] = [0.9, 0.8, 3];
    const { code, stdout, stderr } = await runCli(['zoom', ...MAP, '--center', `${cx},${cy}`, '--factor', String(factor), '--frames', '3', '--out-dir', dir, '--engine', 'cpu'], gpu);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['frame-0000.png', 'frame-0001.png', 'frame-0002.png', 'frames.csv']);
    expect(stdout).toMatch(/frame-0002\.png {2}9× {2}float32 {2}[\d.]+ s\n3 frames in [\d.]+ s; index .*frames\.csv\n$/);
    const rows = readIndex(dir);
    expect(rows.map((r) => [r.frame, r.file, r.magnification, r.precision])).toEqual([
      [0, 'frame-0000.png', 1, 'float32'],
      [1, 'frame-0001.png', 3, 'float32'],
      [2, 'frame-0002.png', 9, 'float32'],
    ]);
    for (const row of rows) {
      const m = factor ** row.frame;
      // lr is a log axis: its log10 range about log10(cx) shrinks by m.
      const lr = [0.05, 2].map((end) => 10 ** (Math.log10(cx) + (Math.log10(end) - Math.log10(cx)) / m));
      expect(relative(row.x[0], lr[0]!)).toBeLessThan(1e-13);
      expect(relative(row.x[1], lr[1]!)).toBeLessThan(1e-13);
      expect(Math.log10(row.x[1] / row.x[0])).toBeCloseTo(Math.log10(2 / 0.05) / m, 12);
      // The decay rate is linear: its range about cy shrinks by m.
      expect(row.y[0]).toBeCloseTo(cy + (0.5 - cy) / m, 14);
      expect(row.y[1]).toBeCloseTo(cy + (1 - cy) / m, 14);
      expect(row.seconds).toBeGreaterThan(0);
    }
    // Frame 0 is the view given, exactly.
    expect([...rows[0]!.x, ...rows[0]!.y]).toEqual([0.05, 2, 0.5, 1]);
    for (const row of rows) {
      const image = await loadImage(readFileSync(join(dir, row.file)));
      expect([image.width, image.height]).toEqual([858, 646]);
    }
  });

  it('a deep auto zoom turns to df64 at the frame where float32 no longer tells the values apart', async () => {
    const dir = tempDir();
    const { code, stderr } = await runCli(['zoom', ...MAP, '--factor', '1e4', '--frames', '3', '--out-dir', dir, '--engine', 'cpu'], gpu);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = readIndex(dir);
    // 16 values over 10⁸× less than log10(40) decades are 2.5e-9 apart (relative): a float32 ulp is 6e-8.
    expect(rows.map((r) => [r.magnification, r.precision])).toEqual([
      [1, 'float32'],
      [1e4, 'float32'],
      [1e8, 'df64'],
    ]);
    // The default centre is the middle of the view: √(0.05·2) on the log axis, 0.75 on the linear one.
    const deep = rows[2]!;
    expect(relative(Math.sqrt(deep.x[0] * deep.x[1]), Math.sqrt(0.1))).toBeLessThan(1e-14);
    expect((deep.y[0] + deep.y[1]) / 2).toBeCloseTo(0.75, 14);
    // Every digit is written: the deep frame's ends differ only past float32's.
    expect(Math.fround(deep.x[0])).toBe(Math.fround(deep.x[1]));
    expect(deep.x[0]).not.toBe(deep.x[1]);
  });

  it('fast math stays with the float32 frames: the df64 frame runs exact, not refused', async () => {
    const dir = tempDir();
    const net = ['--objective', 'mlp', '--width', '2', '--data-points', '4', '--input-lr', '0.1:10:8:log', '--output-lr', '0.1:10:8:log', '--steps', '10', '--fast-math'];
    const { code, stderr } = await runCli(['zoom', ...net, '--factor', '1e4', '--frames', '3', '--out-dir', dir, '--engine', 'cpu'], gpu);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readIndex(dir).map((r) => r.precision)).toEqual(['float32', 'float32', 'df64']);
  });

  itGpu(gpu)('the GPU engine draws the same frames as the CPU engine, float32 and df64', async () => {
    const frames = { cpu: tempDir(), gpu: tempDir() };
    // A point of the boundary between converged and converging (bisected in df64): every frame shows both.
    const center = '1.178781806309,0.9';
    for (const engine of ['cpu', 'gpu'] as const) {
      const { code, stderr } = await runCli(['zoom', ...MAP, '--center', center, '--factor', '1e4', '--frames', '3', '--out-dir', frames[engine], '--engine', engine], gpu);
      expect(stderr).toBe('');
      expect(code).toBe(0);
    }
    const [cpu, gpuRows] = [readIndex(frames.cpu), readIndex(frames.gpu)];
    expect(gpuRows.map((r) => r.precision)).toEqual(['float32', 'float32', 'df64']);
    expect(gpuRows.map(({ seconds, ...r }) => r)).toEqual(cpu.map(({ seconds, ...r }) => r));
    for (const row of cpu) {
      const pixels = await plotPixels(join(frames.gpu, row.file));
      expect(pixels.equals(await plotPixels(join(frames.cpu, row.file))), row.file).toBe(true);
      const colours = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4) colours.add(pixels.readUInt32BE(i));
      expect(colours.size, row.file).toBeGreaterThan(1);
    }
  });

  it('the network coloured by trainability: frames of the layer-rate map, under a prefix of its own', async () => {
    const dir = tempDir();
    const args = ['zoom', '--objective', 'mlp', '--width', '2', '--input-lr', '0.1:10:8:log', '--output-lr', '0.1:10:8:log', '--steps', '20'];
    const { code, stderr } = await runCli([...args, '--color', 'trainability', '--factor', '2', '--frames', '2', '--prefix', 'net', '--out-dir', dir, '--engine', 'cpu'], gpu);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['frames.csv', 'net-0000.png', 'net-0001.png']);
    expect(readIndex(dir).map((r) => r.file)).toEqual(['net-0000.png', 'net-0001.png']);
  });

  it('--help shows the zoom flags', async () => {
    const { code, stdout } = await runCli(['zoom', '--help'], gpu);
    expect(code).toBe(0);
    for (const flag of ['--center <X,Y>', '--factor <F>', '--frames <N>', '--out-dir <dir>', '--prefix <name>', '--precision <value>']) expect(stdout).toContain(flag);
  });

  it('cancelled before the first frame: exit 130, nothing written', async () => {
    const parent = tempDir();
    const controller = new AbortController();
    controller.abort();
    const { code, stderr } = await runCli(['zoom', ...MAP, '--factor', '2', '--frames', '2', '--out-dir', join(parent, 'frames'), '--engine', 'cpu'], gpu, { signal: controller.signal });
    expect(code).toBe(130);
    expect(stderr).toMatch(/^lrscope: cancelled/);
    expect(readdirSync(parent).flatMap((d) => readdirSync(join(parent, d)))).toEqual([]);
  });
});

describe('lrscope zoom: bad input', () => {
  const OK = ['--factor', '2', '--frames', '3'];
  const cases: Array<[string, string[], string, RegExp]> = [
    ['a factor of 1', [...MAP, '--factor', '1', '--frames', '3'], '--factor', /does not magnify; expected a number above 1/],
    ['a factor below 1', [...MAP, '--factor', '0.5', '--frames', '3'], '--factor', /expected a number above 1/],
    ['a factor that is not a number', [...MAP, '--factor', 'two', '--frames', '3'], '--factor', /"two" is not accepted; expected a number above 1/],
    ['no factor', [...MAP, '--frames', '3'], '--factor', /is missing; expected a number above 1/],
    ['no frames', [...MAP, '--frames', '0', '--factor', '2'], '--frames', /"0" is not accepted; expected a whole number of frames from 1 to 10000/],
    ['a fraction of a frame', [...MAP, '--frames', '2.5', '--factor', '2'], '--frames', /expected a whole number of frames/],
    ['frames past df64', [...MAP, '--factor', '1e8', '--frames', '3'], '--frames', /frame 2 magnifies 1e16×, past what df64 tells apart on lr; expected at most 2 frames at --factor 1e8/],
    ['a centre outside the view', [...MAP, ...OK, '--center', '3,0.9'], '--center', /3 is outside the view of lr; expected two numbers X,Y inside the view \(lr from 0\.05 to 2, decayRate from 0\.5 to 1/],
    ['a centre of one number', [...MAP, ...OK, '--center', '1'], '--center', /"1" is not two numbers/],
    ['a centre that is not numbers', [...MAP, ...OK, '--center', 'a,b'], '--center', /"a" is not a number/],
    ['one swept axis', ['--lr', '0.05:2:16', '--steps', '50', ...OK], '--lr', /a zoom maps exactly two swept axes, and this spec sweeps only lr; expected two swept ranges/],
    ['three swept axes', [...MAP, '--curvature', '1:3:4', ...OK], '--curvature', /exactly two swept axes, and this spec sweeps lr, decayRate, curvature/],
    ['a list axis', ['--lr', '0.1,0.5,1', '--decay-rate', '0.5:1:16', '--schedule', 'exponential', '--steps', '50', ...OK], '--lr', /swept as a list.*; expected a range START:STOP:COUNT/],
    ['a precision of neither', [...MAP, ...OK, '--precision', 'double'], '--precision', /"double" is not accepted; expected one of auto, float32, df64/],
    ['df64 needed by an optimizer without it', ['--lr', '0.05:2:16:log', '--beta1', '0.5:0.9:16', '--optimizer', 'adam', '--steps', '50', '--factor', '1e4', '--frames', '3'], '--optimizer', /adam has no df64 version, and frame 2 \(1e8×\) needs df64/],
    ['df64 forced on an optimizer without it', ['--lr', '0.05:2:16:log', '--beta1', '0.5:0.9:16', '--optimizer', 'adam', '--steps', '50', ...OK, '--precision', 'df64'], '--optimizer', /adam has no df64 version/],
    ['a prefix with a folder in it', [...MAP, ...OK, '--prefix', 'a/b'], '--prefix', /"a\/b" is not accepted; expected a file-name prefix/],
    ['a colour of neither', [...MAP, ...OK, '--color', 'loss'], '--color', /"loss" is not accepted; expected one of regime, trainability/],
  ];

  it.each(cases)('%s', async (_, args, flag, pattern) => {
    const parent = tempDir();
    const { code, stdout, stderr } = await runCli(['zoom', ...args, '--out-dir', join(parent, 'frames'), '--engine', 'cpu'], gpu);
    expect(stderr).toMatch(new RegExp(`^lrscope: ${flag}: `));
    expect(stderr).toMatch(pattern);
    expect(stderr.endsWith('\n') && !stderr.slice(0, -1).includes('\n'), stderr).toBe(true);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('no --out-dir', async () => {
    const { code, stdout, stderr } = await runCli(['zoom', ...MAP, ...OK, '--engine', 'cpu'], gpu);
    expect(stderr).toMatch(/^lrscope: --out-dir: is missing; a zoom writes its frames to a folder; expected a folder/);
    expect(stderr.slice(0, -1)).not.toContain('\n');
    expect([code, stdout]).toEqual([2, '']);
  });

  it('an --out-dir that is a file', async () => {
    const parent = tempDir();
    const file = join(parent, 'taken');
    writeFileSync(file, 'x');
    const { code, stderr } = await runCli(['zoom', ...MAP, ...OK, '--out-dir', file, '--engine', 'cpu'], gpu);
    expect(stderr).toMatch(/^lrscope: --out-dir: .*taken is not a folder; expected a folder/);
    expect(code).toBe(2);
    expect(readdirSync(parent)).toEqual(['taken']);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('a frame folder that exists keeps everything but the frames it is given', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'keep'));
    const { code } = await runCli(['zoom', ...MAP, '--factor', '2', '--frames', '1', '--out-dir', dir, '--engine', 'cpu'], gpu);
    expect(code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['frame-0000.png', 'frames.csv', 'keep']);
    expect(existsSync(join(dir, 'keep'))).toBe(true);
  });
});
