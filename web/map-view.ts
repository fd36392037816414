/**
 * The stability map: a raster of regimes drawn inside uPlot's plot area, so
 * the axes, ticks and labels are uPlot's own. A coarse pass is drawn first,
 * then the full resolution streams in chunk by chunk. Dragging a rectangle
 * zooms (recomputing the region), clicking picks a trajectory, hovering reads
 * a point.
 */
import uPlot from 'uplot';
import {
  analyticBoundary,
  boundaryDimension,
  type AnalyticBoundary,
  axisTitle,
  classifyChunk,
  CsvWriter,
  f32,
  formatFloat32,
  formatNumber,
  gridCoords,
  JsonWriter,
  MapBuilder,
  parseSpec,
  rasterRgba,
  REGIMES,
  regimeRgb,
  StringSink,
  emptyCounts,
  addCounts,
  type Axis,
  type ChunkResult,
  type MapRaster,
  type RegimeCounts,
  type Spec,
  type SpecInput,
} from '../src/core';
import type { PageEngine } from './engines';
import { POWERS_OF_TEN } from './trajectory-charts';
import type { Strings } from './i18n';

/** Evenly spaced range of an axis, as the spec gave it. */
export interface AxisRange {
  readonly start: number;
  readonly stop: number;
  readonly count: number;
  readonly log: boolean;
}

export function axisRange(axis: Axis): AxisRange {
  const values = axis.values as readonly number[];
  return { start: values[0]!, stop: values[values.length - 1]!, count: values.length, log: axis.scale === 'log' };
}

export function rangeText(r: AxisRange): string {
  const n = (x: number) => String(Number(x.toPrecision(10)));
  return `${n(r.start)}:${n(r.stop)}:${r.count}${r.log ? ':log' : ''}`;
}

/** Outer edges of the cells whose centres are the range's values. */
export function rangeEdges(r: AxisRange): [number, number] {
  if (r.count === 1) return r.log ? [r.start / 1.1, r.start * 1.1] : [r.start - 0.5, r.start + 0.5];
  if (r.log) {
    const half = Math.pow(r.stop / r.start, 0.5 / (r.count - 1));
    return [r.start / half, r.stop * half];
  }
  const half = (r.stop - r.start) / (r.count - 1) / 2;
  return [r.start - half, r.stop + half];
}

/** A range of `count` cells covering the same edges (a coarse pass lines up with the fine one). */
export function rangeWithEdges(edges: [number, number], count: number, log: boolean): AxisRange {
  const [a, b] = edges;
  if (log) {
    const step = Math.pow(b / a, 1 / count);
    return { start: a * Math.sqrt(step), stop: b / Math.sqrt(step), count, log };
  }
  const step = (b - a) / count;
  return { start: a + step / 2, stop: b - step / 2, count, log };
}

/** The spec input with the two map axes replaced. */
export function withAxes(input: SpecInput, spec: Spec, x: AxisRange, y: AxisRange): SpecInput {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    out[key] = key === spec.axes[0]!.key ? rangeText(x) : key === spec.axes[1]!.key ? rangeText(y) : value;
  }
  return out as SpecInput;
}

/** Axes whose neighbouring values collapse to the same float32: the view is past float32's resolution. */
export function unresolvedAxes(spec: Spec): string[] {
  return spec.axes
    .filter((axis) => {
      const values = axis.values as readonly number[];
      for (let i = 1; i < values.length; i++) if (f32(values[i]!) === f32(values[i - 1]!)) return true;
      return false;
    })
    .map((a) => a.name);
}

/** Linear tick labels with as many decimals as the tick spacing needs (uPlot's default stops at three). */
export function linearTickLabels(splits: number[]): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1]! - splits[0]!) : Math.abs(splits[0] ?? 1);
  const decimals = step > 0 ? Math.min(12, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 0;
  return splits.map((v) => {
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(Math.max(0, Math.min(6, decimals - Math.floor(-Math.log10(a)))));
    return (Math.abs(v) < step / 2 ? 0 : v).toFixed(decimals);
  });
}

