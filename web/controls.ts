/**
 * The experiment form. Every field takes the command line's value syntax, so
 * a vector like [1,100] works here too; the form writes a spec input and the
 * spec parser validates it, with the same one-line messages.
 */
import { CONVENTIONS, OBJECTIVES, OPTIMIZERS, optimizerDefaults, optimizerParams, PARAM_KEYS, PARAMS, parseSpec, SCHEDULE_PARAMS, SCHEDULES, SpecError, type ParamKey, type Spec, type SpecInput } from '../src/core';
import { axisRange, rangeText, sameInput, type AxisRange } from './axes';
import { el, labelledBy } from './dom';
import type { Strings } from './i18n';
import { df64Missing, PRECISION_CHOICES, type PrecisionChoice } from './precision';
import { checkMapSpec, type ColorChoice } from './state';

/** Parameters that can be a map axis: every sweepable number or per-dimension vector of PARAMS, lr first. */
export const AXIS_KEYS: readonly ParamKey[] = ['lr', ...PARAM_KEYS.filter((k) => k !== 'lr' && isAxisKey(k))];

function isAxisKey(key: ParamKey): boolean {
  const def = PARAMS[key];
  return def.sweepable && (def.type === 'number' || (def.type === 'vector' && def.perDimension));
}

export const RESOLUTIONS = [32, 64, 128, 256, 512, 1024];

export interface Preset {
  readonly id: string;
  readonly label: (s: Strings) => string;
  readonly spec: SpecInput;
  /** Grid point to pick (its trajectory is shown). */
  readonly pick?: readonly [number, number];
  /** What the map's colours show (else regimes). */
  readonly color?: ColorChoice;
  /** A sentence shown under the menu while the preset is on view: where it comes from. */
  readonly hint?: (s: Strings) => string;
}

/**
 * The trainability paper's network (Sohl-Dickstein 2024): 16 wide, as many data
 * points as parameters (16² + 16 = 272; the width for the linear network),
 * 500 steps of full-batch gradient descent, and the notebook's first view:
 * both axes from 1e-3 to 1e6 (mnmx = [-3, 6, -3, 6]).
 */
const PAPER_RATES = '0.001:1000000:64:log';
const paper = (id: string, label: (s: Strings) => string, spec: Record<string, string>): Preset => ({
  id,
  label,
  spec: { ...spec, objective: 'mlp', width: '16', dataPoints: spec.activation === 'identity' ? '16' : '272', steps: '500' } as SpecInput,
  color: 'trainability',
  hint: (s) => s.presetPaperNote,
});

// Grids chosen so the seed's own settings are grid points: lr = 0.2 and 1 on
// 0:1.5:301 (steps of 0.005), L = 2 on 0:4:201 (steps of 0.02).
export const PRESETS: readonly Preset[] = [
  { id: 'seed-0.2', label: (s) => s.presetSeed02, spec: { lr: '0:1.5:301', curvature: '0:4:201', steps: '40' }, pick: [40, 100] },
  { id: 'seed-1', label: (s) => s.presetSeed1, spec: { lr: '0:1.5:301', curvature: '0:4:201', steps: '40' }, pick: [200, 100] },
  {
    id: 'seed-decay',
    label: (s) => s.presetSeedDecay,
    spec: { lr: '0:0.3:301', decayRate: '0.9:1:101', schedule: 'exponential', decaySteps: '1', staircase: 'true', steps: '40' },
    pick: [100, 90],
  },
  { id: 'boundary', label: (s) => s.presetBoundary, spec: { lr: '0.98:1.02:401', curvature: '1.96:2.04:401', steps: '1000' }, pick: [200, 200] },
  {
    id: 'mlp',
    label: (s) => s.presetMlp,
    spec: { inputLr: '0.01:100:64:log', outputLr: '0.01:100:64:log', objective: 'mlp', steps: '200' },
    pick: [32, 32],
  },
  paper('paper-tanh', (s) => s.presetPaperTanh, { inputLr: PAPER_RATES, outputLr: PAPER_RATES }),
  paper('paper-relu', (s) => s.presetPaperRelu, { inputLr: PAPER_RATES, outputLr: PAPER_RATES, activation: 'relu' }),
  paper('paper-identity', (s) => s.presetPaperIdentity, { inputLr: PAPER_RATES, outputLr: PAPER_RATES, activation: 'identity' }),
  paper('paper-minibatch', (s) => s.presetPaperMinibatch, { inputLr: PAPER_RATES, outputLr: PAPER_RATES, minibatch: '16' }),
  // Both layers at the default rate of 1, scaled by lr.
  paper('paper-init', (s) => s.presetPaperInit, { initOffset: PAPER_RATES, lr: PAPER_RATES }),
  {
    id: 'rescue',
    label: (s) => s.presetRescue,
    spec: { lr: '0:3:301', decayRate: '0.8:1:201', schedule: 'exponential', decaySteps: '1', steps: '300' },
    pick: [150, 150],
  },
];

