/**
 * `lrscope zoom`: a zoom into a two-axis map, frame by frame. Frame 0 is the
 * map of the axes given; frame i narrows both axes by factor^i about the
 * centre (in log space on a log axis, in linear space on a linear one), each
 * frame a fresh sweep of the spec with its axes replaced, written as a
 * numbered PNG beside an index of the frames (frames.csv).
 *
 * The centre is the zoom's fixed point: it keeps its place in every frame,
 * so frame 0 is exactly the view given and the frames close in on the centre.
 * Past what float32 resolves, the frames are computed in df64: `--precision
 * auto` switches where neighbouring values of an axis become equal as
 * float32. Every frame is planned and validated before the first is computed.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { df, dfValue } from '../../df64.js';
import { CancelledError, SpecError, throwIfAborted } from '../../errors.js';
import type { Engine } from '../../engine/types.js';
import { fieldName, parseSpec, PARAMS, type Axis, type Precision, type RawValue, type Spec, type SpecInput } from '../../experiment/index.js';
import { inDf64 } from '../../experiment/rules.js';
import { parseNumber, rangeValues, ValueSyntaxError } from '../../experiment/values.js';
import { openOutput, OutputPathError, type OutputFile } from '../../node/files.js';
import type { FigureOptions } from '../../output/map-figure.js';
import { MAP_COLORS, MapBuilder, type MapColor, type MapRaster } from '../../output/map.js';
import { describeRun, SweepTally } from '../../output/summary.js';
import { tickLabel } from '../../output/ticks.js';
import { sweep } from '../../sweep.js';
import { parseChoice, parseEngineKind, parseKernelChoice, specInput } from '../inputs.js';
import { EXIT, type CliIO } from '../io.js';
import { progressFor, withEngineAndOut } from '../work.js';

/** `--precision` of a zoom: auto (float32 while it resolves the axes, df64 beyond), or one of them throughout. */
export const ZOOM_PRECISIONS = ['auto', 'float32', 'df64'] as const;
export type ZoomPrecision = (typeof ZOOM_PRECISIONS)[number];

/** The most frames one zoom writes. */
export const MAX_FRAMES = 10000;

/** The index of the frames, written beside them. */
export const INDEX_FILE = 'frames.csv';

export const INDEX_COLUMNS = ['frame', 'file', 'magnification', 'precision', 'x_start', 'x_stop', 'y_start', 'y_stop', 'seconds'] as const;

/** One axis of a frame: a range of `count` values from start to stop. */
export interface AxisView {
  readonly start: number;
  readonly stop: number;
  readonly count: number;
  readonly scale: 'linear' | 'log';
}

/** A frame as planned: its magnification, its two axes' ranges and the arithmetic it runs in. */
export interface ZoomFrame {
  readonly index: number;
  readonly magnification: number;
  readonly x: AxisView;
  readonly y: AxisView;
  readonly precision: Precision;
}

const FACTOR_FORM = 'a number above 1, the magnification from one frame to the next, like 2 or 1e4';

/** `--factor F`: a finite number above 1. */
export function parseFactor(text: string | undefined): number {
  if (text === undefined) throw new SpecError('--factor', 'is missing', FACTOR_FORM);
  let factor: number;
  try {
    factor = parseNumber(text);
  } catch {
    throw new SpecError('--factor', `"${text}" is not accepted`, FACTOR_FORM);
  }
  if (!(factor > 1)) throw new SpecError('--factor', `${factor} does not magnify`, FACTOR_FORM);
  return factor;
}

/** `--frames N`: a whole number from 1 to MAX_FRAMES. */
export function parseFrameCount(text: string | undefined): number {
  const form = `a whole number of frames from 1 to ${MAX_FRAMES}`;
  if (text === undefined) throw new SpecError('--frames', 'is missing', form);
  const t = text.trim();
  const n = /^\d{1,9}$/.test(t) ? Number(t) : NaN;
  if (!(n >= 1 && n <= MAX_FRAMES)) throw new SpecError('--frames', `"${text}" is not accepted`, form);
  return n;
}

