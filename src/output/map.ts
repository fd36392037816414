/**
 * The stability map as a raster: one pixel per grid point of the first two
 * axes (point-sampled down to at most `maxPixels` per side, so memory stays
 * bounded for any grid). Colour is the regime; shade is how decisively it
 * got there. Shared by the PNG writer and the web page.
 */
import type { Axis, Spec } from '../experiment/index.js';
import { REGIMES, type ChunkResult, type Regime } from '../engine/types.js';
import { NAN_COLOR, rankEqualise, spectralColor } from './score-colors.js';

/** What a map's colour shows: the regime (shaded), or the trainability score as the paper draws it. */
export const MAP_COLORS = ['regime', 'trainability'] as const;
export type MapColor = (typeof MAP_COLORS)[number];

/** Regime colours (Okabe–Ito, readable with the common colour-vision deficiencies). */
export const REGIME_COLORS: Record<Regime, readonly [number, number, number]> = {
  converged: [0, 114, 178],
  converging: [86, 180, 233],
  oscillating: [230, 159, 0],
  stalled: [153, 153, 153],
  diverged: [213, 94, 0],
};

/** What the shade of each regime shows. */
export const SHADE_MEANING: Record<Regime, string> = {
  converged: 'darker = converged sooner',
  converging: 'darker = contracting faster',
  oscillating: 'uniform',
  stalled: 'uniform',
  diverged: 'darker = escaped sooner',
};

const EMPTY = 255;

/** 0…1: how decisively trajectory i reached its regime (see SHADE_MEANING). */
export function shadeOf(chunk: ChunkResult, i: number, steps: number): number {
  const regime = REGIMES[chunk.regime[i]!]!;
  const step = chunk.regimeStep[i]!;
  switch (regime) {
    case 'converged':
      // A network judged by its loss is trained without a step: full shade.
      return step < 0 ? 1 : 1 - step / (steps + 1);
    case 'diverged':
      return step >= 0 ? 1 - step / (steps + 1) : 0.15;
    case 'converging': {
      // e-folds of gradient reduction per run length; 20 or more is full shade.
      const efolds = -Math.log(chunk.rate[i]!) * steps;
      return Math.min(1, Math.max(0, efolds / 20));
    }
    case 'oscillating':
      return 0.8;
    case 'stalled':
      return 0.6;
  }
}

/** RGB of a regime at a shade: from a light tint (shade 0) to the full colour (shade 1). */
export function regimeRgb(regime: Regime, shade: number): [number, number, number] {
  const [r, g, b] = REGIME_COLORS[regime];
  const t = 0.3 + 0.7 * Math.min(1, Math.max(0, shade));
  return [Math.round(255 + (r - 255) * t), Math.round(255 + (g - 255) * t), Math.round(255 + (b - 255) * t)];
}

export interface MapRaster {
  readonly width: number;
  readonly height: number;
  readonly xAxis: Axis;
  readonly yAxis: Axis | undefined;
  /** Row 0 is the bottom row (first y value). 255 where nothing landed. */
  readonly regime: Uint8Array;
  /** shadeOf × 255, rounded: a byte per pixel keeps a 4096² map small. */
  readonly shade: Uint8Array;
  /** With the loss record: each pixel's trainability score (NaN where nothing landed). */
  readonly score?: Float32Array;
}

export class MapBuilder {
  readonly width: number;
  readonly height: number;
  private readonly regime: Uint8Array;
  private readonly shade: Uint8Array;
  private readonly nx: number;
  private readonly ny: number;

  constructor(
    private readonly spec: Spec,
    maxPixels = 4096,
  ) {
    if (spec.axes.length < 1 || spec.axes.length > 2) throw new Error('a map needs one or two swept axes');
    this.nx = spec.axes[0]!.values.length;
    this.ny = spec.axes[1]?.values.length ?? 1;
    this.width = Math.min(this.nx, maxPixels);
    this.height = Math.min(this.ny, maxPixels);
    this.regime = new Uint8Array(this.width * this.height).fill(EMPTY);
    this.shade = new Uint8Array(this.width * this.height);
    this.score = spec.base.trainability ? new Float32Array(this.width * this.height).fill(Number.NaN) : undefined;
  }

  private readonly score: Float32Array | undefined;

  /** Pixel of grid index `x` along an axis of n values drawn on `size` pixels, or -1 if not sampled. */
  private static pixel(x: number, n: number, size: number): number {
    if (n === size) return x;
    const p = Math.floor((x * size) / n);
    return Math.floor(((p + 0.5) * n) / size) === x ? p : -1;
  }

  add(chunk: ChunkResult): void {
    const steps = this.spec.base.steps;
    for (let i = 0; i < chunk.count; i++) {
      const index = chunk.start + i;
      const x = index % this.nx;
      const y = Math.floor(index / this.nx);
      const px = MapBuilder.pixel(x, this.nx, this.width);
      const py = MapBuilder.pixel(y, this.ny, this.height);
      if (px < 0 || py < 0) continue;
      const p = py * this.width + px;
      this.regime[p] = chunk.regime[i]!;
      this.shade[p] = Math.round(255 * shadeOf(chunk, i, steps));
      if (this.score && chunk.score) this.score[p] = chunk.score[i]!;
    }
  }

  raster(): MapRaster {
    return {
      width: this.width,
      height: this.height,
      xAxis: this.spec.axes[0]!,
      yAxis: this.spec.axes[1],
      regime: this.regime,
      shade: this.shade,
      ...(this.score ? { score: this.score } : {}),
    };
  }
}

/**
 * RGBA pixels, top row first (the largest y at the top), for an ImageData:
 * coloured by regime, or by trainability score (ranks over the pixels drawn,
 * src/output/score-colors.ts) where the raster has scores.
 */
export function rasterRgba(raster: MapRaster, color: MapColor = 'regime'): Uint8ClampedArray {
  const { width, height } = raster;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const ranks = color === 'trainability' && raster.score ? rankEqualise(raster.score) : undefined;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = y * width + x;
      const dst = ((height - 1 - y) * width + x) * 4;
      const r = raster.regime[src]!;
      if (r === EMPTY) {
        rgba[dst + 3] = 0;
        continue;
      }
      const t = ranks?.[src];
      const [cr, cg, cb] = !ranks ? regimeRgb(REGIMES[r]!, raster.shade[src]! / 255) : Number.isNaN(t) ? NAN_COLOR : spectralColor(t!);
      rgba[dst] = cr;
      rgba[dst + 1] = cg;
      rgba[dst + 2] = cb;
      rgba[dst + 3] = 255;
    }
  }
  return rgba;
}

/** Fractional grid index of a value along an axis (interpolating in the axis's own scale). */
export function axisPosition(axis: Axis, value: number): number {
  const values = axis.values as readonly number[];
  const n = values.length;
  if (n === 1) return 0;
  const t = axis.scale === 'log' ? Math.log : (v: number) => v;
  const first = t(values[0]!);
  const last = t(values[n - 1]!);
  if (axis.scale !== 'list') return ((t(value) - first) / (last - first)) * (n - 1);
  // A list: piecewise-linear between its values (which may be unevenly spaced).
  for (let i = 0; i < n - 1; i++) {
    const a = values[i]!;
    const b = values[i + 1]!;
    if ((value >= a && value <= b) || (value <= a && value >= b)) return i + (value - a) / (b - a);
  }
  return value < values[0]! === values[0]! < values[n - 1]! ? -1 : n;
}

export { analyticBoundary, stabilityEdge, type AnalyticBoundary } from '../theory.js';
