/**
 * The stability map: a raster of regimes drawn inside uPlot's plot area, so
 * the axes, ticks and labels are uPlot's own. A coarse pass is drawn first,
 * then the full resolution streams in chunk by chunk. Dragging a rectangle
 * zooms (recomputing the region), clicking picks a trajectory, hovering reads
 * a point. The keyboard does the same with a cursor that moves from cell to
 * cell: arrows move it, Enter picks, + and − zoom around it.
 */
import uPlot from 'uplot';
import {
  analyticBoundary,
  boundaryDimension,
  type AnalyticBoundary,
  axisTitle,
  axisTitles,
  CsvWriter,
  formatFloat32,
  formatNumber,
  gridCoords,
  JsonWriter,
  MapBuilder,
  parseSpec,
  rasterRgba,
  REGIMES,
  scoreDimension,
  scoreRgba,
  StringSink,
  sweep,
  emptyCounts,
  addCounts,
  drawMapFigure,
  figureGeometry,
  FONT,
  type Axis,
  type ChunkResult,
  type MapRaster,
  type RegimeCounts,
  type Spec,
  type SpecInput,
  type BoxCountSlopes,
} from '../src/core';
import type { PageEngine } from './engines';
import { axisRange, axisTicks, linearLabelChars, nearestIndex, rangeEdges, rangeWithEdges, withAxes, zoomEdges, type AxisRange } from './axes';
import { fittingTitle } from './chart-text';
import { nearestOtherRegime } from './picking';
import type { Strings } from './i18n';
import { legendHtml, legendRows, regimeWords, scoreLegendHtml } from './map-legend';
import { COLOR_CHOICES, type ColorChoice } from './state';
import dejavu from '@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff2?url';

let figureFont: Promise<unknown> | undefined;

/** The figure's font, DejaVu Sans as the command line's PNG has it, loaded once. */
function loadFigureFont(): Promise<unknown> {
  figureFont ??= new FontFace(FONT, `url(${dejavu})`).load().then((face) => document.fonts.add(face));
  return figureFont;
}

export interface MapCallbacks {
  /** The user dragged a rectangle: show this spec instead. */
  zoom(input: SpecInput): void;
  /** The user clicked a grid point. */
  pick(coords: [number, number]): void;
  /** The user showed or hid theory's boundary. */
  theory(shown: boolean): void;
  /** The user chose what the colours show. */
  color(choice: ColorChoice): void;
  /** The view the zooms started from (what Reset returns to): the keyboard's zoom out stays within it. */
  home(): SpecInput;
}

export interface Cell {
  readonly coords: [number, number];
  readonly index: number;
  readonly regime: number;
  readonly chunk: ChunkResult;
  readonly offset: number;
}

export class MapView {
  private plot: uPlot | undefined;
  private image: HTMLCanvasElement = document.createElement('canvas');
  private spec: Spec | undefined;
  private raster: MapRaster | undefined;
  private chunks: ChunkResult[] = [];
  private regimes: Uint8Array | undefined;
  /** Milliseconds the finished map took, for its status line. */
  private finished: number | undefined;
  private counts: RegimeCounts = emptyCounts();
  private controller: AbortController | undefined;
  private pending = false;
  private picked: [number, number] | undefined;
  private neighbour: [number, number] | undefined;
  /**
   * While the full resolution computes: the coarse pass's image, drawn under
   * the part computed so far, and its counts, which the legend shows (marked
   * as a preview) rather than the counts of a part of the map.
   */
  private preview: { image: HTMLCanvasElement; counts: RegimeCounts; grid: string } | undefined;
  /** The keyboard's cursor: the axis values of its cell (values, so that a zoom keeps it in place). */
  private cursor: { x: number; y: number } | undefined;
  /** Whether the keyboard's cursor is drawn: from a key (or focus by the keyboard) until the mouse moves or the map loses focus. */
  private cursorShown = false;

  /** What the colours show. */
  private color: ColorChoice = 'regime';
  /**
   * The trainability scores of the pass drawing, in grid order (NaN until a
   * run arrives), and its tally: the trainability colouring ranks them all.
   */
  private scores: { values: Float32Array; arrived: Uint8Array; nx: number; ny: number } | undefined;
  private tally = { trainable: 0, arrived: 0, nan: 0 };
  /** The paper's dimension of the finished map's score edges (null: see its reason). */
  private scoreFit: BoxCountSlopes | undefined;

