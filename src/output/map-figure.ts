/**
 * The stability map as a figure, drawn on any 2D canvas: the frame around
 * the raster, theory's boundary, a title and the command that reproduces
 * the map, real axes with ticks and titles, and a legend with the count of
 * each regime and an entry for the boundary. The command line's PNG
 * (@napi-rs/canvas in Node) and the page's export (a browser canvas) both
 * draw it, each after putting the raster in the plot area.
 */
import { specFlags, type Spec } from '../experiment/index.js';
import { judgedByLoss, LOSS_REGIME_NAMES, REGIMES, type Regime } from '../engine/types.js';
import type { RegimeCounts } from '../sweep.js';
import { analyticBoundary, axisPosition, regimeRgb, SHADE_MEANING, type MapColor, type MapRaster } from './map.js';
import { spectralColor } from './score-colors.js';
import type { TrainabilityTotals } from './summary.js';
import { axisTicks } from './ticks.js';
import { axisTitle, runTitle, type TitleWords } from './labels.js';

/** The figure's font family: DejaVu Sans, registered under this name by whoever draws (see src/node/png.ts, web/map-view.ts). */
export const FONT = 'LrscopeSans';

/** What the figure draws with: the part of the 2D context that a browser's canvas and @napi-rs/canvas share. */
export type Figure2D = Pick<
  CanvasRenderingContext2D,
  'save' | 'restore' | 'scale' | 'translate' | 'rotate' | 'beginPath' | 'rect' | 'clip' | 'moveTo' | 'lineTo' | 'stroke' | 'fillRect' | 'strokeRect' | 'fillText' | 'setLineDash'
> & {
  font: string;
  fillStyle: unknown;
  strokeStyle: unknown;
  lineWidth: number;
  textAlign: CanvasTextAlign;
  measureText(text: string): { readonly width: number };
};

/** Where the plot area sits in an image, and the image's size (both PNG renderers). */
export interface PlotGeometry {
  readonly left: number;
  readonly top: number;
  readonly plotWidth: number;
  readonly plotHeight: number;
  readonly width: number;
  readonly height: number;
}

/** Where the map sits in the figure. */
export interface MapGeometry extends PlotGeometry {
  /** Device pixels per unit of text and margin. */
  readonly ui: number;
}

/**
 * The figure around a plot area of this size: margins for the axes and the
 * title, a column for the legend, all `ui` times their size. The left margin
 * widens for y tick labels longer than 8 characters (a deep zoom's
 * 2.6040131735), so that they keep clear of the axis title.
 */
export function figureGeometry(plotWidth: number, plotHeight: number, ui: number, yLabelChars = 0): MapGeometry {
  const left = Math.max(96, 44 + 6.5 * yLabelChars) * ui;
  const top = 70 * ui; // title, and two lines for the command that reproduces the map
  return { left, top, plotWidth, plotHeight, width: left + plotWidth + 250 * ui, height: top + plotHeight + 64 * ui, ui };
}

/** The legend's words: the command line's English unless a page gives its own. */
export interface FigureWords {
  readonly legendTitle: string;
  readonly regimes: Readonly<Record<Regime, string>>;
  readonly shade: Readonly<Record<Regime, string>>;
  /** After the boundary's formula: "(analytic boundary)". */
  readonly boundary: string;
  readonly titles?: TitleWords;
  /** The legend of a map coloured by trainability score. */
  readonly trainability?: TrainabilityWords;
}

export interface TrainabilityWords {
  readonly title: string;
  readonly trainable: string;
  readonly notTrainable: string;
  /** What the score is and how it is coloured. */
  readonly explain: string;
  /** Before the score edges' dimension. */
  readonly dimension: string;
}

const ENGLISH: FigureWords = {
  legendTitle: 'regime',
  regimes: Object.fromEntries(REGIMES.map((r) => [r, r])) as Record<Regime, string>,
  shade: SHADE_MEANING,
  boundary: '(analytic boundary)',
};

/** The network's regimes are judged by its loss, and named for it. */
const ENGLISH_BY_LOSS: FigureWords = {
  ...ENGLISH,
  regimes: LOSS_REGIME_NAMES,
  shade: { ...SHADE_MEANING, converged: 'uniform', converging: 'darker = gradient shrinking faster' },
};

const ENGLISH_TRAINABILITY: TrainabilityWords = {
  title: 'trainability (Sohl-Dickstein 2024)',
  trainable: 'trainable',
  notTrainable: 'not trainable',
  explain: 'trainable: the last 20 losses average below the first. Score −Σv if trainable, Σ1/v if not (v = loss / first loss); colour = rank of the score on its side, darkest next to the boundary.',
  dimension: 'score-edge dimension',
};

export interface FigureOptions {
  /** Where it ran: "gpu engine: …", at the foot of the legend. */
  readonly engine: string;
  readonly counts: RegimeCounts;
  /** Draw the analytic boundary where theory has one (default true). */
  readonly theory?: boolean;
  readonly words?: FigureWords;
  /** What the raster's colours show (default: the regime). */
  readonly color?: MapColor;
  /** With color 'trainability': the share trainable, and the score edges' dimension. */
  readonly trainability?: TrainabilityTotals;
  /** A short caption at the top right, beside the title: a zoom frame's magnification. */
  readonly caption?: string;
}