/** The preset a view is: its spec, and of the presets with that spec the one whose point is picked (else the first). */
export function presetOf(input: Readonly<Record<string, unknown>>, pick?: readonly [number, number]): Preset | undefined {
  const matches = PRESETS.filter((p) => sameInput(p.spec as Record<string, unknown>, input));
  return matches.find((p) => p.pick && pick && p.pick[0] === pick[0] && p.pick[1] === pick[1]) ?? matches[0];
}

/** The form fields of an objective's own parameters. */
function objectiveKeys(objective: string): readonly ParamKey[] {
  if (objective === 'quadratic') return ['curvature', 'minimum', 'w0'];
  if (objective === 'mlp') return ['width', 'dataPoints', 'activation', 'seed', 'inputLr', 'outputLr', 'initOffset', 'minibatch', 'fastMath'];
  return ['w0', 'fastMath'];
}

export interface ControlsCallbacks {
  apply(input: SpecInput): void;
  preset(preset: Preset): void;
  engine(choice: 'auto' | 'gpu' | 'cpu'): void;
  precision(choice: PrecisionChoice): void;
}

export class Controls {
  private spec: Spec | undefined;
  private timer: number | undefined;
  /** On a narrow screen the form shows only its presets until opened (the button is hidden on wide screens). */
  private collapsed = true;