/** `--prefix`: the start of each frame's file name. */
export function parsePrefix(text: string | undefined): string {
  if (text === undefined) return 'frame';
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/.test(text)) {
    throw new SpecError('--prefix', `"${text}" is not accepted`, 'a file-name prefix of letters, digits, ".", "_" and "-" that does not start with "." (default frame)');
  }
  return text;
}

/** An axis's range as given: first and last value, count and scale. */
function viewOf(axis: Axis): AxisView {
  const values = axis.values as readonly number[];
  return { start: values[0]!, stop: values.at(-1)!, count: values.length, scale: axis.scale as 'linear' | 'log' };
}

/** The middle of a view: in log space on a log axis. */
function middleOf(view: AxisView): number {
  return view.scale === 'log' ? Math.sqrt(view.start) * Math.sqrt(view.stop) : view.start / 2 + view.stop / 2;
}

/** The flag that sets an axis (`--curvature` for a component of it). */
const flagOf = (axis: Axis) => fieldName(axis.key, 'flag');

/**
 * The two axes of a zoom: exactly two swept ranges of real numbers (a list
 * has no in-between values to zoom into, nor a parameter of whole numbers).
 */
export function zoomAxes(spec: Spec): readonly [Axis, Axis] {
  const example = 'two swept ranges, like --lr 0.05:2:128 --decay-rate 0.5:1:128';
  if (spec.axes.length !== 2) {
    const swept = spec.axes.map((a) => a.name).join(', ');
    if (spec.axes.length === 0) throw new SpecError('zoom', 'the spec sweeps nothing', example);
    const field = spec.axes.length === 1 ? flagOf(spec.axes[0]!) : flagOf(spec.axes[2]!);
    throw new SpecError(field, `a zoom maps exactly two swept axes, and this spec sweeps ${spec.axes.length === 1 ? 'only ' : ''}${swept}`, example);
  }
  for (const axis of spec.axes) {
    const def = PARAMS[axis.key];
    if (def.type !== 'number' && def.type !== 'vector') throw new SpecError(flagOf(axis), `${axis.name} is not a number to zoom into`, example);
    if ('whole' in def && def.whole) throw new SpecError(flagOf(axis), `${axis.name} takes whole numbers, which a zoom cannot narrow`, example);
    if (axis.scale === 'list') throw new SpecError(flagOf(axis), `${axis.name} is swept as a list, which has no values in between to zoom into`, 'a range START:STOP:COUNT or START:STOP:COUNT:log');
  }
  return spec.axes as unknown as readonly [Axis, Axis];
}

/** `--center X,Y`: a point inside the view in the axes' own values (default: the middle of the view). */
export function parseCenter(text: string | undefined, axes: readonly [Axis, Axis]): [number, number] {
  const views = axes.map(viewOf) as [AxisView, AxisView];
  if (text === undefined) return [middleOf(views[0]), middleOf(views[1])];
  const span = (a: Axis, v: AxisView) => `${a.name} from ${Math.min(v.start, v.stop)} to ${Math.max(v.start, v.stop)}`;
  const form = `two numbers X,Y inside the view (${span(axes[0], views[0])}, ${span(axes[1], views[1])}; default its middle)`;
  const parts = text.split(',');
  if (parts.length !== 2) throw new SpecError('--center', `"${text}" is not two numbers`, form);
  const point = parts.map((p) => {
    try {
      return parseNumber(p);
    } catch (e) {
      if (e instanceof ValueSyntaxError) throw new SpecError('--center', e.message, form);
      throw e;
    }
  }) as [number, number];
  point.forEach((c, i) => {
    const v = views[i]!;
    if (!(c >= Math.min(v.start, v.stop) && c <= Math.max(v.start, v.stop))) throw new SpecError('--center', `${c} is outside the view of ${axes[i]!.name}`, form);
  });
  return point;
}

/**
 * An axis magnified about c: each end moved towards c by the magnification,
 * in log space on a log axis (so the half-width of its log range shrinks by
 * it), in linear space on a linear one. Magnification 1 is the view itself.
 */
export function zoomView(view: AxisView, center: number, magnification: number): AxisView {
  if (magnification === 1) return view;
  const end =
    view.scale === 'log'
      ? (x: number) => center * Math.exp(Math.log(x / center) / magnification)
      : (x: number) => center + (x - center) / magnification;
  return { ...view, start: end(view.start), stop: end(view.stop) };
}