/** Draws everything but the raster, which the caller has put in the plot area. */
export function drawMapFigure(ctx: Figure2D, spec: Spec, raster: MapRaster, geometry: MapGeometry, options: FigureOptions): void {
  const { width: w, height: h } = raster;
  const words = options.words ?? (judgedByLoss(spec) ? ENGLISH_BY_LOSS : ENGLISH);
  // Everything else is drawn in UI units, so text stays legible on a big map.
  const { ui } = geometry;
  ctx.save();
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
  let titleWidth = maxWidth;
  if (options.caption) {
    const caption = fit(ctx, options.caption, 14, maxWidth / 2);
    text(ctx, caption, left + maxWidth, 22, 14, '#111111', 'right');
    titleWidth = maxWidth - ctx.measureText(caption).width - 16;
  }
  text(ctx, fit(ctx, runTitle(spec), 14, titleWidth), left, 22, 14, '#111111');
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
  text(ctx, axisTitle(raster.xAxis, words.titles), left + plotW / 2, top + plotH + 44, 13, '#111111', 'center');
  // y axis
  if (raster.yAxis) {
    const ticks = axisTicks(raster.yAxis).map((tick) => ({ y: yOf((tick.position * h) / ny), label: tick.label }));
    verticalAxis(ctx, ticks, axisTitle(raster.yAxis, words.titles), left, top, plotH);
  }

  // Legend: colour, regime, count, share; and what the shade means.
  const total = REGIMES.reduce((s, r) => s + options.counts[r], 0);
  let y = top + 6;
  const lx = left + plotW + 20;
  if (options.color === 'trainability') {
    y = trainabilityLegend(ctx, lx, y, width - lx - 12, words.trainability ?? ENGLISH_TRAINABILITY, options.trainability);
  } else {
    text(ctx, words.legendTitle, lx, y + 8, 12, '#111111');
    y += 22;
  }
  for (const regime of options.color === 'trainability' ? [] : REGIMES) {
    for (let i = 0; i < 24; i++) {
      const [r, g, b] = regimeRgb(regime, i / 23);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect(lx + i, y - 10, 1, 14);
    }
    const count = options.counts[regime];
    const share = total ? ((100 * count) / total).toFixed(1) : '0.0';
    text(ctx, `${words.regimes[regime]}  ${count} (${share}%)`, lx + 32, y + 2, 12, '#111111');
    text(ctx, words.shade[regime], lx + 32, y + 16, 10, '#666666');
    y += 36;
  }
  if (analytic) {
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#000000';
    line(ctx, lx, y - 2, lx + 24, y - 2);
    ctx.setLineDash([]);
    // A long formula (theory's escape condition under decay) wraps in the column rather than leaving the image.
    const lines = wrap(ctx, `${boundary!.formula} ${words.boundary}`, 11, width - lx - 32 - 8);
    lines.forEach((part, i) => text(ctx, part, lx + 32, y + 2 + 13 * i, 11, '#111111'));
    y += 24 + 13 * (lines.length - 1);
  }
  // Where it ran, wrapped into the legend's column.
  for (const [i, part] of wrap(ctx, options.engine, 10, width - lx - 12).entries()) {
    text(ctx, part, lx, Math.max(y + 8, top + plotH - 24) + 13 * i, 10, '#666666');
  }
  ctx.restore();
}

/**
 * The trainability legend: the colour bar from the most trainable ranks (top)
 * to the least (bottom), the share on each side, what the score is, and the
 * score edges' dimension; returns where the next entry starts.
 */
function trainabilityLegend(ctx: Figure2D, lx: number, y: number, maxWidth: number, words: TrainabilityWords, totals: TrainabilityTotals | undefined): number {
  for (const [i, part] of wrap(ctx, words.title, 12, maxWidth).entries()) text(ctx, part, lx, y + 8 + 15 * i, 12, '#111111');
  y += 8 + 15 * wrap(ctx, words.title, 12, maxWidth).length;
  const barHeight = 120;
  for (let i = 0; i < barHeight; i++) {
    const [r, g, b] = spectralColor(1 - (2 * (i + 0.5)) / barHeight);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect(lx, y + i, 24, 1);
  }
  const share = (n: number) => (totals && totals.total ? ` ${n} (${((100 * n) / totals.total).toFixed(1)}%)` : '');
  text(ctx, `${words.trainable}${share(totals?.trainable ?? 0)}`, lx + 32, y + 10, 12, '#111111');
  text(ctx, `${words.notTrainable}${share((totals?.total ?? 0) - (totals?.trainable ?? 0))}`, lx + 32, y + barHeight - 2, 12, '#111111');
  y += barHeight + 16;
  for (const part of wrap(ctx, words.explain, 10, maxWidth)) {
    text(ctx, part, lx, y, 10, '#555555');
    y += 13;
  }
  const dimension = totals?.edges?.dimension;
  if (totals?.edges) {
    text(ctx, `${words.dimension} ${dimension === null || dimension === undefined ? '—' : dimension.toFixed(2)}`, lx, y + 4, 11, '#111111');
    y += 18;
  }
  return y + 10;
}

/** The text, cut with an ellipsis to fit the width at this size. */
export function fit(ctx: Figure2D, s: string, size: number, maxWidth: number): string {
  ctx.font = `${size}px ${FONT}`;
  if (ctx.measureText(s).width <= maxWidth) return s;
  let cut = s.length;
  while (cut > 0 && ctx.measureText(`${s.slice(0, cut)}…`).width > maxWidth) cut--;
  return `${s.slice(0, cut)}…`;
}

/** Splits text on spaces into lines no wider than maxWidth at this size. */
export function wrap(ctx: Figure2D, s: string, size: number, maxWidth: number): string[] {
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

export function text(ctx: Figure2D, s: string, x: number, y: number, size: number, color: string, align: CanvasTextAlign = 'left'): void {
  ctx.font = `${size}px ${FONT}`;
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.fillText(s, x, y);
}

/** Ticks (those inside the plot) and the rotated title of a y axis along the plot's left edge. */
export function verticalAxis(ctx: Figure2D, ticks: ReadonlyArray<{ y: number; label: string }>, title: string, left: number, top: number, plotH: number): void {
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

export function line(ctx: Figure2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}
