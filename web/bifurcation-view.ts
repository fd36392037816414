/**
 * The bifurcation view: for each learning rate of a range, the last iterates
 * of w as dots (lr on x, w on y), drawn in uPlot's faceted (scatter) mode by
 * a paths function that fills one small square per iterate. Its own small form
 * (objective, w₀, lr range, steps, tail) writes the same spec keys as the map's.
 */
import uPlot from 'uplot';
import {
  axisTitles,
  bifurcation,
  checkBifurcationSpec,
  componentName,
  lrLabel,
  OBJECTIVES,
  parseSpec,
  parseComponent,
  parseTail,
  SpecError,
  tailKind,
  summaryBands,
  tailOf,
  wRange,
  type Axis,
  type Bifurcation,
  type Spec,
  type SpecInput,
  type TailKind,
} from '../src/core';
import type { PageEngine } from './engines';
import type { Strings } from './i18n';
import { axisRange, axisTicks, linearTickLabels, rangeEdges, rangeText, sameInput } from './axes';
import { fittingTitle, labelChart } from './chart-text';
import { el } from './dom';

/** Where the view opens: gradient descent on the double well from 1.1, through its whole cascade. */
export const BIFURCATION_SPEC: SpecInput = { objective: 'double-well', w0: '1.1', lr: '0.2:0.42:400', steps: '1000' };

export interface BifurcationPreset {
  readonly id: string;
  readonly label: (s: Strings) => string;
  readonly spec: SpecInput;
  readonly tail?: string;
}

export const BIFURCATION_PRESETS: readonly BifurcationPreset[] = [
  { id: 'double-well', label: (s) => s.bifPresetDoubleWell, spec: BIFURCATION_SPEC },
  { id: 'quartic', label: (s) => s.bifPresetSoftQuartic, spec: { objective: 'quartic', w0: '0.5', lr: '1.5:3.8:460', steps: '2000' }, tail: '128' },
  { id: 'hardening-quartic', label: (s) => s.bifPresetQuartic, spec: { loss: 'w^4/4 + w^2/2', w0: '0.5', lr: '1.5:3:200', steps: '1000' }, tail: '64' },
];

export interface BifurcationCallbacks {
  apply(input: SpecInput, tail: string | undefined, component: string | undefined): void;
}

/** Parses and checks what the view needs: a spec that sweeps lr only, a tail, and the coordinate of w to plot. */
export function checkBifurcationInput(input: SpecInput, tail: string | undefined, component?: string): { spec: Spec; tail: number; component: number } {
  const spec = parseSpec(input, 'key');
  checkBifurcationSpec(spec, 'key');
  return { spec, tail: parseTail(tail, spec, 'key'), component: parseComponent(component, spec, 'key') };
}

const DOT = 'rgba(16, 52, 120, 0.55)';

export class BifurcationView {
  private plot: uPlot | undefined;
  private result: Bifurcation | undefined;
  private controller: AbortController | undefined;
  private readonly form: HTMLFormElement;
  private readonly chart: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly status: HTMLElement;
  private readonly hover: HTMLElement;
  private readonly bands: HTMLElement;
  private shown: { input: SpecInput; tail: string | undefined; component: string | undefined } | undefined;

