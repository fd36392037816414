/**
 * The stability map as a PNG: the raster in the plot area, real axes with
 * ticks and labels, a legend with the count of each regime, and the analytic
 * stability boundary (lr·L = 2 for gradient descent) where the axes allow it.
 */
import { createRequire } from 'node:module';
import { createCanvas, GlobalFonts, ImageData, type SKRSContext2D } from '@napi-rs/canvas';
import { specFlags, type Spec } from '../experiment/index.js';
import { REGIMES } from '../engine/types.js';
import type { RegimeCounts } from '../sweep.js';
import { analyticBoundary, axisPosition, rasterRgba, regimeRgb, SHADE_MEANING, type MapRaster } from '../output/map.js';
import { axisTicks } from '../output/ticks.js';
import { axisTitle, runTitle } from '../output/labels.js';

export const FONT = 'LrscopeSans';
let fontLoaded = false;

export function loadFont(): void {
  if (fontLoaded) return;
  const require = createRequire(import.meta.url);
  GlobalFonts.registerFromPath(require.resolve('@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff2'), FONT);
  fontLoaded = true;
}

export interface PngOptions {
  readonly engine: string;
  readonly counts: RegimeCounts;
  /** Draw the analytic boundary where theory has one (default true). */
  readonly theory?: boolean;
}

/** Where the plot area sits in an image, and the image's size (both PNG renderers). */
export interface PlotGeometry {
  readonly left: number;
  readonly top: number;
  readonly plotWidth: number;
  readonly plotHeight: number;
  readonly width: number;
  readonly height: number;
}

/** Where the map sits in the image. */
export interface MapGeometry extends PlotGeometry {
  /** Scale of text and margins: 1 up to 2047 pixels of map, then one more per 1024. */
  readonly ui: number;
}

export function mapGeometry(raster: MapRaster): MapGeometry {
  const { width: w, height: h } = raster;
  const scale = Math.max(1, Math.floor(512 / Math.max(w, h)));
  const plotWidth = Math.max(w * scale, 320);
  const plotHeight = h === 1 ? 64 : Math.max(h * scale, 320);
  const ui = Math.max(1, Math.floor(Math.max(plotWidth, plotHeight) / 1024));
  const left = 96 * ui;
  const top = 70 * ui; // title, and two lines for the command that reproduces the map
  return { left, top, plotWidth, plotHeight, width: left + plotWidth + 250 * ui, height: top + plotHeight + 64 * ui, ui };
}