/** The values of a view, as the spec parser generates them. */
export function viewValues(view: AxisView): number[] {
  return rangeValues(view.start, view.stop, view.count, view.scale);
}

/** Whether neighbouring values stay distinct in this arithmetic (df64 as src/df64.ts rounds a double). */
export function resolves(values: readonly number[], precision: Precision): boolean {
  const round = precision === 'df64' ? (x: number) => dfValue(df(x)) : Math.fround;
  let previous = round(values[0]!);
  for (let i = 1; i < values.length; i++) {
    const next = round(values[i]!);
    if (next === previous) return false;
    previous = next;
  }
  return true;
}

/** A magnification as the caption and messages print it: 1, 16, 1e4, 1.5e12. */
export function magnificationLabel(m: number): string {
  return Number.isFinite(m) ? tickLabel(m) : `more than ${tickLabel(Number.MAX_VALUE)}`;
}

/**
 * Every frame's ranges and arithmetic. With `auto`, a frame runs in df64
 * from the first whose axes float32 no longer tells apart, and so do all
 * after it. A frame that even df64 cannot resolve is refused.
 */
export function planFrames(axes: readonly [Axis, Axis], center: readonly [number, number], factor: number, frames: number, precision: ZoomPrecision): ZoomFrame[] {
  const views = axes.map(viewOf) as [AxisView, AxisView];
  const plan: ZoomFrame[] = [];
  let df64 = precision === 'df64';
  for (let index = 0; index < frames; index++) {
    const magnification = factor ** index;
    const [x, y] = views.map((v, i) => zoomView(v, center[i]!, magnification)) as [AxisView, AxisView];
    const values = [x, y].map((v) => (v.start === v.stop ? undefined : viewValues(v)));
    const unresolved = values.findIndex((v) => !v || !resolves(v, 'df64'));
    if (unresolved >= 0) {
      const axis = axes[unresolved]!;
      if (index === 0) throw new SpecError(flagOf(axis), `neighbouring values of ${axis.name} are equal even in df64`, 'a range whose values differ in their first 14 significant digits');
      throw new SpecError(
        '--frames',
        `frame ${index} magnifies ${magnificationLabel(magnification)}×, past what df64 tells apart on ${axis.name}`,
        `at most ${index} frames at --factor ${factor >= 1e4 ? factor.toExponential().replace('e+', 'e') : String(factor)}, or a smaller --factor (df64 resolves about 48 bits)`,
      );
    }
    if (precision === 'auto' && !df64) df64 = !values.every((v) => resolves(v!, 'float32'));
    plan.push({ index, magnification, x, y, precision: df64 ? 'df64' : 'float32' });
  }
  return plan;
}

/** An axis's range in the value syntax, with every digit of its doubles (a float32's digits would collapse a deep frame). */
function rangeText(view: AxisView): string {
  return `${String(view.start)}:${String(view.stop)}:${view.count}:${view.scale === 'log' ? 'log' : 'lin'}`;
}

/** The spec input of a frame: the input given, its two axes replaced by the frame's ranges, and its precision. */
export function frameInput(spec: Spec, given: SpecInput, axes: readonly [Axis, Axis], frame: ZoomFrame): SpecInput {
  const input: Record<string, RawValue> = { ...given };
  delete input.precision;
  if (frame.index > 0) {
    const views = [frame.x, frame.y];
    for (const [i, axis] of axes.entries()) {
      if (axis.component === undefined) {
        input[axis.key] = rangeText(views[i]!);
        continue;
      }
      // A swept component of a vector: the vector written out, its swept components as ranges.
      const base = spec.base[axis.key as 'curvature'] as readonly number[];
      input[axis.key] = `[${base
        .map((x, c) => {
          const j = axes.findIndex((a) => a.key === axis.key && a.component === c);
          return j >= 0 ? rangeText(views[j]!) : String(x);
        })
        .join(',')}]`;
    }
  }
  // Only df64 is written out: float32 is the default, and the figure's command stays as short as it can.
  return (frame.precision === 'df64' ? inDf64(input) : input) as SpecInput;
}