  constructor(
    readonly element: HTMLElement,
    private readonly parts: {
      progress: HTMLProgressElement;
      status: HTMLElement;
      legend: HTMLElement;
      hover: HTMLElement;
      /** The map's text alternative: what it shows, the count of each regime, and its keys. */
      summary: HTMLElement;
    },
    private strings: Strings,
    private readonly callbacks: MapCallbacks,
  ) {
    new ResizeObserver(() => this.resize()).observe(element);
    // A widget of its own for assistive technology, so that its arrow keys reach it.
    element.tabIndex = 0;
    element.setAttribute('role', 'application');
    element.setAttribute('aria-describedby', parts.summary.id);
    element.addEventListener('keydown', (e) => this.onKey(e));
    // Focus by the keyboard shows the cursor; focus by a click leaves the mouse's crosshair where it is.
    element.addEventListener('focus', () => {
      if (element.matches(':focus-visible')) this.moveCursor(0, 0);
    });
    element.addEventListener('blur', () => this.hideCursor());
  }

  setStrings(strings: Strings): void {
    this.strings = strings;
    this.renderLegend();
    this.parts.hover.textContent = strings.hoverNone;
    if (!this.spec) return;
    // The axis titles are the plot's: a new plot in the new words, drawn from what was computed.
    this.createPlot(this.spec);
    this.drawNow();
    if (this.cursorShown) this.moveCursor(0, 0);
    if (this.element.dataset.state === 'done' && this.finished) this.parts.status.textContent = this.doneText(this.spec, this.finished);
  }

  /** "done · 3674 ms · boundary dimension 1.13 · score-edge dimension 1.41 (…)", in the page's words. */
  private doneText(spec: Spec, ms: number): string {
    return `${this.strings.done} · ${ms.toFixed(0)} ms${this.boundaryText(spec)}${this.scoreEdgeText()}`;
  }

  /** The paper's dimension where the runs have scores: "—" with the reason in the status line's tooltip when there is none. */
  private scoreEdgeText(): string {
    const fit = this.scoreFit;
    const status = this.parts.status;
    if (!fit) {
      status.removeAttribute('title');
      delete this.element.dataset.scoreEdgeDimension;
      return '';
    }
    const s = this.strings;
    this.element.dataset.scoreEdgeDimension = fit.dimension === null ? 'none' : String(fit.dimension);
    if (fit.dimension === null) status.title = `${s.scoreEdgeDimension}: ${s.scoreEdgeNone} (${fit.reason ?? ''})`;
    else status.removeAttribute('title');
    return ` · ${s.scoreEdgeDimension} ${fit.dimension === null ? '—' : fit.dimension.toFixed(2)} ${s.scoreEdgeAsPaper}`;
  }

  /** The paper's dimension of the finished map's score edges, if its runs have scores. */
  private fitScoreEdges(): BoxCountSlopes | undefined {
    const scores = this.scores;
    return scores && scoreDimension(scores.values, scores.nx, scores.ny);
  }

  /** Colours the map by regime or by trainability score (repainting what was computed). */
  setColor(color: ColorChoice): void {
    if (color === this.color) return;
    this.color = color;
    this.element.dataset.color = color;
    this.drawNow();
  }

  private size(): { width: number; height: number } {
    const width = Math.max(320, Math.floor(this.element.clientWidth));
    return { width, height: Math.max(320, Math.min(width, Math.floor(window.innerHeight * 0.72))) };
  }

  private resize(): void {
    if (this.plot) this.plot.setSize(this.size());
  }

  /** Computes and draws a spec: coarse pass, then full resolution. Cancels whatever was running. */
  async show(spec: Spec, page: PageEngine, picked?: [number, number]): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.spec = spec;
    this.boundary = analyticBoundary(spec);
    this.picked = picked;
    this.neighbour = undefined;
    this.preview = undefined;
    // The last map is not drawn on the new axes: the plot stays empty until the first chunk lands.
    this.raster = undefined;
    this.scores = undefined;
    this.scoreFit = undefined;
    this.tally = { trainable: 0, arrived: 0, nan: 0 };
    this.element.dataset.color = this.color;
    this.element.dataset.state = 'computing';
    this.element.dataset.engine = page.kind;
    this.element.dataset.grid = `${spec.axes[0]!.values.length}x${spec.axes[1]!.values.length}`;
    this.createPlot(spec);
    // The new spec's legend (its theory line, its regime names) from the start, not the last map's.
    this.renderLegend();
    // A zoom by the keyboard keeps its cursor, on the new grid's cell nearest to it.
    if (this.cursorShown) this.moveCursor(0, 0);
    this.element.dataset.precision = spec.base.precision;