export function renderMapPng(spec: Spec, raster: MapRaster, options: PngOptions): Buffer {
  loadFont();
  const { width: w, height: h } = raster;
  const geometry = mapGeometry(raster);
  const canvas = createCanvas(geometry.width, geometry.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);

  // The map, scaled with nearest-neighbour so every grid point stays a crisp
  // block; at one pixel per point it goes straight in (no second copy of a big map).
  const pixels = new ImageData(rasterRgba(raster), w, h);
  if (geometry.plotWidth === w && geometry.plotHeight === h) {
    ctx.putImageData(pixels, geometry.left, geometry.top);
  } else {
    const image = createCanvas(w, h);
    image.getContext('2d').putImageData(pixels, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, geometry.left, geometry.top, geometry.plotWidth, geometry.plotHeight);
  }
  // Everything else is drawn in UI units, so text stays legible on a big map.
  const { ui } = geometry;
  ctx.scale(ui, ui);
  const [left, top, plotW, plotH, width] = [geometry.left, geometry.top, geometry.plotWidth, geometry.plotHeight, geometry.width].map((v) => v / ui) as [
    number,
    number,
    number,
    number,
    number,
  ];
  ctx.strokeStyle = '#333333';
  ctx.lineWidth = 1;
  ctx.strokeRect(left - 0.5, top - 0.5, plotW + 1, plotH + 1);

  const xOf = (pos: number) => left + ((pos + 0.5) / w) * plotW;
  const yOf = (pos: number) => top + plotH - ((pos + 0.5) / h) * plotH;
  const nx = raster.xAxis.values.length;
  const ny = raster.yAxis?.values.length ?? 1;

  const boundary = options.theory === false ? undefined : analyticBoundary(spec);
  const analytic = boundary?.points.map(([x, y]) => [axisPosition(raster.xAxis, x), axisPosition(raster.yAxis!, y)] as const);
  if (analytic) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, plotW, plotH);
    ctx.clip();
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#000000';
    ctx.beginPath();
    analytic.forEach(([px, py], i) => {
      const x = xOf((px * w) / nx);
      const y = yOf((py * h) / ny);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    ctx.restore();
  }

  const maxWidth = width - left - 12;
  text(ctx, fit(ctx, runTitle(spec), 14, maxWidth), left, 22, 14, '#111111');
  const command = wrap(ctx, `lrscope sweep ${specFlags(spec).join(' ')}`, 11, maxWidth);
  if (command.length > 2) command.splice(1, command.length - 1, fit(ctx, command.slice(1).join(' '), 11, maxWidth));
  command.forEach((part, i) => text(ctx, part, left, 40 + 14 * i, 11, '#555555'));

  // x axis
  ctx.strokeStyle = '#333333';
  for (const tick of axisTicks(raster.xAxis)) {
    const x = xOf((tick.position * w) / nx);
    if (x < left - 1 || x > left + plotW + 1) continue;
    line(ctx, x, top + plotH, x, top + plotH + 5);
    text(ctx, tick.label, x, top + plotH + 19, 11, '#222222', 'center');
  }
  text(ctx, axisTitle(raster.xAxis), left + plotW / 2, top + plotH + 44, 13, '#111111', 'center');
  // y axis
  if (raster.yAxis) {
    const ticks = axisTicks(raster.yAxis).map((tick) => ({ y: yOf((tick.position * h) / ny), label: tick.label }));
    verticalAxis(ctx, ticks, axisTitle(raster.yAxis), left, top, plotH);
  }

  // Legend: colour, regime, count, share; and what the shade means.
  const total = REGIMES.reduce((s, r) => s + options.counts[r], 0);
  let y = top + 6;
  const lx = left + plotW + 20;
  text(ctx, 'regime', lx, y + 8, 12, '#111111');
  y += 22;
  for (const regime of REGIMES) {
    for (let i = 0; i < 24; i++) {
      const [r, g, b] = regimeRgb(regime, i / 23);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(lx + i, y - 10, 1, 14);
    }
    const count = options.counts[regime];
    const share = total ? ((100 * count) / total).toFixed(1) : '0.0';
    text(ctx, `${regime}  ${count} (${share}%)`, lx + 32, y + 2, 12, '#111111');
    text(ctx, SHADE_MEANING[regime], lx + 32, y + 16, 10, '#666666');
    y += 36;
  }
  if (analytic) {
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#000000';
    line(ctx, lx, y - 2, lx + 24, y - 2);
    ctx.setLineDash([]);
    text(ctx, `${boundary!.formula} (analytic boundary)`, lx + 32, y + 2, 11, '#111111');
    y += 24;
  }
  // Where it ran, wrapped into the legend's column.
  for (const [i, part] of wrap(ctx, options.engine, 10, width - lx - 12).entries()) {
    text(ctx, part, lx, Math.max(y + 8, top + plotH - 24) + 13 * i, 10, '#666666');
  }
  return canvas.toBuffer('image/png');
}

/** The text, cut with an ellipsis to fit the width at this size. */
export function fit(ctx: SKRSContext2D, s: string, size: number, maxWidth: number): string {
  ctx.font = `${size}px ${FONT}`;
  if (ctx.measureText(s).width <= maxWidth) return s;
  let cut = s.length;
  while (cut > 0 && ctx.measureText(`${s.slice(0, cut)}…`).width > maxWidth) cut--;
  return `${s.slice(0, cut)}…`;
}

/** Splits text on spaces into lines no wider than maxWidth at this size. */
export function wrap(ctx: SKRSContext2D, s: string, size: number, maxWidth: number): string[] {
  ctx.font = `${size}px ${FONT}`;
  const lines: string[] = [];
  let current = '';
  for (const word of s.split(' ')) {
    const candidate = current ? `${current} ${word}` : word;
    if (current && ctx.measureText(candidate).width > maxWidth) {
      lines.push(current);
      current = word;
    } else {
      current = candidate;
    }
  }
  if (current) lines.push(current);
  return lines;
}

export function text(ctx: SKRSContext2D, s: string, x: number, y: number, size: number, color: string, align: CanvasTextAlign = 'left'): void {
  ctx.font = `${size}px ${FONT}`;
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.fillText(s, x, y);
}

/** Ticks (those inside the plot) and the rotated title of a y axis along the plot's left edge. */
export function verticalAxis(ctx: SKRSContext2D, ticks: ReadonlyArray<{ y: number; label: string }>, title: string, left: number, top: number, plotH: number): void {
  for (const { y, label } of ticks) {
    if (y < top - 1 || y > top + plotH + 1) continue;
    line(ctx, left - 5, y, left, y);
    text(ctx, label, left - 8, y + 4, 11, '#222222', 'right');
  }
  ctx.save();
  ctx.translate(22, top + plotH / 2);
  ctx.rotate(-Math.PI / 2);
  text(ctx, title, 0, 0, 13, '#111111', 'center');
  ctx.restore();
}

export function line(ctx: SKRSContext2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}
