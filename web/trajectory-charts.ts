/**
 * Trajectory charts: w, the loss (log scale) and lr against the step, for a
 * picked point and its neighbour across the nearest regime boundary. The
 * three charts share one cursor (uPlot.sync).
 */
import uPlot from 'uplot';
import type { Trace } from '../src/core';
import type { Strings } from './i18n';
import { POWERS_OF_TEN } from './axes';
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

export class TrajectoryCharts {
  private charts: uPlot[] = [];

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
    this.element.replaceChildren(Object.assign(document.createElement('p'), { className: 'hint', textContent: message }));
    delete this.element.dataset.state;
  }

  show(traces: readonly ChartTrace[], dims: number): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.element.replaceChildren();
    const steps = traces[0]!.trace.lr.length - 1;
    const x = Float64Array.from({ length: steps + 1 }, (_, k) => k);
    const width = Math.max(280, this.element.clientWidth || 600);
    const s = this.strings;

    const series = (name: (t: ChartTrace, d: number) => string, perDim: boolean): uPlot.Series[] => [
      { label: s.step },
      ...traces.flatMap((t) =>
        Array.from({ length: perDim ? dims : 1 }, (_, d) => ({
          label: name(t, d),
          stroke: t.color,
          width: 1.5,
          dash: t.dash,
          points: { show: steps <= 60 },
        })),
      ),
    ];
    const make = (title: string, yLabel: string, data: uPlot.AlignedData, seriesList: uPlot.Series[], y: uPlot.Scale = {}) => {
      const chart = new uPlot(
        {
          title,
          width,
          height: 190,
          scales: { x: { time: false }, y },
          axes: [
            { label: s.stepUnit, labelSize: 20, size: 36 },
            {
              label: yLabel,
              labelSize: 20,
              size: 72,
              space: 24,
              values: (_u, splits) => splits.map((v) => (v == null ? '' : compact(v))),
              // Our own splits; uPlot's log label filter would drop some of them.
              // (and powers of ten as increments: uPlot's own stop at 1e±16, far short of a float32 loss)
              ...(y.distr === 3 ? { splits: decades, incrs: POWERS_OF_TEN, filter: (_u: uPlot, splits: number[]) => splits } : {}),
              ...(y.distr === 4 ? { splits: symmetricDecades, filter: (_u: uPlot, splits: number[]) => splits } : {}),
            },
          ],
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
      const wData: (number | null)[][] = traces.flatMap((t) =>
        Array.from({ length: dims }, (_, d) => Array.from({ length: steps + 1 }, (_, k) => finite(t.trace.w[k * dims + d]!))),
      );
      make(s.w, s.wUnit, [x, ...wData] as uPlot.AlignedData, series((t, d) => (dims > 1 ? `${t.label} w[${d}]` : t.label), true), { distr: 4, log: 10, asinh: 1 });
    } else {
      const norm = (t: ChartTrace, k: number) => finite(Math.hypot(...t.trace.w.subarray(k * dims, (k + 1) * dims)));
      const normData = traces.map((t) => Array.from({ length: steps + 1 }, (_, k) => norm(t, k)));
      make(`‖w‖ (${dims} ${s.weights})`, s.wUnit, [x, ...normData] as uPlot.AlignedData, series((t) => `${t.label} ‖w‖`, false), { distr: 4, log: 10, asinh: 1 });
    }
    // log scale: a loss of exactly 0 (a trajectory that landed on the minimum) has no point
    const lossData = traces.map((t) => Array.from(t.trace.loss, (v) => (v > 0 && Number.isFinite(v) ? v : null)));
    make(s.loss, s.lossUnit, [x, ...lossData] as uPlot.AlignedData, series((t) => t.label, false), { distr: 3 });
    const lrData = traces.map((t) => Array.from(t.trace.lr, finite));
    make(s.lr, s.lrUnit, [x, ...lrData] as uPlot.AlignedData, series((t) => t.label, false));
    this.element.dataset.state = 'done';
  }
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

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
