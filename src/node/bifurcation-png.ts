/**
 * The bifurcation diagram as a PNG: one small dot per tail iterate (lr on x,
 * w on y), darker where dots pile up, learning rates whose trajectory
 * diverged shaded, real axes with ticks and titles, and beside the plot what
 * the tail does along lr (period 1, 2, 4, …).
 */
import { createCanvas, ImageData } from '@napi-rs/canvas';
import { tailOf, type Bifurcation } from '../bifurcation.js';
import { bandLines, componentName, wRange } from '../output/bifurcation.js';
import { axisTitle, runTitle } from '../output/labels.js';
import { axisTicks } from '../output/ticks.js';
import { specFlags, type Axis } from '../experiment/index.js';
import { fit, line, text, verticalAxis, wrap, type PlotGeometry } from '../output/map-figure.js';
import { loadFont } from './png.js';

/** Dots, in sRGB: a dark blue that stays readable when thousands overlap. */
const DOT: readonly [number, number, number] = [16, 52, 120];
/** Background of a diverged learning rate's column. */
const DIVERGED: readonly [number, number, number] = [250, 214, 208];

export function bifurcationGeometry(count: number): PlotGeometry {
  // One pixel column per learning rate when there are many, at least 800 pixels otherwise.
  const plotWidth = Math.max(800, Math.min(2048, count));
  const plotHeight = 520;
  const left = 96;
  const top = 70;
  return { left, top, plotWidth, plotHeight, width: left + plotWidth + 280, height: top + plotHeight + 64 };
}

/** The lr axis: the spec's, or a one-value list when lr is fixed. */
function lrAxis(result: Bifurcation): Axis {
  return result.spec.axes[0] ?? { name: 'lr', key: 'lr', component: undefined, values: [result.lr[0]!], scale: 'list' };
}

export function renderBifurcationPng(result: Bifurcation, options: { readonly engine: string }): Buffer {
  loadFont();
  const n = result.lr.length;
  const g = bifurcationGeometry(n);
  const { left, top, plotWidth: plotW, plotHeight: plotH } = g;
  const canvas = createCanvas(g.width, g.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, g.width, g.height);

  // The plot area as a raster: dots accumulate, so dense branches come out darker.
  const [wLo, wHi] = wRange(result);
  const hits = new Uint16Array(plotW * plotH);
  const diverged = new Uint8Array(plotW);
  const columnWidth = plotW / n;
  const dot = columnWidth >= 3 ? 3 : columnWidth >= 1.5 ? 2 : 1;
  for (let i = 0; i < n; i++) {
    const x = Math.floor((i + 0.5) * columnWidth);
    if (result.escapeStep[i]! >= 0) {
      diverged.fill(1, Math.floor(i * columnWidth), Math.max(Math.floor(i * columnWidth) + 1, Math.floor((i + 1) * columnWidth)));
      continue;
    }
    for (const w of tailOf(result, i)) {
      const y = Math.floor((1 - (w - wLo) / (wHi - wLo)) * plotH);
      for (let dy = 0; dy < dot; dy++) {
        for (let dx = 0; dx < dot; dx++) {
          const px = x + dx - (dot >> 1);
          const py = y + dy - (dot >> 1);
          if (px >= 0 && px < plotW && py >= 0 && py < plotH && hits[py * plotW + px]! < 65535) hits[py * plotW + px]!++;
        }
      }
    }
  }
  const rgba = new Uint8ClampedArray(plotW * plotH * 4);
  for (let p = 0; p < plotW * plotH; p++) {
    const background = diverged[p % plotW] ? DIVERGED : ([255, 255, 255] as const);
    const ink = hits[p] ? 1 - Math.pow(0.45, hits[p]!) : 0;
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round(background[c]! + ink * (DOT[c]! - background[c]!));
    rgba[p * 4 + 3] = 255;
  }
  ctx.putImageData(new ImageData(rgba, plotW, plotH), left, top);
  ctx.strokeStyle = '#333333';
  ctx.lineWidth = 1;
  ctx.strokeRect(left - 0.5, top - 0.5, plotW + 1, plotH + 1);

  // Title, and the command that reproduces the diagram.
  const maxWidth = g.width - left - 12;
  text(ctx, fit(ctx, `Bifurcation diagram · ${runTitle(result.spec)}`, 14, maxWidth), left, 22, 14, '#111111');
  const extra = [`--tail ${result.tail}`, ...(result.component ? [`--component ${result.component}`] : [])];
  const command = wrap(ctx, `lrscope bifurcation ${[...specFlags(result.spec), ...extra].join(' ')}`, 11, maxWidth);
  if (command.length > 2) command.splice(1, command.length - 1, fit(ctx, command.slice(1).join(' '), 11, maxWidth));
  command.forEach((part, i) => text(ctx, part, left, 40 + 14 * i, 11, '#555555'));

  // x axis: lr, ticked like the stability map's.
  const axis = lrAxis(result);
  for (const tick of axisTicks(axis)) {
    const x = left + (tick.position + 0.5) * columnWidth;
    if (x < left - 1 || x > left + plotW + 1) continue;
    line(ctx, x, top + plotH, x, top + plotH + 5);
    text(ctx, tick.label, x, top + plotH + 19, 11, '#222222', 'center');
  }
  text(ctx, axisTitle(axis), left + plotW / 2, top + plotH + 44, 13, '#111111', 'center');
  // y axis: w, with 1-2-5 ticks over the range shown.
  const wAxis: Axis = { name: componentName(result), key: 'w0', component: undefined, values: [wLo, wHi], scale: 'linear' };
  const ticks = axisTicks(wAxis, 8).map((tick) => ({ y: top + plotH - tick.position * plotH, label: tick.label }));
  verticalAxis(ctx, ticks, `${componentName(result)}, the last ${result.tail} of ${result.spec.base.steps} iterates`, left, top, plotH);

  // Beside the plot: what the tail does along lr, and the shading.
  const lx = left + plotW + 20;
  const columnMax = g.width - lx - 12;
  let y = top + 14;
  text(ctx, 'the tail along lr', lx, y, 12, '#111111');
  y += 20;
  for (const band of bandLines(result, 18)) {
    for (const part of wrap(ctx, band, 11, columnMax)) {
      text(ctx, part, lx, y, 11, '#222222');
      y += 14;
    }
    y += 3;
  }
  if (diverged.some((d) => d)) {
    y += 8;
    ctx.fillStyle = `rgb(${DIVERGED.join(',')})`;
    ctx.fillRect(lx, y - 10, 24, 14);
    text(ctx, 'diverged (no dots)', lx + 32, y + 1, 11, '#111111');
    y += 20;
  }
  for (const [i, part] of wrap(ctx, options.engine, 10, columnMax).entries()) {
    text(ctx, part, lx, Math.max(y + 8, top + plotH - 24) + 13 * i, 10, '#666666');
  }
  return canvas.toBuffer('image/png');
}
