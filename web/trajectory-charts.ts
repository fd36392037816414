/**
 * Trajectory charts: w, the loss (log scale) and lr against the step, for a
 * picked point and its neighbour across the nearest regime boundary. The
 * three charts share one cursor (uPlot.sync). Each run has its own y axis
 * (left for the picked run, right for its neighbour) unless the reader asks
 * for one scale; a run that escaped ends at its escape step; a run longer
 * than the chart is wide is drawn as dots, so an oscillation shows as its
 * bands rather than as a block of zigzags.
 */
import uPlot from 'uplot';
import type { Trace } from '../src/core';
import type { Strings } from './i18n';
import { linearTickLabels, POWERS_OF_TEN } from './axes';
import { labelChart, seriesSummary } from './chart-text';

export interface ChartTrace {
  readonly trace: Trace;
  readonly label: string;
  readonly color: string;
  readonly dash?: number[];
}

const SYNC_KEY = 'lrscope-trajectory';


/** Most components of w drawn as lines of their own. */
const MAX_COMPONENT_LINES = 8;

/** What the charts show: the runs, the dimensions of w, and the bound past which a run has escaped. */
export interface ChartRuns {
  readonly traces: readonly ChartTrace[];
  readonly dims: number;
  readonly bound: number;
}

/** The last step of a run worth drawing: the step at which it escaped (|w| past the bound, or not a number), else its last. */
export function lastDrawnStep(trace: Trace, dims: number, bound: number): number {
  const steps = trace.lr.length - 1;
  for (let k = 0; k <= steps; k++) {
    for (let d = 0; d < dims; d++) {
      const w = trace.w[k * dims + d]!;
      if (!(Math.abs(w) <= bound)) return k;
    }
  }
  return steps;
}

export class TrajectoryCharts {
  private charts: uPlot[] = [];
  private runs: ChartRuns | undefined;
  /** Whether the runs share one y scale (otherwise each has its own axis). */
  private shared = false;

  constructor(
    private readonly element: HTMLElement,
    private strings: Strings,
  ) {}

  setStrings(strings: Strings): void {
    // With nothing picked the hint is all there is: it follows the language.
    if (!this.charts.length && this.element.querySelector('p.hint')?.textContent === this.strings.trajectoryNone) this.clear(strings.trajectoryNone);
    this.strings = strings;
  }