/**
 * The frame's spec, through the parser (the same validation as any spec).
 * A spec that has no df64 version is refused here, naming the frame that needs it.
 */
function frameSpec(spec: Spec, given: SpecInput, axes: readonly [Axis, Axis], frame: ZoomFrame, auto: boolean): Spec {
  try {
    return parseSpec(frameInput(spec, given, axes, frame), 'flag');
  } catch (e) {
    if (!(e instanceof SpecError) || !auto || frame.precision !== 'df64') throw e;
    // Refused in float32 too: not for want of df64.
    parseSpec(frameInput(spec, given, axes, { ...frame, precision: 'float32' }), 'flag');
    throw new SpecError(
      e.field,
      `${e.problem}, and frame ${frame.index} (${magnificationLabel(frame.magnification)}×) needs df64: float32 no longer tells its neighbouring values apart`,
      `${e.accepted ?? 'a spec df64 runs'}, or at most ${frame.index} --frames, or --precision float32 for blurred deep frames`,
    );
  }
}

/**
 * Refuses an --out-dir that is not a folder and cannot be made one; returns
 * the folders still to make, outermost first, and makes none of them yet.
 */
function checkOutDir(dir: string | undefined): string[] {
  const form = 'a folder to write the frames to (made if it does not exist), like zoom';
  if (dir === undefined || dir === '') throw new SpecError('--out-dir', 'is missing; a zoom writes its frames to a folder', form);
  // The nearest existing folder on the way up must be a folder one can write to.
  const missing: string[] = [];
  for (let path = resolve(dir); ; path = dirname(path)) {
    try {
      if (!statSync(path).isDirectory()) throw new SpecError('--out-dir', `${path === resolve(dir) ? dir : path} is not a folder`, form);
      accessSync(path, constants.W_OK);
      return missing.reverse();
    } catch (e) {
      if (e instanceof SpecError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || path === dirname(path)) throw new SpecError('--out-dir', `${dir} cannot be used (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, form);
      missing.push(path);
    }
  }
}

/** Makes the folders checkOutDir found missing, one at a time (a recursive mkdir can spin where a file system refuses, as /proc does). */
function makeOutDir(dir: string, missing: readonly string[]): void {
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(path).isDirectory()) continue;
      throw new SpecError('--out-dir', `${dir} cannot be made (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'a folder you can write to');
    }
  }
}

/** Opens an output file of the zoom, or says why it cannot be written. */
function open(path: string): OutputFile {
  try {
    return openOutput(path);
  } catch (e) {
    if (e instanceof OutputPathError) throw new SpecError('--out-dir', e.message, 'a folder you can write to');
    throw e;
  }
}

/** Writes a whole file atomically. */
function writeFile(path: string, data: string | Uint8Array, signal: AbortSignal | undefined): void {
  const out = open(path);
  try {
    out.write(data);
    throwIfAborted(signal);
    out.commit();
  } catch (e) {
    out.discard();
    throw e;
  }
}

/** The index of the frames written so far, every range with all its digits. */
export function indexCsv(rows: ReadonlyArray<{ frame: ZoomFrame; file: string; seconds: number }>): string {
  const lines = [INDEX_COLUMNS.join(',')];
  for (const { frame, file, seconds } of rows) {
    const { x, y } = frame;
    lines.push([frame.index, file, String(frame.magnification), frame.precision, x.start, x.stop, y.start, y.stop].map(String).concat(seconds.toFixed(3)).join(','));
  }
  return `${lines.join('\n')}\n`;
}

export async function runZoom(command: Command, argv: readonly string[], io: CliIO): Promise<number> {
  const options = command.opts() as Record<string, string | undefined>;
  const color: MapColor = options.color === undefined ? 'regime' : parseChoice('--color', options.color, MAP_COLORS);
  const given: Record<string, RawValue> = { ...(await specInput(command, argv, 1000)) };
  const precisionText = given.precision === undefined ? 'auto' : String(given.precision);
  const precision = parseChoice('--precision', precisionText, ZOOM_PRECISIONS);
  delete given.precision;
  if (color === 'trainability') {
    // As sweep: the score comes from the loss record, asked for by the colour unless refused outright.
    if (given.trainability === false || given.trainability === 'false') {
      throw new SpecError('--color', 'trainability needs the loss record, and --trainability is false', '--color trainability without --trainability false');
    }
    given.trainability ??= true;
  }
  // Frame 0's spec in float32: the axes, the centre and every flag checked as sweep checks them.
  const spec = parseSpec(given, 'flag');
  const axes = zoomAxes(spec);
  const factor = parseFactor(options.factor);
  const frames = parseFrameCount(options.frames);
  const center = parseCenter(options.center, axes);
  const prefix = parsePrefix(options.prefix);
  const dir = options.outDir!;
  const missing = checkOutDir(dir);
  const engineKind = parseEngineKind(options);
  const kernel = parseKernelChoice(options.kernel);
  const theory = (options as { theory?: boolean }).theory !== false;

  // Every frame planned and parsed before the first is computed: a frame the spec cannot run stops the zoom here.
  const plan = planFrames(axes, center, factor, frames, precision);
  const specs = plan.map((frame) => frameSpec(spec, given as SpecInput, axes, frame, precision === 'auto'));
  const digits = Math.max(4, String(frames - 1).length);
  const fileOf = (i: number) => `${prefix}-${String(i).padStart(digits, '0')}.png`;

  const written: Array<{ frame: ZoomFrame; file: string; seconds: number }> = [];
  const started = performance.now();
  try {
    await withEngineAndOut(io, undefined, engineKind, kernel, async (engine) => {
      makeOutDir(dir, missing);
      const { renderMapPng } = await import('../../node/png.js');
      for (const frame of plan) {
        const frameStarted = performance.now();
        const file = fileOf(frame.index);
        const png = await renderFrame(specs[frame.index]!, frame, frames, engine, io, renderMapPng, { theory, color });
        writeFile(join(dir, file), png, io.signal);
        const seconds = (performance.now() - frameStarted) / 1000;
        written.push({ frame, file, seconds });
        // The index follows every frame written, so an interrupted zoom leaves it listing exactly those.
        writeFile(join(dir, INDEX_FILE), indexCsv(written), undefined);
        await io.stdout.write(`${join(dir, file)}  ${magnificationLabel(frame.magnification)}×  ${frame.precision}  ${seconds.toFixed(2)} s\n`);
      }
    });
  } catch (e) {
    if (!(e instanceof CancelledError) || written.length === 0) throw e;
    // The frames written are complete, and the index lists them: say so rather than that nothing was written.
    io.stderr(`lrscope: cancelled after ${written.length} of ${frames} frames; ${join(dir, INDEX_FILE)} lists those written\n`);
    return EXIT.cancelled;
  }
  await io.stdout.write(`${frames} frames in ${((performance.now() - started) / 1000).toFixed(1)} s; index ${join(dir, INDEX_FILE)}\n`);
  return EXIT.ok;
}

type Render = (spec: Spec, raster: MapRaster, figure: FigureOptions) => Uint8Array;

/** Computes one frame's map and draws it, its magnification and arithmetic in the caption. */
async function renderFrame(spec: Spec, frame: ZoomFrame, frames: number, engine: Engine, io: CliIO, render: Render, options: { theory: boolean; color: MapColor }): Promise<Uint8Array> {
  const map = new MapBuilder(spec);
  const tally = new SweepTally(spec);
  const zoom = `${magnificationLabel(frame.magnification)}×`;
  const progress = progressFor(io, `frame ${frame.index + 1} of ${frames} (${zoom}, ${frame.precision})`);
  try {
    // The tally and the map copy what they keep, so the chunks may recycle their arrays.
    for await (const chunk of sweep(spec, engine, { signal: io.signal, onProgress: (p) => progress?.update(p), recycle: true })) {
      tally.add(chunk);
      map.add(chunk);
    }
  } finally {
    progress?.clear();
  }
  return render(spec, map.raster(), {
    engine: describeRun(engine, spec.base),
    counts: tally.counts,
    theory: options.theory,
    color: options.color,
    trainability: tally.trainability(),
    caption: `zoom ${zoom} · ${frame.precision}`,
  });
}