  constructor(
    element: HTMLElement,
    private strings: Strings,
    private readonly callbacks: BifurcationCallbacks,
  ) {
    this.form = el('form', { className: 'spec-form bifurcation-form', autocomplete: 'off' });
    this.chart = el('div', { className: 'bifurcation-chart' });
    this.chart.dataset.state = 'computing';
    this.progress = el('progress', { max: 1, value: 0 });
    this.status = el('span');
    this.hover = el('p', { className: 'hover' });
    this.bands = el('ul', { className: 'bands', id: 'bifurcation-bands' });
    // An image described by the bands below it: what the tail does along lr.
    this.chart.setAttribute('aria-describedby', this.bands.id);
    element.replaceChildren(
      this.form,
      el('div', { className: 'bifurcation-column' }, [this.chart, el('div', { className: 'status' }, [this.progress, ' ', this.status]), this.hover, this.bands]),
    );
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.commit();
    });
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(this.chart);
  }

  /** The chart element, which carries data-state, data-engine, data-points, data-lrs and data-diverged. */
  get chartElement(): HTMLElement {
    return this.chart;
  }

  setStrings(strings: Strings): void {
    this.strings = strings;
    if (this.shown) this.renderForm(this.shown.input, this.shown.tail, this.shown.component);
    if (this.result && this.chart.dataset.state === 'done') {
      this.draw(this.result);
      this.renderBands(this.result);
    }
  }

  private size(): { width: number; height: number } {
    const width = Math.max(320, Math.floor(this.chart.clientWidth));
    return { width, height: Math.max(300, Math.min(Math.round(width * 0.6), Math.floor(window.innerHeight * 0.65))) };
  }

  /** Stops a diagram in flight (between batches of traces), e.g. when the view is left. */
  cancel(): void {
    this.controller?.abort();
  }

  /** Computes and draws a diagram; cancels one in flight. Throws SpecError for input it cannot use. */
  async show(input: SpecInput, tailText: string | undefined, componentText: string | undefined, page: PageEngine): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.shown = { input, tail: tailText, component: componentText };
    this.renderForm(input, tailText, componentText);
    const { spec, tail, component } = checkBifurcationInput(input, tailText, componentText);
    const s = this.strings;
    Object.assign(this.chart.dataset, { state: 'computing', engine: page.kind });
    for (const key of ['points', 'lrs', 'diverged', 'ms', 'component'] as const) delete this.chart.dataset[key];
    this.progress.hidden = false;
    this.progress.value = 0;
    this.status.textContent = s.computing;
    this.hover.textContent = '';
    this.bands.replaceChildren();
    const started = performance.now();
    let result: Bifurcation;
    try {
      result = await bifurcation(spec, page.engine, {
        tail,
        component,
        signal: controller.signal,
        // Smaller batches than the command line's: progress shows sooner, and a worker's reply stays small.
        budgetFloats: 1 << 21,
        onProgress: (p) => {
          if (controller.signal.aborted) return;
          this.progress.value = p.done / p.total;
          this.status.textContent = `${s.computing} · ${Math.round((100 * p.done) / p.total)}%`;
        },
      });
    } catch (e) {
      if (controller.signal.aborted) return;
      this.chart.dataset.state = 'error';
      this.progress.hidden = true;
      this.status.textContent = (e as Error).message;
      throw e;
    }
    if (controller.signal.aborted) return;
    this.result = result;
    const points = this.draw(result);
    const ms = Math.round(performance.now() - started);
    const diverged = result.escapeStep.reduce((n, e) => n + (e >= 0 ? 1 : 0), 0);
    Object.assign(this.chart.dataset, { state: 'done', points: String(points), lrs: String(result.lr.length), diverged: String(diverged), ms: String(ms), component: String(result.component) });
    this.progress.hidden = true;
    this.status.textContent = `${s.done} · ${ms} ms · ${result.lr.length} × ${result.tail} ${s.bifPoints}${diverged ? ` · ${diverged} ${s.bifDiverged}` : ''}`;
    this.renderBands(result);
  }

  private renderBands(result: Bifurcation): void {
    const s = this.strings;
    const maxPeriod = String(Math.floor(result.tail / 2));
    const describe = (tail: TailKind) =>
      tail.kind === 'period' ? s.bifPeriod.replace('{p}', String(tail.period)) : tail.kind === 'aperiodic' ? s.bifAperiodic.replace('{n}', maxPeriod) : s.bifDivergedBand;
    const bands = summaryBands(result);
    const lines = bands.slice(0, 16).map((band) => {
      const count = band.last - band.first + 1;
      const range = count === 1 ? `lr ${lrLabel(result, band.first)}` : `lr ${lrLabel(result, band.first)}–${lrLabel(result, band.last)} (${count} ${s.bifLrs})`;
      const { tail } = band;
      if (tail.kind !== 'mixed') return `${range}: ${describe(tail)}`;
      const periods = tail.periods.slice(0, 8).join(', ') + (tail.periods.length > 8 ? ', …' : '');
      const parts = [
        ...(tail.aperiodic ? [s.bifAperiodicCount.replace('{n}', maxPeriod).replace('{count}', String(tail.aperiodic))] : []),
        ...(tail.periods.length ? [s.bifWindows.replace('{list}', periods)] : []),
        ...(tail.diverged ? [`${s.bifDivergedBand}: ${tail.diverged}`] : []),
      ];
      return `${range}: ${parts.join('; ')}`;
    });
    if (bands.length > lines.length) lines.push('…');
    this.bands.replaceChildren(el('li', { className: 'title', textContent: s.bifTailAlongLr }), ...lines.map((line) => el('li', { textContent: line })));
  }

  private renderForm(input: SpecInput, tail: string | undefined, component: string | undefined): void {
    const s = this.strings;
    const raw = input as Record<string, unknown>;
    const text = (key: string) => (raw[key] === undefined ? '' : String(raw[key]));
    let lr = { start: 0.2, stop: 0.42, count: 400, log: false };
    try {
      const axis = parseSpec(input, 'key').axes.find((a) => a.key === 'lr');
      if (axis && axis.scale !== 'list') lr = axisRange(axis);
    } catch {
      // invalid input: the form shows what was typed where it can
    }
    // A typed-in loss is the expression objective even where the input does not say so (the hardening quartic's preset, a link with only loss=).
    const objective = text('objective') || (raw.loss !== undefined ? 'expression' : 'quadratic');
    // The menu names the preset the diagram is, if it is one.
    const shown = BIFURCATION_PRESETS.find((p) => sameInput(p.spec as Record<string, unknown>, raw) && (tail ?? '') === (p.tail ?? ''));
    const presets = el('select', { name: 'bif-preset' }, [
      el('option', { value: '', textContent: s.presetChoose, selected: !shown }),
      ...BIFURCATION_PRESETS.map((p) => el('option', { value: p.id, textContent: p.label(s), selected: p === shown })),
    ]);
    presets.addEventListener('change', () => {
      const preset = BIFURCATION_PRESETS.find((p) => p.id === presets.value);
      if (preset) this.callbacks.apply(preset.spec, preset.tail, undefined);
    });
    const field = (label: string, name: string, value: string, placeholder = '', size = 8) =>
      el('label', { className: 'field' }, [label, el('input', { name, value, placeholder, size })]);
    const rows: Node[] = [
      el('h2', {}, [s.bifTitle]),
      el('p', { className: 'hint' }, [s.bifIntro]),
      el('label', { className: 'field' }, [s.presets, presets]),
      el('label', { className: 'field' }, [
        s.objective,
        el(
          'select',
          { name: 'objective' },
          OBJECTIVES.map((o) => el('option', { value: o, selected: o === objective, textContent: o === 'quadratic' ? s.quadratic : o === 'expression' ? s.typedLoss : o })),
        ),
      ]),
    ];
    if (objective === 'expression') rows.push(el('label', { className: 'field wide' }, ['f =', el('input', { name: 'loss', value: text('loss'), placeholder: 'w^2/2 - w^4/4', spellcheck: false })]));
    rows.push(
      field('w₀', 'w0', text('w0')),
      el('fieldset', { className: 'axis' }, [
        el('legend', {}, [s.bifLrRange]),
        el('label', {}, [s.from, el('input', { name: 'lr-start', value: String(lr.start), inputMode: 'decimal', size: 6 })]),
        el('label', {}, [s.to, el('input', { name: 'lr-stop', value: String(lr.stop), inputMode: 'decimal', size: 6 })]),
        el('label', {}, [s.bifCount, el('input', { name: 'lr-count', value: String(lr.count), inputMode: 'numeric', size: 5 })]),
        el('label', { className: 'check' }, [el('input', { type: 'checkbox', name: 'lr-log', checked: lr.log }), s.log]),
      ]),
      field(s.steps, 'steps', text('steps'), '1000'),
      field(s.bifTail, 'tail', tail ?? '', '100'),
      field(s.bifComponent, 'component', component ?? '', '0'),
      el('button', { type: 'submit', textContent: s.bifDraw }),
      el('p', { className: 'form-error', role: 'alert', hidden: true }),
    );
    this.form.replaceChildren(...rows);
    this.form.querySelector('select[name=objective]')!.addEventListener('change', () => this.commit());
  }

  /** Reads the form; shows the spec parser's one-line message if the input cannot be used. */
  private commit(): void {
    const data = new FormData(this.form);
    const get = (name: string) => String(data.get(name) ?? '').trim();
    const error = this.form.querySelector<HTMLElement>('.form-error')!;
    const input: Record<string, string> = {};
    const objective = get('objective');
    if (objective && objective !== 'quadratic') input.objective = objective;
    if (objective === 'expression') input.loss = get('loss') || 'w^2/2 - w^4/4';
    if (get('w0')) input.w0 = get('w0');
    try {
      const [start, stop, count] = (['lr-start', 'lr-stop', 'lr-count'] as const).map((name) => {
        const v = get(name);
        if (v === '' || !Number.isFinite(Number(v))) throw new SpecError(name.replace('-', ' '), `"${v}" is not a number`, 'a number');
        return Number(v);
      }) as [number, number, number];
      input.lr = count === 1 ? String(start) : rangeText({ start, stop, count, log: data.get('lr-log') === 'on' });
      if (get('steps')) input.steps = get('steps');
      const tail = get('tail') || undefined;
      const component = get('component') || undefined;
      checkBifurcationInput(input, tail, component);
      error.hidden = true;
      this.callbacks.apply(input, tail, component);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      error.textContent = e.message;
      error.hidden = false;
    }
  }

  /** Draws the diagram; returns how many dots it drew. */
  private draw(result: Bifurcation): number {
    this.plot?.destroy();
    const { spec } = result;
    const axis: Axis = spec.axes[0] ?? { name: 'lr', key: 'lr', component: undefined, values: [result.lr[0]!], scale: 'list' };
    const log = axis.scale === 'log';
    const range = axis.scale === 'list' ? { start: Math.min(...result.lr), stop: Math.max(...result.lr), count: result.lr.length, log } : axisRange(axis);
    const xEdges = rangeEdges(range);
    const yRange = wRange(result);
    // Every settled iterate as one (lr, w) point; diverged learning rates have none.
    let count = 0;
    result.lr.forEach((_, i) => (count += result.escapeStep[i]! >= 0 ? 0 : result.tail));
    const xs = new Float64Array(count);
    const ys = new Float64Array(count);
    let n = 0;
    result.lr.forEach((lr, i) => {
      if (result.escapeStep[i]! >= 0) return;
      for (const w of tailOf(result, i)) {
        xs[n] = lr;
        ys[n++] = w;
      }
    });
    const diverged = result.lr.map((lr, i) => (result.escapeStep[i]! >= 0 ? lr : NaN)).filter((lr) => !Number.isNaN(lr));
    const s = this.strings;
    const ticks = axisTicks(log);
    const dots: uPlot.Series.PathBuilder = (u, seriesIdx) => {
      const [px, py] = (u.data as unknown as [null, [Float64Array, Float64Array]])[seriesIdx] as [Float64Array, Float64Array];
      const size = Math.max(1, Math.round(1.6 * devicePixelRatio));
      const ctx = u.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      // Diverged learning rates: a pale column, as in the PNG.
      const half = Math.max(1, (u.bbox.width / Math.max(1, result.lr.length)) / 2);
      ctx.fillStyle = 'rgb(250, 214, 208)';
      for (const lr of diverged) {
        const x = u.valToPos(lr, 'x', true);
        ctx.fillRect(x - half, u.bbox.top, 2 * half, u.bbox.height);
      }
      ctx.fillStyle = DOT;
      for (let i = 0; i < px.length; i++) {
        ctx.fillRect(Math.round(u.valToPos(px[i]!, 'x', true) - size / 2), Math.round(u.valToPos(py[i]!, 'y', true) - size / 2), size, size);
      }
      ctx.restore();
      return null;
    };
    // The titles in full, or shorter where the chart is too narrow for them (fittingTitle).
    const xTitles = axisTitles(axis, this.strings.titles);
    const yTitles = [`${componentName(result)} · ${s.bifWLabel.replace('{tail}', String(result.tail)).replace('{steps}', String(spec.base.steps))}`, componentName(result)];
    const opts: uPlot.Options = {
      mode: 2 as uPlot.Mode,
      ...this.size(),
      padding: [12, 16, 0, 0],
      scales: {
        x: { time: false, distr: log ? 3 : 1, auto: false, range: () => xEdges },
        y: { auto: false, range: () => yRange },
      },
      axes: [
        { label: fittingTitle(xTitles), labelSize: 28, stroke: '#222', grid: { show: false }, ticks: { stroke: '#444' }, ...ticks },
        {
          label: fittingTitle(yTitles),
          labelSize: 32,
          size: 64,
          stroke: '#222',
          grid: { stroke: '#eee' },
          ticks: { stroke: '#444' },
          values: (_u, splits) => linearTickLabels(splits),
        },
      ],
      series: [{}, { label: componentName(result), stroke: DOT, fill: DOT, paths: dots, points: { show: false }, facets: [{ scale: 'x', auto: false }, { scale: 'y', auto: false }] }],
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      hooks: { setCursor: [(u) => this.describeCursor(u)] },
    };
    this.chart.replaceChildren();
    this.plot = new uPlot(opts, [null, [xs, ys]] as unknown as uPlot.AlignedData, this.chart);
    labelChart(this.chart, `${s.bifTitle}: ${s.chartAgainst.replace('{y}', yTitles[0]!).replace('{x}', xTitles[0]!)}`);
    return count;
  }

  /** "lr = 0.2806: period 2 (0.7612, 1.1326)" for the learning rate under the cursor. */
  private describeCursor(u: uPlot): void {
    const result = this.result;
    const left = u.cursor.left;
    if (!result || left === undefined || left < 0) {
      this.hover.textContent = '';
      return;
    }
    const lr = u.posToVal(left, 'x');
    let nearest = 0;
    result.lr.forEach((v, i) => {
      if (Math.abs(v - lr) < Math.abs(result.lr[nearest]! - lr)) nearest = i;
    });
    const kind = tailKind(result, nearest);
    const values =
      kind.kind === 'period' && kind.period <= 8
        ? ` (${Array.from(tailOf(result, nearest).subarray(0, kind.period))
            .sort((a, b) => a - b)
            .map((w) => String(Number(w.toPrecision(5))))
            .join(', ')})`
        : '';
    const s = this.strings;
    const what = kind.kind === 'period' ? s.bifPeriod.replace('{p}', String(kind.period)) : kind.kind === 'aperiodic' ? s.bifAperiodic.replace('{n}', String(Math.floor(result.tail / 2))) : s.bifDivergedBand;
    this.hover.textContent = `lr = ${lrLabel(result, nearest)}: ${what}${values}`;
  }
}