  clear(message: string): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.runs = undefined;
    this.element.replaceChildren(Object.assign(document.createElement('p'), { className: 'hint', textContent: message }));
    delete this.element.dataset.state;
  }

  show(runs: ChartRuns): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.runs = runs;
    const { traces, dims, bound } = runs;
    const s = this.strings;
    const own = traces.length > 1 && !this.shared;
    const steps = traces[0]!.trace.lr.length - 1;
    const x = Float64Array.from({ length: steps + 1 }, (_, k) => k);
    const width = Math.max(280, this.element.clientWidth || 600);
    // More steps than about two per pixel of the plot: dots, not lines.
    const dense = steps + 1 > (width - 110) / 2;
    const last = traces.map((t) => lastDrawnStep(t.trace, dims, bound));
    /** A run's values at each step, null past its escape and where they are not finite (or, `positive`, not above 0). */
    const values = (i: number, at: (k: number) => number, positive = false) =>
      Array.from({ length: steps + 1 }, (_, k) => {
        const v = k > last[i]! ? Number.NaN : at(k);
        return Number.isFinite(v) && (!positive || v > 0) ? v : null;
      });

    const controls = el('p', 'chart-controls');
    controls.append(Object.assign(document.createElement('span'), { className: 'hint', textContent: s.chartsHint }));
    if (traces.length > 1) {
      const box = Object.assign(document.createElement('input'), { type: 'checkbox', name: 'shared-scale', checked: this.shared });
      box.addEventListener('change', () => {
        this.shared = box.checked;
        if (this.runs) this.show(this.runs);
      });
      const label = el('label', 'shared-scale');
      label.append(box, ` ${s.sharedScale}`);
      controls.append(label);
    }
    this.element.replaceChildren(controls);

    const scaleOf = (i: number) => (own && i > 0 ? 'y2' : 'y');
    const series = (name: (t: ChartTrace, d: number) => string, perDim: boolean): uPlot.Series[] => [
      { label: s.step },
      ...traces.flatMap((t, i) =>
        Array.from({ length: perDim ? dims : 1 }, (_, d) => ({
          label: name(t, d),
          scale: scaleOf(i),
          stroke: t.color,
          width: 1.5,
          dash: t.dash,
          ...(dense ? { paths: () => null, points: { show: true, size: 2, width: 0, fill: t.color, stroke: t.color } } : { points: { show: steps <= 60 } }),
        })),
      ),
    ];
    const make = (title: string, yLabel: string, data: uPlot.AlignedData, seriesList: uPlot.Series[], y: uPlot.Scale = {}) => {
      const yAxis = (scale: string, side: 1 | 3, label: string, stroke: string): uPlot.Axis => ({
        scale,
        side,
        label,
        stroke,
        labelSize: 20,
        size: 64,
        space: 24,
        grid: { show: scale === 'y' },
        values: (u, splits, axis) => {
          const labels = y.distr === 3 || y.distr === 4 ? splits.map((v) => (v == null ? '' : compact(v))) : linearTickLabels(splits);
          // The tick labels are drawn on the canvas: here they are for scripts and tests.
          u.root.dataset[`ticks${axis}`] = labels.join('|');
          return labels;
        },
        // Our own splits; uPlot's log label filter would drop some of them.
        // (and powers of ten as increments: uPlot's own stop at 1e±16, far short of a float32 loss)
        ...(y.distr === 3 ? { splits: decades, incrs: POWERS_OF_TEN, filter: (_u: uPlot, splits: number[]) => splits } : {}),
        ...(y.distr === 4 ? { splits: symmetricDecades, filter: (_u: uPlot, splits: number[]) => splits } : {}),
      });
      const axes: uPlot.Axis[] = [{ label: s.stepUnit, labelSize: 20, size: 36 }];
      // With an axis per run, each axis is named after its run (in its colour) and the title names the quantity.
      if (own) axes.push(yAxis('y', 3, traces[0]!.label, traces[0]!.color), yAxis('y2', 1, traces[1]!.label, traces[1]!.color));
      else axes.push(yAxis('y', 3, yLabel, '#222'));
      const chart = new uPlot(
        {
          title: own ? yLabel : title,
          width,
          height: 170,
          scales: { x: { time: false }, y, ...(own ? { y2: { ...y } } : {}) },
          axes,
          series: seriesList,
          cursor: { sync: { key: SYNC_KEY }, drag: { x: true, y: false } },
          legend: { live: true },
        },
        data,
        this.element,
      );
      this.charts.push(chart);
      const what = yLabel.startsWith(title) ? yLabel : `${title}, ${yLabel}`;
      labelChart(chart.root, `${s.chartAgainst.replace('{y}', what).replace('{x}', s.stepUnit)}: ${seriesSummary(data, seriesList.slice(1).map((l) => String(l.label)))}`);
    };

    // asinh scale: linear near 0, logarithmic far out, so an escaping trajectory
    // does not flatten the one that converges. Past a few dimensions (a
    // network's weights) one line per component says nothing: draw ‖w‖.
    if (dims <= MAX_COMPONENT_LINES) {
      const wData = traces.flatMap((t, i) => Array.from({ length: dims }, (_, d) => values(i, (k) => t.trace.w[k * dims + d]!)));
      make(s.w, s.wUnit, [x, ...wData] as uPlot.AlignedData, series((t, d) => (dims > 1 ? `${t.label} w[${d}]` : t.label), true), { distr: 4, log: 10, asinh: 1 });
    } else {
      const normData = traces.map((t, i) => values(i, (k) => Math.hypot(...t.trace.w.subarray(k * dims, (k + 1) * dims))));
      const title = `‖w‖ (${dims} ${s.weights})`;
      make(title, title, [x, ...normData] as uPlot.AlignedData, series((t) => `${t.label} ‖w‖`, false), { distr: 4, log: 10, asinh: 1 });
    }
    // log scale: a loss of exactly 0 (a trajectory that landed on the minimum) has no point
    const lossData = traces.map((t, i) => values(i, (k) => t.trace.loss[k]!, true));
    make(s.loss, s.lossUnit, [x, ...lossData] as uPlot.AlignedData, series((t) => t.label, false), { distr: 3 });
    const lrData = traces.map((t, i) => values(i, (k) => t.trace.lr[k]!));
    make(s.lr, s.lrUnit, [x, ...lrData] as uPlot.AlignedData, series((t) => t.label, false));
    this.element.dataset.state = 'done';
    this.element.dataset.scales = own ? 'own' : 'shared';
    this.element.dataset.lastSteps = last.join(',');
    this.element.dataset.drawn = dense ? 'dots' : 'lines';
  }
}

function el(tag: string, className: string): HTMLElement {
  return Object.assign(document.createElement(tag), { className });
}

/** Ticks on a log axis: powers of ten, every few decades when the range is wide. */
function decades(_u: uPlot, _axis: number, min: number, max: number): number[] {
  const lo = Math.ceil(Math.log10(min));
  const hi = Math.floor(Math.log10(max));
  const stride = Math.max(1, Math.ceil((hi - lo + 1) / 6));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += stride) ticks.push(Number(`1e${e}`));
  return ticks;
}

/** Ticks on an asinh axis: 0 and ±10^k, every few decades when the range is wide. */
function symmetricDecades(_u: uPlot, _axis: number, min: number, max: number): number[] {
  const top = Math.max(Math.abs(min), Math.abs(max), 1);
  const hi = Math.floor(Math.log10(top));
  const stride = Math.max(1, Math.ceil((hi + 1) / 3));
  const ticks = min <= 0 && max >= 0 ? [0] : [];
  for (let e = hi; e >= 0; e -= stride) {
    const v = Number(`1e${e}`);
    if (v <= max) ticks.push(v);
    if (-v >= min) ticks.push(-v);
  }
  return ticks.sort((a, b) => a - b);
}

/** Tick labels that stay short: 1e+08 rather than 100,000,000. */
function compact(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

