/**
 * The lesson: the seed article's three runs, recomputed by the engine and
 * printed exactly as TensorFlow printed them, then an lr slider that crosses
 * the boundary lr = 2/L = 1 with the trajectory and |1 − lr·L| beside it.
 */
import uPlot from 'uplot';
import { formatFloat32, parseSpec, type Engine, type SpecInput, type Trace } from '../src/core';
import { labelChart, seriesSummary } from './chart-text';
import type { Strings } from './i18n';

/** The seed's three runs: (w+1)², w0 = 5, 40 steps. */
export const SEED_RUNS: ReadonlyArray<{ id: string; input: SpecInput; columns: 'w' | 'all'; code: string }> = [
  { id: '1', input: { lr: 0.2, steps: 40 }, columns: 'w', code: 'train_step = tf.train.GradientDescentOptimizer(0.2).minimize(loss)' },
  { id: '2', input: { lr: 1, steps: 40 }, columns: 'w', code: 'train_step = tf.train.GradientDescentOptimizer(1).minimize(loss)' },
  {
    id: '3',
    input: { lr: 0.1, schedule: 'exponential', decayRate: 0.99, decaySteps: 1, staircase: true, steps: 40 },
    columns: 'all',
    code: 'learning_rate = tf.train.exponential_decay(0.1, global_step, 1, 0.99, staircase=True)',
  },
];

/** Lines as the seed's print statement wrote them. */
export function printedLines(trace: Trace, columns: 'w' | 'all'): string[] {
  const lines: string[] = [];
  for (let k = 1; k < trace.lr.length; k++) {
    const w = formatFloat32(trace.w[k]!);
    lines.push(columns === 'w' ? w : `${formatFloat32(trace.lr[k]!)} ${k} ${w} ${formatFloat32(trace.loss[k]!)}`);
  }
  return lines;
}

export class Lesson {
  private chart: uPlot | undefined;
  private traces = new Map<string, Trace>();
  private lr = 1;

  constructor(
    private readonly element: HTMLElement,
    private strings: Strings,
    private engine: Engine,
    private readonly callbacks: { slider(lr: number): void; openMap(): void },
  ) {}

  setStrings(strings: Strings): void {
    this.strings = strings;
    void this.render(this.lr);
  }

  setEngine(engine: Engine): void {
    this.engine = engine;
    this.traces.clear();
  }

  async render(lr: number): Promise<void> {
    this.lr = lr;
    const s = this.strings;
    this.element.dataset.state = 'computing';
    for (const run of SEED_RUNS) {
      if (!this.traces.has(run.id)) {
        const [trace] = await this.engine.trace(parseSpec(run.input), [0]);
        this.traces.set(run.id, trace!);
      }
    }
    const examples = SEED_RUNS.map((run, i) => {
      const title = [s.example1, s.example2, s.example3][i]!;
      const lines = printedLines(this.traces.get(run.id)!, run.columns);
      // The printed lines scroll: a named region that takes the keyboard's focus, so its arrow keys scroll it.
      return `<article class="example">
        <h3 id="example-${run.id}-title">${title}</h3>
        <pre class="code">${escape(run.code)}</pre>
        <p class="caption" id="example-${run.id}-caption">${run.columns === 'w' ? s.printed : s.printedAll}</p>
        <pre class="output" data-example="${run.id}" tabindex="0" role="region" aria-labelledby="example-${run.id}-title example-${run.id}-caption">${lines.join('\n')}</pre>
      </article>`;
    });
    this.element.innerHTML = `
      <h2>${s.lessonTitle}</h2>
      <p>${s.lessonIntro}</p>
      <div class="examples">${examples.join('')}</div>
      <section class="slider">
        <label>${s.sliderLabel} <input type="range" name="lesson-lr" min="0" max="1.5" step="0.01" value="${lr}"> <output name="lesson-lr-value">${lr.toFixed(2)}</output></label>
        <p class="factor" id="lesson-factor"></p>
        <div class="lesson-chart" aria-describedby="lesson-factor"></div>
      </section>
      <section class="explanation">${s.explanation.map((p) => `<p>${p}</p>`).join('')}</section>
      <p><button type="button" class="open-map">${s.openMap}</button></p>`;
    const slider = this.element.querySelector<HTMLInputElement>('input[name=lesson-lr]')!;
    slider.addEventListener('input', () => {
      const value = Number(slider.value);
      void this.updateSlider(value);
      this.callbacks.slider(value);
    });
    this.element.querySelector('.open-map')!.addEventListener('click', () => this.callbacks.openMap());
    await this.updateSlider(lr);
    this.element.dataset.state = 'done';
  }

  private async updateSlider(lr: number): Promise<void> {
    this.lr = lr;
    const s = this.strings;
    const L = 2;
    const factor = Math.abs(1 - lr * L);
    const verdict =
      lr === 0
        ? s.verdictZero
        : factor === 0
          ? s.verdictOneStep
          : factor < 1
            ? lr * L < 1
              ? s.verdictMonotone
              : s.verdictAlternating
            : factor === 1
              ? s.verdictOscillates
              : s.verdictDiverges;
    this.element.querySelector('output[name=lesson-lr-value]')!.textContent = lr.toFixed(2);
    this.element.querySelector('.factor')!.innerHTML = `lr = ${lr.toFixed(2)}, L = 2: ${s.factor} = <b>${Number(factor.toFixed(6))}</b> — ${verdict}`;
    const [trace] = await this.engine.trace(parseSpec({ lr, steps: 40 }), [0]);
    const x = Array.from({ length: 41 }, (_, k) => k);
    const w = Array.from(trace!.w, (v) => (Number.isFinite(v) && Math.abs(v) < 1e6 ? v : null));
    const host = this.element.querySelector<HTMLElement>('.lesson-chart')!;
    const data: uPlot.AlignedData = [x, w];
    labelChart(host, `${s.chartAgainst.replace('{y}', 'w').replace('{x}', s.stepUnit)}, lr = ${lr.toFixed(2)}: ${seriesSummary(data, ['w'])}`);
    if (this.chart && this.chart.root.isConnected) {
      this.chart.setData(data);
      return;
    }
    this.chart?.destroy();
    this.chart = new uPlot(
      {
        width: Math.max(300, host.clientWidth || 640),
        height: 240,
        scales: { x: { time: false } },
        axes: [{ label: s.stepUnit }, { label: s.wUnit, size: 56 }],
        series: [{ label: s.step }, { label: 'w', stroke: '#0072b2', width: 2, points: { show: true, size: 5 } }],
      },
      data,
      host,
    );
  }
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