    const x = axisRange(spec.axes[0]!);
    const y = axisRange(spec.axes[1]!);
    const started = performance.now();
    try {
      const coarseCount = (r: AxisRange) => Math.max(8, Math.ceil(r.count / 4));
      if (x.count > 32 || y.count > 32) {
        const coarse = parseSpec(
          withAxes(spec.input, spec, rangeWithEdges(rangeEdges(x), coarseCount(x), x.log), rangeWithEdges(rangeEdges(y), coarseCount(y), y.log)),
        );
        await this.pass(coarse, page, controller.signal, this.strings.coarse, false);
        this.element.dataset.coarseMs = String(Math.round(performance.now() - started));
        if (controller.signal.aborted) return;
        const image = document.createElement('canvas');
        image.width = this.image.width;
        image.height = this.image.height;
        image.getContext('2d')!.drawImage(this.image, 0, 0);
        this.preview = { image, counts: this.counts, grid: `${coarse.axes[0]!.values.length} × ${coarse.axes[1]!.values.length}` };
      }
      await this.pass(spec, page, controller.signal, this.strings.fine, true);
      this.element.dataset.ms = String(Math.round(performance.now() - started));
      // For scripts and tests: shader modules compiled so far (a zoom compiles none).
      if (page.engine.created) this.element.dataset.shaderModules = String(page.engine.created.modules);
      if (spec.base.trainability) this.scoreFit = this.fitScoreEdges();
      this.element.dataset.state = 'done';
      this.finished = performance.now() - started;
      this.parts.status.textContent = this.doneText(spec, this.finished);
      this.parts.progress.hidden = true;
    } catch (e) {
      if (controller.signal.aborted) return;
      this.element.dataset.state = 'error';
      this.parts.progress.hidden = true;
      this.parts.status.textContent = `${(e as Error).message}`;
      throw e;
    }
  }

  /** One pass over a grid: stream its chunks into the raster and redraw as they arrive. */
  private async pass(spec: Spec, page: PageEngine, signal: AbortSignal, label: string, final: boolean): Promise<void> {
    const builder = new MapBuilder(spec);
    const counts = emptyCounts();
    const chunks: ChunkResult[] = [];
    const [nx, ny] = [spec.axes[0]!.values.length, spec.axes[1]!.values.length];
    const regimes = new Uint8Array(nx * ny);
    const scores = { values: new Float32Array(nx * ny).fill(NaN), arrived: new Uint8Array(nx * ny), nx, ny };
    const tally = { trainable: 0, arrived: 0, nan: 0 };
    this.parts.progress.hidden = false;
    this.parts.progress.value = 0;
    this.parts.status.textContent = `${this.strings.computing} · ${label}`;
    // Which pass is drawing and how many of its chunks have landed, for scripts and tests.
    this.element.dataset.pass = final ? 'full' : 'coarse';
    this.element.dataset.chunks = '0';
    for await (const chunk of sweep(spec, page.engine, {
      signal,
      chunkSize: page.kind === 'gpu' ? 65536 : 4096,
      onProgress: (p) => {
        if (signal.aborted) return;
        this.parts.progress.value = p.done / p.total;
        this.parts.status.textContent = `${this.strings.computing} · ${label} · ${Math.round((100 * p.done) / p.total)}%`;
      },
    })) {
      if (signal.aborted) return;
      builder.add(chunk);
      addCounts(counts, chunk);
      regimes.set(chunk.regime, chunk.start);
      if (chunk.score && chunk.trainable) {
        scores.values.set(chunk.score, chunk.start);
        scores.arrived.fill(1, chunk.start, chunk.start + chunk.count);
        tally.arrived += chunk.count;
        for (let i = 0; i < chunk.count; i++) {
          tally.trainable += chunk.trainable[i]!;
          if (Number.isNaN(chunk.score[i]!)) tally.nan++;
        }
      }
      chunks.push(chunk);
      this.element.dataset.chunks = String(chunks.length);
      this.raster = builder.raster();
      this.scores = chunk.score ? scores : undefined;
      // Under a preview the legend keeps the preview's counts: these describe only a part of the map.
      if (!this.preview) {
        this.counts = counts;
        this.tally = tally;
      }
      this.requestDraw();
    }
    if (signal.aborted) return;
    if (final) {
      this.chunks = chunks;
      this.regimes = regimes;
      this.preview = undefined;
      if (this.picked) this.neighbour = this.nearestOtherRegime(this.picked);
    }
    this.raster = builder.raster();
    this.counts = counts;
    this.tally = tally;
    this.renderLegend();
    this.drawNow();
  }

  /** " · boundary dimension 1.02" for the finished map, or nothing where the fit has no dimension. */
  private boundaryText(spec: Spec): string {
    if (!this.regimes) return '';
    const fit = boundaryDimension(this.regimes, spec.axes[0]!.values.length, spec.axes[1]!.values.length);
    if (fit.dimension === null) {
      delete this.element.dataset.boundaryDimension;
      return '';
    }
    this.element.dataset.boundaryDimension = String(fit.dimension);
    return ` · ${this.strings.boundaryDimension} ${fit.dimension.toFixed(2)}`;
  }

  private requestDraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => this.drawNow());
  }

  private drawNow(): void {
    this.pending = false;
    if (!this.raster) return;
    const scores = this.color === 'trainability' ? this.scores : undefined;
    const { width, height } = scores ? { width: scores.nx, height: scores.ny } : this.raster;
    if (this.image.width !== width || this.image.height !== height) {
      this.image.width = width;
      this.image.height = height;
    }
    const ctx = this.image.getContext('2d')!;
    const data = ctx.createImageData(width, height);
    data.data.set(scores ? scorePixels(scores) : rasterRgba(this.raster));
    ctx.putImageData(data, 0, 0);
    this.plot?.redraw(false, false);
    this.renderLegend();
  }

  private createPlot(spec: Spec): void {
    this.plot?.destroy();
    const [xAxis, yAxis] = spec.axes as [Axis, Axis];
    const xr = axisRange(xAxis);
    const yr = axisRange(yAxis);
    const xEdges = rangeEdges(xr);
    const yEdges = rangeEdges(yr);
    const boundary = this.boundary;
    const xTitle = axisTitle(xAxis, this.strings.titles);
    const yTitle = axisTitle(yAxis, this.strings.titles);
    // The axis titles are drawn on the canvas: here they are for scripts and
    // tests, whole and as drawn (shorter where the plot is too narrow for them).
    Object.assign(this.element.dataset, { xTitle, yTitle });
    const drawn = (key: 'xTitleDrawn' | 'yTitleDrawn') => (title: string) => {
      this.element.dataset[key] = title;
    };
    // The click that ends a drag-zoom is swallowed, by this plot only: the zoom
    // replaces the plot, and the new one must take the very next click.
    let suppressClick = false;
    const opts: uPlot.Options = {
      ...this.size(),
      padding: [12, 16, 0, 0],
      scales: {
        x: { time: false, distr: xr.log ? 3 : 1, auto: false, range: () => xEdges },
        y: { distr: yr.log ? 3 : 1, auto: false, range: () => yEdges },
      },
      axes: [
        {
          label: fittingTitle(axisTitles(xAxis, this.strings.titles), drawn('xTitleDrawn')),
          labelSize: 28,
          stroke: '#222',
          grid: { show: false },
          ticks: { stroke: '#444' },
          ...axisTicks(xr.log),
          // Room between ticks for their labels, which a deep zoom makes long.
          ...(xr.log ? {} : { space: (_u: uPlot, _i: number, min: number, max: number) => Math.max(50, 7.5 * linearLabelChars(min, max) + 16) }),
        },
        {
          label: fittingTitle(axisTitles(yAxis, this.strings.titles), drawn('yTitleDrawn')),
          labelSize: 32,
          stroke: '#222',
          grid: { show: false },
          ticks: { stroke: '#444' },
          // Wide enough for the longest tick label, so the axis title never overlaps them.
          size: (_u: uPlot, values: string[] | null) => Math.max(60, Math.ceil(7.5 * Math.max(0, ...(values ?? []).map((v) => (v ?? '').length))) + 18),
          ...axisTicks(yr.log),
        },
      ],
      series: [{}, { label: 'map', stroke: 'transparent', points: { show: false } }],
      legend: { show: false },
      cursor: {
        drag: { x: true, y: true, uni: 12, setScale: false },
        points: { show: false },
      },
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const left = u.valToPos(xEdges[0], 'x', true);
            const right = u.valToPos(xEdges[1], 'x', true);
            const top = u.valToPos(yEdges[1], 'y', true);
            const bottom = u.valToPos(yEdges[0], 'y', true);
            ctx.save();
            ctx.beginPath();
            ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
            ctx.clip();
            ctx.imageSmoothingEnabled = false;
            if (this.preview) ctx.drawImage(this.preview.image, left, top, right - left, bottom - top);
            if (this.raster) ctx.drawImage(this.image, left, top, right - left, bottom - top);
            if (boundary && this.showTheory) {
              ctx.setLineDash([8 * devicePixelRatio, 5 * devicePixelRatio]);
              ctx.lineWidth = 2 * devicePixelRatio;
              ctx.strokeStyle = '#000';
              ctx.beginPath();
              boundary.points.forEach(([bx, by], i) => {
                const px = u.valToPos(bx, 'x', true);
                const py = u.valToPos(by, 'y', true);
                if (i === 0) ctx.moveTo(px, py);
                else ctx.lineTo(px, py);
              });
              ctx.stroke();
            }
            for (const [coords, color] of [
              [this.picked, '#000'],
              [this.neighbour, '#fff'],
            ] as const) {
              if (!coords) continue;
              const cx = u.valToPos((xAxis.values as number[])[coords[0]]!, 'x', true);
              const cy = u.valToPos((yAxis.values as number[])[coords[1]]!, 'y', true);
              ctx.setLineDash([]);
              ctx.lineWidth = 2 * devicePixelRatio;
              ctx.strokeStyle = color;
              ctx.beginPath();
              ctx.arc(cx, cy, 6 * devicePixelRatio, 0, 2 * Math.PI);
              ctx.stroke();
            }
            const cell = this.cursorShown ? this.cursorCell() : undefined;
            if (cell) {
              // The keyboard's cell, outlined in white and black to show on every colour; at least 10 px across.
              const w = (right - left) / xAxis.values.length;
              const h = (bottom - top) / yAxis.values.length;
              const halfW = Math.max(w, 10 * devicePixelRatio) / 2;
              const halfH = Math.max(h, 10 * devicePixelRatio) / 2;
              const cx = left + (cell[0] + 0.5) * w;
              const cy = bottom - (cell[1] + 0.5) * h;
              ctx.setLineDash([]);
              for (const [width, color] of [
                [4, '#fff'],
                [2, '#000'],
              ] as const) {
                ctx.lineWidth = width * devicePixelRatio;
                ctx.strokeStyle = color;
                ctx.strokeRect(cx - halfW, cy - halfH, 2 * halfW, 2 * halfH);
              }
            }
            ctx.restore();
          },
        ],
        setCursor: [(u) => this.hover(u)],
        setSelect: [
          (u) => {
            const s = u.select;
            if (s.width < 4 || s.height < 4) return;
            const x0 = u.posToVal(s.left, 'x');
            const x1 = u.posToVal(s.left + s.width, 'x');
            const y0 = u.posToVal(s.top + s.height, 'y');
            const y1 = u.posToVal(s.top, 'y');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            suppressClick = true;
            this.callbacks.zoom(withAxes(spec.input, spec, rangeWithEdges([x0, x1], xr.count, xr.log), rangeWithEdges([y0, y1], yr.count, yr.log)));
          },
        ],
      },
    };
    this.element.replaceChildren();
    const plot = new uPlot(opts, [[xEdges[0], xEdges[1]], [null, null]], this.element);
    this.plot = plot;
    plot.over.addEventListener('click', () => {
      if (suppressClick) {
        suppressClick = false;
        return;
      }
      const cell = this.cellAtCursor(plot);
      if (cell) this.callbacks.pick(cell);
    });
    plot.over.addEventListener('mousemove', () => {
      if (!this.cursorShown) return;
      this.cursorShown = false;
      plot.redraw(false, false);
    });
    this.describe();
    // Where the plot area is, for scripts and tests (CSS pixels, relative to the canvas).
    const b = plot.bbox;
    Object.assign(this.element.dataset, {
      plotLeft: String(b.left / devicePixelRatio),
      plotTop: String(b.top / devicePixelRatio),
      plotWidth: String(b.width / devicePixelRatio),
      plotHeight: String(b.height / devicePixelRatio),
    });
  }

  /** Theory's boundary for the spec shown, computed once per spec (under decay it takes a bisection per row). */
  private boundary: AnalyticBoundary | undefined;
  /** Whether the analytic boundary is drawn (the legend's checkbox). */
  private showTheory = true;

  /** Grid coordinates under the cursor. */
  private cellAtCursor(u: uPlot): [number, number] | undefined {
    const { left, top } = u.cursor;
    if (left === undefined || top === undefined || left < 0 || top < 0 || !this.spec) return undefined;
    return this.cellAt(u.posToVal(left, 'x'), u.posToVal(top, 'y'));
  }

  /** Grid coordinates of the cell holding a point given in axis values. */
  cellAt(xValue: number, yValue: number): [number, number] | undefined {
    if (!this.spec) return undefined;
    const i = nearestIndex(axisRange(this.spec.axes[0]!), xValue);
    const j = nearestIndex(axisRange(this.spec.axes[1]!), yValue);
    return i === undefined || j === undefined ? undefined : [i, j];
  }

  /** The finished pass's result at grid coordinates. */
  cell(coords: [number, number]): Cell | undefined {
    if (!this.spec || !this.regimes) return undefined;
    const index = coords[1] * this.spec.axes[0]!.values.length + coords[0];
    const chunk = this.chunks.find((c) => index >= c.start && index < c.start + c.count);
    if (!chunk) return undefined;
    return { coords, index, regime: this.regimes[index]!, chunk, offset: index - chunk.start };
  }

  /** The nearest grid point whose regime differs from this one's (by distance in grid steps). */
  nearestOtherRegime(coords: [number, number]): [number, number] | undefined {
    if (!this.spec || !this.regimes) return undefined;
    return nearestOtherRegime(this.regimes, this.spec.axes[0]!.values.length, this.spec.axes[1]!.values.length, coords);
  }

  setPicked(picked: [number, number] | undefined, neighbour: [number, number] | undefined): void {
    this.picked = picked;
    this.neighbour = neighbour;
    this.plot?.redraw(false, false);
  }

  private hover(u: uPlot): void {
    const coords = this.cellAtCursor(u);
    if (!coords || !this.spec) {
      this.parts.hover.textContent = this.strings.hoverNone;
      return;
    }
    const [xAxis, yAxis] = this.spec.axes as [Axis, Axis];
    const x = (xAxis.values as number[])[coords[0]]!;
    const y = (yAxis.values as number[])[coords[1]]!;
    // With the digits the engine computed with: a deep zoom's values differ only in their last digits.
    const p = this.spec.base.precision;
    const parts = [`${xAxis.name} = ${formatNumber(x, p)}`, `${yAxis.name} = ${formatNumber(y, p)}`];
    const cell = this.cell(coords);
    if (cell) {
      const regime = REGIMES[cell.regime]!;
      parts.push(regimeWords(this.spec, this.strings).regimes[regime]);
      const step = cell.chunk.regimeStep[cell.offset]!;
      if (regime === 'converged' && step >= 0) parts.push(`${this.strings.convergedAt} ${step}`);
      if (regime === 'diverged' && step >= 0) parts.push(`${this.strings.escapedAt} ${step}`);
      const rate = cell.chunk.rate[cell.offset]!;
      if (Number.isFinite(rate) && regime !== 'converged') parts.push(`${this.strings.rate} ${rate.toPrecision(4)}`);
      parts.push(`${this.strings.loss} ${formatFloat32(cell.chunk.finalLoss[cell.offset]!)}`);
      const { score, trainable } = cell.chunk;
      if (score && trainable) {
        parts.push(`${trainable[cell.offset] ? this.strings.trainable : this.strings.notTrainable} (${this.strings.scoreLabel} ${formatNumber(score[cell.offset]!)})`);
      }
    }
    this.parts.hover.textContent = parts.join(' · ');
  }

  /** Shows or hides theory's boundary. */
  setTheory(shown: boolean): void {
    this.showTheory = shown;
    this.element.dataset.theory = shown ? 'on' : 'off';
    const box = this.parts.legend.querySelector<HTMLInputElement>('input[name="theory"]');
    if (box) box.checked = shown;
    this.plot?.redraw(false, false);
    this.describe();
  }

  /** The map's name and its summary: the axes, the count of each regime, theory's line if drawn, and the keys. */
  private describe(): void {
    const spec = this.spec;
    if (!spec) return;
    const s = this.strings;
    const [xAxis, yAxis] = spec.axes as [Axis, Axis];
    this.element.setAttribute('aria-label', s.mapLabel.replace('{y}', axisTitle(yAxis, s.titles)).replace('{x}', axisTitle(xAxis, s.titles)));
    const counts = legendRows(this.counts, regimeWords(spec, s))
      .map((row) => `${row.name} ${row.count} (${row.share}%)`)
      .join(', ');
    const grid = s.mapSummary.replace('{nx}', String(xAxis.values.length)).replace('{ny}', String(yAxis.values.length));
    const boundary = this.boundary && this.showTheory ? ` ${s.mapBoundaryDrawn.replace('{formula}', this.boundary.formula)}` : '';
    this.parts.summary.textContent = `${grid} ${counts}.${boundary} ${s.mapKeys}`;
  }

  private onKey(event: KeyboardEvent): void {
    if (event.altKey || event.ctrlKey || event.metaKey || !this.spec) return;
    const [nx, ny] = this.spec.axes.map((a) => a.values.length) as [number, number];
    // Shift: a tenth of the map at a time.
    const stride = (n: number) => (event.shiftKey ? Math.max(2, Math.round(n / 10)) : 1);
    switch (event.key) {
      case 'ArrowLeft':
        this.moveCursor(-stride(nx), 0);
        break;
      case 'ArrowRight':
        this.moveCursor(stride(nx), 0);
        break;
      case 'ArrowUp':
        this.moveCursor(0, stride(ny));
        break;
      case 'ArrowDown':
        this.moveCursor(0, -stride(ny));
        break;
      case 'Enter': {
        if (!this.cursorShown) this.moveCursor(0, 0);
        const cell = this.cursorCell();
        if (cell) this.callbacks.pick(cell);
        break;
      }
      case '+':
      case '=':
        this.zoomAroundCursor(0.5);
        break;
      case '-':
      case '_':
      case '−':
        this.zoomAroundCursor(2);
        break;
      default:
        return;
    }
    event.preventDefault();
  }

  /** The grid cell of the keyboard's cursor. */
  private cursorCell(): [number, number] | undefined {
    return this.cursor && this.cellAt(this.cursor.x, this.cursor.y);
  }

  /**
   * Moves the keyboard's cursor by whole cells (from where it was, else from
   * the mouse's cell, the picked one or the middle) and shows it: the cell
   * outlined, uPlot's crosshair on it, and the hover line reading it.
   */
  private moveCursor(dx: number, dy: number): void {
    const spec = this.spec;
    const plot = this.plot;
    if (!spec || !plot) return;
    const [xs, ys] = spec.axes.map((a) => a.values as number[]) as [number[], number[]];
    const from = this.cursorCell() ?? this.cellAtCursor(plot) ?? this.picked ?? [xs.length >> 1, ys.length >> 1];
    const i = Math.min(Math.max(from[0] + dx, 0), xs.length - 1);
    const j = Math.min(Math.max(from[1] + dy, 0), ys.length - 1);
    this.cursor = { x: xs[i]!, y: ys[j]! };
    this.cursorShown = true;
    plot.setCursor({ left: plot.valToPos(xs[i]!, 'x'), top: plot.valToPos(ys[j]!, 'y') });
    plot.redraw(false, false);
  }

  private hideCursor(): void {
    if (!this.cursorShown) return;
    this.cursorShown = false;
    this.plot?.setCursor({ left: -10, top: -10 });
    this.plot?.redraw(false, false);
  }

  /**
   * Zooms in (factor ½) or out (factor 2) around the keyboard's cursor, as a
   * dragged rectangle does; out no further than the view the zooms started from.
   */
  private zoomAroundCursor(factor: number): void {
    const spec = this.spec;
    if (!spec) return;
    if (!this.cursorShown) this.moveCursor(0, 0);
    const cursor = this.cursor;
    if (!cursor) return;
    const [xAxis, yAxis] = spec.axes as [Axis, Axis];
    const [xr, yr] = [axisRange(xAxis), axisRange(yAxis)];
    let bounds = [rangeEdges(xr), rangeEdges(yr)] as const;
    if (factor > 1) {
      const [hx, hy] = parseSpec(this.callbacks.home()).axes;
      if (hx?.key !== xAxis.key || hy?.key !== yAxis.key) return;
      bounds = [rangeEdges(axisRange(hx)), rangeEdges(axisRange(hy))];
    }
    const x = zoomEdges(rangeEdges(xr), cursor.x, factor, xr.log, bounds[0]);
    const y = zoomEdges(rangeEdges(yr), cursor.y, factor, yr.log, bounds[1]);
    const same = (a: readonly number[], b: readonly number[]) => a.every((v, k) => Math.abs(v - b[k]!) <= 1e-12 * Math.abs(b[k]!));
    if (same(x, rangeEdges(xr)) && same(y, rangeEdges(yr))) return; // already the whole view
    this.callbacks.zoom(withAxes(spec.input, spec, rangeWithEdges(x, xr.count, xr.log), rangeWithEdges(y, yr.count, yr.log)));
  }

  private renderLegend(): void {
    this.element.dataset.preview = this.preview ? 'on' : 'off';
    const s = this.strings;
    const trainability = this.color === 'trainability';
    const choice = `<label class="color-choice">${s.colorBy} <select name="color">${COLOR_CHOICES.map(
      (c) => `<option value="${c}"${c === this.color ? ' selected' : ''}>${c === 'regime' ? s.colorRegime : s.colorTrainability}</option>`,
    ).join('')}</select></label>`;
    const rows = trainability ? [] : legendHtml(legendRows(this.counts, regimeWords(this.spec, s)));
    const boundary = this.boundary;
    if (boundary) {
      rows.push(
        `<li><label class="theory-toggle" title="${this.strings.theoryToggle}"><input type="checkbox" name="theory"${this.showTheory ? ' checked' : ''}><span class="swatch boundary"></span><span class="name">${boundary.kind === 'escape' ? this.strings.escapeFormula : boundary.formula} ${this.strings.boundary}</span></label></li>`,
      );
    }
    const preview = this.preview ? `<p class="legend-preview">${this.strings.preview.replace('{grid}', this.preview.grid)}</p>` : '';
    const bar = trainability ? scoreLegendHtml(s, this.tally) : '';
    this.parts.legend.innerHTML = `${choice}${preview}${bar}<ul>${rows.join('')}</ul>`;
    this.describe();
    this.parts.legend.querySelector<HTMLSelectElement>('select[name="color"]')!.addEventListener('change', (e) => {
      this.callbacks.color((e.target as HTMLSelectElement).value as ColorChoice);
    });
    this.parts.legend.querySelector<HTMLInputElement>('input[name="theory"]')?.addEventListener('change', (e) => {
      this.setTheory((e.target as HTMLInputElement).checked);
      this.callbacks.theory(this.showTheory);
    });
  }

  /**
   * The map as a PNG: the command line's figure (title, command, axes, legend
   * with theory's line if it is shown, where it ran) around the raster and the
   * picked points, at twice the plot's CSS size on every screen.
   */
  async exportPng(engine: string): Promise<Blob> {
    const spec = this.spec!;
    const raster = this.raster!;
    const [nx, ny] = spec.axes.map((a) => a.values.length) as [number, number];
    await loadFigureFont();
    const ui = 2;
    const bbox = this.plot!.bbox;
    const geometry = figureGeometry(Math.round(bbox.width / devicePixelRatio) * ui, Math.round(bbox.height / devicePixelRatio) * ui, ui);
    const canvas = document.createElement('canvas');
    canvas.width = geometry.width;
    canvas.height = geometry.height;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.image, geometry.left, geometry.top, geometry.plotWidth, geometry.plotHeight);
    const s = this.strings;
    drawMapFigure(ctx, spec, raster, geometry, {
      engine,
      counts: this.counts,
      theory: this.showTheory,
      words: {
        legendTitle: s.legendTitle,
        ...regimeWords(spec, s),
        boundary: s.boundary,
        titles: s.titles,
        trainability: { title: s.colorTrainability, trainable: s.trainable, notTrainable: s.notTrainable, explain: s.scoreExplained, dimension: s.scoreEdgeDimension },
      },
      color: this.color,
      trainability: { trainable: this.tally.trainable, total: this.tally.arrived, ...(this.scoreFit ? { edges: this.scoreFit } : {}) },
    });
    for (const [coords, color] of [
      [this.picked, '#000'],
      [this.neighbour, '#fff'],
    ] as const) {
      if (!coords) continue;
      ctx.lineWidth = 2 * ui;
      ctx.strokeStyle = color;
      ctx.beginPath();
      ctx.arc(geometry.left + ((coords[0] + 0.5) / nx) * geometry.plotWidth, geometry.top + geometry.plotHeight - ((coords[1] + 0.5) / ny) * geometry.plotHeight, 6 * ui, 0, 2 * Math.PI);
      ctx.stroke();
    }
    return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob!), 'image/png'));
  }

  /** The grid in the command line's CSV or JSON format. */
  async exportTable(format: 'csv' | 'json', engineName: string): Promise<Blob> {
    const spec = this.spec!;
    const sink = new StringSink();
    const writer = format === 'csv' ? new CsvWriter(sink, spec) : new JsonWriter(sink, spec, { engine: engineName });
    await writer.begin();
    for (const chunk of this.chunks) await writer.chunk(chunk);
    await writer.end(this.counts);
    return new Blob([sink.toString()], { type: format === 'csv' ? 'text/csv' : 'application/json' });
  }

  /** Grid coordinates of a grid index (x fastest). */
  coordsOf(index: number): [number, number] {
    const [x, y] = gridCoords(this.spec!, index) as [number, number];
    return [x, y];
  }

  cancel(): void {
    this.controller?.abort();
  }
}

/**
 * RGBA pixels, top row first, of the scores as the trainability paper colours
 * them (ranked over the runs arrived so far, so a streaming map's colours are
 * provisional until it is complete); runs not yet computed are transparent.
 */
function scorePixels(scores: { values: Float32Array; arrived: Uint8Array; nx: number; ny: number }): Uint8ClampedArray {
  const { values, arrived, nx, ny } = scores;
  const cells = new Uint8ClampedArray(4 * nx * ny);
  scoreRgba(values, cells);
  const rgba = new Uint8ClampedArray(4 * nx * ny);
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const src = y * nx + x;
      if (!arrived[src]) continue;
      rgba.set(cells.subarray(4 * src, 4 * src + 4), 4 * ((ny - 1 - y) * nx + x));
    }
  }
  return rgba;
}