const linearTicks: Partial<uPlot.Axis> = {
  values: (_u, splits) => linearTickLabels(splits),
};

/**
 * Ticks for a log axis whose ends are not powers of ten (uPlot's own log
 * splits assume they are): 1, 2 and 5 × 10^k over a decade or two, fewer over many.
 */
export function logSplits(min: number, max: number): number[] {
  const d0 = Math.floor(Math.log10(min));
  const d1 = Math.ceil(Math.log10(max));
  const multiples = d1 - d0 <= 2 ? [1, 2, 5] : [1];
  const stride = Math.max(1, Math.ceil((d1 - d0) / 8));
  const ticks: number[] = [];
  for (let d = d0; d <= d1; d += stride) {
    for (const m of multiples) {
      const v = Number(`${m}e${d}`);
      if (v >= min && v <= max) ticks.push(v);
    }
  }
  return ticks;
}

const logTicks: Partial<uPlot.Axis> = {
  splits: (_u, _i, min, max) => logSplits(min, max),
  incrs: POWERS_OF_TEN,
  filter: (_u, splits) => splits,
  values: (_u, splits) => splits.map((v) => (v >= 1e4 || v < 1e-3 ? v.toExponential(0) : String(v))),
};

export interface MapCallbacks {
  /** The user dragged a rectangle: show this spec instead. */
  zoom(input: SpecInput): void;
  /** The user clicked a grid point. */
  pick(coords: [number, number]): void;
  /** The user showed or hid theory's boundary. */
  theory(shown: boolean): void;
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
  private counts: RegimeCounts = emptyCounts();
  private controller: AbortController | undefined;
  private pending = false;
  private picked: [number, number] | undefined;
  private neighbour: [number, number] | undefined;

  constructor(
    readonly element: HTMLElement,
    private readonly parts: {
      progress: HTMLProgressElement;
      status: HTMLElement;
      legend: HTMLElement;
      hover: HTMLElement;
      precision: HTMLElement;
    },
    private strings: Strings,
    private readonly callbacks: MapCallbacks,
  ) {
    new ResizeObserver(() => this.resize()).observe(element);
  }

