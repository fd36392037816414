/**
 * The stability map as a PNG: the raster in the plot area, and around it the
 * figure that src/output/map-figure.ts draws (real axes with ticks and
 * labels, a legend with the count of each regime, and the analytic
 * stability boundary, lr·L = 2 for gradient descent, where the axes allow it).
 */
import { createRequire } from 'node:module';
import { createCanvas, GlobalFonts, ImageData } from '@napi-rs/canvas';
import type { Spec } from '../experiment/index.js';
import type { RegimeCounts } from '../sweep.js';
import { rasterRgba, type MapColor, type MapRaster } from '../output/map.js';
import type { TrainabilityTotals } from '../output/summary.js';
import { drawMapFigure, figureGeometry, FONT, type MapGeometry } from '../output/map-figure.js';
import { axisTicks } from '../output/ticks.js';

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
  /** What the colours show (default the regime), and for trainability its totals. */
  readonly color?: MapColor;
  readonly trainability?: TrainabilityTotals;
  /** A short caption at the top right, beside the title (a zoom frame's magnification and precision). */
  readonly caption?: string;
}

export function mapGeometry(raster: MapRaster): MapGeometry {
  const { width: w, height: h } = raster;
  const scale = Math.max(1, Math.floor(512 / Math.max(w, h)));
  const plotWidth = Math.max(w * scale, 320);
  const plotHeight = h === 1 ? 64 : Math.max(h * scale, 320);
  // Text and margins: 1 up to 2047 pixels of map, then one more per 1024.
  const yLabelChars = raster.yAxis && h > 1 ? Math.max(0, ...axisTicks(raster.yAxis).map((t) => t.label.length)) : 0;
  return figureGeometry(plotWidth, plotHeight, Math.max(1, Math.floor(Math.max(plotWidth, plotHeight) / 1024)), yLabelChars);
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
  const pixels = new ImageData(rasterRgba(raster, options.color), w, h);
  if (geometry.plotWidth === w && geometry.plotHeight === h) {
    ctx.putImageData(pixels, geometry.left, geometry.top);
  } else {
    const image = createCanvas(w, h);
    image.getContext('2d').putImageData(pixels, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, geometry.left, geometry.top, geometry.plotWidth, geometry.plotHeight);
  }
  drawMapFigure(ctx, spec, raster, geometry, options);
  return canvas.toBuffer('image/png');
}