  constructor(
    private readonly form: HTMLFormElement,
    private strings: Strings,
    private readonly callbacks: ControlsCallbacks,
  ) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.commit();
    });
  }

  setStrings(strings: Strings): void {
    this.strings = strings;
    if (this.spec) this.render(this.spec, this.engineState, this.pick, this.precision);
  }

  private engineState: { choice: 'auto' | 'gpu' | 'cpu'; gpuAvailable: boolean } = { choice: 'auto', gpuAvailable: false };
  private pick: readonly [number, number] | undefined;
  private precision: PrecisionChoice = 'auto';

  /** Shows a spec in the form; `pick` is the grid point picked on the map, if any; `precision` the precision chosen. */
  render(spec: Spec, engineState: { choice: 'auto' | 'gpu' | 'cpu'; gpuAvailable: boolean }, pick?: readonly [number, number], precision: PrecisionChoice = 'auto'): void {
    this.spec = spec;
    this.engineState = engineState;
    this.pick = pick;
    this.precision = precision;
    const s = this.strings;
    const [xAxis, yAxis] = spec.axes;
    const input = spec.input as Record<string, unknown>;

    const axisRow = (which: 'x' | 'y', key: ParamKey, range: AxisRange) =>
      el('fieldset', { className: 'axis', name: which }, [
        el('legend', { id: `${which}-axis-legend` }, [which === 'x' ? s.xAxis : s.yAxis]),
        labelledBy(
          el(
            'select',
            { name: `${which}-key` },
            AXIS_KEYS.map((k) => el('option', { value: k, selected: k === key, textContent: k })),
          ),
          `${which}-axis-legend`,
        ),
        el('label', {}, [s.from, el('input', { name: `${which}-start`, value: String(range.start), inputMode: 'decimal', size: 7 })]),
        el('label', {}, [s.to, el('input', { name: `${which}-stop`, value: String(range.stop), inputMode: 'decimal', size: 7 })]),
        el('label', { className: 'check' }, [el('input', { type: 'checkbox', name: `${which}-log`, checked: range.log }), s.log]),
      ]);

    // The menu names the preset the view is, if it is one (the point picked tells the seed's two apart).
    const shown = presetOf(input, pick);
    const presetSelect = el('select', { name: 'preset' }, [
      el('option', { value: '', textContent: s.presetChoose, selected: !shown }),
      ...PRESETS.map((p) => el('option', { value: p.id, textContent: p.label(s), selected: p === shown, title: p.hint?.(s) ?? '' })),
    ]);
    presetSelect.addEventListener('change', () => {
      const preset = PRESETS.find((p) => p.id === presetSelect.value);
      if (preset) this.callbacks.preset(preset);
    });

    // A square grid is offered at the usual sizes; a grid that is not square (a preset's 301 × 201) keeps its own.
    const columns = axisRange(xAxis!).count;
    const rowCount = axisRange(yAxis!).count;
    const resolution = `${columns}x${rowCount}`;
    const sizes = [...new Set([...RESOLUTIONS.map((n) => `${n}x${n}`), resolution])].sort((a, b) => Number(a.split('x')[0]) - Number(b.split('x')[0]));
    const toggle = el('button', {
      type: 'button',
      className: 'controls-toggle',
      textContent: this.collapsed ? `${s.showSettings} ▾` : `${s.hideSettings} ▴`,
    });
    toggle.setAttribute('aria-expanded', String(!this.collapsed));
    toggle.setAttribute('aria-controls', this.form.id);
    toggle.addEventListener('click', () => {
      // Only shown or hidden: a re-render would drop what is being typed.
      this.collapsed = !this.collapsed;
      this.form.dataset.collapsed = String(this.collapsed);
      toggle.textContent = this.collapsed ? `${s.showSettings} ▾` : `${s.hideSettings} ▴`;
      toggle.setAttribute('aria-expanded', String(!this.collapsed));
    });
    this.form.dataset.collapsed = String(this.collapsed);
    const rows: Node[] = [
      el('h2', {}, [s.controls]),
      el('label', { className: 'field presets' }, [s.presets, presetSelect]),
      ...(shown?.hint ? [el('p', { className: 'preset-hint' }, [shown.hint(s)])] : []),
      toggle,
      axisRow('x', xAxis!.key, axisRange(xAxis!)),
      axisRow('y', yAxis!.key, axisRange(yAxis!)),
      el('label', { className: 'field' }, [
        s.resolution,
        el(
          'select',
          { name: 'resolution' },
          sizes.map((size) => el('option', { value: size, selected: size === resolution, textContent: size.replace('x', ' × ') })),
        ),
      ]),
      el('label', { className: 'field stacked', title: PARAMS.objective.help }, [
        s.objective,
        el(
          'select',
          { name: 'objective' },
          OBJECTIVES.map((o) =>
            el('option', { value: o, selected: o === spec.base.objective, textContent: o === 'quadratic' ? s.quadratic : o === 'expression' ? s.typedLoss : o === 'mlp' ? s.mlp : o }),
          ),
        ),
      ]),
    ];
    if (spec.base.objective === 'expression') {
      rows.push(
        el('label', { className: 'field wide', title: PARAMS.loss.help }, [
          'f =',
          el('input', { name: 'loss', value: spec.base.loss ?? '', placeholder: '4*(w-3)^2', spellcheck: false }),
        ]),
      );
    }
    const axisKeys = new Set(spec.axes.map((a) => a.key));
    const field = (key: ParamKey, label = key) => {
      if (axisKeys.has(key)) return undefined;
      const def = PARAMS[key];
      const given = input[key];
      const value = given === undefined ? '' : String(given);
      const hyperDefaults = optimizerDefaults(spec.base.optimizer, spec.base.convention) as unknown as Record<string, number>;
      const placeholder =
        key === 'decaySteps'
          ? String(spec.base.steps)
          : key === 'dataPoints' && spec.base.objective === 'mlp'
            ? String(spec.base.dataPoints) // the paper's default: as many points as weights (the width for identity)
          : key === 'w0' && spec.base.objective !== 'quadratic'
            ? `[${spec.base.w0.join(',')}]`
          : key in hyperDefaults
            ? String(hyperDefaults[key])
            : def.default === undefined
              ? ''
              : Array.isArray(def.default)
                ? `[${def.default.join(',')}]`
                : String(def.default);
      if (def.type === 'boolean') {
        return el('label', { className: 'field check', title: def.help }, [el('input', { type: 'checkbox', name: key, checked: given === true || given === 'true' }), label]);
      }
      if (def.type === 'choice') {
        return el('label', { className: 'field', title: def.help }, [
          label,
          el('select', { name: key }, def.choices.map((c) => el('option', { value: c, selected: c === (value || def.default), textContent: c }))),
        ]);
      }
      return el('label', { className: 'field', title: def.help }, [label, el('input', { name: key, value, placeholder, size: 10 })]);
    };
    for (const key of objectiveKeys(spec.base.objective)) {
      const f = field(key);
      if (f) rows.push(f);
    }
    rows.push(
      el('label', { className: 'field' }, [
        s.optimizer,
        el(
          'select',
          { name: 'optimizer' },
          OPTIMIZERS.map((o) => el('option', { value: o, selected: o === spec.base.optimizer, textContent: o === 'gd' ? s.gd : o })),
        ),
      ]),
    );
    if (spec.base.optimizer !== 'gd') {
      rows.push(
        el('label', { className: 'field', title: PARAMS.convention.help }, [
          s.convention,
          el('select', { name: 'convention' }, CONVENTIONS.map((c) => el('option', { value: c, selected: c === spec.base.convention, textContent: c }))),
        ]),
      );
      for (const key of optimizerParams(spec.base.optimizer, spec.base.convention)) {
        const f = field(key);
        if (f) rows.push(f);
      }
    }
    const scheduleSelect = el(
      'select',
      { name: 'schedule' },
      SCHEDULES.map((name) => el('option', { value: name, selected: name === spec.base.schedule, textContent: name })),
    );
    rows.push(el('label', { className: 'field' }, [s.schedule, scheduleSelect]));
    const layerRates = spec.base.objective === 'mlp' && (input.inputLr !== undefined || input.outputLr !== undefined);
    for (const key of SCHEDULE_PARAMS[spec.base.schedule]) {
      if (key === 'lr' && layerRates) continue; // the layer rates replace it
      const f = field(key as ParamKey);
      if (f) rows.push(f);
    }
    const warmup = field('warmupSteps');
    if (warmup) rows.push(warmup);
    rows.push(el('label', { className: 'field' }, [s.steps, el('input', { name: 'steps', value: String(spec.base.steps), size: 8 })]));
    rows.push(
      el('details', { open: this.moreOpen, ontoggle: (e: Event) => (this.moreOpen = (e.target as HTMLDetailsElement).open) }, [
        el('summary', {}, ['…']),
        el('label', { className: 'field' }, [s.tol, el('input', { name: 'tol', value: input.tol === undefined ? '' : String(input.tol), placeholder: '1e-5', size: 8 })]),
        el('label', { className: 'field' }, [s.bound, el('input', { name: 'bound', value: input.bound === undefined ? '' : String(input.bound), placeholder: '1e20', size: 8 })]),
      ]),
    );
    const engineSelect = el('select', { name: 'engine' }, [
      el('option', { value: 'auto', selected: engineState.choice === 'auto', textContent: 'auto' }),
      el('option', { value: 'gpu', selected: engineState.choice === 'gpu', disabled: !engineState.gpuAvailable, textContent: s.engineGpu }),
      el('option', { value: 'cpu', selected: engineState.choice === 'cpu', textContent: s.engineCpu }),
    ]);
    engineSelect.addEventListener('change', () => this.callbacks.engine(engineSelect.value as 'auto' | 'gpu' | 'cpu'));
    rows.push(el('label', { className: 'field' }, [s.engine, engineSelect]));
    // df64 where the optimizer and schedule have a df64 version (the menu says why not elsewhere).
    const missing = df64Missing(spec);
    const precisionSelect = el(
      'select',
      { name: 'precision' },
      PRECISION_CHOICES.map((c) =>
        el('option', {
          value: c,
          selected: c === precision,
          disabled: c === 'df64' && missing !== undefined && precision !== 'df64',
          textContent: c === 'auto' ? s.precisionAuto : c === 'df64' && missing ? `df64 (${s.precisionNoDf64.replace('{missing}', missing)})` : c,
        }),
      ),
    );
    precisionSelect.addEventListener('change', () => this.callbacks.precision(precisionSelect.value as PrecisionChoice));
    rows.push(el('label', { className: 'field', title: `${s.precisionAutoTitle}. ${s.precisionDf64Title}` }, [s.precision, precisionSelect]));
    rows.push(el('p', { className: 'form-error', role: 'alert', hidden: true }));
    // Drawn again after every edit: the control that had the focus keeps it
    // (Tab out of a field goes on from the next one), and a shown help stays.
    const focusable = () => [...this.form.querySelectorAll<HTMLElement>('input, select, button, summary')];
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && this.form.contains(active) ? { name: active.getAttribute('name'), at: focusable().indexOf(active) } : undefined;
    const helpShown = this.helpShown;
    this.form.replaceChildren(...rows);
    this.showHelp(helpShown);
    if (focused) {
      const named = focused.name === null ? null : this.form.querySelector<HTMLElement>(`[name="${CSS.escape(focused.name)}"]`);
      (named ?? focusable()[focused.at])?.focus({ preventScroll: true });
    }

    for (const input of this.form.querySelectorAll('input, select')) {
      if (['preset', 'engine', 'precision'].includes((input as HTMLElement).getAttribute('name') ?? '')) continue;
      const immediate = ['schedule', 'optimizer', 'convention', 'objective'].includes(input.getAttribute('name') ?? '') || input.getAttribute('name')?.endsWith('-key');
      input.addEventListener('change', () => this.schedule(immediate ? 0 : 400));
    }
  }

  /** Whether the tolerance and bound (under "…") are shown; kept when the form is drawn again. */
  private moreOpen = false;

  /** The field whose help is shown, by its control's name; kept when the form is drawn again. */
  private helpShown: string | undefined;

  /**
   * A field's help (its tooltip's text) in a line under it while it has the
   * focus or was tapped: phones show no tooltips, and a newcomer reads
   * `initOffset` or `fastMath` as a name, not an explanation.
   */
  private showHelp(shown: string | undefined): void {
    // The help texts are the command line's, in English whatever the page's language.
    const help = el('p', { className: 'field-help', lang: 'en', hidden: true });
    const fields = [...this.form.querySelectorAll<HTMLLabelElement>('label.field[title]')];
    const name = (label: HTMLLabelElement) => label.querySelector('input, select')?.getAttribute('name') ?? undefined;
    const show = (label: HTMLLabelElement) => {
      help.textContent = label.title;
      help.hidden = false;
      label.after(help);
      this.helpShown = name(label);
    };
    for (const label of fields) {
      label.addEventListener('focusin', () => show(label));
      label.addEventListener('click', () => show(label));
      label.addEventListener('focusout', (e) => {
        if (fields.some((other) => other.contains(e.relatedTarget as Node | null))) return; // the next field shows its own
        help.hidden = true;
        this.helpShown = undefined;
      });
    }
    const again = fields.find((label) => shown !== undefined && name(label) === shown);
    if (again) show(again);
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.commit(), delay);
  }

  /** Reads the form into a spec input; shows the spec parser's message if it is invalid. */
  private commit(): void {
    const data = new FormData(this.form);
    const get = (name: string) => String(data.get(name) ?? '').trim();
    const error = this.form.querySelector<HTMLElement>('.form-error')!;
    const [columns, rowCount = columns] = get('resolution').split('x').map(Number) as [number, number?];
    const resolution = columns;
    const axis = (which: 'x' | 'y') =>
      [
        get(`${which}-key`),
        rangeText({ start: Number(get(`${which}-start`)), stop: Number(get(`${which}-stop`)), count: which === 'x' ? columns : rowCount, log: data.get(`${which}-log`) === 'on' }),
      ] as const;
    const [xKey, xValue] = axis('x');
    const [yKey, yValue] = axis('y');
    const input: Record<string, unknown> = {};
    const bad = (name: string, value: string) => {
      error.textContent = new SpecError(name, `"${value}" is not a number`, 'a number').message;
      error.hidden = false;
    };
    for (const which of ['x', 'y'] as const) {
      for (const end of ['start', 'stop']) {
        const v = get(`${which}-${end}`);
        if (v === '' || !Number.isFinite(Number(v))) return bad(`${which} axis ${end === 'start' ? this.strings.from : this.strings.to}`, v);
      }
    }
    if (xKey === yKey) {
      error.textContent = new SpecError('y axis', `is ${yKey}, like the x axis`, 'a different parameter for each axis').message;
      error.hidden = false;
      return;
    }
    input[xKey] = xValue;
    input[yKey] = yValue;
    const objective = get('objective') || 'quadratic';
    if (objective !== 'quadratic') input.objective = objective;
    if (objective === 'expression') input.loss = get('loss') || '4*(w-3)^2';
    const schedule = get('schedule');
    if (schedule !== 'constant') input.schedule = schedule;
    const optimizer = get('optimizer') as (typeof OPTIMIZERS)[number];
    if (optimizer !== 'gd') input.optimizer = optimizer;
    const convention = (get('convention') || 'tf') as (typeof CONVENTIONS)[number];
    if (optimizer !== 'gd' && convention !== 'tf') input.convention = convention;
    // Into the network: its two layer rates become the map's axes.
    if (objective === 'mlp' && this.spec?.base.objective !== 'mlp') {
      const layers = rangeText({ start: 0.01, stop: 100, count: resolution, log: true });
      return this.callbacks.apply({ inputLr: layers, outputLr: layers, objective: 'mlp', steps: get('steps') || '200' } as SpecInput);
    }
    const keys = new Set<ParamKey>([
      ...objectiveKeys(objective),
      ...optimizerParams(optimizer, convention),
      ...(SCHEDULE_PARAMS[schedule as keyof typeof SCHEDULE_PARAMS] ?? []),
      'warmupSteps',
      'steps',
      'tol',
      'bound',
    ] as ParamKey[]);
    const LAYER_RATES: string[] = ['inputLr', 'outputLr'];
    const layerRates = objective === 'mlp' && (LAYER_RATES.includes(xKey) || LAYER_RATES.includes(yKey) || LAYER_RATES.some((k) => get(k) !== ''));
    for (const key of keys) {
      if (key === xKey || key === yKey) continue;
      if (key === 'lr' && layerRates) continue;
      const def = PARAMS[key];
      if (def.type === 'boolean') {
        if (data.get(key) === 'on') input[key] = 'true';
        continue;
      }
      const value = get(key);
      if (value !== '') input[key] = value;
    }
    try {
      const spec = parseSpec(input, 'key');
      checkMapSpec(spec);
      error.hidden = true;
      this.callbacks.apply(input as SpecInput);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      error.textContent = e.message;
      error.hidden = false;
    }
  }
}