  setStrings(strings: Strings): void {
    this.strings = strings;
    this.renderLegend();
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
    this.element.dataset.state = 'computing';
    this.element.dataset.engine = page.kind;
    this.element.dataset.grid = `${spec.axes[0]!.values.length}x${spec.axes[1]!.values.length}`;
    this.createPlot(spec);
    const precision = unresolvedAxes(spec);
    this.parts.precision.hidden = precision.length === 0;
    this.parts.precision.textContent = this.strings.precisionNote.replace('{axes}', precision.join(', '));

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
      }
      await this.pass(spec, page, controller.signal, this.strings.fine, true);
      this.element.dataset.ms = String(Math.round(performance.now() - started));
      this.element.dataset.state = 'done';
      this.parts.status.textContent = `${this.strings.done} · ${(performance.now() - started).toFixed(0)} ms${this.boundaryText(spec)}`;
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
    const regimes = new Uint8Array(spec.axes[0]!.values.length * spec.axes[1]!.values.length);
    this.parts.progress.hidden = false;
    this.parts.progress.value = 0;
    this.parts.status.textContent = `${this.strings.computing} · ${label}`;
    for await (const stats of page.engine.run(spec, {
      signal,
      chunkSize: page.kind === 'gpu' ? 65536 : 4096,
      onProgress: (p) => {
        if (signal.aborted) return;
        this.parts.progress.value = p.done / p.total;
        this.parts.status.textContent = `${this.strings.computing} · ${label} · ${Math.round((100 * p.done) / p.total)}%`;
      },
    })) {
      if (signal.aborted) return;
      const chunk = classifyChunk(stats, spec.base.steps);
      builder.add(chunk);
      addCounts(counts, chunk);
      regimes.set(chunk.regime, chunk.start);
      chunks.push(chunk);
      this.raster = builder.raster();
      this.counts = counts;
      this.requestDraw();
    }
    if (signal.aborted) return;
    if (final) {
      this.chunks = chunks;
      this.regimes = regimes;
      if (this.picked) this.neighbour = this.nearestOtherRegime(this.picked);
    }
    this.raster = builder.raster();
    this.counts = counts;
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
    const { width, height } = this.raster;
    if (this.image.width !== width || this.image.height !== height) {
      this.image.width = width;
      this.image.height = height;
    }
    const ctx = this.image.getContext('2d')!;
    const data = ctx.createImageData(width, height);
    data.data.set(rasterRgba(this.raster));
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
    const opts: uPlot.Options = {
      ...this.size(),
      padding: [12, 16, 0, 0],
      scales: {
        x: { time: false, distr: xr.log ? 3 : 1, auto: false, range: () => xEdges },
        y: { distr: yr.log ? 3 : 1, auto: false, range: () => yEdges },
      },
      axes: [
        { label: axisTitle(xAxis), labelSize: 28, stroke: '#222', grid: { show: false }, ticks: { stroke: '#444' }, ...(xr.log ? logTicks : linearTicks) },
        { label: axisTitle(yAxis), labelSize: 32, stroke: '#222', grid: { show: false }, ticks: { stroke: '#444' }, size: 60, ...(yr.log ? logTicks : linearTicks) },
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
            this.suppressClick = true;
            this.callbacks.zoom(withAxes(spec.input, spec, rangeWithEdges([x0, x1], xr.count, xr.log), rangeWithEdges([y0, y1], yr.count, yr.log)));
          },
        ],
      },
    };
    this.element.replaceChildren();
    const plot = new uPlot(opts, [[xEdges[0], xEdges[1]], [null, null]], this.element);
    this.plot = plot;
    plot.over.addEventListener('click', () => {
      if (this.suppressClick) {
        this.suppressClick = false;
        return;
      }
      const cell = this.cellAtCursor(plot);
      if (cell) this.callbacks.pick(cell);
    });
    // Where the plot area is, for scripts and tests (CSS pixels, relative to the canvas).
    const b = plot.bbox;
    Object.assign(this.element.dataset, {
      plotLeft: String(b.left / devicePixelRatio),
      plotTop: String(b.top / devicePixelRatio),
      plotWidth: String(b.width / devicePixelRatio),
      plotHeight: String(b.height / devicePixelRatio),
    });
  }

  private suppressClick = false;
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
    const index = (axis: Axis, v: number) => {
      const r = axisRange(axis);
      const t = r.log ? Math.log(v / r.start) / Math.log(r.stop / r.start) : (v - r.start) / (r.stop - r.start);
      return Math.round(t * (r.count - 1));
    };
    const i = index(this.spec.axes[0]!, xValue);
    const j = index(this.spec.axes[1]!, yValue);
    if (i < 0 || j < 0 || i >= this.spec.axes[0]!.values.length || j >= this.spec.axes[1]!.values.length) return undefined;
    return [i, j];
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
    const nx = this.spec.axes[0]!.values.length;
    const ny = this.spec.axes[1]!.values.length;
    const own = this.regimes[coords[1] * nx + coords[0]];
    for (let radius = 1; radius < Math.max(nx, ny); radius++) {
      let best: [number, number] | undefined;
      let bestDistance = Infinity;
      for (let dy = -radius; dy <= radius; dy++) {
        for (let dx = -radius; dx <= radius; dx++) {
          if (Math.max(Math.abs(dx), Math.abs(dy)) !== radius) continue;
          const x = coords[0] + dx;
          const y = coords[1] + dy;
          if (x < 0 || y < 0 || x >= nx || y >= ny || this.regimes[y * nx + x] === own) continue;
          const d = dx * dx + dy * dy;
          if (d < bestDistance) {
            bestDistance = d;
            best = [x, y];
          }
        }
      }
      if (best) return best;
    }
    return undefined;
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
    const parts = [`${xAxis.name} = ${formatNumber(x)}`, `${yAxis.name} = ${formatNumber(y)}`];
    const cell = this.cell(coords);
    if (cell) {
      const regime = REGIMES[cell.regime]!;
      parts.push(this.strings.regimes[regime]);
      const step = cell.chunk.regimeStep[cell.offset]!;
      if (regime === 'converged') parts.push(`${this.strings.convergedAt} ${step}`);
      if (regime === 'diverged' && step >= 0) parts.push(`${this.strings.escapedAt} ${step}`);
      const rate = cell.chunk.rate[cell.offset]!;
      if (Number.isFinite(rate) && regime !== 'converged') parts.push(`${this.strings.rate} ${rate.toPrecision(4)}`);
      parts.push(`${this.strings.loss} ${formatFloat32(cell.chunk.finalLoss[cell.offset]!)}`);
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
  }

  private renderLegend(): void {
    const total = REGIMES.reduce((s, r) => s + this.counts[r], 0);
    const rows = REGIMES.map((regime) => {
      const [r, g, b] = regimeRgb(regime, 0.9);
      const [lr, lg, lb] = regimeRgb(regime, 0);
      const share = total ? ((100 * this.counts[regime]) / total).toFixed(1) : '0.0';
      const shade = this.strings.shade[regime];
      return `<li data-regime="${regime}"><span class="swatch" style="background: linear-gradient(90deg, rgb(${lr},${lg},${lb}), rgb(${r},${g},${b}))"></span>
        <div><span class="name">${this.strings.regimes[regime]}</span> <span class="count">${this.counts[regime]}</span> <span class="share">(${share}%)</span>${shade ? `<br><small>${shade}</small>` : ''}</div></li>`;
    });
    const boundary = this.boundary;
    if (boundary) {
      rows.push(
        `<li><label class="theory-toggle" title="${this.strings.theoryToggle}"><input type="checkbox" name="theory"${this.showTheory ? ' checked' : ''}><span class="swatch boundary"></span><span class="name">${boundary.formula} ${this.strings.boundary}</span></label></li>`,
      );
    }
    this.parts.legend.innerHTML = `<ul>${rows.join('')}</ul>`;
    this.parts.legend.querySelector<HTMLInputElement>('input[name="theory"]')?.addEventListener('change', (e) => {
      this.setTheory((e.target as HTMLInputElement).checked);
      this.callbacks.theory(this.showTheory);
    });
  }

  /** The map as a PNG: the plot with its axes, and the legend beside it. */
  async exportPng(): Promise<Blob> {
    const plotCanvas = this.plot!.ctx.canvas;
    const scale = devicePixelRatio;
    const canvas = document.createElement('canvas');
    canvas.width = plotCanvas.width + 260 * scale;
    canvas.height = Math.max(plotCanvas.height, 260 * scale);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(plotCanvas, 0, 0);
    ctx.font = `${13 * scale}px sans-serif`;
    const total = REGIMES.reduce((s, r) => s + this.counts[r], 0);
    REGIMES.forEach((regime, i) => {
      const [r, g, b] = regimeRgb(regime, 0.9);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      const y = (24 + i * 26) * scale;
      ctx.fillRect(plotCanvas.width + 12 * scale, y - 11 * scale, 22 * scale, 14 * scale);
      ctx.fillStyle = '#111';
      const share = total ? ((100 * this.counts[regime]) / total).toFixed(1) : '0.0';
      ctx.fillText(`${regime} ${this.counts[regime]} (${share}%)`, plotCanvas.width + 42 * scale, y);
    });
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
